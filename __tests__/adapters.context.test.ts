/**
 * `loadContext`: Blazar hosts with capabilities and Nova compute node rows (live, deleted,
 * shadow), read whole; missing tables give empty maps and warnings.
 */
import { loadContext } from '../adapters/context';
import * as T from '../lib/Time';
import { describeBoth, openFixture } from './fixtures/db';
import * as R from './fixtures/rows';

jest.setTimeout(60_000);

describeBoth('loadContext', (dialect) => {
  it('indexes Blazar hosts by id and by hostname, preferring the live row of a hostname', async () => {
    const fx = await openFixture(dialect);
    try {
      await fx.insert('blazar.computehosts', [
        R.computehost({ id: '1', hypervisor_hostname: 'n1', created_at: '2021-01-01 00:00:00', deleted_at: '2022-01-01 00:00:00' }),
        R.computehost({ id: '5', hypervisor_hostname: 'n1', created_at: '2020-01-01 00:00:00', vcpus: 64 }),
        R.computehost({ id: '9', hypervisor_hostname: 'n2', created_at: '2020-01-01 00:00:00' }),
      ]);
      const c = R.capabilityRows('resource_properties', [
        { computehost_id: '5', name: 'node_type', value: 'compute_skylake' },
        { computehost_id: '9', name: 'gpu.gpu_count', value: '2' },
      ]);
      await fx.insert('blazar.resource_properties', c.names);
      await fx.insert('blazar.computehost_extra_capabilities', c.values);
      const { context, warnings } = await loadContext(fx.src);
      expect([...context.hostsById.keys()].sort()).toEqual(['1', '5', '9']);
      expect(context.hostsByHostname.get('n1')).toMatchObject({ id: '5', node_type: 'compute_skylake', gpus: 0, vcpus: 64 });
      expect(context.hostsByHostname.get('n2')).toMatchObject({ id: '9', node_type: 'unknown', gpus: 2 });
      expect(context.site).toBe(fx.src.site);
      expect(warnings).toEqual([]);
    } finally {
      await fx.drop();
    }
  });

  it('collects live, soft-deleted and shadow compute node rows per hostname, sorted by created_at with NULL first', async () => {
    const fx = await openFixture(dialect);
    try {
      await fx.insert('nova.compute_nodes', [
        R.computeNode({ id: 3, hypervisor_hostname: 'n1', created_at: '2021-01-01 00:00:00', vcpus: 32 }),
        R.computeNode({ id: 2, hypervisor_hostname: 'n1', created_at: '2020-01-01 00:00:00', deleted_at: '2020-12-31 00:00:00' }),
        R.computeNode({ id: 4, hypervisor_hostname: null }),
      ]);
      await fx.insert('nova.shadow_compute_nodes', [
        R.computeNode({ id: 1, hypervisor_hostname: 'n1', created_at: '2019-01-01 00:00:00', deleted_at: '2019-06-01 00:00:00' }),
        R.computeNode({ id: 7, hypervisor_hostname: 'n1', created_at: '0000-00-00 00:00:00', deleted_at: '2019-06-01 00:00:00' }),
      ]);
      const { context, warnings } = await loadContext(fx.src);
      const n1 = context.computeNodes.get('n1') ?? [];
      expect(n1.map((n) => [n.id, n.created_at === null ? null : T.toIso(n.created_at)])).toEqual([
        ['7', null],
        ['1', '2019-01-01T00:00:00Z'],
        ['2', '2020-01-01T00:00:00Z'],
        ['3', '2021-01-01T00:00:00Z'],
      ]);
      expect(n1[3]).toMatchObject({ vcpus: 32, hypervisor_type: 'QEMU', hypervisor_hostname: 'n1' });
      expect([...context.computeNodes.keys()]).toEqual(['n1']);
      expect(warnings).toEqual([expect.stringContaining('1 row(s) without hypervisor_hostname')]);
    } finally {
      await fx.drop();
    }
  });

  it('lists the nova-compute services whose every node is Ironic', async () => {
    const fx = await openFixture(dialect, { tables: ['nova.compute_nodes', 'nova.shadow_compute_nodes', 'blazar.computehosts'] });
    try {
      await fx.insert('nova.compute_nodes', [
        R.computeNode({ id: 1, host: 'ironic-a', hypervisor_hostname: 'u1', hypervisor_type: 'ironic' }),
        R.computeNode({ id: 2, host: 'mixed', hypervisor_hostname: 'u2', hypervisor_type: 'ironic' }),
        R.computeNode({ id: 3, host: 'mixed', hypervisor_hostname: 'kvm-1', hypervisor_type: 'QEMU' }),
      ]);
      await fx.insert('nova.shadow_compute_nodes', [R.computeNode({ id: 4, host: 'ironic-a', hypervisor_hostname: 'u3', hypervisor_type: 'ironic', deleted_at: '2024-01-01 00:00:00' })]);
      const { context } = await loadContext(fx.src);
      expect([...(context.bareMetalServices ?? [])]).toEqual(['ironic-a']);
    } finally {
      await fx.drop();
    }
  });

  it('gives empty maps and one warning per missing table instead of failing', async () => {
    const fx = await openFixture(dialect, { tables: ['nova.compute_nodes'] });
    try {
      const { context, warnings } = await loadContext(fx.src);
      expect(context.hostsById.size).toBe(0);
      expect(context.hostsByHostname.size).toBe(0);
      expect(context.computeNodes.size).toBe(0);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toContain('computehosts: missing table');
      expect(warnings[1]).toContain('shadow_compute_nodes: missing table');
    } finally {
      await fx.drop();
    }
  });
});
