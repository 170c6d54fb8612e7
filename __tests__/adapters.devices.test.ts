/**
 * Blazar devices (CHI@Edge) -> `reservable` devices, device allocations -> `committed` / `ops`
 * devices: the pure row rules, then the real device tables (Chameleon's fork DDL) on SQLite and
 * MySQL: device types from the `machine_name` capability, duplicates merged, hostile rows
 * audited, conservation per table; a site without device tables reads exactly as before; a
 * site without Nova has no `total` (not covered), never 0; device leases in the lead times.
 */
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { emptyContext, type Context } from '../adapters/Adapter';
import { deviceAllocations, toEvents as allocationEvents, type DeviceAllocationRow } from '../adapters/deviceAllocations';
import { devices, loadDevices, toEvents as deviceEvents, type DeviceRow } from '../adapters/devices';
import { nodeTypes } from '../adapters/leadTimes';
import { readSite, toSiteInput } from '../adapters/readSite';
import { tablesRead } from '../adapters/registry';
import { runAdapter } from '../adapters/runner';
import { siteConfig } from '../adapters/Source';
import { toEvents as tableEvents } from '../lib/EventTable';
import { report } from '../lib/Report';
import * as T from '../lib/Time';
import { describeBoth, openFixture, type Dialect, type Fixture } from './fixtures/db';
import { deviceTableKeys, type TableKey } from './fixtures/ddl';
import * as R from './fixtures/rows';

jest.setTimeout(60_000);

const ms = (s: string): T.Millis => O.getOrElseW(() => NaN)(T.fromIso(s)) as T.Millis;
const site = siteConfig('chi_edge', { operatorProjects: ['ops-project'] });
const ctx = (types: Record<string, string> = {}): Context => ({
  ...emptyContext(site),
  devicesById: new Map(Object.entries(types).map(([id, device_type]) => [id, { id, name: `dev-${id}`, device_type }])),
});

const deviceRow = (over: Partial<DeviceRow> = {}): DeviceRow => ({
  id: 'd1',
  name: 'rpi-1',
  device_type: 'container',
  device_driver: 'k3s',
  created_at: ms('2023-01-01 00:00:00'),
  updated_at: null,
  deleted_at: null,
  deleted: null,
  ...over,
});

const allocRow = (over: Partial<DeviceAllocationRow> = {}): DeviceAllocationRow => ({
  id: 'a1',
  reservation_id: 'r1',
  device_id: 'd1',
  r_id: 'r1',
  resource_type: 'device',
  group_position: 1,
  group_size: 1,
  lease_id: 'l1',
  lease_name: 'my-edge-lease',
  lease_project_id: 'p1',
  lease_created_at: ms('2023-02-01 00:00:00'),
  lease_start_date: ms('2023-02-01 12:00:00'),
  lease_end_date: ms('2023-02-02 12:00:00'),
  lease_deleted_at: null,
  lease_start_status: 'DONE',
  lease_start_updated_at: ms('2023-02-01 12:00:05'),
  lease_start_time: ms('2023-02-01 12:00:00'),
  lease_start_deleted: null,
  lease_start_deleted_at: null,
  ...over,
});

const reasonOf = <A>(r: Ei.Either<{ reason: string }, A>): string => (Ei.isLeft(r) ? r.left.reason : 'events');

describe('devices toEvents', () => {
  it('opens a device at created_at as one reservable device, 0 nodes, typed by its machine_name', () => {
    const out = deviceEvents(ctx({ d1: 'raspberrypi4-64' }))(deviceRow({ deleted: 'd1', deleted_at: ms('2024-01-01 00:00:00') }));
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right.map((e) => [e._tag, T.toIso(e.time)])).toEqual([
      ['Create', '2023-01-01T00:00:00Z'],
      ['Delete', '2024-01-01T00:00:00Z'],
    ]);
    expect(out.right[0]).toMatchObject({
      entityId: 'device:d1',
      countType: 'reservable',
      quantities: { nodes: 0, vcpus: 0, memory_mb: 0, disk_gb: 0, gpus: 0, devices: 1 },
      attributes: { site: 'chi_edge', node_type: 'raspberrypi4-64', hypervisor_hostname: 'unknown', extra: { device_id: 'd1', device_name: 'rpi-1', device_runtime: 'container' } },
    });
  });

  it('types a device without machine_name unknown, and rejects rows without start or deleted without an end', () => {
    const out = deviceEvents(ctx())(deviceRow());
    expect(Ei.isRight(out) && out.right[0].attributes.node_type).toBe('unknown');
    expect([reasonOf(deviceEvents(ctx())(deviceRow({ created_at: null }))), reasonOf(deviceEvents(ctx())(deviceRow({ deleted: 'd1' })))]).toEqual(['no_start', 'no_end']);
  });
});

describe('device allocations toEvents', () => {
  it('commits one device over [max(start_date, created_at), min(end_date, deleted_at))', () => {
    const out = allocationEvents(ctx({ d1: 'jetson-nano' }))(allocRow({ lease_deleted_at: ms('2023-02-02 00:00:00') }));
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right.map((e) => [e._tag, T.toIso(e.time)])).toEqual([
      ['Create', '2023-02-01T12:00:00Z'],
      ['Delete', '2023-02-02T00:00:00Z'],
    ]);
    expect(out.right[0]).toMatchObject({
      entityId: 'r1/device:d1',
      countType: 'committed',
      quantities: { nodes: 0, devices: 1 },
      attributes: { node_type: 'jetson-nano', extra: { blazar_host_id: 'device:d1', device_id: 'd1', lease_id: 'l1', resource_type: 'device' } },
    });
  });

  it('counts an operator lease as ops', () => {
    const out = allocationEvents(ctx({ d1: 'jetson-nano' }))(allocRow({ lease_project_id: 'ops-project' }));
    expect(Ei.isRight(out) && out.right[0].countType).toBe('ops');
  });

  it('keeps an allocation to an unknown device in the site total, typed unknown and marked', () => {
    const out = allocationEvents(ctx())(allocRow({ device_id: 'ghost' }));
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right[0].attributes).toMatchObject({ node_type: 'unknown', extra: { host_unknown: '1', device_unknown: '1' } });
  });

  it('rejects by reason: missing reservation or lease, other resource types, errors, deletion before start, duplicates', () => {
    const c = allocationEvents(ctx({ d1: 'x' }));
    expect([
      reasonOf(c(allocRow({ r_id: null }))),
      reasonOf(c(allocRow({ lease_id: null }))),
      reasonOf(c(allocRow({ resource_type: 'physical:host' }))),
      reasonOf(c(allocRow({ resource_type: null }))),
      reasonOf(c(allocRow({ lease_start_status: 'ERROR' }))),
      reasonOf(c(allocRow({ lease_deleted_at: ms('2023-02-01 06:00:00') }))),
      reasonOf(c(allocRow({ lease_start_date: null }))),
      reasonOf(c(allocRow({ group_position: 1, group_size: null }))),
    ]).toEqual(['reservation_missing', 'lease_missing', 'resource_type_physical_host', 'resource_type_none', 'lease_error', 'deleted_before_start', 'lease_start_missing', 'merged_duplicate']);
  });
});

describe('device lead times', () => {
  it('gives a lease its devices\' types next to its hosts\'', () => {
    const c = { ...ctx({ d1: 'raspberrypi4-64', d2: 'jetson-nano' }), hostsById: new Map() };
    expect(nodeTypes(c)(['device:d1', 'device:d2', 'device:gone'])).toEqual(['jetson-nano', 'raspberrypi4-64', 'unknown']);
  });

  it('lists the device tables for grants and extract', () => {
    const names = tablesRead.map((r) => `${r.db}.${r.table}`);
    for (const k of deviceTableKeys) expect(names).toContain(k);
  });
});

// -------------------------------------------------------------------------------------
// through real tables
// -------------------------------------------------------------------------------------

const L1 = 'aaaaaaaa-0000-4000-8000-00000000e001';
const L2 = 'aaaaaaaa-0000-4000-8000-00000000e002';
const L3 = 'aaaaaaaa-0000-4000-8000-00000000e003';
const R1 = 'bbbbbbbb-0000-4000-8000-00000000e001';
const R2 = 'bbbbbbbb-0000-4000-8000-00000000e002';
const R3 = 'bbbbbbbb-0000-4000-8000-00000000e003';
const R4 = 'bbbbbbbb-0000-4000-8000-00000000e004';

const EDGE_TABLES: ReadonlyArray<TableKey> = ['blazar.leases', 'blazar.reservations', 'blazar.events', 'blazar.computehosts', 'blazar.computehost_allocations', 'blazar.resource_properties', ...deviceTableKeys];

/** A small CHI@Edge: two Raspberry Pis (one retired), a Jetson; three leases; hostile rows. */
const populateEdge = async (fx: Fixture): Promise<void> => {
  await fx.insert('blazar.resource_properties', [
    R.resourceProperty({ id: 'p-machine', resource_type: 'device', property_name: 'machine_name' }),
    R.resourceProperty({ id: 'p-node', resource_type: 'physical:host', property_name: 'node_type' }),
  ]);
  await fx.insert('blazar.devices', [
    R.device({ id: 'd1', name: 'rpi-1', created_at: '2023-01-01 00:00:00' }),
    R.device({ id: 'd2', name: 'rpi-2', created_at: '2023-01-01 00:00:00', deleted_at: '2023-06-01 00:00:00' }),
    R.device({ id: 'd3', name: 'jetson-1', created_at: '2023-01-02 00:00:00' }),
    // hostile: a zero created_at
    R.device({ id: 'd4', name: 'broken-1', created_at: '0000-00-00 00:00:00' }),
  ]);
  await fx.insert('blazar.device_extra_capabilities', [
    R.deviceCapability({ device_id: 'd1', capability_value: 'raspberrypi4-64' }),
    R.deviceCapability({ device_id: 'd2', capability_value: 'raspberrypi4-64', deleted_at: '2023-06-01 00:00:00' }),
    R.deviceCapability({ device_id: 'd3', capability_value: 'jetson-nano' }),
    // a host property of the same value does not type a device
    R.deviceCapability({ device_id: 'd3', property_id: 'p-node', capability_value: 'compute_skylake' }),
  ]);
  await fx.insert('blazar.leases', [
    R.lease({ id: L1, created_at: '2023-02-01 00:00:00', start_date: '2023-02-01 12:00:00', end_date: '2023-02-03 12:00:00' }),
    R.lease({ id: L2, created_at: '2023-03-01 00:00:00', start_date: '2023-03-01 00:00:00', end_date: '2023-03-08 00:00:00', deleted_at: '2023-03-02 00:00:00' }),
    R.lease({ id: L3, created_at: '2023-04-01 00:00:00', start_date: '2023-04-02 00:00:00', end_date: '2023-04-03 00:00:00' }),
  ]);
  await fx.insert('blazar.events', [
    R.blazarEvent({ lease_id: L1, time: '2023-02-01 12:00:00', updated_at: '2023-02-01 12:00:07' }),
    R.blazarEvent({ lease_id: L2, time: '2023-03-01 00:00:00', updated_at: '2023-03-01 00:00:05' }),
    R.blazarEvent({ lease_id: L3, time: '2023-04-02 00:00:00', status: 'ERROR', updated_at: '2023-04-02 00:00:05' }),
  ]);
  await fx.insert('blazar.reservations', [
    R.reservation({ id: R1, lease_id: L1, resource_type: 'device' }),
    R.reservation({ id: R2, lease_id: L2, resource_type: 'device' }),
    R.reservation({ id: R3, lease_id: L3, resource_type: 'device' }),
    R.reservation({ id: R4, lease_id: L1, resource_type: 'physical:host' }),
  ]);
  await fx.insert('blazar.device_reservations', [R.deviceReservation({ reservation_id: R1 }), R.deviceReservation({ reservation_id: R2 }), R.deviceReservation({ reservation_id: R3 })]);
  await fx.insert('blazar.device_allocations', [
    R.deviceAllocation({ id: 'a1', reservation_id: R1, device_id: 'd1' }),
    R.deviceAllocation({ id: 'a2', reservation_id: R1, device_id: 'd3' }),
    // a lease update that re-allocated d1 left the soft-deleted row: one allocation
    R.deviceAllocation({ id: 'a0', reservation_id: R1, device_id: 'd1', deleted_at: '2023-02-01 01:00:00' }),
    R.deviceAllocation({ id: 'a3', reservation_id: R2, device_id: 'd2' }),
    R.deviceAllocation({ id: 'a4', reservation_id: R3, device_id: 'd1' }),
    // hostile: an unknown device, a missing reservation
    R.deviceAllocation({ id: 'a5', reservation_id: R2, device_id: 'ghost' }),
    R.deviceAllocation({ id: 'a6', reservation_id: 'no-such-reservation', device_id: 'd1' }),
    // hostile: a device allocated through a host reservation
    R.deviceAllocation({ id: 'a7', reservation_id: R4, device_id: 'd3' }),
  ]);
};

const readEdge = async (dialect: Dialect) => {
  const fx = await openFixture(dialect, { tables: EDGE_TABLES });
  try {
    await populateEdge(fx);
    const r = await readSite({ ...fx.src, site: { ...fx.src.site, operatorProjects: site.operatorProjects } })();
    if (Ei.isLeft(r)) throw new Error(r.left.message);
    return { read: r.right, loaded: await loadDevices(fx.src) };
  } finally {
    await fx.drop();
  }
};

describeBoth('device adapters', (dialect) => {
  it('types devices by machine_name (a soft-deleted device keeps its last type) and audits every row', async () => {
    const { read, loaded } = await readEdge(dialect);
    expect(Object.fromEntries([...loaded.devices].map(([id, d]) => [id, d.device_type]))).toEqual({ d1: 'raspberrypi4-64', d2: 'raspberrypi4-64', d3: 'jetson-nano', d4: 'unknown' });
    expect(loaded.warnings).toEqual([]);
    const by = Object.fromEntries(read.reports.map((x) => [x.source.split('.').slice(1).join('.'), x]));
    for (const rep of read.reports) expect(rep.rows_read).toBe(rep.rows_folded + rep.rows_rejected);
    expect(by.devices).toMatchObject({ status: 'read', rows_read: 4, rows_folded: 3, rows_rejected: 1, rejected_by_reason: { no_start: 1 } });
    expect(by.device_allocations).toMatchObject({
      status: 'read',
      rows_read: 8,
      rows_folded: 4,
      rejected_by_reason: { merged_duplicate: 1, lease_error: 1, reservation_missing: 1, resource_type_physical_host: 1 },
      optional_missing: [],
    });
    const events = tableEvents(read.events);
    const committed = events.filter((e) => e.countType === 'committed' && e._tag === 'Create').map((e) => [e.entityId, e.attributes.node_type, e.attributes.extra.device_unknown ?? '']);
    expect(committed.sort()).toEqual([
      [`${R1}/device:d1`, 'raspberrypi4-64', ''],
      [`${R1}/device:d3`, 'jetson-nano', ''],
      [`${R2}/device:d2`, 'raspberrypi4-64', ''],
      [`${R2}/device:ghost`, 'unknown', '1'],
    ]);
    // the Nova tables are absent: reported missing, and nothing of Nova is counted
    expect(by.compute_nodes).toMatchObject({ status: 'missing_table' });
    // device leases are in the lead-time facts with their device types
    expect(Object.fromEntries(read.leases.map((l) => [l.lease_id, l.node_types]))).toEqual({ [L1]: ['jetson-nano', 'raspberrypi4-64'], [L2]: ['raspberrypi4-64', 'unknown'], [L3]: ['raspberrypi4-64'] });
  });

  it('reports devices reservable and committed, total not covered (no Nova), never 0', async () => {
    const { read } = await readEdge(dialect);
    const rep = report({ start: ms('2023-01-01 00:00:00'), end: ms('2023-07-01 00:00:00'), groupBy: ['node_type'], valueTypes: ['devices'], resample: O.some({ bucket: '1d', method: 'mean' }) })([
      toSiteInput(site)(read),
    ]);
    const rows = rep.timeline.rows.filter((x) => x.collector_type === 'new');
    const at = (day: string, ct: string, nt: string) => rows.find((x) => x.timestamp.startsWith(day) && x.count_type === ct && x.node_type === nt)?.value;
    expect(rows.some((x) => x.count_type === 'total' || x.count_type === 'maintenance')).toBe(false);
    expect(at('2023-01-10', 'reservable', 'raspberrypi4-64')).toBe(2);
    expect(at('2023-01-10', 'reservable', 'jetson-nano')).toBe(1);
    expect(at('2023-07-01', 'reservable', 'raspberrypi4-64')).toBeUndefined();
    expect(at('2023-06-10', 'reservable', 'raspberrypi4-64')).toBe(1);
    // L1: [2023-02-01 12:00, 2023-02-03 12:00) on d1 and d3
    expect(at('2023-02-02', 'committed', 'raspberrypi4-64')).toBe(1);
    expect(at('2023-02-02', 'committed', 'jetson-nano')).toBe(1);
    expect(at('2023-02-02', 'available', 'raspberrypi4-64')).toBe(1);
    const cov = rep.audit.coverage.find((c) => c.count_type === 'total');
    expect(cov?.start).toBeNull();
    // the allocation to an unknown device is in the site total, audited by the clamp
    expect(rep.audit.clamping.some((c) => c.count_type === 'committed' && c.action === 'host_unknown' && c.rows === 1)).toBe(true);
    // L3 failed: no lead time; L1 and L2 have one
    const lt = rep.leadTime.leases.filter((l) => l.effective_hours !== null).map((l) => l.lease_id);
    expect([...lt].sort()).toEqual([L1, L2].sort());
  });

  it('reads a site without device tables exactly as before: no report line, no warning, no device rows', async () => {
    const fx = await openFixture(dialect, { tables: ['blazar.leases', 'blazar.reservations', 'blazar.events', 'blazar.computehosts', 'blazar.computehost_allocations'] });
    try {
      const r = await readSite(fx.src)();
      if (Ei.isLeft(r)) throw new Error(r.left.message);
      expect(r.right.reports.map((x) => x.source).filter((s) => s.includes('device'))).toEqual([]);
      expect(r.right.warnings.filter((w) => w.includes('device'))).toEqual([]);
      expect(r.right.context.devicesById).toBeUndefined();
      const a = await runAdapter(devices, fx.src, r.right.context)();
      expect(Ei.isRight(a) && a.right.report.status).toBe('missing_table');
      const b = await runAdapter(deviceAllocations, fx.src, r.right.context)();
      expect(Ei.isRight(b) && b.right.report.status).toBe('missing_table');
    } finally {
      await fx.drop();
    }
  });
});
