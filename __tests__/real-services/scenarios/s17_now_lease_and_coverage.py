"""A lease started "now" (start_date truncated to the minute: a lead time in (-60 s, 0]) on a site
whose config starts the Nova history later than Blazar's (reservable is not clamped before it)."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    _, h1 = w.bare_metal('bm-1')
    w.at('2024-03-02 10:00:42')
    lease = w.lease('right-now', None, '2024-03-03 10:00', hosts=[h1])    # start_date 10:00:00
    w.start_lease(lease)                       # the manager's next pass: DONE at 10:00:48
    w.end_lease(lease)

    t = Truth('2024-03-01', '2024-03-05', site_config={'coverage_start': {'total': '2024-03-02'}})
    t.coverage('total', '2024-03-02')
    t.interval('total', '2024-03-01', None)
    t.interval('reservable', '2024-03-01', None)
    t.interval('committed', '2024-03-02 10:00:42', '2024-03-03 10:00')
    t.lead('2024-03-02 10:00:42', -42, 6)
    return t.rows(nova__compute_nodes=1, blazar__computehosts=1, blazar__computehost_allocations=1, blazar__leases=1)
