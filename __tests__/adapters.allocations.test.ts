/**
 * `committed` / `ops` from Blazar host allocations: the pure `toEvents`, the group annotation
 * of the stream, and the adapter run against SQLite and MySQL fixtures.
 */
import fc from 'fast-check';
import * as Ei from 'fp-ts/Either';
import type { ComputeNodeInfo, Context, HostInfo } from '../adapters/Adapter';
import { computeNodeAt, emptyContext } from '../adapters/Adapter';
import { allocations, annotateGroups, toEvents, type AllocationRow } from '../adapters/allocations';
import { commitment, isOperator } from '../adapters/leases';
import { runAdapter, type RunResult } from '../adapters/runner';
import { siteConfig, type SiteConfig } from '../adapters/Source';
import type { Event } from '../lib/Event';
import * as T from '../lib/Time';
import { describeBoth, describeMysql, openFixture, type Dialect, type Fixture } from './fixtures/db';
import * as R from './fixtures/rows';

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const at = (s: string): T.Millis => {
  const m = T.fromIso(s);
  if (m._tag === 'None') throw new Error(`bad date ${s}`);
  return m.value;
};
const iso = (m: T.Millis) => T.toIso(m);

const host = (id: string, over: Partial<HostInfo> = {}): HostInfo => ({
  id,
  hypervisor_hostname: `node-${id}`,
  node_type: 'compute_skylake',
  gpus: 0,
  vcpus: 48,
  memory_mb: 196608,
  local_gb: 240,
  ...over,
});

const computeNode = (hostname: string, vcpus: number, created_at: string | null = '2023-01-01 00:00:00'): ComputeNodeInfo => ({
  id: hostname,
  hypervisor_hostname: hostname,
  hypervisor_type: 'QEMU',
  created_at: created_at === null ? null : at(created_at),
  vcpus,
  memory_mb: 1,
  local_gb: 1,
});

const context = (site: SiteConfig = siteConfig('test_site'), hosts: ReadonlyArray<HostInfo> = [host('1'), host('2')], nodes: ReadonlyArray<ComputeNodeInfo> = []): Context => {
  const byHost = new Map<string, ComputeNodeInfo[]>();
  for (const n of nodes) byHost.set(n.hypervisor_hostname, [...(byHost.get(n.hypervisor_hostname) ?? []), n]);
  return {
    ...emptyContext(site),
    hostsById: new Map(hosts.map((h) => [h.id, h])),
    hostsByHostname: new Map(hosts.map((h) => [h.hypervisor_hostname, h])),
    computeNodes: byHost,
  };
};

const row = (over: Partial<AllocationRow> = {}): AllocationRow => ({
  id: 'a1',
  reservation_id: 'res-1',
  compute_host_id: '1',
  r_id: 'res-1',
  resource_type: 'physical:host',
  slot_vcpus: null,
  slot_memory_mb: null,
  slot_disk_gb: null,
  group_position: 1,
  group_size: 1,
  lease_id: 'lease-1',
  lease_name: 'my-lease',
  lease_project_id: 'project-1',
  lease_created_at: at('2024-01-01 00:00:00'),
  lease_start_date: at('2024-01-01 01:00:00'),
  lease_end_date: at('2024-01-02 01:00:00'),
  lease_deleted_at: null,
  lease_start_status: 'DONE',
  lease_start_updated_at: at('2024-01-01 01:00:10'),
  lease_start_time: at('2024-01-01 01:00:00'),
  lease_start_deleted: null,
  lease_start_deleted_at: null,
  ...over,
});

const events = (r: Ei.Either<unknown, ReadonlyArray<Event>>): ReadonlyArray<Event> => {
  if (Ei.isLeft(r)) throw new Error(`expected events, got ${JSON.stringify(r.left)}`);
  return r.right;
};
const reason = (r: Ei.Either<{ reason: string }, unknown>): string => (Ei.isLeft(r) ? r.left.reason : 'folded');
const span = (evs: ReadonlyArray<Event>) => evs.map((e) => `${e._tag} ${iso(e.time)}`);

async function* from<A>(xs: ReadonlyArray<A>): AsyncIterable<A> {
  for (const x of xs) yield x;
}
const collect = async <A>(xs: AsyncIterable<A>): Promise<A[]> => {
  const out: A[] = [];
  for await (const x of xs) out.push(x);
  return out;
};

// -------------------------------------------------------------------------------------
// pure
// -------------------------------------------------------------------------------------

describe('toEvents, physical:host', () => {
  it('commits the host for [start_date, end_date) with the host resources and one node', () => {
    const evs = events(toEvents(context(siteConfig('s'), [host('1', { gpus: 2 })]))(row()));
    expect(span(evs)).toEqual(['Create 2024-01-01T01:00:00Z', 'Delete 2024-01-02T01:00:00Z']);
    expect(evs[0]).toMatchObject({
      entityId: 'res-1/1',
      countType: 'committed',
      quantities: { nodes: 1, vcpus: 48, memory_mb: 196608, disk_gb: 240, gpus: 2, devices: 0 },
      source: { table: 'blazar.computehost_allocations', id: 'a1' },
      attributes: {
        site: 's',
        node_type: 'compute_skylake',
        hypervisor_hostname: 'node-1',
        extra: { reservation_id: 'res-1', lease_id: 'lease-1', blazar_host_id: '1', project_id: 'project-1', resource_type: 'physical:host' },
      },
    });
  });

  it('starts at created_at when the lease was created after its start_date', () => {
    const evs = events(toEvents(context())(row({ lease_created_at: at('2024-01-01 01:00:42') })));
    expect(span(evs)[0]).toBe('Create 2024-01-01T01:00:42Z');
  });

  it('ends at deleted_at when the lease was deleted before its end_date', () => {
    const evs = events(toEvents(context())(row({ lease_deleted_at: at('2024-01-01 05:00:00') })));
    expect(span(evs)).toEqual(['Create 2024-01-01T01:00:00Z', 'Delete 2024-01-01T05:00:00Z']);
  });

  it('rejects a lease deleted before its start as deleted_before_start', () => {
    expect(reason(toEvents(context())(row({ lease_deleted_at: at('2024-01-01 00:30:00') })))).toBe('deleted_before_start');
    expect(reason(toEvents(context())(row({ lease_deleted_at: at('2024-01-01 01:00:00') })))).toBe('deleted_before_start');
  });

  it('rejects a lease whose start_lease event ended in ERROR as lease_error', () => {
    expect(reason(toEvents(context())(row({ lease_start_status: 'ERROR' })))).toBe('lease_error');
  });

  it('counts an operator project lease and an availability window as ops', () => {
    const site = siteConfig('s', { operatorProjects: ['ops-project'] });
    expect(events(toEvents(context(site))(row({ lease_project_id: 'ops-project' })))[0].countType).toBe('ops');
    expect(events(toEvents(context(site))(row({ lease_name: 'availability_window_1234' })))[0].countType).toBe('ops');
    expect(events(toEvents(context(site))(row()))[0].countType).toBe('committed');
  });

  it('keeps an allocation whose host is unknown, with node_type unknown and host_unknown', () => {
    const evs = events(toEvents(context())(row({ compute_host_id: '99' })));
    expect(evs[0].attributes).toMatchObject({ node_type: 'unknown', hypervisor_hostname: 'unknown', extra: { host_unknown: '1', blazar_host_id: '99' } });
    expect(evs[0].quantities).toEqual({ nodes: 1, vcpus: 0, memory_mb: 0, disk_gb: 0, gpus: 0, devices: 0 });
  });

  it('rejects a reservation of another resource type by type', () => {
    expect(reason(toEvents(context())(row({ resource_type: 'network' })))).toBe('resource_type_network');
    expect(reason(toEvents(context())(row({ resource_type: 'virtual:floatingip' })))).toBe('resource_type_virtual_floatingip');
    expect(reason(toEvents(context())(row({ resource_type: null })))).toBe('resource_type_none');
  });

  it('rejects a missing reservation or lease row', () => {
    expect(reason(toEvents(context())(row({ r_id: null, resource_type: null, lease_id: null })))).toBe('reservation_missing');
    expect(reason(toEvents(context())(row({ lease_id: null, lease_start_date: null })))).toBe('lease_missing');
  });

  it('leaves a lease with no end open', () => {
    expect(span(events(toEvents(context())(row({ lease_end_date: null }))))).toEqual(['Create 2024-01-01T01:00:00Z']);
  });
});

describe('toEvents, instance slots', () => {
  const slots = (over: Partial<AllocationRow> = {}) =>
    row({ resource_type: 'virtual:instance', slot_vcpus: 2, slot_memory_mb: 4096, slot_disk_gb: 20, group_position: 3, group_size: 3, ...over });

  it('sums the slots of the group and gives nodes as vcpus over the Nova host vcpus', () => {
    const evs = events(toEvents(context(undefined, undefined, [computeNode('node-1', 48)]))(slots()));
    expect(evs[0].quantities).toEqual({ nodes: 6 / 48, vcpus: 6, memory_mb: 12288, disk_gb: 60, gpus: 0, devices: 0 });
    expect(evs[0].attributes.extra.nodes_unknown).toBeUndefined();
  });

  it('takes the compute node row in force at the lease start, else the earliest', () => {
    const nodes = [computeNode('node-1', 24, '2023-01-01 00:00:00'), computeNode('node-1', 12, '2024-01-01 00:30:00'), computeNode('node-1', 6, '2024-06-01 00:00:00')];
    expect(computeNodeAt(nodes, at('2024-01-01 01:00:00'))?.vcpus).toBe(12);
    expect(computeNodeAt(nodes, at('2022-01-01 00:00:00'))?.vcpus).toBe(24);
    expect(events(toEvents(context(undefined, undefined, nodes))(slots()))[0].quantities.nodes).toBe(6 / 12);
  });

  it('gives 0 nodes and says so when the host vcpus are unknown', () => {
    const evs = events(toEvents(context())(slots()));
    expect(evs[0].quantities.nodes).toBe(0);
    expect(evs[0].attributes.extra.nodes_unknown).toBe('1');
  });

  it('rejects the other rows of a committed group as merged_slot', () => {
    expect(reason(toEvents(context())(slots({ group_position: 1, group_size: null })))).toBe('merged_slot');
  });

  it('rejects every row of a group that commits nothing with the group reason, not merged_slot', () => {
    expect(reason(toEvents(context())(slots({ group_position: 1, group_size: null, lease_start_status: 'ERROR' })))).toBe('lease_error');
  });

  it('rejects an instance reservation without its slot size', () => {
    expect(reason(toEvents(context())(slots({ slot_vcpus: null })))).toBe('instance_reservation_missing');
  });
});

describe('annotateGroups', () => {
  it('marks the last row of each consecutive group with the group size', async () => {
    const rows = [
      { id: 'a', reservation_id: 'r1', compute_host_id: '1' },
      { id: 'b', reservation_id: 'r1', compute_host_id: '1' },
      { id: 'c', reservation_id: 'r1', compute_host_id: '2' },
      { id: 'd', reservation_id: 'r2', compute_host_id: '2' },
    ];
    const out = await collect(annotateGroups(from(rows)));
    expect(out.map((r) => [r.id, r.group_position, r.group_size])).toEqual([
      ['a', 1, null],
      ['b', 2, 2],
      ['c', 1, 1],
      ['d', 1, 1],
    ]);
  });

  it('yields nothing for no rows', async () => {
    expect(await collect(annotateGroups(from([])))).toEqual([]);
  });

  it('folds exactly one row per group and rejects every other row, for any grouping', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('r1', 'r2', 'r3'), fc.constantFrom('1', '2')), { maxLength: 30 }), async (keys) => {
        const sorted = [...keys].sort();
        const raws = sorted.map(([r, h], i) => ({ ...row({ id: `a${i}`, reservation_id: r, r_id: r, compute_host_id: h }) }));
        const out = await collect(annotateGroups(from(raws)));
        const results = out.map((x) => toEvents(context())(x as unknown as AllocationRow));
        const folded = results.filter(Ei.isRight).length;
        const merged = results.filter((r) => reason(r) === 'merged_slot').length;
        expect(out.length).toBe(keys.length);
        expect(folded).toBe(new Set(keys.map((k) => k.join('/'))).size);
        expect(folded + merged).toBe(keys.length);
      }),
    );
  });
});

describe('leases', () => {
  it('has no window for a lease with no start_date', () => {
    expect(commitment(row({ lease_start_date: null }))).toEqual(Ei.left('lease_start_missing'));
  });

  it('does not take a project that merely contains an operator project id as operator', () => {
    expect(isOperator({ operatorProjects: ['ops'] })({ lease_project_id: 'ops-2', lease_name: 'x_availability_window_' })).toBe(false);
  });
});

// -------------------------------------------------------------------------------------
// against a database
// -------------------------------------------------------------------------------------

const TABLES = ['blazar.leases', 'blazar.reservations', 'blazar.events', 'blazar.computehost_allocations', 'blazar.instance_reservations'] as const;

/** A lease with its start event, a reservation and allocation rows on the given hosts. */
const scenario = (o: {
  lease?: R.Row;
  event?: R.Row | null;
  reservation?: R.Row;
  hosts?: ReadonlyArray<string>;
  slots?: R.Row;
}): Partial<Record<(typeof TABLES)[number], R.Row[]>> => {
  const l = R.lease(o.lease ?? {});
  const r = R.reservation({ lease_id: l.id, ...(o.reservation ?? {}) });
  const ir = o.slots === undefined ? [] : [R.instanceReservation({ reservation_id: r.id, id: r.resource_id, ...o.slots })];
  return {
    'blazar.leases': [l],
    'blazar.reservations': [r],
    'blazar.events': o.event === null ? [] : [R.blazarEvent({ lease_id: l.id, ...(o.event ?? {}) })],
    'blazar.computehost_allocations': (o.hosts ?? ['1']).map((h) => R.allocation({ reservation_id: r.id, compute_host_id: h })),
    'blazar.instance_reservations': ir,
  };
};

const load = async (fx: Fixture, ...scenarios: ReadonlyArray<ReturnType<typeof scenario>>): Promise<void> => {
  for (const key of TABLES) {
    const rows = scenarios.flatMap((s) => s[key] ?? []);
    if (rows.length > 0) await fx.insert(key, rows);
  }
};

const run = async (fx: Fixture, nodes: ReadonlyArray<ComputeNodeInfo> = []): Promise<RunResult<Event>> => {
  const r = await runAdapter(allocations, fx.src, context(fx.src.site, [host('1'), host('2')], nodes))();
  if (Ei.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const summary = (r: RunResult<Event>) => ({
  spans: [...new Set(r.outputs.map((e) => e.entityId))].sort().map((id) => ({
    id: id.replace(/^[^/]*/, 'R'),
    countType: r.outputs.find((e) => e.entityId === id)?.countType,
    events: span(r.outputs.filter((e) => e.entityId === id)),
  })),
  rejected: r.report.rejected_by_reason,
});

describeBoth('allocations adapter', (dialect: Dialect) => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await openFixture(dialect, { tables: [...TABLES], operatorProjects: ['ops-project'] });
  });
  afterEach(async () => {
    await fx.drop();
  });

  it('merges the slot allocations of one host into one host allocation with the slots summed', async () => {
    await load(fx, scenario({ reservation: { resource_type: 'virtual:instance' }, hosts: ['1', '1', '1', '2'], slots: { vcpus: 2, memory_mb: 4096, disk_gb: 20 } }));
    const r = await run(fx, [computeNode('node-1', 48), computeNode('node-2', 24)]);
    expect(r.report).toMatchObject({ status: 'read', rows_read: 4, rows_folded: 2, rows_rejected: 2, rejected_by_reason: { merged_slot: 2 } });
    const creates = r.outputs.filter((e) => e._tag === 'Create').sort((a, b) => a.entityId.localeCompare(b.entityId));
    expect(creates.map((e) => e.quantities)).toEqual([
      { nodes: 6 / 48, vcpus: 6, memory_mb: 12288, disk_gb: 60, gpus: 0, devices: 0 },
      { nodes: 2 / 24, vcpus: 2, memory_mb: 4096, disk_gb: 20, gpus: 0, devices: 0 },
    ]);
  });

  it('commits nothing for a lease deleted before its start', async () => {
    await load(fx, scenario({ lease: { deleted_at: '2024-01-01 00:30:00' }, event: { status: 'UNDONE', deleted_at: '2024-01-01 00:30:00' }, hosts: ['1', '2'] }));
    const r = await run(fx);
    expect(r.outputs).toEqual([]);
    expect(r.report.rejected_by_reason).toEqual({ deleted_before_start: 2 });
  });

  it('commits nothing for a lease whose start event is ERROR', async () => {
    await load(fx, scenario({ event: { status: 'ERROR', updated_at: '2024-01-01 01:00:10' } }));
    const r = await run(fx);
    expect(r.outputs).toEqual([]);
    expect(r.report.rejected_by_reason).toEqual({ lease_error: 1 });
  });

  it('ends an early-deleted lease at its deleted_at', async () => {
    await load(fx, scenario({ lease: { deleted_at: '2024-01-01 07:30:00' } }));
    expect(summary(await run(fx)).spans).toEqual([{ id: 'R/1', countType: 'committed', events: ['Create 2024-01-01T01:00:00Z', 'Delete 2024-01-01T07:30:00Z'] }]);
  });

  it('starts a lease created after its start_date at created_at', async () => {
    await load(fx, scenario({ lease: { created_at: '2024-01-01 01:00:30' } }));
    expect(summary(await run(fx)).spans[0].events[0]).toBe('Create 2024-01-01T01:00:30Z');
  });

  it('counts an operator lease as ops', async () => {
    await load(fx, scenario({ lease: { project_id: 'ops-project' } }), scenario({ lease: { name: 'availability_window_x' }, hosts: ['2'] }));
    expect(summary(await run(fx)).spans.map((s) => s.countType)).toEqual(['ops', 'ops']);
  });

  it('keeps an allocation whose host row does not exist', async () => {
    await load(fx, scenario({ hosts: ['404'] }));
    const r = await run(fx);
    expect(r.report.rows_folded).toBe(1);
    expect(r.outputs[0].attributes).toMatchObject({ node_type: 'unknown', extra: { host_unknown: '1' } });
  });

  it('rejects an allocation of a network reservation by type', async () => {
    await load(fx, scenario({ reservation: { resource_type: 'network' }, hosts: ['1', '2'] }));
    const r = await run(fx);
    expect(r.outputs).toEqual([]);
    expect(r.report.rejected_by_reason).toEqual({ resource_type_network: 2 });
  });

  it('rejects allocations whose reservation or lease row is missing', async () => {
    const orphanLease = scenario({});
    delete orphanLease['blazar.leases'];
    await load(fx, orphanLease, { 'blazar.computehost_allocations': [R.allocation({ reservation_id: 'nope' })] });
    expect((await run(fx)).report.rejected_by_reason).toEqual({ lease_missing: 1, reservation_missing: 1 });
  });

  it('reads one row per allocation row when a lease has several start events and a reservation several slot rows', async () => {
    const s = scenario({ reservation: { resource_type: 'flavor:instance' }, hosts: ['1', '1'], slots: { vcpus: 4 } });
    const leaseId = String(s['blazar.leases']?.[0].id);
    const resId = String(s['blazar.reservations']?.[0].id);
    s['blazar.events']?.push(R.blazarEvent({ lease_id: leaseId, status: 'UNDONE', updated_at: null }), R.blazarEvent({ lease_id: leaseId, event_type: 'end_lease', status: 'ERROR' }));
    s['blazar.instance_reservations']?.push(R.instanceReservation({ reservation_id: resId, vcpus: 99 }));
    await load(fx, s);
    const r = await run(fx, [computeNode('node-1', 48)]);
    expect(r.report).toMatchObject({ rows_read: 2, rows_folded: 1, rejected_by_reason: { merged_slot: 1 } });
    expect(r.outputs[0].quantities.vcpus).toBe(8);
  });

  it('takes the most recently updated start_lease event of a lease that has several', async () => {
    const s = scenario({ event: { status: 'DONE', updated_at: '2024-01-01 01:00:20' } });
    s['blazar.events']?.unshift(R.blazarEvent({ lease_id: s['blazar.leases']?.[0].id, status: 'ERROR', updated_at: '2024-01-01 01:00:05' }));
    const e = scenario({ event: { status: 'ERROR', updated_at: '2024-01-01 01:00:20' }, hosts: ['2'] });
    e['blazar.events']?.push(R.blazarEvent({ lease_id: e['blazar.leases']?.[0].id, status: 'DONE', updated_at: '2024-01-01 01:00:05' }));
    await load(fx, s, e);
    const r = await run(fx);
    expect(r.report).toMatchObject({ rows_folded: 1, rejected_by_reason: { lease_error: 1 } });
    expect(r.outputs[0].attributes.extra.blazar_host_id).toBe('1');
  });

  it('rows in = folded + rejected, and one fold per committing group (model-based)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            type: fc.constantFrom('physical:host', 'virtual:instance', 'network', null),
            start: fc.constantFrom('DONE', 'ERROR', 'UNDONE', null),
            deletedBeforeStart: fc.boolean(),
            leaseExists: fc.boolean(),
            slotsRow: fc.boolean(),
            hosts: fc.array(fc.constantFrom('1', '2', '3'), { maxLength: 4 }),
          }),
          { maxLength: 5 },
        ),
        async (specs) => {
          await fx.drop();
          fx = await openFixture(dialect, { tables: [...TABLES] });
          const scenarios = specs.map((s) => {
            const sc = scenario({
              reservation: { resource_type: s.type },
              event: s.start === null ? null : { status: s.start },
              lease: s.deletedBeforeStart ? { deleted_at: '2024-01-01 00:10:00' } : {},
              hosts: s.hosts,
              slots: s.slotsRow ? {} : undefined,
            });
            if (!s.leaseExists) delete sc['blazar.leases'];
            return sc;
          });
          await load(fx, ...scenarios);
          const r = await run(fx);
          const rows = specs.reduce((n, s) => n + s.hosts.length, 0);
          const commits = (s: (typeof specs)[number]) =>
            s.leaseExists && (s.type === 'physical:host' || (s.type === 'virtual:instance' && s.slotsRow)) && s.start !== 'ERROR' && !s.deletedBeforeStart;
          const groups = specs.filter(commits).reduce((n, s) => n + new Set(s.hosts).size, 0);
          const merged = specs.filter(commits).reduce((n, s) => n + s.hosts.length - new Set(s.hosts).size, 0);
          expect(r.report.rows_read).toBe(rows);
          expect(r.report.rows_folded + r.report.rows_rejected).toBe(rows);
          expect(r.report.rows_folded).toBe(groups);
          expect(r.report.rejected_by_reason.merged_slot ?? 0).toBe(merged);
        },
      ),
      { numRuns: dialect === 'mysql' ? 8 : 25 },
    );
    // a fresh fixture per run: over jest's default 5 s on MariaDB when the machine is loaded
  }, 60_000);
});

describeBoth('allocations adapter on upstream Blazar (hard deletes, tenant_id)', (dialect: Dialect) => {
  it('reads leases without deleted_at and with tenant_id as the project', async () => {
    const fx = await openFixture(dialect, { tables: [...TABLES], blazar: 'upstream', operatorProjects: ['ops-project'] });
    try {
      await fx.src.knex.raw(`alter table ${fx.tableName('blazar.leases')} rename column project_id to tenant_id`);
      const s = scenario({});
      s['blazar.leases'] = [R.lease({ id: s['blazar.leases']?.[0].id, project_id: undefined, tenant_id: 'ops-project' })];
      await load(fx, s);
      const r = await run(fx);
      expect(r.outputs.map((e) => [e.countType, e._tag, iso(e.time), e.attributes.extra.project_id])).toEqual([
        ['ops', 'Create', '2024-01-01T01:00:00Z', 'ops-project'],
        ['ops', 'Delete', '2024-01-02T01:00:00Z', 'ops-project'],
      ]);
    } finally {
      await fx.drop();
    }
  });
});

describeMysql('allocations adapter, SQLite and MySQL agree', () => {
  it('gives the same events from SQLite and MySQL for the same rows', async () => {
    const rows = [
      scenario({ reservation: { resource_type: 'virtual:instance' }, hosts: ['1', '1', '2'], slots: {} }),
      scenario({ lease: { deleted_at: '2024-01-01 09:00:00', created_at: '2024-01-01 01:00:07' }, hosts: ['2', '404'] }),
      scenario({ lease: { name: 'availability_window_1' }, event: { status: 'ERROR' } }),
      scenario({ reservation: { resource_type: 'network' } }),
    ];
    const results = [];
    for (const d of ['sqlite', 'mysql'] as const) {
      const fx = await openFixture(d, { tables: [...TABLES] });
      try {
        await load(fx, ...rows);
        const r = await run(fx, [computeNode('node-1', 48)]);
        results.push({ outputs: r.outputs.map((e) => ({ ...e, source: { ...e.source, table: 'x' } })), reasons: r.report.rejected_by_reason, read: r.report.rows_read });
      } finally {
        await fx.drop();
      }
    }
    expect(results[0].read).toBe(7);
    expect(results[1]).toEqual(results[0]);
  });
});
