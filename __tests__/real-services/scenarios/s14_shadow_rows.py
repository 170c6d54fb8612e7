"""Shadow rows: `archive_deleted_rows --before` moves only the older soft-deleted rows, so one
history is split between live rows, soft-deleted rows and shadow_* rows, all read."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    cn1, _ = w.kvm('kvm-1')
    cn2, _ = w.kvm('kvm-2')
    w.kvm('kvm-3')
    flavor = w.flavor('m1.small', vcpus=2, memory_mb=4096, root_gb=20)
    w.at('2024-03-01 06:00')
    i1 = w.boot(flavor)
    w.build(i1, 'kvm-3', host='kvm-3', minutes=1)
    w.at('2024-03-02 00:00')
    w.destroy_compute_node(cn1)
    i2 = w.boot(flavor)
    w.build(i2, 'kvm-3', host='kvm-3', minutes=1)
    w.at('2024-03-02 06:00')
    w.delete(i1, host='kvm-3')
    w.at('2024-03-03 00:00')
    i3 = w.boot(flavor)
    w.build(i3, 'kvm-3', host='kvm-3', minutes=1)
    w.at('2024-03-05 00:00')
    w.destroy_compute_node(cn2)
    w.delete(i2, host='kvm-3')
    w.at('2024-03-06 00:00')
    w.archive(before='2024-03-04')

    kvm = dict(vcpus=32, memory_mb=131072, disk_gb=512)
    vm = dict(nodes=0.0625, vcpus=2, memory_mb=4096, disk_gb=20)
    t = Truth('2024-03-01', '2024-03-07')
    t.interval('total', '2024-03-01', '2024-03-02', **kvm)      # shadow_compute_nodes
    t.interval('total', '2024-03-01', '2024-03-05', **kvm)      # soft-deleted, not archived
    t.interval('total', '2024-03-01', None, **kvm)
    t.interval('occupied_ondemand', '2024-03-01 06:00', '2024-03-02 06:00', **vm)   # shadow_instances
    t.interval('occupied_ondemand', '2024-03-02 00:00', '2024-03-05 00:00', **vm)   # soft-deleted
    t.interval('occupied_ondemand', '2024-03-03 00:00', None, **vm)
    return t.rows(nova__compute_nodes=2, nova__shadow_compute_nodes=1, nova__instances=2, nova__shadow_instances=1)
