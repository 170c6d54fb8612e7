"""Node types and GPUs from the Blazar hosts' resource properties (the fork's resource_properties
layout), grouped by node_type; a node without the capability is `unknown`."""
from truth import Truth


def play(w):
    w.at('2024-03-01 00:00')
    _, s1 = w.bare_metal('sky-1', node_type='compute_skylake', gpus=0)
    w.bare_metal('sky-2', node_type='compute_skylake', gpus=0)
    _, g1 = w.bare_metal('gpu-1', node_type='gpu_rtx_6000', gpus=4)
    w.bare_metal('odd-1')                       # enrolled without capabilities
    flavor = w.flavor('baremetal')
    w.at('2024-03-01 10:00')
    gl = w.lease('gpu-lease', '2024-03-02 00:00', '2024-03-04 00:00', hosts=[g1])
    w.at('2024-03-01 11:00')
    sl = w.lease('sky-lease', '2024-03-02 00:00', '2024-03-03 00:00', hosts=[s1])
    w.start_lease(gl)
    w.start_lease(sl)
    w.at('2024-03-02 01:00')
    vm = w.boot(flavor, reservation=sl.reservation_id)
    w.build(vm, 'sky-1')
    w.at('2024-03-02 13:00')
    w.delete(vm)
    w.end_lease(sl)
    w.end_lease(gl)

    t = Truth('2024-03-01', '2024-03-06', group_by='node_type')
    for n, nt, g in (('sky-1', 'compute_skylake', 0), ('sky-2', 'compute_skylake', 0),
                     ('gpu-1', 'gpu_rtx_6000', 4), ('odd-1', 'unknown', 0)):
        t.interval('total', '2024-03-01', None, node_type=nt, gpus=g)
        t.interval('reservable', '2024-03-01', None, node_type=nt, gpus=g)
    t.interval('committed', '2024-03-02', '2024-03-04', node_type='gpu_rtx_6000', gpus=4)
    t.interval('committed', '2024-03-02', '2024-03-03', node_type='compute_skylake')
    t.interval('occupied_reserved', '2024-03-02 01:00', '2024-03-02 13:00', node_type='compute_skylake')
    t.lead('2024-03-01 10:00', 14 * 3600, 14 * 3600 + 6)
    t.lead('2024-03-01 11:00', 13 * 3600, 13 * 3600 + 12)
    return t.rows(nova__compute_nodes=4, nova__instances=1, blazar__computehosts=4,
                  blazar__computehost_allocations=2, blazar__leases=2)
