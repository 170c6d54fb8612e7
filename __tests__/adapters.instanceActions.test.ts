import fc from 'fast-check';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { actionTables, auditActionEvents, lastComputeHost, periods, usable, wasLaunched, type ActionEvent } from '../adapters/instanceActions';
import { auditName, type Source, type TableRef } from '../adapters/Source';
import * as T from '../lib/Time';
import { describeBoth, openFixture, type Fixture } from './fixtures/db';
import { NOVA_INSTANCE_TABLES, type TableKey } from './fixtures/ddl';
import { instance, instanceAction, instanceActionEvent } from './fixtures/rows';

const h = (n: number) => T.unsafeMillis(n * T.HOUR);
let nextId = 1;
const ev = (event: string, at: number | null, o: Partial<ActionEvent> = {}): ActionEvent => ({
  id: nextId++,
  event,
  result: 'Success',
  start_time: at === null ? null : h(at),
  host: null,
  ...o,
});
const inst = (created: number, terminated: number | null = null, deleted: number | null = terminated) => ({
  created_at: h(created),
  terminated_at: terminated === null ? null : h(terminated),
  deleted_at: deleted === null ? null : h(deleted),
});
const spans = (ps: ReturnType<typeof periods>) => ps.map((p) => [p.start / T.HOUR, p.end === null ? null : p.end / T.HOUR]);

describe('periods', () => {
  it('opens at created_at and ends at compute_terminate_instance when terminated_at is NULL', () => {
    expect(spans(periods(inst(0), usable([ev('compute_terminate_instance', 5)])))).toEqual([[0, 5]]);
  });

  it('ends at the earliest of terminated_at, deleted_at and the end event, as one end', () => {
    expect(spans(periods(inst(0, 7, 6), usable([ev('compute_terminate_instance', 5)])))).toEqual([[0, 5]]);
    expect(spans(periods(inst(0, 4, 6), usable([ev('compute_terminate_instance', 5)])))).toEqual([[0, 4]]);
    expect(spans(periods(inst(0, 9, 8), []))).toEqual([[0, 8]]);
  });

  it('stays open with no end signal at all', () => {
    expect(spans(periods(inst(0), usable([ev('compute__do_build_and_run_instance', 0)])))).toEqual([[0, null]]);
  });

  it('gives two intervals for shelve, offload, unshelve and terminate', () => {
    const es = [ev('compute_shelve_instance', 3), ev('compute_shelve_offload_instance', 4), ev('compute_unshelve_instance', 10), ev('compute_terminate_instance', 12)];
    expect(spans(periods(inst(0, 12), usable(es)))).toEqual([
      [0, 3],
      [10, 12],
    ]);
  });

  it('ends the last period at the first end event after the last unshelve', () => {
    const es = [ev('compute_shelve_instance', 3), ev('compute_unshelve_instance', 5), ev('compute_shelve_offload_instance', 6), ev('compute_terminate_instance', 9)];
    expect(spans(periods(inst(0, 9), usable(es)))).toEqual([
      [0, 3],
      [5, 6],
    ]);
  });

  it('leaves a period open after an unshelve with no later end , and ends an offloaded instance deleted later at its offload', () => {
    const es = [ev('compute_shelve_offload_instance', 2), ev('compute_unshelve_instance', 5)];
    expect(spans(periods(inst(0), usable(es)))).toEqual([
      [0, 2],
      [5, null],
    ]);
    expect(spans(periods(inst(0, 8), usable([ev('compute_shelve_offload_instance', 2)])))).toEqual([[0, 2]]);
  });

  it('ignores failed events and events with no start_time', () => {
    const es = [ev('compute_terminate_instance', 2, { result: 'Error' }), ev('compute_shelve_instance', null), ev('compute_terminate_instance', 6, { result: null })];
    expect(spans(periods(inst(0, 8), usable(es)))).toEqual([[0, 8]]);
  });

  it('ignores an unshelve while a period is open', () => {
    expect(spans(periods(inst(0, 8), usable([ev('compute_unshelve_instance', 3)])))).toEqual([[0, 8]]);
  });

  it('takes events in start_time order whatever order they are given in', () => {
    const es = [ev('compute_terminate_instance', 12), ev('compute_unshelve_instance', 10), ev('compute_shelve_instance', 3)];
    expect(spans(periods(inst(0), usable(es)))).toEqual([
      [0, 3],
      [10, 12],
    ]);
  });

  it('returns periods that are ordered and do not overlap, for any event sequence', () => {
    const names = ['compute_terminate_instance', 'compute_shelve_instance', 'compute_shelve_offload_instance', 'compute_unshelve_instance', 'compute_reboot_instance'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.constantFrom(...names), at: fc.integer({ min: 0, max: 100 }) }), { maxLength: 12 }),
        fc.option(fc.integer({ min: 0, max: 120 })),
        (es, term) => {
          const ps = periods(inst(0, term), usable(es.map((e) => ev(e.name, e.at))));
          expect(ps.length).toBeGreaterThanOrEqual(1);
          expect(ps[0].start).toBe(0);
          for (let i = 0; i < ps.length; i++) {
            const end = ps[i].end;
            if (i < ps.length - 1) {
              expect(end).not.toBeNull();
              expect(ps[i + 1].start).toBeGreaterThanOrEqual(end as number);
            }
            if (term !== null && i === ps.length - 1) expect(end).not.toBeNull();
            if (term !== null && end !== null && i === ps.length - 1) expect(end).toBeLessThanOrEqual(h(term));
          }
        },
      ),
    );
  });
});

describe('wasLaunched', () => {
  it('is true with launched_at, or with a successful compute__do_build_and_run_instance (double underscore)', () => {
    expect(wasLaunched(h(1), [])).toBe(true);
    expect(wasLaunched(null, usable([ev('compute__do_build_and_run_instance', 1)]))).toBe(true);
    expect(wasLaunched(null, usable([ev('compute_do_build_and_run_instance', 1)]))).toBe(false);
    expect(wasLaunched(null, usable([ev('compute__do_build_and_run_instance', 1, { result: 'Error' })]))).toBe(false);
    expect(wasLaunched(null, usable([ev('compute__do_build_and_run_instance', null)]))).toBe(false);
  });
});

describe('lastComputeHost', () => {
  const known = (x: string) => x === 'kvm-1' || x === 'kvm-2';
  it('takes the host of the last successful compute event when it is known', () => {
    expect(lastComputeHost(usable([ev('compute__do_build_and_run_instance', 1, { host: 'kvm-1' }), ev('compute_reboot_instance', 2, { host: 'kvm-2' })]), known)).toBe('kvm-2');
  });

  it('gives null when the last compute event names an unknown host', () => {
    expect(lastComputeHost(usable([ev('compute__do_build_and_run_instance', 1, { host: 'kvm-1' }), ev('compute_reboot_instance', 2, { host: 'controller' })]), known)).toBeNull();
  });

  it('skips failed events', () => {
    expect(lastComputeHost(usable([ev('compute__do_build_and_run_instance', 1, { host: 'kvm-1' }), ev('compute_reboot_instance', 2, { host: 'kvm-2', result: 'Error' })]), known)).toBe('kvm-1');
  });
});

// -------------------------------------------------------------------------------------
// auditActionEvents, against a naive model, on SQLite and MySQL
// -------------------------------------------------------------------------------------

/** A small Nova history: live and shadow instances, actions and events, in any partial archive. */
interface World {
  readonly liveInstances: ReadonlyArray<string>;
  readonly shadowInstances: ReadonlyArray<string>;
  readonly liveActions: ReadonlyArray<{ readonly id: number; readonly uuid: string | null }>;
  readonly shadowActions: ReadonlyArray<{ readonly id: number; readonly uuid: string | null }>;
  readonly liveEvents: ReadonlyArray<WorldEvent>;
  readonly shadowEvents: ReadonlyArray<WorldEvent>;
}
interface WorldEvent {
  readonly action_id: number;
  readonly event: string;
  readonly result: string | null;
  readonly start: string | null;
}


const load = async (fx: Fixture, w: World): Promise<void> => {
  for (const key of NOVA_INSTANCE_TABLES) await fx.src.knex.raw(`delete from ${fx.tableName(key)}`);
  const put = async (key: TableKey, rows: ReadonlyArray<Record<string, unknown>>) => {
    if (rows.length > 0) await fx.insert(key, rows);
  };
  // ids restart at 1 in every table, so live and shadow ids collide as after an AUTO_INCREMENT reset
  await put('nova.instances', w.liveInstances.map((uuid, i) => instance({ id: i + 1, uuid })));
  await put('nova.shadow_instances', w.shadowInstances.map((uuid, i) => instance({ id: i + 1, uuid })));
  await put('nova.instance_actions', w.liveActions.map((a) => instanceAction({ id: a.id, instance_uuid: a.uuid })));
  await put('nova.shadow_instance_actions', w.shadowActions.map((a) => instanceAction({ id: a.id, instance_uuid: a.uuid })));
  const evRow = (e: WorldEvent, i: number) => instanceActionEvent({ id: i + 1, action_id: e.action_id, event: e.event, result: e.result, start_time: e.start });
  await put('nova.instance_actions_events', w.liveEvents.map(evRow));
  await put('nova.shadow_instance_actions_events', w.shadowEvents.map(evRow));
};

/**
 * The audit written as the naive join it stands for: every event against every action row of its
 * id (live or shadow), every such action against every instance row of its uuid (live or shadow).
 */
const model = (src: Source, w: World): ReadonlyArray<string> => {
  const out: string[] = [];
  const actions = [...w.liveActions, ...w.shadowActions];
  const instances = [...w.liveInstances, ...w.shadowInstances];
  const noStart = (s: string | null) => s === null || s.startsWith('0000-');
  const tables: ReadonlyArray<readonly [TableRef, ReadonlyArray<WorldEvent>]> = [
    [actionTables.events, w.liveEvents],
    [actionTables.shadowEvents, w.shadowEvents],
  ];
  for (const [table, events] of tables) {
    events.forEach((e, i) => {
      if (!e.event.startsWith('compute_') || e.result?.toLowerCase() !== 'success') return;
      const key = (reason: string, uuid: string | null) =>
        [auditName(src.site)(table), i + 1, reason, uuid ?? '-', `${e.event} (action ${e.action_id}${uuid === null ? '' : `, instance ${uuid}`}) changes nothing`].join('|');
      const mine = actions.filter((a) => a.id === e.action_id);
      if (mine.length === 0) out.push(key('event_without_action', null));
      for (const a of mine) {
        const found = instances.filter((u) => a.uuid !== null && u === a.uuid).length;
        if (found === 0) out.push(key('event_without_instance', a.uuid));
        else if (noStart(e.start)) for (let n = 0; n < found; n++) out.push(key('event_without_start_time', a.uuid));
      }
    });
  }
  return out.sort();
};

const audited = async (src: Source): Promise<ReadonlyArray<string>> => {
  const r = await auditActionEvents(src)();
  if (Ei.isLeft(r)) throw new Error(r.left.message);
  return r.right
    .map((x) => [x.source.table, x.source.id, x.reason, O.getOrElse(() => '-')(x.entityId), x.detail].join('|'))
    .sort();
};

const uuidArb = fc.constantFrom('u-0', 'u-1', 'u-2');
const actionsArb = fc.uniqueArray(fc.record({ id: fc.integer({ min: 1, max: 6 }), uuid: fc.option(uuidArb, { nil: null }) }), { selector: (a) => a.id, maxLength: 5 });
const eventsArb = fc.array(
  fc.record({
    action_id: fc.integer({ min: 1, max: 8 }),
    event: fc.constantFrom('compute_terminate_instance', 'compute__do_build_and_run_instance', 'conductor_schedule_and_build_instances', 'compute_stop_instance', 'compute_resume_instance'),
    result: fc.constantFrom('Success', 'SUCCESS', 'Error', null),
    // a zero date is "no start time"; 1970-01-01 12:00 passes the SQL pre-filter but is a real time
    start: fc.constantFrom(null, null, '0000-00-00 00:00:00', '1970-01-01 12:00:00', '2024-01-01 00:00:00'),
  }),
  { maxLength: 6 },
);
const worldArb: fc.Arbitrary<World> = fc.record({
  liveInstances: fc.uniqueArray(uuidArb, { maxLength: 4 }),
  // shadow_instances has no unique index: a uuid may be there twice, or live and shadow at once
  shadowInstances: fc.array(uuidArb, { maxLength: 3 }),
  liveActions: actionsArb,
  shadowActions: actionsArb,
  liveEvents: eventsArb,
  shadowEvents: eventsArb,
});

const noWorld: World = { liveInstances: [], shadowInstances: [], liveActions: [], shadowActions: [], liveEvents: [], shadowEvents: [] };
const ok = (action_id: number, start: string | null = '2024-01-01 00:00:00'): WorldEvent => ({ action_id, event: 'compute_terminate_instance', result: 'Success', start });

describeBoth('auditActionEvents', (dialect) => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await openFixture(dialect, { tables: NOVA_INSTANCE_TABLES });
  });
  afterAll(async () => {
    await fx?.drop();
  });

  it('follows an event to its action and instance across live and shadow tables (partial archives)', async () => {
    const w: World = {
      ...noWorld,
      liveInstances: ['u-live', 'u-twice'],
      shadowInstances: ['u-shadow', 'u-twice'], // u-twice: archived, and still live (an interrupted archive)
      liveActions: [
        { id: 1, uuid: 'u-live' },
        { id: 2, uuid: 'u-shadow' }, // action still live, its instance archived
        { id: 5, uuid: 'u-gone' },
        { id: 6, uuid: 'u-twice' },
      ],
      shadowActions: [
        { id: 3, uuid: 'u-live' }, // action archived, its instance still live
        { id: 4, uuid: 'u-shadow' },
        { id: 5, uuid: 'u-shadow' }, // id 5 reused after an AUTO_INCREMENT reset: one of the two has no instance
      ],
      liveEvents: [ok(1), ok(2), ok(3), ok(4), ok(5), ok(9), ok(1, null), ok(6), ok(6, null)],
      shadowEvents: [ok(1), ok(4), ok(3, '0000-00-00 00:00:00')],
    };
    await load(fx, w);
    const got = await audited(fx.src);
    expect(got).toEqual(model(fx.src, w));
    expect(got.map((s) => s.split('|').slice(1, 4).join(' '))).toEqual([
      '5 event_without_instance u-gone',
      '6 event_without_action -',
      '7 event_without_start_time u-live',
      // one per instance row, as the plain join gives
      '9 event_without_start_time u-twice',
      '9 event_without_start_time u-twice',
      '3 event_without_start_time u-live',
    ]);
  });

  it('audits a power action without start_time (it changes nothing in the power history)', async () => {
    const w: World = {
      ...noWorld,
      liveInstances: ['u-0'],
      liveActions: [{ id: 1, uuid: 'u-0' }],
      liveEvents: [
        { action_id: 1, event: 'compute_stop_instance', result: 'Success', start: null },
        { action_id: 1, event: 'compute_start_instance', result: 'Success', start: '2024-01-01 00:00:00' },
      ],
    };
    await load(fx, w);
    expect((await audited(fx.src)).map((s) => s.split('|').slice(1, 4).join(' '))).toEqual(['1 event_without_start_time u-0']);
  });

  it('rejects exactly what the naive join over live and shadow tables rejects', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (w) => {
        await load(fx, w);
        expect(await audited(fx.src)).toEqual(model(fx.src, w));
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});

describeBoth('auditActionEvents without some tables', (dialect) => {
  it('rejects every counted event as event_without_action when no action table exists, and without_instance when no instance table does', async () => {
    const w: World = { ...noWorld, liveInstances: ['u-0'], liveActions: [{ id: 1, uuid: 'u-0' }], liveEvents: [ok(1), ok(2), { ...ok(1), result: 'Error' }] };
    const noActions = await openFixture(dialect, { tables: ['nova.instances', 'nova.instance_actions_events'] });
    const noInstances = await openFixture(dialect, { tables: ['nova.instance_actions', 'nova.instance_actions_events'] });
    try {
      await noActions.insert('nova.instances', [instance({ uuid: 'u-0' })]);
      await noActions.insert('nova.instance_actions_events', w.liveEvents.map((e, i) => instanceActionEvent({ id: i + 1, action_id: e.action_id, result: e.result })));
      expect((await audited(noActions.src)).map((s) => s.split('|').slice(1, 3).join(' '))).toEqual(['1 event_without_action', '2 event_without_action']);
      await noInstances.insert('nova.instance_actions', [instanceAction({ id: 1, instance_uuid: 'u-0' })]);
      await noInstances.insert('nova.instance_actions_events', w.liveEvents.map((e, i) => instanceActionEvent({ id: i + 1, action_id: e.action_id, result: e.result })));
      expect((await audited(noInstances.src)).map((s) => s.split('|').slice(1, 4).join(' '))).toEqual(['1 event_without_instance u-0', '2 event_without_action -']);
    } finally {
      await noActions.drop();
      await noInstances.drop();
    }
  });
});
