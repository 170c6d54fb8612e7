"""A reservation found through the scheduler hint: the instance's occupancy is reserved and clipped
to its lease; an instance without a hint beside it is on-demand."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    _, h1 = w.bare_metal('bm-1')
    w.bare_metal('bm-2')
    flavor = w.flavor('baremetal')
    w.at('2024-03-01 12:00')
    lease = w.lease('hinted', '2024-03-02 00:00', '2024-03-03 00:00', hosts=[h1])
    w.start_lease(lease)
    w.at('2024-03-02 01:00')
    vm = w.boot(flavor, reservation=lease.reservation_id)   # openstack server create --hint reservation=<id>
    w.build(vm, 'bm-1')
    w.at('2024-03-02 02:00')
    other = w.boot(flavor)
    w.build(other, 'bm-2')
    w.at('2024-03-02 14:00')
    w.delete(other)
    w.end_lease(lease)        # the instance outlives its lease (deleted after the end)
    w.at('2024-03-03 06:00')
    w.delete(vm)

    t = Truth('2024-03-01', '2024-03-05')
    for _ in range(2):
        t.interval('total', '2024-03-01', None)
        t.interval('reservable', '2024-03-01', None)
    t.interval('committed', '2024-03-02', '2024-03-03')
    t.interval('occupied_reserved', '2024-03-02 01:00', '2024-03-03 00:00')   # clipped at the lease end
    t.interval('occupied_ondemand', '2024-03-02 02:00', '2024-03-02 14:00')
    t.lead('2024-03-01 12:00', 12 * 3600, 12 * 3600 + 6)
    return t.rows(nova__compute_nodes=2, nova__instances=2, blazar__computehosts=2,
                  blazar__computehost_allocations=1, blazar__leases=1)
