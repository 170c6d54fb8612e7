"""A lease deleted before its start commits nothing and has no effective lead time; its neighbour
runs normally."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    _, h1 = w.bare_metal('bm-1')
    _, h2 = w.bare_metal('bm-2')
    w.at('2024-03-02 10:00')
    early = w.lease('cancelled', '2024-03-05 00:00', '2024-03-06 00:00', hosts=[h1])
    w.at('2024-03-02 12:00')
    normal = w.lease('normal', '2024-03-04 00:00', '2024-03-05 00:00', hosts=[h2])
    w.at('2024-03-03 00:00')
    w.delete_lease(early)
    w.start_lease(normal)
    w.end_lease(normal)

    t = Truth('2024-03-01', '2024-03-08')
    for _ in range(2):
        t.interval('total', '2024-03-01', None)
        t.interval('reservable', '2024-03-01', None)
    t.interval('committed', '2024-03-04', '2024-03-05')
    t.lead('2024-03-02 10:00', 62 * 3600)
    t.lead('2024-03-02 12:00', 36 * 3600, 36 * 3600 + 6)
    t.rows(nova__compute_nodes=2, blazar__computehosts=2, blazar__computehost_allocations=2, blazar__leases=2)
    t.rejected('blazar.computehost_allocations', deleted_before_start=1)
    return t
