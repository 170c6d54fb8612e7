/**
 * Blazar leases -> lease facts for the lead-time report: the pure `toEvents`, and the adapter
 * run against SQLite and MySQL fixtures, through to the lead-time timeline.
 */
import * as Ei from 'fp-ts/Either';
import { emptyContext, type HostInfo } from '../adapters/Adapter';
import { loadContext } from '../adapters/context';
import { leadTimes as leadTimesAdapter, nodeTypes, toEvents, type LeaseHostsRow } from '../adapters/leadTimes';
import { runAdapter } from '../adapters/runner';
import { siteConfig } from '../adapters/Source';
import { leadTimes, type LeaseFact } from '../lib/LeadTime';
import * as T from '../lib/Time';
import { leadTimeColumns, validateLeadTimeRows } from '../lib/UsageRow';
import { describeBoth, openFixture, type Dialect, type Fixture } from './fixtures/db';
import * as R from './fixtures/rows';

const at = (s: string): T.Millis => {
  const m = T.fromIso(s);
  if (m._tag === 'None') throw new Error(`bad date ${s}`);
  return m.value;
};

const host = (id: string, node_type: string): HostInfo => ({ id, hypervisor_hostname: `node-${id}`, node_type, gpus: 0, vcpus: 48, memory_mb: 1, local_gb: 1 });

// -------------------------------------------------------------------------------------
// pure
// -------------------------------------------------------------------------------------

describe('the lead-time adapter, without a database', () => {
  const ctx = { ...emptyContext(siteConfig('chi_uc', { operatorProjects: ['ops-project'] })), hostsById: new Map([['1', host('1', 'compute_skylake')], ['2', host('2', 'gpu_p100')], ['3', host('3', 'compute_skylake')]]) };
  const row = (over: Partial<LeaseHostsRow> = {}): LeaseHostsRow => ({
    lease_id: 'l1',
    lease_name: 'my-lease',
    lease_project_id: 'project-1',
    lease_created_at: at('2024-02-01T00:00:00Z'),
    lease_start_date: at('2024-02-02T00:00:00Z'),
    lease_end_date: at('2024-02-03T00:00:00Z'),
    lease_deleted_at: null,
    lease_start_status: 'DONE',
    lease_start_updated_at: at('2024-02-02T00:00:05Z'),
    lease_start_time: at('2024-02-02T00:00:00Z'),
    lease_start_deleted: null,
    lease_start_deleted_at: null,
    host_ids: ['1'],
    ...over,
  });

  it('gives the node types of the hosts, distinct and sorted, unknown for a host row that is gone', () => {
    expect(nodeTypes(ctx)(['3', '2', '1', '99'])).toEqual(['compute_skylake', 'gpu_p100', 'unknown']);
    expect(nodeTypes(ctx)([])).toEqual([]);
    expect(nodeTypes(ctx)(null)).toEqual(['unknown']);
  });

  it('flags an operator lease by project or availability-window name instead of rejecting it', () => {
    const flag = (over: Partial<LeaseHostsRow>) => Ei.map((fs: ReadonlyArray<LeaseFact>) => fs[0].operator)(toEvents(ctx)(row(over)));
    expect(flag({ lease_project_id: 'ops-project' })).toEqual(Ei.right(true));
    expect(flag({ lease_name: 'availability_window_42' })).toEqual(Ei.right(true));
    expect(flag({})).toEqual(Ei.right(false));
  });

  it.each([
    ['created_at_missing', { lease_created_at: null }],
    ['lease_start_missing', { lease_start_date: null }],
  ] as const)('rejects a lease as %s', (reason, over) => {
    const r = toEvents(ctx)(row(over));
    expect(Ei.isLeft(r) && r.left.reason).toBe(reason);
  });
});

// -------------------------------------------------------------------------------------
// the fixture: every case of the issue
// -------------------------------------------------------------------------------------

const L = (n: number) => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
const OPS = 'ops-project';

/**
 * Hosts 1, 2 compute_skylake, host 3 gpu_p100. Leases (February 2024):
 * 1 immediate (created 10:00:42, start "now" 10:00, started 10:00:45), host 1
 * 2 advance (created Feb 1, start Feb 3, started +7 s), hosts 1 and 3
 * 3 moved (created Feb 2, start moved from Feb 3 to Feb 4 12:00, started +9 s), host 2
 * 4 deleted before start (created Feb 2, deleted Feb 2 06:00, start Feb 5, event UNDONE), host 1
 * 5 start event ERROR (created Feb 3), host 1
 * 6 operator lease (created Feb 3), host 2
 * 7, 8 created in the same second (Feb 3 08:00:00) on compute_skylake, starts +1 h and +3 h, no start event yet
 * 9 an instance reservation (virtual:instance, two slot rows on host 3), started
 * 10 zero created_at: rejected
 */
const populate = async (fx: Fixture): Promise<void> => {
  await fx.insert('blazar.computehosts', [
    R.computehost({ id: '1', hypervisor_hostname: 'n1' }),
    R.computehost({ id: '2', hypervisor_hostname: 'n2' }),
    R.computehost({ id: '3', hypervisor_hostname: 'n3' }),
  ]);
  const caps = R.capabilityRows('resource_properties', [
    { computehost_id: '1', name: 'node_type', value: 'compute_skylake' },
    { computehost_id: '2', name: 'node_type', value: 'compute_skylake' },
    { computehost_id: '3', name: 'node_type', value: 'gpu_p100' },
  ]);
  await fx.insert('blazar.resource_properties', caps.names);
  await fx.insert('blazar.computehost_extra_capabilities', caps.values);
  await fx.insert('blazar.leases', [
    R.lease({ id: L(1), created_at: '2024-02-01 10:00:42', start_date: '2024-02-01 10:00:00', end_date: '2024-02-02 10:00:00' }),
    R.lease({ id: L(2), created_at: '2024-02-01 00:00:00', start_date: '2024-02-03 00:00:00', end_date: '2024-02-04 00:00:00' }),
    R.lease({ id: L(3), created_at: '2024-02-02 00:00:00', updated_at: '2024-02-02 12:00:00', start_date: '2024-02-04 12:00:00', end_date: '2024-02-05 12:00:00' }),
    R.lease({ id: L(4), created_at: '2024-02-02 00:00:00', start_date: '2024-02-05 00:00:00', end_date: '2024-02-06 00:00:00', deleted_at: '2024-02-02 06:00:00' }),
    R.lease({ id: L(5), created_at: '2024-02-03 00:00:00', start_date: '2024-02-03 02:00:00', end_date: '2024-02-04 00:00:00', status: 'ERROR' }),
    R.lease({ id: L(6), created_at: '2024-02-03 00:00:00', start_date: '2024-02-03 00:00:00', end_date: '2024-02-10 00:00:00', project_id: OPS }),
    R.lease({ id: L(7), created_at: '2024-02-03 08:00:00', start_date: '2024-02-03 09:00:00', end_date: '2024-02-04 00:00:00' }),
    R.lease({ id: L(8), created_at: '2024-02-03 08:00:00', start_date: '2024-02-03 11:00:00', end_date: '2024-02-04 00:00:00' }),
    R.lease({ id: L(9), created_at: '2024-02-04 00:00:00', start_date: '2024-02-04 06:00:00', end_date: '2024-02-05 00:00:00' }),
    R.lease({ id: L(10), created_at: '0000-00-00 00:00:00', start_date: '2024-02-04 06:00:00', end_date: '2024-02-05 00:00:00' }),
  ]);
  const res = (n: number, rt = 'physical:host') => R.reservation({ id: `bbbbbbbb-0000-4000-8000-${String(n).padStart(12, '0')}`, lease_id: L(n), resource_type: rt });
  const reservations = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => res(n)).concat([res(9, 'virtual:instance')]);
  await fx.insert('blazar.reservations', reservations);
  const rid = (n: number) => String(reservations[n - 1].id);
  await fx.insert('blazar.computehost_allocations', [
    R.allocation({ reservation_id: rid(1), compute_host_id: '1' }),
    R.allocation({ reservation_id: rid(2), compute_host_id: '1' }),
    R.allocation({ reservation_id: rid(2), compute_host_id: '3' }),
    R.allocation({ reservation_id: rid(3), compute_host_id: '2' }),
    R.allocation({ reservation_id: rid(4), compute_host_id: '1', deleted_at: '2024-02-02 06:00:00' }),
    R.allocation({ reservation_id: rid(5), compute_host_id: '1' }),
    R.allocation({ reservation_id: rid(6), compute_host_id: '2' }),
    R.allocation({ reservation_id: rid(7), compute_host_id: '1' }),
    R.allocation({ reservation_id: rid(8), compute_host_id: '2' }),
    R.allocation({ reservation_id: rid(9), compute_host_id: '3' }),
    R.allocation({ reservation_id: rid(9), compute_host_id: '3' }),
  ]);
  await fx.insert('blazar.events', [
    R.blazarEvent({ lease_id: L(1), time: '2024-02-01 10:00:00', status: 'DONE', updated_at: '2024-02-01 10:00:45' }),
    R.blazarEvent({ lease_id: L(2), time: '2024-02-03 00:00:00', status: 'DONE', updated_at: '2024-02-03 00:00:07' }),
    // the start event of a moved lease is moved with it
    R.blazarEvent({ lease_id: L(3), time: '2024-02-04 12:00:00', status: 'DONE', updated_at: '2024-02-04 12:00:09' }),
    R.blazarEvent({ lease_id: L(4), time: '2024-02-05 00:00:00', status: 'UNDONE' }),
    R.blazarEvent({ lease_id: L(5), time: '2024-02-03 02:00:00', status: 'ERROR', updated_at: '2024-02-03 02:00:04' }),
    R.blazarEvent({ lease_id: L(6), time: '2024-02-03 00:00:00', status: 'DONE', updated_at: '2024-02-03 00:00:02' }),
    R.blazarEvent({ lease_id: L(9), time: '2024-02-04 06:00:00', status: 'DONE', updated_at: '2024-02-04 06:00:30' }),
    R.blazarEvent({ lease_id: L(9), event_type: 'end_lease', time: '2024-02-05 00:00:00', status: 'UNDONE' }),
  ]);
};

const window = { start: at('2024-01-01T00:00:00Z'), end: at('2025-01-01T00:00:00Z') };

const run = async (fx: Fixture) => {
  const { context } = await loadContext(fx.src);
  const r = await runAdapter(leadTimesAdapter, fx.src, context)();
  if (Ei.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const H = (s: number) => s / 3600;

describeBoth('the lead-time adapter', (dialect: Dialect) => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await openFixture(dialect, { operatorProjects: [OPS] });
    await populate(fx);
  });
  afterAll(async () => {
    await fx?.drop();
  });

  it('reads one row per lease and accounts for each: folded, or rejected with a reason', async () => {
    const r = await run(fx);
    expect(r.report).toMatchObject({ status: 'read', rows_read: 10, rows_folded: 9, rows_rejected: 1, rejected_by_reason: { created_at_missing: 1 }, optional_missing: [] });
    expect(r.report.source.endsWith('.leases')).toBe(true);
  });

  it('gives each lease its node types, status and times as stored', async () => {
    const r = await run(fx);
    const by = new Map(r.outputs.map((f) => [f.lease_id, f]));
    expect([...by.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map(L));
    expect(by.get(L(2))?.node_types).toEqual(['compute_skylake', 'gpu_p100']);
    expect(by.get(L(4))).toMatchObject({ node_types: ['compute_skylake'], deleted_at: at('2024-02-02T06:00:00Z'), start_status: 'UNDONE' });
    expect(by.get(L(6))).toMatchObject({ operator: true, project_id: OPS });
    expect(by.get(L(9))).toMatchObject({ node_types: ['gpu_p100'], start_status: 'DONE', start_updated_at: at('2024-02-04T06:00:30Z') });
    expect(r.outputs.filter((f) => f.operator).map((f) => f.lease_id)).toEqual([L(6)]);
  });

  it('gives the requested and effective lead time of every case, and why effective is missing', async () => {
    const { leases, audit } = leadTimes({ ...window, groupBy: [] })((await run(fx)).outputs);
    const by = Object.fromEntries(leases.map((l) => [l.lease_id, l]));
    // immediate: lead time in (-1 min, 0]
    expect(by[L(1)].requested_hours).toBeCloseTo(H(-42), 12);
    expect(by[L(1)].requested_hours).toBeGreaterThan(H(-60));
    expect(by[L(1)].effective_hours).toBeCloseTo(H(3), 12);
    expect(by[L(2)]).toMatchObject({ requested_hours: 48, effective_hours: 48 + H(7), missing_effective: null });
    // moved: the stored (moved) start is requested, the start event gives effective
    expect(by[L(3)]).toMatchObject({ requested_hours: 60, effective_hours: 60 + H(9) });
    expect(by[L(4)]).toMatchObject({ requested_hours: 72, effective_hours: null, missing_effective: 'deleted_before_start' });
    expect(by[L(5)]).toMatchObject({ requested_hours: 2, effective_hours: null, missing_effective: 'start_error' });
    expect(by[L(6)]).toBeUndefined();
    expect(by[L(7)]).toMatchObject({ requested_hours: 1, missing_effective: 'no_start_event' });
    expect(by[L(9)]).toMatchObject({ requested_hours: 6, effective_hours: 6 + H(30) });
    expect(audit).toEqual([
      {
        site: 'test_site',
        leases_seen: 9,
        excluded: { operator: 1, outside_window: 0 },
        leases_reported: 8,
        with_effective: 4,
        effective_from_schedule: 0,
        missing_effective_by_reason: { start_error: 1, deleted_before_start: 1, no_start_event: 2 },
        negative_lead_time: { requested: 0, effective: 0 },
        timeline_rows: expect.any(Number),
        merged_rows: 2,
      },
    ]);
  });

  it('writes one row per key: leases created in the same second are averaged per node type', async () => {
    const facts = (await run(fx)).outputs;
    const flat = leadTimes({ ...window, groupBy: [] })(facts);
    expect(validateLeadTimeRows([])(flat.rows)).toEqual(Ei.right(flat.rows));
    for (const r of flat.rows) expect(Object.keys(r)).toEqual(leadTimeColumns([]));
    expect(flat.rows.filter((r) => r.timestamp === '2024-02-03T08:00:00Z')).toEqual([{ site: 'test_site', timestamp: '2024-02-03T08:00:00Z', leadtime_type: 'requested', value: 2 }]);
    // Feb 2 00:00: leases 3 (moved) and 4 (deleted) merge for requested; only 3 has effective
    expect(flat.rows.filter((r) => r.timestamp === '2024-02-02T00:00:00Z').map((r) => [r.leadtime_type, r.value])).toEqual([
      ['requested', 66],
      ['effective', 60 + H(9)],
    ]);
    expect(flat.audit[0]).toMatchObject({ merged_rows: 2, timeline_rows: flat.rows.length });

    const grouped = leadTimes({ ...window, groupBy: ['node_type'] })(facts);
    expect(validateLeadTimeRows(['node_type'])(grouped.rows)).toEqual(Ei.right(grouped.rows));
    expect(grouped.rows.filter((r) => r.timestamp === '2024-02-03T08:00:00Z')).toEqual([
      { site: 'test_site', timestamp: '2024-02-03T08:00:00Z', leadtime_type: 'requested', value: 2, node_type: 'compute_skylake' },
    ]);
    expect(grouped.rows.filter((r) => r.timestamp === '2024-02-01T00:00:00Z' && r.leadtime_type === 'requested').map((r) => r.node_type)).toEqual(['compute_skylake', 'gpu_p100']);
  });
});

/**
 * Rules v2, section 9: leases deleted after their start, their events soft-deleted with them
 * (Chameleon Blazar's `lease_destroy`, which stamps the events' `updated_at` with the deletion).
 * 11 start event stamped by the deletion (updated_at = deleted_at): actual start = its time
 * 12 stamped 1 s before deleted_at (the two stamps of one deletion across a second): same
 * 13 the event soft-deleted, its updated_at 2 s before deleted_at: a real start, kept
 * 14 the lease deleted after its start, the event live: its updated_at, as before
 */
const populateDeleted = async (fx: Fixture): Promise<void> => {
  const lease = (n: number) => R.lease({ id: L(n), created_at: '2024-02-01 00:00:00', start_date: '2024-02-02 00:00:00', end_date: '2024-02-05 00:00:00', deleted_at: '2024-02-03 12:00:00' });
  await fx.insert('blazar.leases', [11, 12, 13, 14].map(lease));
  const start = (n: number, updated_at: string, deleted_at: string | null) =>
    R.blazarEvent({ lease_id: L(n), time: '2024-02-02 00:00:00', status: 'DONE', updated_at, ...(deleted_at === null ? {} : { deleted_at }) });
  await fx.insert('blazar.events', [
    start(11, '2024-02-03 12:00:00', '2024-02-03 12:00:00'),
    start(12, '2024-02-03 11:59:59', '2024-02-03 12:00:00'),
    start(13, '2024-02-03 11:59:58', '2024-02-03 12:00:00'),
    start(14, '2024-02-02 00:00:09', null),
  ]);
};

describeBoth('the lead-time adapter on leases deleted after their start (rules v2, section 9)', (dialect: Dialect) => {
  it('takes the start from the event time when the deletion stamped the event, audited effective_from_schedule', async () => {
    const fx = await openFixture(dialect);
    try {
      await populateDeleted(fx);
      const facts = (await run(fx)).outputs;
      const f = new Map(facts.map((x) => [x.lease_id, x]));
      expect(f.get(L(11))).toMatchObject({ start_time: at('2024-02-02T00:00:00Z'), start_updated_at: at('2024-02-03T12:00:00Z'), start_deleted_at: at('2024-02-03T12:00:00Z') });
      expect(f.get(L(14))).toMatchObject({ start_time: at('2024-02-02T00:00:00Z'), start_deleted_at: null });
      const { leases, audit } = leadTimes({ ...window, groupBy: [] })(facts);
      const by = Object.fromEntries(leases.map((l) => [l.lease_id, l]));
      expect(by[L(11)]).toMatchObject({ actual_start: at('2024-02-02T00:00:00Z'), effective_hours: 24, effective_from_schedule: true });
      expect(by[L(12)]).toMatchObject({ actual_start: at('2024-02-02T00:00:00Z'), effective_hours: 24, effective_from_schedule: true });
      expect(by[L(13)]).toMatchObject({ actual_start: at('2024-02-03T11:59:58Z'), effective_from_schedule: false });
      expect(by[L(14)]).toMatchObject({ actual_start: at('2024-02-02T00:00:09Z'), effective_hours: 24 + H(9), effective_from_schedule: false });
      expect(audit[0]).toMatchObject({ leases_reported: 4, with_effective: 4, effective_from_schedule: 2 });
    } finally {
      await fx.drop();
    }
  });

  it('reads upstream Blazar (events without soft delete) as before', async () => {
    const fx = await openFixture(dialect, { blazar: 'upstream', tables: ['blazar.leases', 'blazar.events', 'blazar.computehosts'] });
    try {
      await fx.insert('blazar.leases', [R.lease({ id: L(15), created_at: '2024-02-01 00:00:00', start_date: '2024-02-02 00:00:00', end_date: '2024-02-05 00:00:00' })]);
      await fx.insert('blazar.events', [R.blazarEvent({ lease_id: L(15), time: '2024-02-02 00:00:00', status: 'DONE', updated_at: '2024-02-02 00:00:05' })]);
      const facts = (await run(fx)).outputs;
      expect(facts).toMatchObject([{ start_time: at('2024-02-02T00:00:00Z'), start_deleted_at: null, start_updated_at: at('2024-02-02T00:00:05Z') }]);
      expect(leadTimes({ ...window, groupBy: [] })(facts).leases[0]).toMatchObject({ effective_hours: 24 + H(5), effective_from_schedule: false });
    } finally {
      await fx.drop();
    }
  });
});

describeBoth('the lead-time adapter without the allocation tables', (dialect: Dialect) => {
  it('reads the leases with node type unknown and names the missing tables', async () => {
    const fx = await openFixture(dialect, { tables: ['blazar.leases', 'blazar.events', 'blazar.computehosts'] });
    try {
      await fx.insert('blazar.leases', [R.lease({ id: L(1) })]);
      const r = await run(fx);
      expect(r.report.optional_missing.map((s) => s.split('.').pop())).toEqual(['reservations', 'computehost_allocations']);
      expect(r.outputs.map((f) => f.node_types)).toEqual([['unknown']]);
      expect(r.outputs[0]).toMatchObject({ start_status: null, start_updated_at: null });
    } finally {
      await fx.drop();
    }
  });
});
