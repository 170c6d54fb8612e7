"""A lease whose start_lease event ends in ERROR commits nothing and has no effective lead time."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    _, h1 = w.bare_metal('bm-1')
    _, h2 = w.bare_metal('bm-2')
    w.at('2024-03-01 18:30:15')
    broken = w.lease('broken', '2024-03-02 00:00', '2024-03-03 00:00', hosts=[h1])
    w.after(seconds=1)
    fine = w.lease('fine', '2024-03-02 00:00', '2024-03-03 00:00', hosts=[h2])
    w.start_lease(broken, ok=False)            # the host plugin's on_start failed
    w.start_lease(fine)
    w.end_lease(fine)

    t = Truth('2024-03-01', '2024-03-05')
    for _ in range(2):
        t.interval('total', '2024-03-01', None)
        t.interval('reservable', '2024-03-01', None)
    t.interval('committed', '2024-03-02', '2024-03-03')
    t.lead('2024-03-01 18:30:15', 5 * 3600 + 29 * 60 + 45)
    # started after the broken one's run (00:00:05 to 00:00:06): IN_PROGRESS 00:00:11, DONE 00:00:12
    t.lead('2024-03-01 18:30:16', 5 * 3600 + 29 * 60 + 44, 5 * 3600 + 29 * 60 + 56)
    return t.rows(nova__compute_nodes=2, blazar__computehosts=2, blazar__computehost_allocations=2, blazar__leases=2) \
        .rejected('blazar.computehost_allocations', lease_error=1)
