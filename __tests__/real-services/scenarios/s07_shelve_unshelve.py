"""Shelve, offload and unshelve on KVM: two occupied periods, the second on another host; the gap
between them holds nothing (shelve-offload does not set terminated_at)."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    w.kvm('kvm-1')
    w.kvm('kvm-2')
    flavor = w.flavor('m1.large', vcpus=8, memory_mb=16384, root_gb=40)
    w.at('2024-03-02 00:00')
    vm = w.boot(flavor)
    w.build(vm, 'kvm-1', minutes=2, host='kvm-1')
    w.at('2024-03-03 00:00')
    w.shelve(vm, host='kvm-1')                 # shelve 00:00, offload 00:02: host and node cleared
    w.at('2024-03-04 00:00')
    w.unshelve(vm, 'kvm-2', host='kvm-2')     # compute_unshelve_instance starts at 00:00
    w.at('2024-03-05 00:00')
    w.delete(vm, host='kvm-2')

    kvm = dict(vcpus=32, memory_mb=131072, disk_gb=512)
    vm_q = dict(nodes=0.25, vcpus=8, memory_mb=16384, disk_gb=40)
    t = Truth('2024-03-01', '2024-03-07')
    t.interval('total', '2024-03-01', None, **kvm)
    t.interval('total', '2024-03-01', None, **kvm)
    t.interval('occupied_ondemand', '2024-03-02', '2024-03-03', **vm_q)
    t.interval('occupied_ondemand', '2024-03-04', '2024-03-05', **vm_q)
    return t.rows(nova__compute_nodes=2, nova__instances=1)
