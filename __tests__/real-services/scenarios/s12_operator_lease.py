"""Operator leases (an operator project's maintenance lease, a Doni availability_window_*) are ops:
in maintenance, not committed, and left out of the lead times."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    _, h1 = w.bare_metal('bm-1')
    _, h2 = w.bare_metal('bm-2')
    w.at('2024-03-01 06:00')
    ops = w.lease('maintenance-bm-1', '2024-03-02 00:00', '2024-03-03 00:00', hosts=[h1], project_id='p-ops')
    w.at('2024-03-01 07:00')
    user = w.lease('experiment', '2024-03-02 00:00', '2024-03-03 00:00', hosts=[h2])
    w.at('2024-03-01 08:00')
    window = w.lease('availability_window_0c6e2f5a-4b2d-4a39-9d5e-6c1f0e7f9a10', '2024-03-04 00:00',
                     '2024-03-05 00:00', hosts=[h2], project_id='p-doni')
    for l in (ops, user):
        w.start_lease(l)
    for l in (ops, user):
        w.end_lease(l)
    w.start_lease(window)
    w.end_lease(window)

    t = Truth('2024-03-01', '2024-03-07', operator_projects=['p-ops'])
    for _ in range(2):
        t.interval('total', '2024-03-01', None)
        t.interval('reservable', '2024-03-01', None)
    t.interval('ops', '2024-03-02', '2024-03-03')
    t.interval('committed', '2024-03-02', '2024-03-03')
    t.interval('ops', '2024-03-04', '2024-03-05')
    # user lease: started after the operator lease's run (00:00:05-00:00:06): done at 00:00:12
    t.lead('2024-03-01 07:00', 17 * 3600, 17 * 3600 + 12)
    return t.rows(nova__compute_nodes=2, blazar__computehosts=2, blazar__computehost_allocations=3, blazar__leases=3)
