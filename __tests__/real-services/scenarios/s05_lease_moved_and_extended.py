"""A lease moved earlier before its start and extended while running: Blazar keeps only the final
dates, and the committed window and the requested lead time follow them."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    _, h1 = w.bare_metal('bm-1')
    w.at('2024-03-02 00:00')
    lease = w.lease('moved', '2024-03-04 00:00', '2024-03-05 00:00', hosts=[h1])
    w.at('2024-03-03 00:00')
    w.update_lease(lease, start='2024-03-03 12:00')     # --advance-by 12h
    w.start_lease(lease)                                 # DONE at 12:00:06
    w.at('2024-03-04 06:00')
    w.update_lease(lease, end='2024-03-06 00:00')       # --prolong-for 1d
    w.end_lease(lease)

    t = Truth('2024-03-01', '2024-03-08')
    t.interval('total', '2024-03-01', None)
    t.interval('reservable', '2024-03-01', None)
    t.interval('committed', '2024-03-03 12:00', '2024-03-06 00:00')
    t.lead('2024-03-02 00:00', 36 * 3600, 36 * 3600 + 6)
    return t.rows(nova__compute_nodes=1, blazar__computehosts=1, blazar__computehost_allocations=1, blazar__leases=1)
