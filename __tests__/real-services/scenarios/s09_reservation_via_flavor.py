"""A virtual:instance reservation found through its flavor `reservation:<id>`: two slots on one KVM
host are one host allocation with the slots' resources summed; the instance holds a fraction."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    _, h1 = w.kvm('kvm-1', enroll=True)
    w.at('2024-03-01 12:00')
    lease = w.lease('slots', '2024-03-02 00:00', '2024-03-04 00:00',
                    instances=dict(vcpus=4, memory_mb=8192, disk_gb=20, amount=2, hosts=[h1, h1]))
    # the instance plugin's private flavor, named after the reservation
    flavor = w.flavor('reservation:' + lease.reservation_id, vcpus=4, memory_mb=8192, root_gb=20,
                      flavorid=lease.reservation_id, is_public=False)
    w.start_lease(lease)
    w.at('2024-03-02 01:00')
    vm = w.boot(flavor)
    w.build(vm, 'kvm-1', host='kvm-1', minutes=3)
    w.at('2024-03-03 00:00')
    w.delete(vm, host='kvm-1')
    w.end_lease(lease)

    kvm = dict(vcpus=32, memory_mb=131072, disk_gb=512)
    t = Truth('2024-03-01', '2024-03-06')
    t.interval('total', '2024-03-01', None, **kvm)
    t.interval('reservable', '2024-03-01', None, **kvm)
    t.interval('committed', '2024-03-02', '2024-03-04', nodes=0.25, vcpus=8, memory_mb=16384, disk_gb=40)
    t.interval('occupied_reserved', '2024-03-02 01:00', '2024-03-03', nodes=0.125, vcpus=4, memory_mb=8192, disk_gb=20)
    t.lead('2024-03-01 12:00', 12 * 3600, 12 * 3600 + 6)
    return t.rows(nova__compute_nodes=1, nova__instances=1, blazar__computehosts=1,
                  blazar__computehost_allocations=2, blazar__leases=1) \
        .rejected('blazar.computehost_allocations', merged_slot=1)
