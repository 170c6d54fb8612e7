import * as vm from 'node:vm';
import fc from 'fast-check';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { emptyContext, type ComputeNodeInfo, type Context, type HostInfo } from '../adapters/Adapter';
import { actionTables, auditActionEvents } from '../adapters/instanceActions';
import { instances, instancesAdapter, InstanceRow, query, shadowInstances, toEvents } from '../adapters/instances';
import { runAdapter, type RunResult } from '../adapters/runner';
import { siteConfig, tableName, type Source } from '../adapters/Source';
import type * as E from '../lib/Event';
import { toIntervals } from '../lib/Fold';
import * as T from '../lib/Time';
import { describeBoth, describeMysql, openFixture, type Dialect, type Fixture } from './fixtures/db';
import { NOVA_INSTANCE_TABLES, type TableKey } from './fixtures/ddl';
import { instance, instanceAction, instanceActionEvent, requestSpec } from './fixtures/rows';

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const at = (s: string): T.Millis => O.toNullable(T.fromIso(s)) as T.Millis;
const iso = (m: number): string => T.toIso(T.unsafeMillis(m));

const cn = (hypervisor_hostname: string, hypervisor_type: string, vcpus: number, created_at = '2023-01-01 00:00:00'): ComputeNodeInfo => ({
  id: hypervisor_hostname,
  hypervisor_hostname,
  hypervisor_type,
  created_at: at(created_at),
  vcpus,
  memory_mb: 1000,
  local_gb: 100,
});
const hostInfo = (hypervisor_hostname: string, node_type: string): HostInfo => ({
  id: hypervisor_hostname,
  hypervisor_hostname,
  node_type,
  gpus: 0,
  vcpus: 0,
  memory_mb: 0,
  local_gb: 0,
});

const KVM = 'kvm-1.example.org';
const KVM2 = 'kvm-2.example.org';
const IRONIC = '11111111-2222-4333-8444-555555555555';

const contextFor = (src: Source): Context => ({
  ...emptyContext(src.site),
  computeNodes: new Map([
    [KVM, [cn(KVM, 'QEMU', 48)]],
    [KVM2, [cn(KVM2, 'QEMU', 16, '2023-01-01 00:00:00'), cn(KVM2, 'QEMU', 32, '2024-06-01 00:00:00')]],
    [IRONIC, [cn(IRONIC, 'ironic', 0)]],
  ]),
  hostsByHostname: new Map([[IRONIC, hostInfo(IRONIC, 'compute_skylake')]]),
});

/** An instance row with defaults for unit tests (decoded form). */
const row = (o: Partial<InstanceRow> = {}): InstanceRow => ({
  id: 1,
  uuid: 'u-1',
  created_at: at('2024-01-01 00:00:00'),
  launched_at: at('2024-01-01 00:01:00'),
  terminated_at: null,
  deleted_at: null,
  node: KVM,
  vcpus: 12,
  memory_mb: 2048,
  root_gb: 20,
  project_id: 'p-1',
  power_state: 1,
  spec: null,
  request_specs: 'read',
  actions: [],
  ...o,
});

/** Events of one entity as [tag, time] pairs. */
/** The occupied events' shape (the power history's `stopped_*` events are checked apart). */
const shape = (evs: ReadonlyArray<E.Event>) => evs.filter((e) => e.countType.startsWith('occupied')).map((e) => [e._tag, iso(e.time)]);

/** Events made comparable across dialects: fixture database names and row ids differ per fixture. */
const portable = (evs: ReadonlyArray<E.Event>) => evs.map((e) => ({ ...e, source: { table: e.source.table.replace(/^.*\./, ''), id: '' } }));

const byEntity = (evs: ReadonlyArray<E.Event>): Map<string, E.Event[]> => {
  const m = new Map<string, E.Event[]>();
  for (const e of evs) {
    const list = m.get(e.entityId);
    if (list === undefined) m.set(e.entityId, [e]);
    else list.push(e);
  }
  return m;
};

const run = async (adapter: typeof instances, src: Source, ctx: Context = contextFor(src)): Promise<RunResult<E.Event>> => {
  const r = await runAdapter(adapter, src, ctx)();
  if (Ei.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const unit = (o: Partial<InstanceRow>, ctx: Context = contextFor({ site: siteConfig('s') } as Source)) =>
  toEvents(actionTables.instances)(ctx)(row(o));

const aev = (id: number, event: string, start: string | null, o: { result?: string | null; host?: string | null } = {}) => ({
  id,
  event,
  result: o.result === undefined ? 'Success' : o.result,
  start_time: start === null ? null : at(start),
  host: o.host ?? null,
});

// -------------------------------------------------------------------------------------
// toEvents, without a database
// -------------------------------------------------------------------------------------

describe('instances toEvents', () => {
  it('turns a terminated VM into a create at created_at and a delete at terminated_at, nodes = vcpus / host vcpus', () => {
    const r = unit({ terminated_at: at('2024-01-02 00:00:00'), deleted_at: at('2024-01-02 00:00:05') });
    if (Ei.isLeft(r)) throw new Error(r.left.reason);
    expect(shape(r.right)).toEqual([
      ['Create', '2024-01-01T00:00:00Z'],
      ['Delete', '2024-01-02T00:00:00Z'],
    ]);
    expect(r.right[0].countType).toBe('occupied_ondemand');
    expect(r.right[0].quantities).toEqual({ nodes: 12 / 48, vcpus: 12, memory_mb: 2048, disk_gb: 20, gpus: 0, devices: 0 });
    expect(r.right[0].attributes).toEqual({
      site: 's',
      node_type: 'unknown',
      hypervisor_hostname: KVM,
      extra: { project_id: 'p-1', hypervisor_type: 'QEMU', reservation_from: 'no_request_spec' },
    });
    expect(r.right[0].source).toEqual({ table: 'nova.instances', id: '1' });
  });

  it('rejects an instance that never launched as never_launched', () => {
    const r = unit({ launched_at: null, actions: [aev(1, 'compute__do_build_and_run_instance', '2024-01-01 00:00:00', { result: 'Error' })] });
    expect(Ei.isLeft(r) && r.left.reason).toBe('never_launched');
    expect(Ei.isLeft(r) && r.left.entityId).toEqual(O.some('u-1'));
  });

  it('counts an instance with NULL launched_at but a successful build event', () => {
    const r = unit({ launched_at: null, actions: [aev(1, 'compute__do_build_and_run_instance', '2024-01-01 00:00:00')] });
    expect(Ei.isRight(r)).toBe(true);
  });

  it('counts a bare-metal instance as one node, and takes node_type from the Blazar host', () => {
    const r = unit({ node: IRONIC, vcpus: 0 });
    if (Ei.isLeft(r)) throw new Error(r.left.reason);
    expect(r.right[0].quantities.nodes).toBe(1);
    expect(r.right[0].attributes.node_type).toBe('compute_skylake');
    expect(r.right[0].attributes.extra.hypervisor_type).toBe('ironic');
  });

  it('uses the compute node row in force at created_at for host vcpus, else the earliest row', () => {
    const later = unit({ node: KVM2, vcpus: 8, created_at: at('2024-07-01 00:00:00') });
    const before = unit({ node: KVM2, vcpus: 8, created_at: at('2022-07-01 00:00:00') });
    expect(Ei.isRight(later) && later.right[0].quantities.nodes).toBe(8 / 32);
    expect(Ei.isRight(before) && before.right[0].quantities.nodes).toBe(8 / 16);
  });

  it('gives nodes 0 with a note when the host is unknown, and marks host_unknown', () => {
    const r = unit({ node: null, actions: [aev(1, 'compute__do_build_and_run_instance', '2024-01-01 00:00:00', { host: 'controller' })] });
    if (Ei.isLeft(r)) throw new Error(r.left.reason);
    expect(r.right[0].quantities.nodes).toBe(0);
    expect(r.right[0].attributes.hypervisor_hostname).toBe('unknown');
    expect(r.right[0].attributes.extra).toMatchObject({ host_unknown: 'true', nodes_note: 'host_vcpus_unknown', hypervisor_type: 'unknown' });
  });

  it('counts a bare-metal instance whose node was cleared as 1 node when its last compute event names an Ironic-only service', () => {
    // found by the real-services scenario s18: shelve offload clears host and node, the API then
    // deletes the instance locally, and on Ironic the events name the nova-compute service
    const actions = [aev(1, 'compute__do_build_and_run_instance', '2024-01-01 00:00:00', { host: 'ironic-compute-1' }), aev(2, 'compute_shelve_offload_instance', '2024-01-02 00:00:00', { host: 'ironic-compute-1' })];
    const ctx = { ...contextFor({ site: siteConfig('s') } as Source), bareMetalServices: new Set(['ironic-compute-1']) };
    const r = unit({ node: null, vcpus: 0, actions }, ctx);
    if (Ei.isLeft(r)) throw new Error(r.left.reason);
    expect(r.right[0].quantities.nodes).toBe(1);
    expect(r.right[0].attributes.hypervisor_hostname).toBe('unknown');
    expect(r.right[0].attributes.extra).toMatchObject({ host_unknown: 'true', hypervisor_type: 'ironic' });
    expect(r.right[0].attributes.extra.nodes_note).toBeUndefined();
    // a service that also runs libvirt nodes says nothing
    const mixed = unit({ node: null, vcpus: 0, actions }, { ...ctx, bareMetalServices: new Set<string>() });
    expect(Ei.isRight(mixed) && mixed.right[0].quantities.nodes).toBe(0);
  });

  it('notes host_vcpus_zero for a KVM host that reports 0 vcpus', () => {
    const ctx = { ...contextFor({ site: siteConfig('s') } as Source), computeNodes: new Map([[KVM, [cn(KVM, 'QEMU', 0)]]]) };
    const r = unit({}, ctx);
    expect(Ei.isRight(r) && r.right[0].attributes.extra.nodes_note).toBe('host_vcpus_zero');
    expect(Ei.isRight(r) && r.right[0].quantities.nodes).toBe(0);
  });

  it('makes an occupied_reserved event from a reservation hint, never from instances.reservation_id', () => {
    const spec = JSON.stringify({ 'nova_object.data': { scheduler_hints: { reservation: ['res-1'] } } });
    const r = unit({ spec });
    expect(Ei.isRight(r) && r.right[0].countType).toBe('occupied_reserved');
    expect(Ei.isRight(r) && r.right[0].attributes.extra.reservation_id).toBe('res-1');
  });

  it('rejects an instance whose created_at is NULL as no_created_at', () => {
    const r = unit({ created_at: null });
    expect(Ei.isLeft(r) && r.left.reason).toBe('no_created_at');
  });
});

// -------------------------------------------------------------------------------------
// integration: SQLite and MySQL
// -------------------------------------------------------------------------------------

const D = (day: number, hh = '00:00:00') => `2024-01-${String(day).padStart(2, '0')} ${hh}`;

/** One scenario; each instance's expected events are written next to it. */
const scenario = async (fx: Fixture): Promise<void> => {
  const live: Record<string, unknown>[] = [];
  const shadow: Record<string, unknown>[] = [];
  const actions: Record<string, unknown>[] = [];
  const shadowActions: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  const shadowEvents: Record<string, unknown>[] = [];
  const specs: Record<string, unknown>[] = [];
  const act = (uuid: string, evs: Array<{ event: string; start: string | null; result?: string; host?: string }>, archived = false) => {
    const a = instanceAction({ instance_uuid: uuid });
    (archived ? shadowActions : actions).push(a);
    for (const e of evs)
      (archived ? shadowEvents : events).push(
        instanceActionEvent({ action_id: a.id, event: e.event, start_time: e.start, result: e.result ?? 'Success', host: e.host ?? 'compute-1' }),
      );
  };
  // terminated only by its compute_terminate_instance event
  live.push(instance({ uuid: 'a-terminated-by-event', created_at: D(1), node: KVM, vcpus: 12 }));
  act('a-terminated-by-event', [{ event: 'compute__do_build_and_run_instance', start: D(1) }, { event: 'compute_terminate_instance', start: D(2) }]);
  // shelve, offload, unshelve, terminate; soft-deleted (history, kept)
  live.push(instance({ uuid: 'b-shelved', created_at: D(1), node: IRONIC, vcpus: 0, terminated_at: D(9), deleted_at: D(9) }));
  act('b-shelved', [
    { event: 'compute_shelve_instance', start: D(3) },
    { event: 'compute_shelve_offload_instance', start: D(3, '00:10:00') },
    { event: 'compute_unshelve_instance', start: D(5) },
    { event: 'compute_terminate_instance', start: D(9) },
    // no start_time, or a zero date: changes nothing
    { event: 'compute_shelve_instance', start: null },
    { event: 'compute_terminate_instance', start: '0000-00-00 00:00:00' },
  ]);
  // NULL node, recovered from the last successful compute event
  live.push(instance({ uuid: 'c-null-node', created_at: D(1), node: null, host: null, vcpus: 4 }));
  act('c-null-node', [
    { event: 'compute__do_build_and_run_instance', start: D(1), host: KVM2 },
    { event: 'compute_reboot_instance', start: D(2), host: 'nowhere', result: 'Error' },
  ]);
  // reservation from the scheduler hint (instances.reservation_id is Nova's, ignored)
  live.push(instance({ uuid: 'd-hint', created_at: D(1), node: IRONIC, reservation_id: 'r-nova0001' }));
  specs.push(requestSpec({ instance_uuid: 'd-hint', reservation: 'res-hint' }));
  // reservation from the reservation:<id> flavor
  live.push(instance({ uuid: 'e-flavor', created_at: D(1), node: KVM, vcpus: 2 }));
  specs.push(requestSpec({ instance_uuid: 'e-flavor', flavorName: 'reservation:res-flavor' }));
  // never launched
  live.push(instance({ uuid: 'f-never', created_at: D(1), launched_at: null, node: null, vm_state: 'error', deleted_at: D(2), terminated_at: D(2) }));
  act('f-never', [{ event: 'compute__do_build_and_run_instance', start: D(1), result: 'Error' }]);
  // invalid JSON spec
  live.push(instance({ uuid: 'g-bad-spec', created_at: D(1), node: KVM }));
  specs.push({ ...requestSpec({ instance_uuid: 'g-bad-spec' }), spec: '{"nova_object.data": {' });
  // archived in shadow tables, with its actions
  shadow.push(instance({ uuid: 'h-archived', created_at: D(1), node: KVM, vcpus: 24, terminated_at: D(4), deleted_at: D(4) }));
  act('h-archived', [{ event: 'compute_terminate_instance', start: D(3) }], true);
  // events that count for nothing: an action for no instance, an event for no action
  act('z-no-such-instance', [{ event: 'compute_terminate_instance', start: D(2) }]);
  events.push(instanceActionEvent({ action_id: 999999, event: 'compute_terminate_instance', start_time: D(2) }));

  const put = async (key: TableKey, rows: Record<string, unknown>[]) => {
    if (rows.length > 0) await fx.insert(key, rows);
  };
  await put('nova.instances', live);
  await put('nova.shadow_instances', shadow);
  await put('nova.instance_actions', actions);
  await put('nova.shadow_instance_actions', shadowActions);
  await put('nova.instance_actions_events', events);
  await put('nova.shadow_instance_actions_events', shadowEvents);
  await put('nova_api.request_specs', specs);
};


describeBoth('instances adapter', (dialect) => {
  let fx: Fixture;
  let live: RunResult<E.Event>;
  let shadow: RunResult<E.Event>;
  let ents: Map<string, E.Event[]>;
  beforeAll(async () => {
    fx = await openFixture(dialect, { tables: [...NOVA_INSTANCE_TABLES, 'nova_api.request_specs'] });
    await scenario(fx);
    live = await run(instances, fx.src);
    shadow = await run(shadowInstances, fx.src);
    ents = byEntity([...live.outputs, ...shadow.outputs]);
  });
  afterAll(async () => {
    await fx?.drop();
  });

  it('keeps conservation: every instance row is folded or rejected', () => {
    expect(live.report).toMatchObject({ status: 'read', rows_read: 7, rows_folded: 6, rows_rejected: 1, rejected_by_reason: { never_launched: 1 }, optional_missing: [] });
    expect(shadow.report).toMatchObject({ status: 'read', rows_read: 1, rows_folded: 1, rows_rejected: 0 });
  });

  it('ends an instance at its compute_terminate_instance event when terminated_at is NULL', () => {
    expect(shape(ents.get('a-terminated-by-event') ?? [])).toEqual([
      ['Create', '2024-01-01T00:00:00Z'],
      ['Delete', '2024-01-02T00:00:00Z'],
    ]);
  });

  it('gives two intervals for shelve, offload and unshelve, ignoring events with a NULL or zero start_time', () => {
    expect(shape(ents.get('b-shelved') ?? [])).toEqual([
      ['Create', '2024-01-01T00:00:00Z'],
      ['Delete', '2024-01-03T00:00:00Z'],
      ['Create', '2024-01-05T00:00:00Z'],
      ['Delete', '2024-01-09T00:00:00Z'],
    ]);
    const { intervals, rejections } = toIntervals()((ents.get('b-shelved') ?? []).filter((e) => e.countType === 'occupied_ondemand'));
    expect(rejections).toEqual([]);
    expect(intervals.map((i) => [iso(i.start), O.isSome(i.end) ? iso(i.end.value) : null, i.quantities.nodes])).toEqual([
      ['2024-01-01T00:00:00Z', '2024-01-03T00:00:00Z', 1],
      ['2024-01-05T00:00:00Z', '2024-01-09T00:00:00Z', 1],
    ]);
  });

  it('recovers a NULL node from the last successful compute event naming a known hypervisor', () => {
    const [c] = ents.get('c-null-node') ?? [];
    expect(c.attributes.hypervisor_hostname).toBe(KVM2);
    expect(c.attributes.extra.host_unknown).toBeUndefined();
    expect(c.quantities.nodes).toBe(4 / 16);
    expect(shape(ents.get('c-null-node') ?? [])).toEqual([['Create', '2024-01-01T00:00:00Z']]);
  });

  it('reads the reservation from the scheduler hint, not from instances.reservation_id', () => {
    const [d] = ents.get('d-hint') ?? [];
    expect(d.countType).toBe('occupied_reserved');
    expect(d.attributes.extra).toMatchObject({ reservation_id: 'res-hint', reservation_from: 'scheduler_hint' });
    expect(d.attributes.node_type).toBe('compute_skylake');
  });

  it('reads the reservation from a reservation:<id> flavor', () => {
    const [e] = ents.get('e-flavor') ?? [];
    expect(e.countType).toBe('occupied_reserved');
    expect(e.attributes.extra).toMatchObject({ reservation_id: 'res-flavor', reservation_from: 'flavor' });
  });

  it('rejects the never-launched instance and makes no event for it', () => {
    expect(ents.has('f-never')).toBe(false);
    expect(live.rejections.map((r) => [r.reason, O.toNullable(r.entityId)])).toEqual([['never_launched', 'f-never']]);
  });

  it('treats an invalid JSON spec as on-demand and says so', () => {
    const [g] = ents.get('g-bad-spec') ?? [];
    expect(g.countType).toBe('occupied_ondemand');
    expect(g.attributes.extra.reservation_from).toBe('invalid_spec');
    expect(g.attributes.extra.reservation_id).toBeUndefined();
  });

  it('reads shadow_instances with their archived actions', () => {
    expect(shadow.outputs.every((e) => e.source.table.endsWith('.shadow_instances'))).toBe(true);
    expect(shape(ents.get('h-archived') ?? [])).toEqual([
      ['Create', '2024-01-01T00:00:00Z'],
      ['Delete', '2024-01-03T00:00:00Z'],
    ]);
  });

  it('audits the events that count for nothing', async () => {
    const r = await auditActionEvents(fx.src)();
    if (Ei.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.map((x) => x.reason).sort()).toEqual(['event_without_action', 'event_without_instance', 'event_without_start_time', 'event_without_start_time']);
  });

  it('gives the same events with keyset batches of 2 rows', async () => {
    const small = await run(instancesAdapter(actionTables.instances, 2), fx.src);
    expect(small.outputs).toEqual(live.outputs);
    expect(small.report).toEqual(live.report);
  });

  it('gives the same events as toEvents on rows joined by hand (SQL join = TS join)', async () => {
    const k = fx.src.knex;
    const name = tableName(fx.src);
    const insts = await k.select('*').from(name(actionTables.instances)).orderBy('id');
    const specRows: Array<{ instance_uuid: string; spec: string }> = await k.select('instance_uuid', 'spec').from(name({ db: 'nova_api', table: 'request_specs' }));
    const acts: Array<{ id: number; instance_uuid: string }> = await k.select('id', 'instance_uuid').from(name(actionTables.actions));
    const evs: Array<Record<string, unknown>> = await k.select('*').from(name(actionTables.events));
    const ctx = contextFor(fx.src);
    const out: E.Event[] = [];
    for (const i of insts) {
      const mine = new Set(acts.filter((a) => a.instance_uuid === i.uuid).map((a) => Number(a.id)));
      const raw = {
        ...i,
        spec: specRows.find((s) => s.instance_uuid === i.uuid)?.spec ?? null,
        request_specs: 'read',
        actions: evs.filter((e) => mine.has(Number(e.action_id)) && String(e.event).startsWith('compute_')),
      };
      const decoded = InstanceRow.decode(raw);
      if (Ei.isLeft(decoded)) throw new Error('decode');
      const r = toEvents(actionTables.instances)(ctx)(decoded.right);
      if (Ei.isRight(r)) out.push(...r.right);
    }
    expect(out).toEqual(live.outputs);
  });
});

describeBoth('instances adapter without nova_api.request_specs', (dialect) => {
  it('reads every instance as on-demand and reports the missing table', async () => {
    const fx = await openFixture(dialect, { tables: NOVA_INSTANCE_TABLES });
    try {
      await fx.insert('nova.instances', [instance({ uuid: 'x-1', node: KVM })]);
      const r = await run(instances, fx.src);
      expect(r.report.optional_missing).toEqual([`${fx.src.site.databases.nova_api}.request_specs`]);
      expect(r.report.detail).toContain('request_specs');
      expect(r.outputs.map((e) => [e.countType, e.attributes.extra.reservation_from])).toEqual([['occupied_ondemand', 'request_specs_missing']]);
    } finally {
      await fx.drop();
    }
  });
});

describeMysql('instances adapter on both dialects', () => {
  const both = async (dialect: Dialect) => {
    const fx = await openFixture(dialect, { tables: [...NOVA_INSTANCE_TABLES, 'nova_api.request_specs'] });
    try {
      await scenario(fx);
      return { live: (await run(instances, fx.src)).outputs, shadow: (await run(shadowInstances, fx.src)).outputs };
    } finally {
      await fx.drop();
    }
  };

  it('gives the same events on SQLite and MySQL (compared without database names and row ids)', async () => {
    const s = await both('sqlite');
    const m = await both('mysql');
    expect(s.live.length).toBeGreaterThan(0);
    expect(portable(m.live)).toEqual(portable(s.live));
    expect(portable(m.shadow)).toEqual(portable(s.shadow));
  });
});

// -------------------------------------------------------------------------------------
// property: conservation through runAdapter on SQLite
// -------------------------------------------------------------------------------------

describe('instances adapter conservation', () => {
  const evName = fc.constantFrom(
    'compute__do_build_and_run_instance',
    'compute_terminate_instance',
    'compute_shelve_instance',
    'compute_shelve_offload_instance',
    'compute_unshelve_instance',
    'compute_reboot_instance',
  );
  const date = fc.option(fc.integer({ min: 0, max: 30 * 24 }).map((hh) => iso(at('2024-01-01 00:00:00') + hh * T.HOUR).replace('T', ' ').replace('Z', '')), { nil: null });
  const instanceArb = fc.record({
    launched: fc.boolean(),
    node: fc.constantFrom(KVM, IRONIC, null),
    created: date,
    terminated: date,
    events: fc.array(fc.record({ event: evName, start: date, result: fc.constantFrom('Success', 'Error', null) }), { maxLength: 5 }),
    spec: fc.constantFrom<Array<string | null>>(null, 'hint', 'flavor', 'bad'),
  });

  it('reads n rows and folds or rejects each exactly once, launched ones folded', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(instanceArb, { maxLength: 12 }), async (xs) => {
        const fx = await openFixture('sqlite', { tables: [...NOVA_INSTANCE_TABLES, 'nova_api.request_specs'] });
        try {
          const rows = xs.map((x, n) => instance({ uuid: `p-${n}`, node: x.node, created_at: x.created ?? D(1), launched_at: x.launched ? D(1) : null, terminated_at: x.terminated }));
          const acts = xs.map((_, n) => instanceAction({ instance_uuid: `p-${n}` }));
          const evs = xs.flatMap((x, n) => x.events.map((e) => instanceActionEvent({ action_id: acts[n].id, event: e.event, start_time: e.start, result: e.result })));
          const specs = xs.flatMap((x, n) =>
            x.spec === null
              ? []
              : [x.spec === 'bad' ? { ...requestSpec({ instance_uuid: `p-${n}` }), spec: '{' } : requestSpec({ instance_uuid: `p-${n}`, ...(x.spec === 'hint' ? { reservation: 'r' } : { flavorName: 'reservation:f' }) })],
          );
          if (rows.length > 0) await fx.insert('nova.instances', rows);
          if (acts.length > 0) await fx.insert('nova.instance_actions', acts);
          if (evs.length > 0) await fx.insert('nova.instance_actions_events', evs);
          if (specs.length > 0) await fx.insert('nova_api.request_specs', specs);
          const r = await run(instancesAdapter(actionTables.instances, 5), fx.src);
          const launched = xs.filter((x) => x.launched || x.events.some((e) => e.event === 'compute__do_build_and_run_instance' && e.result === 'Success' && e.start !== null)).length;
          expect(r.report.rows_read).toBe(xs.length);
          expect(r.report.rows_folded + r.report.rows_rejected).toBe(r.report.rows_read);
          expect(r.report.rows_folded).toBe(launched);
          expect(new Set(r.outputs.map((e) => e.entityId)).size).toBe(launched);
        } finally {
          await fx.drop();
        }
      }),
      { numRuns: 25 },
    );
  });
});

// -------------------------------------------------------------------------------------
// batches read ahead: same rows, same failures, nothing left behind
// -------------------------------------------------------------------------------------

/** `src` whose event queries (`instanceActions.eventsOf`) fail from the `failAt`-th on. */
const failingEvents = (src: Source, failAt: number): Source => {
  let n = 0;
  const knex = new Proxy(src.knex, {
    get(target, prop) {
      if (prop === 'raw')
        return (sql: string, ...rest: unknown[]) =>
          sql.startsWith('select a.instance_uuid') && ++n >= failAt
            ? Promise.reject(Object.assign(new Error('the database connection was lost during the read'), { code: 'PROTOCOL_CONNECTION_LOST' }))
            : (target.raw as (...a: unknown[]) => unknown)(sql, ...rest);
      const v: unknown = Reflect.get(target, prop);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { ...src, knex };
};

/** Every uuid the iteration yields, then the message it failed with (or null). */
const drain = async (rows: AsyncIterable<unknown>): Promise<{ seen: string[]; error: string | null }> => {
  const seen: string[] = [];
  try {
    for await (const r of rows) seen.push(String((r as { uuid: unknown }).uuid));
  } catch (e) {
    return { seen, error: (e as Error).message };
  }
  return { seen, error: null };
};

describeBoth('instances adapter reading ahead', (dialect) => {
  let fx: Fixture;
  const uuids = ['r-1', 'r-2', 'r-3', 'r-4', 'r-5'];
  beforeAll(async () => {
    fx = await openFixture(dialect, { tables: [...NOVA_INSTANCE_TABLES, 'nova_api.request_specs'] });
    const acts = uuids.map((uuid) => instanceAction({ instance_uuid: uuid }));
    await fx.insert('nova.instances', uuids.map((uuid) => instance({ uuid, node: KVM })));
    await fx.insert('nova.instance_actions', acts);
    await fx.insert('nova.instance_actions_events', acts.map((a) => instanceActionEvent({ action_id: a.id })));
  });
  afterAll(async () => {
    await fx?.drop();
  });

  it('gives the same rows, events included, reading ahead or not', async () => {
    const ahead = await run(instancesAdapter(actionTables.instances, 2, true), fx.src);
    const sequential = await run(instancesAdapter(actionTables.instances, 2, false), fx.src);
    expect(ahead.outputs.filter((e) => e.countType.startsWith('occupied')).map((e) => e.entityId)).toEqual(uuids);
    expect(ahead.outputs).toEqual(sequential.outputs);
    expect(ahead.report).toEqual(sequential.report);
  });

  it('fails at the batch whose read failed, after the same rows as without reading ahead', async () => {
    const ahead = await drain(query(actionTables.instances, 2, true)(failingEvents(fx.src, 2)));
    const sequential = await drain(query(actionTables.instances, 2, false)(failingEvents(fx.src, 2)));
    expect(ahead).toEqual({ seen: ['r-1', 'r-2'], error: 'the database connection was lost during the read' });
    expect(ahead).toEqual(sequential);
    const r = await runAdapter(instancesAdapter(actionTables.instances, 2, true), failingEvents(fx.src, 3), contextFor(fx.src))();
    expect(Ei.isLeft(r) && [r.left._tag, r.left.code]).toEqual(['QueryFailure', 'PROTOCOL_CONNECTION_LOST']);
  });

  it('keeps a failure of the batch read ahead for the iteration, and leaves no query running when the consumer stops early', async () => {
    const started = new Set<string>();
    const onQuery = (q: { __knexQueryUid: string }) => void started.add(q.__knexQueryUid);
    const onEnd = (_: unknown, q: { __knexQueryUid: string }) => void started.delete(q.__knexQueryUid);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => void unhandled.push(e);
    const k = fx.src.knex;
    k.on('query', onQuery).on('query-response', onEnd).on('query-error', onEnd);
    // jest gives the test its own `process`; rejections are reported on Node's own
    const node = vm.runInThisContext('process') as NodeJS.Process;
    node.on('unhandledRejection', onUnhandled);
    const sleep = () => new Promise((resolve) => setTimeout(resolve, 30));
    try {
      // a slow consumer: the batch read ahead fails while it is still on the first batch
      const slow = async function* () {
        for await (const r of query(actionTables.instances, 2, true)(failingEvents(fx.src, 2))) {
          await sleep();
          yield r;
        }
      };
      expect(await drain(slow())).toEqual({ seen: ['r-1', 'r-2'], error: 'the database connection was lost during the read' });
      // a consumer that stops on the first row, while the batch read ahead is still being read
      for await (const r of query(actionTables.instances, 2, true)(fx.src)) {
        expect((r as { uuid: string }).uuid).toBe('r-1');
        break;
      }
      expect(started.size).toBe(0);
      // a consumer that stops on the first row, after the batch read ahead has failed
      for await (const r of query(actionTables.instances, 2, true)(failingEvents(fx.src, 2))) {
        expect((r as { uuid: string }).uuid).toBe('r-1');
        await sleep();
        break;
      }
      await sleep();
      expect(unhandled).toEqual([]);
    } finally {
      node.off('unhandledRejection', onUnhandled);
      k.off('query', onQuery).off('query-response', onEnd).off('query-error', onEnd);
    }
  });
});

describe('instances adapter with more uuids than SQLite binds', () => {
  it('splits the event query of a batch bigger than the bound-value limit', async () => {
    const fx = await openFixture('sqlite', { tables: NOVA_INSTANCE_TABLES });
    try {
      // 4 (action table, event table) pairs x 9000 uuids = 36000 values in one batch, over 32766
      const n = 9000;
      await fx.insert('nova.instances', Array.from({ length: n }, (_, i) => instance({ id: i + 1, uuid: `b-${i}`, node: KVM })));
      await fx.insert('nova.instance_actions', [instanceAction({ id: 1, instance_uuid: 'b-0' }), instanceAction({ id: 2, instance_uuid: `b-${n - 1}` })]);
      await fx.insert('nova.instance_actions_events', [
        instanceActionEvent({ action_id: 1, event: 'compute_terminate_instance', start_time: '2024-01-02 00:00:00' }),
        instanceActionEvent({ action_id: 2, event: 'compute_terminate_instance', start_time: '2024-01-03 00:00:00' }),
      ]);
      const rows: Array<{ uuid: string; actions: ReadonlyArray<unknown> }> = [];
      for await (const r of query(actionTables.instances, n)(fx.src)) rows.push(r as { uuid: string; actions: ReadonlyArray<unknown> });
      expect(rows.length).toBe(n);
      expect(rows.filter((r) => r.actions.length > 0).map((r) => r.uuid)).toEqual(['b-0', `b-${n - 1}`]);
    } finally {
      await fx.drop();
    }
  }, 60_000);
});
