/**
 * Blazar leases -> `LeaseFact`s for the lead-time report (reconstruction rules, section 9):
 * one record per lease with its `start_lease` event and the node types of its hosts.
 *
 * The audit counts rows of `blazar.leases`: one raw row per lease (live and soft-deleted), and
 * `rows_read = rows_folded + rows_rejected`. Rejections: `decode_error` (runner),
 * `created_at_missing` and `lease_start_missing` (NULL or zero date: no lead time can be
 * computed). Operator leases are **not** rejected here: they fold with `operator = true` and the
 * core excludes and counts them (`lib/LeadTime.ts`), so the per-lease API can still show them.
 *
 * Node types: the distinct `(lease_id, compute_host_id)` pairs of the lease's reservations'
 * allocations (`computehost_allocations` join `reservations`; soft-deleted rows included, they
 * are history; instance reservations have allocations too) are read first, as one streamed
 * query, into a map lease -> host ids; then the leases stream (`queryLeases`, the same lease and
 * start-event selection the allocation adapter uses) and each row gets its host ids. `toEvents`
 * maps host ids to node types through `Context.hostsById` (`unknown` when the host row is gone).
 *
 * Why two reads and not one join: a join of leases with their allocations repeats each lease
 * row once per allocation (and per instance slot), so conservation per lease would need the
 * group annotation of the allocation adapter and the start-event subquery would run per joined
 * row; `group_concat` truncates silently at MySQL's `group_concat_max_len`. Two open streams
 * would need two connections, which a SQLite handle does not have. The map holds the distinct
 * pairs, the same order of size as the per-lease output the runner keeps anyway.
 *
 * When `reservations` or `computehost_allocations` is missing (optional tables, reported in
 * `optional_missing`), every lease has node type `unknown`.
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import type { ReadonlyNonEmptyArray } from 'fp-ts/ReadonlyNonEmptyArray';
import * as t from 'io-ts';
import type { LeaseFact } from '../lib/LeadTime';
import { rejection, type Rejection } from '../lib/Rejection';
import type { Adapter, Context } from './Adapter';
import { allocationsTable, reservationsTable } from './allocations';
import { nullable, readonlyArrayOf, Str, struct, withFast } from './codecs';
import { eventsTable, isOperator, LeaseColumns, leasesTable, queryLeases } from './leases';
import { auditName, hasTable, streamRows, tableName, type Source } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

const HostIds = readonlyArrayOf(Str);

/**
 * A lease row with the Blazar host ids of its allocations (`null`: the allocation tables could
 * not be read).
 *
 * @category model
 * @since 0.1.0
 */
export const LeaseHostsRow = struct({
  ...LeaseColumns.props,
  host_ids: withFast(t.union([t.null, HostIds]), (u) => (u === null ? null : HostIds.fast(u))),
});

/** @category model @since 0.1.0 */
export type LeaseHostsRow = t.TypeOf<typeof LeaseHostsRow>;

/** One distinct (lease, Blazar host) pair of the allocations. @category model @since 0.1.0 */
export const LeaseHostPair = struct({ lease_id: nullable(Str), compute_host_id: nullable(Str) });

// -------------------------------------------------------------------------------------
// query
// -------------------------------------------------------------------------------------

/**
 * The Blazar host ids of every lease's allocations, distinct, in first-seen order; `null` when
 * the reservations or allocations table is missing.
 *
 * @since 0.1.0
 */
export const hostsByLease = async (src: Source): Promise<ReadonlyMap<string, ReadonlyArray<string>> | null> => {
  if (!(await hasTable(src, reservationsTable)) || !(await hasTable(src, allocationsTable))) return null;
  const n = tableName(src);
  const sql =
    `select distinct r.lease_id as lease_id, a.compute_host_id as compute_host_id ` +
    `from ${n(allocationsTable)} a join ${n(reservationsTable)} r on r.id = a.reservation_id`;
  const out = new Map<string, string[]>();
  for await (const raw of streamRows(src, src.knex.raw(sql))) {
    const d = LeaseHostPair.decode(raw);
    if (Ei.isLeft(d) || d.right.lease_id === null || d.right.compute_host_id === null) continue;
    const ids = out.get(d.right.lease_id);
    if (ids === undefined) out.set(d.right.lease_id, [d.right.compute_host_id]);
    else if (!ids.includes(d.right.compute_host_id)) ids.push(d.right.compute_host_id);
  }
  return out;
};

async function* query(src: Source): AsyncIterable<unknown> {
  const hosts = await hostsByLease(src);
  for await (const raw of queryLeases(src)) {
    const id = (raw as { lease_id?: unknown }).lease_id;
    yield { ...(raw as object), host_ids: hosts === null ? null : (hosts.get(String(id)) ?? []) };
  }
}

const rowId = (raw: unknown): string => {
  const id = (raw as { lease_id?: unknown } | null)?.lease_id;
  return id === undefined || id === null ? '?' : String(id);
};

// -------------------------------------------------------------------------------------
// toEvents
// -------------------------------------------------------------------------------------

/**
 * The node types of a lease's hosts: distinct, sorted; `unknown` for a host id with no row (or
 * when the allocations could not be read); `[]` when it holds no host.
 *
 * @example
 * nodeTypes(ctx)(['1', '2', '99']) // ['compute_skylake', 'unknown']
 * @since 0.1.0
 */
export const nodeTypes =
  (ctx: Pick<Context, 'hostsById'>) =>
  (hostIds: ReadonlyArray<string> | null): ReadonlyArray<string> => {
    if (hostIds === null) return ['unknown'];
    const s = new Set<string>();
    for (const id of hostIds) s.add(ctx.hostsById.get(id)?.node_type ?? 'unknown');
    return [...s].sort();
  };

/**
 * Pure: a lease row becomes its `LeaseFact`, or one rejection.
 *
 * @since 0.1.0
 */
export const toEvents =
  (ctx: Context) =>
  (row: LeaseHostsRow): Ei.Either<Rejection, ReadonlyNonEmptyArray<LeaseFact>> => {
    const id = row.lease_id ?? '?';
    const reject = (reason: string, detail: string) =>
      Ei.left(rejection({ site: ctx.site.site, source: { table: auditName(ctx.site)(leasesTable), id }, reason, detail, entityId: id }));
    if (row.lease_id === null) return reject('lease_id_missing', 'lease row without id');
    if (row.lease_created_at === null) return reject('created_at_missing', `lease ${id} has no valid created_at`);
    if (row.lease_start_date === null) return reject('lease_start_missing', `lease ${id} has no valid start_date`);
    return Ei.right([
      {
        site: ctx.site.site,
        lease_id: row.lease_id,
        project_id: row.lease_project_id,
        node_types: nodeTypes(ctx)(row.host_ids),
        operator: isOperator(ctx.site)(row),
        created_at: row.lease_created_at,
        start_date: row.lease_start_date,
        end_date: row.lease_end_date,
        deleted_at: row.lease_deleted_at,
        start_status: row.lease_start_status,
        start_updated_at: row.lease_start_updated_at,
        start_time: row.lease_start_time,
        start_deleted_at: row.lease_start_deleted === null ? null : row.lease_start_deleted_at,
      },
    ]);
  };

// -------------------------------------------------------------------------------------
// the adapter
// -------------------------------------------------------------------------------------

/**
 * `blazar.leases` -> lease facts for the lead-time report.
 *
 * @example
 * const result = await runAdapter(leadTimes, src, ctx)()
 * @since 0.1.0
 */
export const leadTimes: Adapter<LeaseHostsRow, LeaseFact> = {
  name: 'blazar.leases',
  table: leasesTable,
  reads: [leasesTable, eventsTable, reservationsTable, allocationsTable],
  optional: [reservationsTable, allocationsTable],
  codec: LeaseHostsRow,
  rowId,
  query,
  toEvents,
};
