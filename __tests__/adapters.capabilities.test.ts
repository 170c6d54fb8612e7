/**
 * Blazar host capabilities: node_type and GPU count in each of the three layouts, current values
 * only, on SQLite and MySQL.
 */
import { detectLayout, loadCapabilities, parseGpus } from '../adapters/capabilities';
import { describeBoth, openFixture, type Dialect, type FixtureOptions } from './fixtures/db';
import type { CapabilityLayout, TableKey } from './fixtures/ddl';
import * as R from './fixtures/rows';

jest.setTimeout(60_000);

const layouts: ReadonlyArray<CapabilityLayout> = ['resource_properties', 'extra_capabilities', 'capability_name'];

const tablesFor = (layout: CapabilityLayout): ReadonlyArray<TableKey> => [
  'blazar.computehosts',
  'blazar.computehost_extra_capabilities',
  ...(layout === 'resource_properties' ? (['blazar.resource_properties'] as const) : layout === 'extra_capabilities' ? (['blazar.extra_capabilities'] as const) : []),
];

const load = async (
  dialect: Dialect,
  layout: CapabilityLayout,
  caps: Parameters<typeof R.capabilityRows>[1],
  opts: FixtureOptions = {},
) => {
  const fx = await openFixture(dialect, { capabilityLayout: layout, tables: tablesFor(layout), ...opts });
  try {
    const { names, values } = R.capabilityRows(layout, caps);
    if (layout === 'resource_properties') await fx.insert('blazar.resource_properties', names);
    if (layout === 'extra_capabilities') await fx.insert('blazar.extra_capabilities', names);
    await fx.insert('blazar.computehost_extra_capabilities', values);
    return { detected: await detectLayout(fx.src), ...(await loadCapabilities(fx.src)) };
  } finally {
    await fx.drop();
  }
};

describe('parseGpus', () => {
  it('reads non-negative integers and nothing else', () => {
    expect([parseGpus('0'), parseGpus(' 4 '), parseGpus('2.5'), parseGpus('two'), parseGpus('-1'), parseGpus(null)]).toEqual([0, 4, undefined, undefined, undefined, undefined]);
  });
});

describeBoth('loadCapabilities', (dialect) => {
  it.each(layouts)('reads node_type and gpus in the %s layout', async (layout) => {
    const r = await load(dialect, layout, [
      { computehost_id: '1', name: 'node_type', value: 'gpu_p100' },
      { computehost_id: '1', name: 'gpu.gpu_count', value: '2' },
      { computehost_id: '2', name: 'node_type', value: 'compute_skylake' },
      { computehost_id: '2', name: 'cpu_arch', value: 'x86_64' },
    ]);
    expect(r.detected).toBe(layout);
    expect(r.layout).toBe(layout);
    expect(Object.fromEntries(r.capabilities)).toEqual({ '1': { node_type: 'gpu_p100', gpus: 2 }, '2': { node_type: 'compute_skylake' } });
    expect(r.warnings).toEqual([]);
  });

  it('ignores soft-deleted capability rows and keeps the most recently written live value', async () => {
    const r = await load(dialect, 'resource_properties', [
      { computehost_id: '1', name: 'node_type', value: 'old_type', deleted_at: '2024-01-05 00:00:00', updated_at: '2024-01-05 00:00:00' },
      { computehost_id: '1', name: 'node_type', value: 'compute_haswell', created_at: '2023-01-01 00:00:00' },
      { computehost_id: '1', name: 'node_type', value: 'compute_cascadelake', created_at: '2023-01-01 00:00:00', updated_at: '2024-01-02 00:00:00' },
    ]);
    expect(r.capabilities.get('1')).toEqual({ node_type: 'compute_cascadelake' });
  });

  it.each(layouts)('keeps the capabilities a soft-deleted host was deleted with (%s layout)', async (layout) => {
    // found by the real-services month scenario: Chameleon Blazar's host_destroy soft-deletes the
    // host's capabilities too, so a retired host's whole history was grouped as `unknown`
    const fx = await openFixture(dialect, { capabilityLayout: layout, tables: tablesFor(layout) });
    try {
      await fx.insert('blazar.computehosts', [
        R.computehost({ id: '1', hypervisor_hostname: 'retired', deleted_at: '2024-02-01 00:00:00', updated_at: '2024-02-01 00:00:00' }),
        R.computehost({ id: '2', hypervisor_hostname: 'live' }),
      ]);
      const gone = { deleted_at: '2024-02-01 00:00:00', updated_at: '2024-02-01 00:00:00' };
      const { names, values } = R.capabilityRows(layout, [
        { computehost_id: '1', name: 'node_type', value: 'older_type', deleted_at: '2024-01-10 00:00:00', updated_at: '2024-01-10 00:00:00' },
        { computehost_id: '1', name: 'node_type', value: 'compute_skylake', ...gone },
        { computehost_id: '1', name: 'gpu.gpu_count', value: '2', ...gone },
        // a live host whose capability was removed has none
        { computehost_id: '2', name: 'node_type', value: 'removed_type', ...gone },
      ]);
      if (layout === 'resource_properties') await fx.insert('blazar.resource_properties', names);
      if (layout === 'extra_capabilities') await fx.insert('blazar.extra_capabilities', names);
      await fx.insert('blazar.computehost_extra_capabilities', values);
      expect(Object.fromEntries((await loadCapabilities(fx.src)).capabilities)).toEqual({ '1': { node_type: 'compute_skylake', gpus: 2 } });
    } finally {
      await fx.drop();
    }
  });

  it('counts a non-integer GPU value as 0 and says so in the warnings', async () => {
    const r = await load(dialect, 'capability_name', [{ computehost_id: '3', name: 'gpu.gpu_count', value: '1.5' }]);
    expect(r.capabilities.get('3')).toEqual({ gpus: 0 });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('host 3');
    expect(r.warnings[0]).toContain('"1.5"');
  });

  it('reads the GPU count from the capability the site config names', async () => {
    const r = await load(dialect, 'extra_capabilities', [
      { computehost_id: '1', name: 'gpu.gpu_count', value: '8' },
      { computehost_id: '1', name: 'gpu.count', value: '4' },
    ], { gpuCapability: 'gpu.count' });
    expect(r.capabilities.get('1')).toEqual({ gpus: 4 });
  });

  it('ignores a node_type property of another resource type', async () => {
    const fx = await openFixture(dialect, { tables: tablesFor('resource_properties') });
    try {
      const net = R.resourceProperty({ resource_type: 'network', property_name: 'node_type' });
      const host = R.resourceProperty({ resource_type: 'physical:host', property_name: 'node_type' });
      await fx.insert('blazar.resource_properties', [net, host]);
      await fx.insert('blazar.computehost_extra_capabilities', [
        R.hostCapability({ computehost_id: '1', property_id: net.id, capability_value: 'not_a_host_type' }),
        R.hostCapability({ computehost_id: '2', property_id: host.id, capability_value: 'storage' }),
      ]);
      expect(Object.fromEntries((await loadCapabilities(fx.src)).capabilities)).toEqual({ '2': { node_type: 'storage' } });
    } finally {
      await fx.drop();
    }
  });

  it('works on upstream Blazar tables, which have no soft-delete columns', async () => {
    const r = await load(dialect, 'resource_properties', [{ computehost_id: '1', name: 'node_type', value: 'compute_zen3' }], { blazar: 'upstream' });
    expect(r.capabilities.get('1')).toEqual({ node_type: 'compute_zen3' });
  });

  it('gives no capabilities and a warning when the capability table is missing', async () => {
    const fx = await openFixture(dialect, { tables: ['blazar.computehosts'] });
    try {
      const r = await loadCapabilities(fx.src);
      expect(r.layout).toBe('missing');
      expect(r.capabilities.size).toBe(0);
      expect(r.warnings[0]).toContain('computehost_extra_capabilities');
    } finally {
      await fx.drop();
    }
  });
});
