"""A bare-metal instance whose end exists only in its events: shelved without offload, it keeps its
node, no terminated_at and no deleted_at; the successful compute_shelve_instance event ends it."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    w.bare_metal('bm-1')
    flavor = w.flavor('baremetal')
    w.at('2024-03-02 00:00')
    vm = w.boot(flavor)
    w.build(vm, 'bm-1', minutes=15)
    w.at('2024-03-03 00:00')
    w.shelve(vm, offload=False)       # shelved_offload_time = -1: the instance stays on its node

    t = Truth('2024-03-01', '2024-03-05')
    t.interval('total', '2024-03-01', None)
    t.interval('reservable', '2024-03-01', None)
    t.interval('occupied_ondemand', '2024-03-02', '2024-03-03')
    return t.rows(nova__compute_nodes=1, blazar__computehosts=1, nova__instances=1)
