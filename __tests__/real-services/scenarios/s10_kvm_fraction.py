"""KVM instances hold a fraction of a host: vcpus / host vcpus of the compute node row in force at
the instance's created_at (the host was reinstalled with half the cores in between)."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    big, _ = w.kvm('kvm-1', vcpus=64, memory_mb=262144, local_gb=1024)
    large = w.flavor('m1.xlarge', vcpus=16, memory_mb=32768, root_gb=80)
    small = w.flavor('m1.medium', vcpus=8, memory_mb=16384, root_gb=40)
    w.at('2024-03-02 00:00')
    a = w.boot(large, project_id='p-a')
    w.build(a, 'kvm-1', host='kvm-1', minutes=1)
    w.at('2024-03-02 12:00')
    w.delete(a, host='kvm-1')
    w.at('2024-03-03 00:00')
    w.destroy_compute_node(big)
    w.kvm('kvm-1', vcpus=32, memory_mb=131072, local_gb=512)   # reinstalled: a new row, same name
    w.at('2024-03-03 06:00')
    b = w.boot(small, project_id='p-b')
    w.build(b, 'kvm-1', host='kvm-1', minutes=1)
    w.at('2024-03-04 06:00')
    w.delete(b, host='kvm-1')

    t = Truth('2024-03-01', '2024-03-06')
    t.interval('total', '2024-03-01', '2024-03-03', vcpus=64, memory_mb=262144, disk_gb=1024)
    t.interval('total', '2024-03-03', None, vcpus=32, memory_mb=131072, disk_gb=512)
    t.interval('occupied_ondemand', '2024-03-02', '2024-03-02 12:00', nodes=0.25, vcpus=16, memory_mb=32768, disk_gb=80)
    t.interval('occupied_ondemand', '2024-03-03 06:00', '2024-03-04 06:00', nodes=0.25, vcpus=8, memory_mb=16384, disk_gb=40)
    return t.rows(nova__compute_nodes=2, nova__instances=2)
