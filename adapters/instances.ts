/**
 * Nova instances -> `occupied_reserved` / `occupied_ondemand` (reconstruction rules, section 5)
 * and their powered-off parts, `stopped_reserved` / `stopped_ondemand` (section 11, `power.ts`).
 *
 * One factory, two adapters: `instances` reads `nova.instances`, `shadowInstances` reads
 * `nova.shadow_instances` (archived rows are more rows of the same table). Soft-deleted rows
 * (`deleted != 0`) are history and are read like live ones.
 *
 * A row becomes one `Create` per occupancy period and one `Delete` per closed period (see
 * `instanceActions.ts` for the period rules), the same per powered-off span (entity: the same
 * uuid, count type `stopped_*`; what the power history noticed, repeated switches, power events
 * outside the periods and a contradicting `power_state`, is noted in the occupied events'
 * `extra`: `power_repeated`, `power_outside`, `power_state_mismatch`), or one rejection: `never_launched`, or
 * `no_created_at` (a NULL or zero `created_at` leaves no start to count from).
 *
 * Where each join happens, and why:
 * - `nova_api.request_specs` is LEFT JOINed **in SQL**: at most one spec per instance
 *   (`UNIQUE(instance_uuid)`), so the join cannot multiply rows, and it works across databases
 *   on MySQL and inside the one SQLite file. The spec's JSON is parsed in TypeScript
 *   (`requestSpec.ts`), never with `JSON_EXTRACT`, so a malformed spec cannot stop the read.
 *   A missing table is read as "no spec" for every row (`reservation_from = request_specs_missing`)
 *   and reported by the runner (`optional_missing`).
 * - action events are joined **in TypeScript**: an instance has many events, and a SQL join
 *   would repeat the instance row per event. Instances are read in keyset batches by primary
 *   key (`id > last order by id limit n`, so memory is bounded and no connection is held
 *   between batches, which better-sqlite3's single connection needs); each batch's events are
 *   fetched with one `IN (uuids)` query (`instanceActions.eventsOf`) and attached to their
 *   instance. On MySQL the next batch is read while the current one is consumed (see
 *   {@link query}). The raw row this adapter decodes is the instance row plus `spec` plus
 *   `actions`.
 *   `__tests__/adapters.instances.test.ts` checks that the adapter's events equal `toEvents`
 *   applied to rows joined by hand.
 *
 * Quantities: nodes = 1 on bare metal (the host's compute node `hypervisor_type` is `ironic`,
 * any case; with the host unknown, when the last successful compute event names a nova-compute
 * service all of whose nodes are Ironic, as after a shelve offload clears the node), else instance vcpus / host vcpus, the host being the compute node row in force at
 * `created_at` (the latest row created at or before it), else the earliest row; host vcpus 0 or
 * unknown gives nodes 0 and `extra.nodes_note`. vcpus, memory_mb and disk_gb (`root_gb`) from the
 * instance; gpus 0.
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import type { ReadonlyNonEmptyArray } from 'fp-ts/ReadonlyNonEmptyArray';
import * as t from 'io-ts';
import { stoppedOf } from '../lib/CountType';
import * as E from '../lib/Event';
import { rejection, type Rejection } from '../lib/Rejection';
import { computeNodeAt, idColumn, type Adapter, type Context } from './Adapter';
import { Int, keyOf, nullable, readonlyArrayOf, Str, struct, UtcDate } from './codecs';
import { ActionEvent, actionTables, eventsOf, lastComputeHost, lastComputeService, periods, presentActionTables, usable, wasLaunched } from './instanceActions';
import { powerHistory, powerStateMismatch } from './power';
import { reservationOf, type ReservationLink } from './requestSpec';
import { auditName, probeTable, tableName, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * An instance row with its request spec and its `compute_*` action events.
 *
 * @category model
 * @since 0.1.0
 */
export const InstanceRow = struct({
  id: Int,
  uuid: Str,
  created_at: UtcDate,
  launched_at: UtcDate,
  terminated_at: UtcDate,
  deleted_at: UtcDate,
  node: nullable(Str),
  vcpus: nullable(Int),
  memory_mb: nullable(Int),
  root_gb: nullable(Int),
  project_id: nullable(Str),
  /** Nova's final power state (1 running, 3 paused, 4 shutdown, 7 suspended, ...). */
  power_state: nullable(Int),
  /** `request_specs.spec`, NULL when the instance has none. */
  spec: nullable(Str),
  /** Whether the site's `request_specs` table was read. */
  request_specs: keyOf({ read: null, missing: null }),
  actions: readonlyArrayOf(ActionEvent),
});

/** @category model @since 0.1.0 */
export type InstanceRow = t.TypeOf<typeof InstanceRow>;

/** @category model @since 0.1.0 */
export const requestSpecsTable: TableRef = { db: 'nova_api', table: 'request_specs' };

/**
 * Instances per keyset batch. Measured on the bench testbed (KVM@TACC, 215k instances, 451k
 * events): 1000 halves the round trips of 500 and costs the server a little less; 2000 and more
 * cost more than they save, because two batches (the one consumed, the one read ahead) no longer
 * fit V8's young generation and garbage collection grows fivefold (docs/decisions.md).
 *
 * @since 0.1.0
 */
export const BATCH = 1000;

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------


const nonEmpty = (s: string | null): string | null => (s === null || s.trim() === '' ? null : s);

// -------------------------------------------------------------------------------------
// toEvents
// -------------------------------------------------------------------------------------

/**
 * A decoded instance row -> its events, or one rejection.
 *
 * @example
 * toEvents(table)(ctx)(row) // Right([Create at created_at, Delete at terminated_at])
 * @since 0.1.0
 */
export const toEvents =
  (table: TableRef) =>
  (ctx: Context) => {
    // what every row shares, made once per read (this runs for every instance)
    const site = ctx.site.site;
    const tableName = auditName(ctx.site)(table);
    const known = (h: string) => ctx.computeNodes.has(h);
    return (row: InstanceRow): Ei.Either<Rejection, ReadonlyNonEmptyArray<E.Event>> => {
      const source = { table: tableName, id: String(row.id) };
      const evs = usable(row.actions);
      if (!wasLaunched(row.launched_at, evs)) return Ei.left(rejection({ site, source, reason: 'never_launched', detail: 'launched_at is NULL and no successful compute__do_build_and_run_instance event', entityId: row.uuid }));
      if (row.created_at === null) return Ei.left(rejection({ site, source, reason: 'no_created_at', detail: 'created_at is NULL or a zero date', entityId: row.uuid }));
      const created = row.created_at;

      const host = nonEmpty(row.node) ?? lastComputeHost(evs, known);
      const node = host === null ? undefined : computeNodeAt(ctx.computeNodes.get(host), created);
      // a node cleared by shelve offload on Ironic: the last compute event names the service
      const service = host === null ? lastComputeService(evs) : null;
      const viaService = service !== null && (ctx.bareMetalServices?.has(service) ?? false);
      const hypervisorType = node?.hypervisor_type ?? (viaService ? 'ironic' : 'unknown');
      const bare = hypervisorType.toLowerCase() === 'ironic';
      const vcpus = row.vcpus ?? 0;
      const nodes = bare ? 1 : node !== undefined && node.vcpus > 0 ? vcpus / node.vcpus : 0;
      const nodesNote = bare || (node !== undefined && node.vcpus > 0) ? undefined : node === undefined ? 'host_vcpus_unknown' : 'host_vcpus_zero';

      const link: ReservationLink = row.request_specs === 'missing' ? { reservationId: null, from: 'request_specs_missing' } : reservationOf(row.spec);
      // the instance's uuid is its entity id, not repeated here
      const extra: Record<string, string> = {
        project_id: row.project_id ?? '',
        hypervisor_type: hypervisorType,
        reservation_from: link.from,
      };
      if (link.reservationId !== null) extra.reservation_id = link.reservationId;
      if (host === null) extra.host_unknown = 'true';
      if (nodesNote !== undefined) extra.nodes_note = nodesNote;

      const ps = periods({ created_at: created, terminated_at: row.terminated_at, deleted_at: row.deleted_at }, evs);
      const power = powerHistory(ps, evs);
      // what the power history noticed, on the instance's occupied rows (counted by the report)
      if (power.repeated > 0) extra.power_repeated = String(power.repeated);
      if (power.outside > 0) extra.power_outside = String(power.outside);
      if (powerStateMismatch(power.finalOn, row.power_state)) extra.power_state_mismatch = power.finalOn === true ? 'on_by_history' : 'off_by_history';

      const hostname = host ?? 'unknown';
      const countType = link.reservationId === null ? ('occupied_ondemand' as const) : ('occupied_reserved' as const);
      const fields = {
        entityId: row.uuid,
        source,
        countType,
        quantities: { nodes, vcpus, memory_mb: row.memory_mb ?? 0, disk_gb: row.root_gb ?? 0, gpus: 0, devices: 0 },
        attributes: { site, node_type: ctx.hostsByHostname.get(hostname)?.node_type ?? 'unknown', hypervisor_hostname: hostname, extra },
      };
      const out: E.Event[] = [];
      for (const p of ps) for (const e of E.span(fields, p.start, p.end)) out.push(e);
      // the powered-off parts (most instances have none: no events, no object)
      if (power.off.length > 0) {
        const stopped = { ...fields, countType: stoppedOf[countType] };
        for (const p of power.off) for (const e of E.span(stopped, p.start, p.end)) out.push(e);
      }
      // periods() always returns at least the first period.
      return Ei.right(out as unknown as ReadonlyNonEmptyArray<E.Event>);
    };
  };

// -------------------------------------------------------------------------------------
// query
// -------------------------------------------------------------------------------------

/** A batch being read: its instance rows, then their action events. */
interface Fetch {
  readonly rows: Promise<ReadonlyArray<Record<string, unknown>>>;
  readonly events: Promise<ReadonlyMap<string, ReadonlyArray<unknown>>>;
}

/** Rows handed over between two turns of the event loop while a batch is read ahead. */
const TURN = 128;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const ignore = (): void => undefined;

/**
 * Streams `table`'s rows in keyset batches, each with its spec and its action events.
 *
 * On MySQL (or with `prefetch`), the next batch is read while the consumer is still on the
 * current one: its instance query starts as soon as the current batch's instance rows are in
 * (alongside the current batch's event query), its event query as soon as its instance rows are.
 * So the server works while JavaScript decodes, and there is never more than one batch ahead of
 * the consumer. The consumer's loop is synchronous, so the rows of a batch are handed over with a
 * turn of the event loop every {@link TURN} rows, without which the prefetched replies could not
 * be read until the batch was done. A failure of a batch read ahead surfaces when the iteration
 * reaches that batch, as it would have without prefetching; an iteration that stops early waits
 * for the batch in flight to settle, so no query outlives it and no rejection goes unhandled.
 * SQLite has one synchronous connection: it reads batch after batch.
 *
 * @since 0.1.0
 */
export const query = (table: TableRef, batch: number = BATCH, prefetch?: boolean) =>
  async function* (src: Source): AsyncIterable<unknown> {
    const name = tableName(src);
    const actionTabs = await presentActionTables(src);
    const specs = (await probeTable(src, requestSpecsTable)) === 'ok';
    const ahead = prefetch ?? src.dialect === 'mysql';
    const k = src.knex;
    const instancesAfter = async (last: number | null): Promise<ReadonlyArray<Record<string, unknown>>> => {
      const q = k
        .select(
          'i.id',
          'i.uuid',
          'i.created_at',
          'i.launched_at',
          'i.terminated_at',
          'i.deleted_at',
          'i.node',
          'i.vcpus',
          'i.memory_mb',
          'i.root_gb',
          'i.project_id',
          'i.power_state',
          specs ? 'rs.spec' : k.raw('null as spec'),
        )
        .from({ i: name(table) });
      if (specs) q.leftJoin({ rs: name(requestSpecsTable) }, 'rs.instance_uuid', 'i.uuid');
      if (last !== null) q.where('i.id', '>', last);
      return q.orderBy('i.id').limit(batch);
    };
    const fetch = (last: number | null): Fetch => {
      const rows = instancesAfter(last);
      const events = rows.then((rs) =>
        eventsOf(
          src,
          actionTabs,
          rs.map((r) => String(r.uuid)),
        ),
      );
      // Read ahead, these may fail while nobody awaits them yet; the await that reaches them
      // still gets the error.
      rows.catch(ignore);
      events.catch(ignore);
      return { rows, events };
    };
    let next: Fetch | undefined = fetch(null);
    try {
      while (next !== undefined) {
        const current: Fetch = next;
        next = undefined;
        const rows = await current.rows;
        if (rows.length === 0) return;
        const last = rows.length < batch ? null : Number(rows[rows.length - 1].id);
        if (ahead && last !== null) next = fetch(last);
        const events = await current.events;
        for (let j = 0; j < rows.length; j++) {
          if (next !== undefined && j % TURN === TURN - 1) await nextTurn();
          // The row object is this batch's own: extended in place rather than copied.
          const r = rows[j] as Record<string, unknown>;
          r.request_specs = specs ? 'read' : 'missing';
          r.actions = events.get(String(r.uuid)) ?? [];
          yield r;
        }
        if (!ahead && last !== null) next = fetch(last);
      }
    } finally {
      if (next !== undefined) await Promise.allSettled([next.rows, next.events]);
    }
  };

// -------------------------------------------------------------------------------------
// adapters
// -------------------------------------------------------------------------------------

/**
 * The instance adapter over `nova.instances` or `nova.shadow_instances`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const instancesAdapter = (table: TableRef, batch: number = BATCH, prefetch?: boolean): Adapter<InstanceRow> => {
  const optional = [actionTables.actions, actionTables.events, actionTables.shadowActions, actionTables.shadowEvents, requestSpecsTable];
  return {
    name: `${table.db}.${table.table}`,
    table,
    reads: [table, ...optional],
    optional,
    codec: InstanceRow,
    rowId: idColumn,
    query: query(table, batch, prefetch),
    toEvents: toEvents(table),
  };
};

/** `nova.instances`. @category adapters @since 0.1.0 */
export const instances: Adapter<InstanceRow> = instancesAdapter(actionTables.instances);

/** `nova.shadow_instances` (archived instances). @category adapters @since 0.1.0 */
export const shadowInstances: Adapter<InstanceRow> = instancesAdapter(actionTables.shadowInstances);
