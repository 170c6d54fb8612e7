"""A running lease deleted early: committed ends at the deletion; the delete soft-deletes the start
event and overwrites its updated_at, so the actual start is the event's scheduled time (rules v2,
section 9, `effective_from_schedule`)."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    _, h1 = w.bare_metal('bm-1')
    w.at('2024-03-01 20:00:30')
    lease = w.lease('short-lived', '2024-03-02 00:00', '2024-03-05 00:00', hosts=[h1])
    w.start_lease(lease, delay_s=8)            # DONE at 00:00:09, overwritten by the delete
    w.at('2024-03-03 09:30')
    w.delete_lease(lease)

    t = Truth('2024-03-01', '2024-03-06')
    t.interval('total', '2024-03-01', None)
    t.interval('reservable', '2024-03-01', None)
    t.interval('committed', '2024-03-02', '2024-03-03 09:30')
    t.lead('2024-03-01 20:00:30', 3 * 3600 + 59 * 60 + 30, 3 * 3600 + 59 * 60 + 30)
    return t.rows(nova__compute_nodes=1, blazar__computehosts=1, blazar__computehost_allocations=1, blazar__leases=1)
