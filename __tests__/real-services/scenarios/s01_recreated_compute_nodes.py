"""Recreated compute nodes: a libvirt host reinstalled gets a new compute_nodes row (a real gap), an
Ironic node re-registered under its own UUID is undeleted in place by Nova (the gap is erased)."""
from truth import Truth



def play(w):
    w.at('2024-03-01 00:00')
    a1 = w.compute_node('kvm-a.tacc', vcpus=32, memory_mb=131072, local_gb=512, hypervisor_type='QEMU', host='kvm-a')
    b = w.compute_node('3f1c0a52-ironic-b', uuid='3f1c0a52-0000-4000-8000-00000000000b')
    w.at('2024-03-01 01:00')
    ha = w.blazar_host(a1)
    hb = w.blazar_host(b)
    w.at('2024-03-03 00:00')
    w.destroy_compute_node(a1)          # the resource tracker's orphan sweep
    w.at('2024-03-04 00:00')
    w.destroy_compute_node(b)
    w.at('2024-03-05 00:00')
    # reinstalled: a new libvirt UUID, so a new row for the same hypervisor_hostname
    w.compute_node('kvm-a.tacc', vcpus=32, memory_mb=131072, local_gb=512, hypervisor_type='QEMU', host='kvm-a')
    w.at('2024-03-06 00:00')
    # Ironic: the node UUID again; compute_node_create undeletes the old row (bug 1839560 fix)
    w.compute_node('3f1c0a52-ironic-b', uuid='3f1c0a52-0000-4000-8000-00000000000b')

    kvm = dict(vcpus=32, memory_mb=131072, disk_gb=512)
    t = Truth('2024-03-01', '2024-03-10')
    t.interval('total', '2024-03-01', '2024-03-03', **kvm)
    t.interval('total', '2024-03-05', None, **kvm)
    t.interval('total', '2024-03-01', None)   # node b: the undeleted row shows no gap
    # Blazar never saw the gap: reservable is cut to Nova's windows (clipped)
    t.interval('reservable', '2024-03-01 01:00', '2024-03-03', **kvm)
    t.interval('reservable', '2024-03-05', None, **kvm)
    t.interval('reservable', '2024-03-01 01:00', None)
    t.rows(nova__compute_nodes=3, blazar__computehosts=2)
    del ha, hb
    return t
