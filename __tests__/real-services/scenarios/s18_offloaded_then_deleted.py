"""Instances deleted while shelved offloaded: host and node were cleared by the offload and the
API deletes them locally (terminated_at set, no compute_terminate_instance event). On KVM the
host comes back from the last successful compute_* event (its host is the hypervisor's name); on
Ironic that event names the nova-compute service, not a node, so the host is unknown."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    w.kvm('kvm-1')
    w.bare_metal('bm-1', node_type='compute_skylake')
    small = w.flavor('m1.small', vcpus=4, memory_mb=8192, root_gb=20)
    metal = w.flavor('baremetal')
    w.at('2024-03-02 00:00')
    vm = w.boot(small)
    w.build(vm, 'kvm-1', host='kvm-1', minutes=2)
    w.at('2024-03-02 06:00')
    bm = w.boot(metal)
    w.build(bm, 'bm-1', minutes=20)
    w.at('2024-03-03 00:00')
    w.shelve(vm, host='kvm-1')             # shelve 00:00 (its end), offload 00:02
    w.at('2024-03-03 12:00')
    w.shelve(bm)                            # shelve 12:00, offload 12:02
    w.at('2024-03-04 00:00')
    w.delete(vm)                            # local delete in the API: terminated_at only
    w.delete(bm)

    t = Truth('2024-03-01', '2024-03-06', group_by='node_type')
    t.interval('total', '2024-03-01', None, node_type='unknown', vcpus=32, memory_mb=131072, disk_gb=512)
    t.interval('total', '2024-03-01', None, node_type='compute_skylake')
    t.interval('reservable', '2024-03-01', None, node_type='compute_skylake')
    t.interval('occupied_ondemand', '2024-03-02', '2024-03-03', node_type='unknown', nodes=0.125, vcpus=4, memory_mb=8192, disk_gb=20)
    # bare metal, host unknown: the site total under `unknown`
    t.interval('occupied_ondemand', '2024-03-02 06:00', '2024-03-03 12:00', node_type='unknown')
    return t.rows(nova__compute_nodes=2, nova__instances=2, blazar__computehosts=1)
