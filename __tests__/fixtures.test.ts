/**
 * The test fixtures themselves: every table is created in both dialects, in every capability
 * layout, and a row written with the builders reads back unchanged.
 */
import { columnsOf, type TableRef } from '../adapters/Source';
import { describeBoth, openFixture, type Fixture } from './fixtures/db';
import { columnNames, ddl, tableKeys, type TableKey } from './fixtures/ddl';
import * as R from './fixtures/rows';

const ref = (key: TableKey): TableRef => {
  const [db, table] = key.split('.');
  return { db, table } as TableRef;
};

const sample: Readonly<Record<TableKey, () => R.Row>> = {
  'nova.compute_nodes': () => R.computeNode({ hypervisor_hostname: 'n1', created_at: '2024-01-02 03:04:05' }),
  'nova.shadow_compute_nodes': () => R.computeNode({ deleted_at: '2024-02-01 00:00:00' }),
  'nova.instances': () => R.instance(),
  'nova.shadow_instances': () => R.instance({ deleted_at: '2024-02-01 00:00:00', terminated_at: '2024-02-01 00:00:00' }),
  'nova.instance_actions': () => R.instanceAction(),
  'nova.shadow_instance_actions': () => R.instanceAction({ deleted_at: '2024-02-01 00:00:00' }),
  'nova.instance_actions_events': () => R.instanceActionEvent({ action_id: 1 }),
  'nova.shadow_instance_actions_events': () => R.instanceActionEvent({ action_id: 1 }),
  'nova.instance_extra': () => R.instanceExtra({ flavorName: 'reservation:abc' }),
  'nova_api.request_specs': () => R.requestSpec({ instance_uuid: R.uuid(), reservation: 'res-1' }),
  'blazar.leases': () => R.lease({ deleted_at: '2024-01-01 12:00:00' }),
  'blazar.reservations': () => R.reservation(),
  'blazar.events': () => R.blazarEvent({ status: 'ERROR' }),
  'blazar.computehosts': () => R.computehost({ id: '7' }),
  'blazar.computehost_allocations': () => R.allocation(),
  'blazar.computehost_reservations': () => R.hostReservation(),
  'blazar.instance_reservations': () => R.instanceReservation(),
  'blazar.computehost_extra_capabilities': () => R.hostCapability({ property_id: 'p1' }),
  'blazar.resource_properties': () => R.resourceProperty(),
  'blazar.extra_capabilities': () => R.extraCapability(),
  'blazar.devices': () => R.device({ deleted_at: '2024-03-01 00:00:00' }),
  'blazar.device_allocations': () => R.deviceAllocation(),
  'blazar.device_reservations': () => R.deviceReservation(),
  'blazar.device_extra_capabilities': () => R.deviceCapability(),
  'chameleon_usage.node_count_cache': () => R.nodeCountCache(),
  'chameleon_usage.node_usage_report_cache': () => R.nodeUsageReportCache({ idle_hours: 12.5 }),
};

const readBack = async (fx: Fixture, key: TableKey): Promise<ReadonlyArray<Record<string, unknown>>> =>
  fx.src.knex.select('*').from(fx.tableName(key).replace(/`/g, ''));

const same = (a: unknown, b: unknown): boolean => (a === null || b === null ? a === b : String(a) === String(b));

describe('ddl', () => {
  it('renders the same columns for MySQL and SQLite', () => {
    for (const key of tableKeys) {
      const cols = columnNames(key);
      const my = ddl('mysql', key)[0];
      const lite = ddl('sqlite', key)[0];
      for (const col of cols) {
        expect(my).toContain(`\`${col}\``);
        expect(lite).toContain(`"${col}"`);
      }
    }
  });

  it('gives Chameleon Blazar tables deleted and deleted_at and upstream ones neither', () => {
    expect(columnNames('blazar.computehosts')).toEqual(expect.arrayContaining(['deleted', 'deleted_at']));
    expect(columnNames('blazar.computehosts', { blazar: 'upstream' })).not.toContain('deleted');
    expect(columnNames('blazar.computehosts', { blazar: 'upstream' })).not.toContain('deleted_at');
  });

  it('names the capability column after the layout', () => {
    expect(columnNames('blazar.computehost_extra_capabilities', { capabilityLayout: 'resource_properties' })).toContain('property_id');
    expect(columnNames('blazar.computehost_extra_capabilities', { capabilityLayout: 'extra_capabilities' })).toContain('capability_id');
    expect(columnNames('blazar.computehost_extra_capabilities', { capabilityLayout: 'capability_name' })).toContain('capability_name');
  });
});

describeBoth('fixtures', (dialect) => {
  jest.setTimeout(60_000);

  it('creates every table of the default layout and round-trips a row in each', async () => {
    const fx = await openFixture(dialect, { tables: tableKeys.filter((k) => k !== 'blazar.extra_capabilities') });
    try {
      for (const key of tableKeys) {
        if (key === 'blazar.extra_capabilities') continue; // not in the default layout
        const cols = await columnsOf(fx.src, ref(key));
        expect([...cols].sort()).toEqual([...columnNames(key, fx.ddlOptions)].sort());
        const row = sample[key]();
        await fx.insert(key, [row]);
        const back = await readBack(fx, key);
        expect(back).toHaveLength(1);
        for (const [col, v] of Object.entries(row)) {
          if (!same(back[0][col], v)) throw new Error(`${key}.${col}: wrote ${String(v)}, read ${String(back[0][col])}`);
        }
      }
    } finally {
      await fx.drop();
    }
  });

  it.each(['capability_name', 'extra_capabilities'] as const)('creates the %s capability layout', async (layout) => {
    const fx = await openFixture(dialect, { capabilityLayout: layout, tables: ['blazar.computehosts', 'blazar.computehost_extra_capabilities', ...(layout === 'extra_capabilities' ? (['blazar.extra_capabilities'] as const) : [])] });
    try {
      const { names, values } = R.capabilityRows(layout, [{ computehost_id: '1', name: 'node_type', value: 'gpu_p100' }]);
      if (layout === 'extra_capabilities') await fx.insert('blazar.extra_capabilities', names);
      await fx.insert('blazar.computehost_extra_capabilities', values);
      const back = await readBack(fx, 'blazar.computehost_extra_capabilities');
      expect(back.map((r) => r.capability_value)).toEqual(['gpu_p100']);
      expect(await columnsOf(fx.src, ref('blazar.resource_properties'))).toEqual(new Set());
    } finally {
      await fx.drop();
    }
  });

  it('writes zero dates and DATETIME strings verbatim', async () => {
    const fx = await openFixture(dialect, { tables: ['nova.compute_nodes'] });
    try {
      await fx.insert('nova.compute_nodes', [R.computeNode({ id: 1, created_at: '0000-00-00 00:00:00', updated_at: '2024-06-30 23:59:59' })]);
      const back = await readBack(fx, 'nova.compute_nodes');
      expect(back[0].created_at).toBe('0000-00-00 00:00:00');
      expect(back[0].updated_at).toBe('2024-06-30 23:59:59');
    } finally {
      await fx.drop();
    }
  });

  it('creates upstream Blazar tables without soft-delete columns and inserts live rows into them', async () => {
    const fx = await openFixture(dialect, { blazar: 'upstream', tables: ['blazar.computehosts'] });
    try {
      await fx.insert('blazar.computehosts', [R.computehost({ id: '1' })]);
      expect(await columnsOf(fx.src, ref('blazar.computehosts'))).not.toContain('deleted');
      expect(await readBack(fx, 'blazar.computehosts')).toHaveLength(1);
    } finally {
      await fx.drop();
    }
  });

  it('marks a row soft-deleted the way the service does when only deleted_at is given', async () => {
    const fx = await openFixture(dialect, { tables: ['nova.compute_nodes', 'blazar.computehosts'] });
    try {
      await fx.insert('nova.compute_nodes', [R.computeNode({ id: 5, deleted_at: '2024-02-01 00:00:00' })]);
      await fx.insert('blazar.computehosts', [R.computehost({ id: 'h1', deleted_at: '2024-02-01 00:00:00' }), R.computehost({ id: 'h2' })]);
      expect((await readBack(fx, 'nova.compute_nodes'))[0].deleted).toBe(5);
      const hosts = await fx.src.knex.select('id', 'deleted').from(fx.tableName('blazar.computehosts').replace(/`/g, '')).orderBy('id');
      expect(hosts).toEqual([
        { id: 'h1', deleted: 'h1' },
        { id: 'h2', deleted: null },
      ]);
    } finally {
      await fx.drop();
    }
  });
});
