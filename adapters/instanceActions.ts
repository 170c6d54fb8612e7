/**
 * Nova instance action events and what they say about an instance's occupancy
 * (reconstruction rules, section 5): whether it ever launched, its occupancy periods, and the host
 * it ran on when `instances.node` is NULL.
 *
 * Only `compute_*` events are read (conductor and API events name a controller, not the node),
 * and only **successful** ones with a `start_time` count; an event with no `start_time` changes
 * nothing. Events are taken in `(start_time, id)` order: DATETIME has no fraction of a second,
 * so the id (insertion order) breaks ties.
 *
 * Periods, with `T = min(terminated_at, deleted_at)`:
 * - the first opens at `created_at` (bare metal is held from BUILD on);
 * - an end event (`compute_terminate_instance`, `compute_shelve_offload_instance`,
 *   `compute_shelve_instance`) closes the open period at its `start_time`; an end event while
 *   nothing is open is another signal of the same end and changes nothing;
 * - `compute_unshelve_instance` opens a new period when none is open;
 * - the last period ends at the earliest of `T` and its closing event; with neither it is open.
 *   An earlier period is left as its events closed it.
 *
 * A period whose end is not after its start is still returned: the fold audits it (`empty`,
 * `negative_duration`), so the adapter does not drop it silently.
 *
 * Reads: the events of a batch of instances are read with one query per batch (`IN` on
 * `instance_actions.instance_uuid`, an indexed column), and grouped in TypeScript. Live and
 * shadow tables are read as one (an archive moves an action and its events together, but each
 * combination is read so a partial archive loses nothing). `auditActionEvents` lists the
 * events that count for nothing because their action or instance does not exist or they have
 * no `start_time`.
 *
 * @since 0.1.0
 */
import * as TE from 'fp-ts/TaskEither';
import * as t from 'io-ts';
import type { QueryFailure } from '../lib/Failure';
import { rejection, type Rejection } from '../lib/Rejection';
import type { Millis } from '../lib/Time';
import { Int, nullable, Str, struct, UtcDate } from './codecs';
import { auditName, probeTable, tableName, toQueryFailure, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One `instance_actions_events` row (of a `compute_*` event), as the instance adapter sees it.
 *
 * @category model
 * @since 0.1.0
 */
export const ActionEvent = struct({
  id: Int,
  event: Str,
  result: nullable(Str),
  start_time: UtcDate,
  host: nullable(Str),
});

/** @category model @since 0.1.0 */
export type ActionEvent = t.TypeOf<typeof ActionEvent>;

/**
 * A half-open occupancy period `[start, end)`; `end = null` is still going.
 *
 * @category model
 * @since 0.1.0
 */
export interface Period {
  readonly start: Millis;
  readonly end: Millis | null;
}

/** The event that proves a launch (note the double underscore). @since 0.1.0 */
export const BUILD = 'compute__do_build_and_run_instance';
/** Events that end an occupancy period. @since 0.1.0 */
export const END_EVENTS: ReadonlySet<string> = new Set([
  'compute_terminate_instance',
  'compute_shelve_offload_instance',
  'compute_shelve_instance',
]);
/** The event that opens a new period. @since 0.1.0 */
export const UNSHELVE = 'compute_unshelve_instance';

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

type Timed = ActionEvent & { readonly start_time: Millis };

/**
 * The events that count: successful, with a `start_time`, in `(start_time, id)` order.
 *
 * @since 0.1.0
 */
export const usable = (events: ReadonlyArray<ActionEvent>): ReadonlyArray<Timed> => {
  const out: Timed[] = [];
  for (const e of events) {
    if (e.start_time !== null && e.result !== null && e.result.toLowerCase() === 'success') out.push(e as Timed);
  }
  return out.sort((a, b) => a.start_time - b.start_time || a.id - b.id);
};

/**
 * Whether the instance ever launched: `launched_at` set, or a successful build event.
 *
 * @since 0.1.0
 */
export const wasLaunched = (launchedAt: Millis | null, events: ReadonlyArray<Timed>): boolean =>
  launchedAt !== null || events.some((e) => e.event === BUILD);

const minOf = (xs: ReadonlyArray<Millis | null>): Millis | null => {
  let m: Millis | null = null;
  for (const x of xs) if (x !== null && (m === null || x < m)) m = x;
  return m;
};

/**
 * The occupancy periods of a launched instance (rules in the module header).
 *
 * @example
 * // created at 0, shelved at 5, unshelved at 8, terminated at 10: [0, 5) and [8, 10)
 * const at = T.unsafeMillis
 * periods({ created_at: at(0), terminated_at: at(10), deleted_at: at(10) }, usable(events))
 * @since 0.1.0
 */
export const periods = (
  inst: { readonly created_at: Millis; readonly terminated_at: Millis | null; readonly deleted_at: Millis | null },
  events: ReadonlyArray<Timed>,
): ReadonlyArray<Period> => {
  const out: Period[] = [];
  let open: Millis | null = inst.created_at;
  for (const e of events) {
    if (END_EVENTS.has(e.event)) {
      if (open !== null) {
        out.push({ start: open, end: e.start_time });
        open = null;
      }
    } else if (e.event === UNSHELVE && open === null) open = e.start_time;
  }
  const gone = minOf([inst.terminated_at, inst.deleted_at]);
  if (open !== null) out.push({ start: open, end: gone });
  else if (gone !== null) {
    const last = out[out.length - 1];
    if (last.end !== null && gone < last.end) out[out.length - 1] = { start: last.start, end: gone };
  }
  return out;
};

/**
 * The `host` column of the last successful `compute_*` event (a nova-compute service), or null.
 *
 * @since 0.1.0
 */
export const lastComputeService = (events: ReadonlyArray<Timed>): string | null => {
  for (let i = events.length - 1; i >= 0; i--) if (events[i].event.startsWith('compute_')) return events[i].host;
  return null;
};

/**
 * The host named by the last successful `compute_*` event, when `known` accepts it.
 *
 * @since 0.1.0
 */
export const lastComputeHost = (events: ReadonlyArray<Timed>, known: (host: string) => boolean): string | null => {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (!e.event.startsWith('compute_')) continue;
    return e.host !== null && known(e.host) ? e.host : null;
  }
  return null;
};

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export const actionTables = {
  actions: { db: 'nova', table: 'instance_actions' },
  events: { db: 'nova', table: 'instance_actions_events' },
  shadowActions: { db: 'nova', table: 'shadow_instance_actions' },
  shadowEvents: { db: 'nova', table: 'shadow_instance_actions_events' },
  instances: { db: 'nova', table: 'instances' },
  shadowInstances: { db: 'nova', table: 'shadow_instances' },
} as const satisfies Record<string, TableRef>;

/**
 * The action and event tables present at a site (live ones first).
 *
 * @since 0.1.0
 */
export const presentActionTables = async (
  src: Source,
): Promise<{ readonly actions: ReadonlyArray<TableRef>; readonly events: ReadonlyArray<TableRef> }> => {
  const ok = async (ref: TableRef): Promise<boolean> => (await probeTable(src, ref)) === 'ok';
  const actions: TableRef[] = [];
  const events: TableRef[] = [];
  for (const r of [actionTables.actions, actionTables.shadowActions]) if (await ok(r)) actions.push(r);
  for (const r of [actionTables.events, actionTables.shadowEvents]) if (await ok(r)) events.push(r);
  return { actions, events };
};

/** `substr` is in both MySQL and SQLite; `LIKE 'compute\_%'` needs dialect-specific escaping. */
const COMPUTE = `substr(e.event, 1, 8) = 'compute_'`;

/**
 * The most values one statement binds. better-sqlite3 12 bundles a SQLite built with
 * `SQLITE_MAX_VARIABLE_NUMBER = 32766`; mysql2 interpolates `knex.raw` bindings into the text, so
 * MySQL only needs the statement under `max_allowed_packet`, which this keeps far below too.
 *
 * @since 0.1.0
 */
export const MAX_BINDINGS = 32766;

/**
 * The `compute_*` events of the given instances, grouped by instance uuid (unsorted; see
 * {@link usable}). One round trip per {@link MAX_BINDINGS} bound values: every (action table,
 * event table) pair is a `UNION ALL` branch carrying the `IN` list, so each branch uses the
 * `instance_uuid` and `action_id` indexes, and a list longer than a statement may bind is split.
 *
 * @since 0.1.0
 */
export const eventsOf = async (
  src: Source,
  tables: { readonly actions: ReadonlyArray<TableRef>; readonly events: ReadonlyArray<TableRef> },
  uuids: ReadonlyArray<string>,
): Promise<ReadonlyMap<string, ReadonlyArray<unknown>>> => {
  const byUuid = new Map<string, unknown[]>();
  if (uuids.length === 0 || tables.actions.length === 0 || tables.events.length === 0) return byUuid;
  const name = tableName(src);
  const pairs: Array<readonly [TableRef, TableRef]> = [];
  for (const a of tables.actions) for (const ev of tables.events) pairs.push([a, ev]);
  const chunk = Math.floor(MAX_BINDINGS / pairs.length);
  for (let from = 0; from < uuids.length; from += chunk) {
    const part = uuids.slice(from, from + chunk);
    const marks = part.map(() => '?').join(', ');
    const branches: string[] = [];
    const bindings: string[] = [];
    for (const [a, ev] of pairs) {
      branches.push(
        `select a.instance_uuid as instance_uuid, e.id as id, e.event as event, e.result as result, e.start_time as start_time, e.host as host ` +
          `from ${name(a)} a join ${name(ev)} e on e.action_id = a.id where a.instance_uuid in (${marks}) and ${COMPUTE}`,
      );
      for (const u of part) bindings.push(u);
    }
    const rows = await rawRows(src, branches.join(' union all '), bindings);
    for (const r of rows) {
      const u = String((r as { instance_uuid: unknown }).instance_uuid);
      const list = byUuid.get(u);
      if (list === undefined) byUuid.set(u, [r]);
      else list.push(r);
    }
  }
  return byUuid;
};

/** The rows of a raw query, whatever the dialect. */
export const rawRows = async (src: Source, sql: string, bindings: ReadonlyArray<string | number>): Promise<ReadonlyArray<Record<string, unknown>>> => {
  const res = await src.knex.raw(sql, bindings);
  return (src.dialect === 'mysql' ? res[0] : res) as ReadonlyArray<Record<string, unknown>>;
};

/**
 * Successful `compute_*` events that count for nothing, as rejections of their event rows:
 * `event_without_action` (its action row does not exist), `event_without_instance` (its action
 * names an instance in neither `instances` nor `shadow_instances`) and
 * `event_without_start_time` (NULL or zero `start_time`). Failed and in-progress events change
 * nothing anyway and are not listed. Only the anomalies are fetched; the filter is repeated in
 * TypeScript, so a dialect that stores dates differently cannot let a good event through.
 *
 * An event is checked against every action row of its `action_id` (live and shadow: a reset
 * AUTO_INCREMENT can give an archived and a live action the same id), and each action against
 * every instance row of its uuid: one rejection per such (action, instance) pair, as the plain
 * join over live and shadow tables would give. The lookups are separate LEFT JOINs per table, so
 * each uses an index: `instance_actions.id` and `shadow_instance_actions.id` are primary keys,
 * `instances.uuid` is UNIQUE (at most one row, so the join cannot repeat an event). Nova's
 * `shadow_instances` has no index on `uuid` (archive tables copy the columns, not the indexes),
 * so it is read once, grouped by uuid with a row count, and joined as a derived table (which
 * both MariaDB and SQLite index when they materialise it). A UNION ALL of live and shadow tables
 * joined as one derived table would be materialised whole (hundreds of thousands of actions)
 * before any lookup.
 *
 * These are not rows of `nova.instances`, so they stay out of the instance adapters'
 * conservation count; the caller adds them to the audit.
 *
 * @example
 * const rejections = await auditActionEvents(src)()
 * @since 0.1.0
 */
export const auditActionEvents = (src: Source): TE.TaskEither<QueryFailure, ReadonlyArray<Rejection>> =>
  TE.tryCatch(
    async () => {
      const { actions, events } = await presentActionTables(src);
      if (events.length === 0) return [];
      const instances: TableRef[] = [];
      for (const r of [actionTables.instances, actionTables.shadowInstances]) if ((await probeTable(src, r)) === 'ok') instances.push(r);
      const out: Rejection[] = [];
      for (const ev of events) {
        const rows = await rawRows(src, auditSql(src, ev, actions, instances), []);
        const table = auditName(src.site)(ev);
        for (const r of rows) {
          const start = UtcDate.decode(r.start_time);
          const noStart = start._tag === 'Left' || start.right === null;
          const reject = (reason: string, uuid: unknown) =>
            out.push(
              rejection({
                site: src.site.site,
                source: { table, id: String(r.id) },
                reason,
                detail: `${String(r.event)} (action ${String(r.action_id)}${uuid == null ? '' : `, instance ${String(uuid)}`}) changes nothing`,
                ...(uuid == null ? {} : { entityId: String(uuid) }),
              }),
            );
          let anyAction = false;
          for (let k = 0; k < actions.length; k++) {
            if (r[`a${k}_id`] == null) continue;
            anyAction = true;
            const uuid = r[`a${k}_uuid`];
            let found = 0;
            for (let j = 0; j < instances.length; j++) found += Number(r[`a${k}_i${j}`] ?? 0);
            if (found === 0) reject('event_without_instance', uuid);
            else if (noStart) for (let n = 0; n < found; n++) reject('event_without_start_time', uuid);
          }
          if (!anyAction) reject('event_without_action', null);
        }
      }
      return out;
    },
    toQueryFailure(auditName(src.site)(actionTables.events)),
  );

/**
 * The audit query for one events table: each successful `compute_*` event with, per action
 * table `k`, the action's id and instance uuid (`a<k>_id`, `a<k>_uuid`) and, per instance table
 * `j`, how many rows of it hold that uuid (`a<k>_i<j>`, NULL for none); only the rows that may
 * be rejected, in event id order.
 */
const auditSql = (src: Source, ev: TableRef, actions: ReadonlyArray<TableRef>, instances: ReadonlyArray<TableRef>): string => {
  const name = tableName(src);
  const cols = ['e.id as id', 'e.event as event', 'e.result as result', 'e.start_time as start_time', 'e.action_id as action_id'];
  const joins: string[] = [];
  const noInstance: string[] = [];
  actions.forEach((a, k) => {
    cols.push(`a${k}.id as a${k}_id`, `a${k}.instance_uuid as a${k}_uuid`);
    joins.push(`left join ${name(a)} a${k} on a${k}.id = e.action_id`);
    const none: string[] = [];
    instances.forEach((i, j) => {
      const alias = `i${k}_${j}`;
      if (i.table === actionTables.instances.table) {
        // UNIQUE(uuid): at most one row, found through the index
        cols.push(`case when ${alias}.uuid is null then null else 1 end as a${k}_i${j}`);
        joins.push(`left join ${name(i)} ${alias} on ${alias}.uuid = a${k}.instance_uuid`);
      } else {
        cols.push(`${alias}.n as a${k}_i${j}`);
        joins.push(`left join (select uuid, count(*) as n from ${name(i)} group by uuid) ${alias} on ${alias}.uuid = a${k}.instance_uuid`);
      }
      none.push(`${alias}.uuid is null`);
    });
    noInstance.push(`(a${k}.id is not null${none.map((x) => ` and ${x}`).join('')})`);
  });
  const suspect = [
    'e.start_time is null',
    `e.start_time < '1970-01-02'`,
    actions.length === 0 ? '1 = 1' : `(${actions.map((_, k) => `a${k}.id is null`).join(' and ')})`,
    ...noInstance,
  ];
  return (
    `select ${cols.join(', ')} from ${name(ev)} e ${joins.join(' ')} ` +
    `where ${COMPUTE} and lower(e.result) = 'success' and (${suspect.join(' or ')}) order by e.id`
  );
};
