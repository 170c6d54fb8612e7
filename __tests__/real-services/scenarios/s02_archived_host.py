"""An archived host: a retired node, its lease and its instance are moved to shadow_* by Nova's own
archive_deleted_rows (and its request spec purged from the API database)."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    bm1, h1 = w.bare_metal('bm-1')
    w.bare_metal('bm-2')
    flavor = w.flavor('baremetal')
    w.at('2024-03-02 00:00')
    lease = w.lease('retired-host-lease', '2024-03-02 01:00', '2024-03-04 01:00', hosts=[h1])
    w.start_lease(lease)                       # DONE at 01:00:06
    w.at('2024-03-02 02:00')
    vm = w.boot(flavor, reservation=lease.reservation_id)
    w.build(vm, 'bm-1')
    w.at('2024-03-03 12:00')
    w.delete(vm)                               # terminate event starts at 12:00
    w.end_lease(lease)
    w.at('2024-03-05 00:00')
    w.remove_host(h1)
    w.destroy_compute_node(bm1)
    w.at('2024-03-06 00:00')
    w.archive()

    t = Truth('2024-03-01', '2024-03-08')
    t.interval('total', '2024-03-01', '2024-03-05')       # from shadow_compute_nodes
    t.interval('total', '2024-03-01', None)
    t.interval('reservable', '2024-03-01', '2024-03-05')
    t.interval('reservable', '2024-03-01', None)
    t.interval('committed', '2024-03-02 01:00', '2024-03-04 01:00')
    # Archiving purged the request spec, the only link to the reservation (rules section 5):
    # the instance is on-demand now, and the lease looks idle.
    t.interval('occupied_ondemand', '2024-03-02 02:00', '2024-03-03 12:00')
    t.lead('2024-03-02 00:00', 3600, 3606)
    t.rows(nova__compute_nodes=1, nova__shadow_compute_nodes=1, nova__shadow_instances=1,
           blazar__computehosts=2, blazar__computehost_allocations=1, blazar__leases=1)
    return t
