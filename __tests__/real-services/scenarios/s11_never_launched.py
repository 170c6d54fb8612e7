"""Instances that never launched occupy nothing: a build that failed on its node (host and node
nil'ed, ERROR, launched_at NULL) and a request never scheduled, both deleted by the API."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    w.bare_metal('bm-1')
    flavor = w.flavor('baremetal')
    w.at('2024-03-02 00:00')
    failed = w.boot(flavor)
    w.build(failed, 'bm-1', ok=False, minutes=20)   # compute__do_build_and_run_instance: Error
    w.at('2024-03-02 01:00')
    stuck = w.boot(flavor)
    w.at('2024-03-02 02:00')
    w.delete(failed)          # host is NULL: a local delete in the API
    w.delete(stuck)

    t = Truth('2024-03-01', '2024-03-04')
    t.interval('total', '2024-03-01', None)
    t.interval('reservable', '2024-03-01', None)
    return t.rows(nova__compute_nodes=1, blazar__computehosts=1, nova__instances=2) \
        .rejected('nova.instances', never_launched=2)
