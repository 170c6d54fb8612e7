/**
 * `total` capacity from Nova compute nodes (reconstruction rules, section 2): every row of
 * `nova.compute_nodes` and of its archive `nova.shadow_compute_nodes`, live or soft-deleted, is
 * one window `[created_at, deleted_at)` of the entity `hypervisor_hostname`.
 *
 * The adapter does not merge a hostname's rows (a node recreated with a new id, a row archived
 * next to its successor): the fold does, with `overlap: { total: 'union' }`.
 *
 * Rules for one row:
 * - no `hypervisor_hostname`: rejected `no_hostname` (it can be nobody's capacity);
 * - no `created_at` (NULL, zero or unparseable date): rejected `no_start`;
 * - soft-deleted (`deleted != 0`, or `deleted_at` set): ends at `deleted_at`. A deleted row with
 *   no usable `deleted_at` ends at `updated_at`, the node's last report (it ticks about every
 *   minute while the service is up, and the bulk soft delete leaves it unchanged), and says so in
 *   `extra.end_from`; with neither it is rejected `no_end` rather than counted forever;
 * - quantities: nodes 1, vcpus, memory_mb and disk_gb (`local_gb`) from the row, 0 kept (Ironic
 *   reports 0 since Stein); gpus and node_type from the Blazar host with the same hostname.
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import type { ReadonlyNonEmptyArray } from 'fp-ts/ReadonlyNonEmptyArray';
import * as t from 'io-ts';
import * as E from '../lib/Event';
import * as Q from '../lib/Quantities';
import { rejection, type Rejection } from '../lib/Rejection';
import { type Adapter, type Context, idColumn } from './Adapter';
import { Int, nullable, Str, struct, UtcDate } from './codecs';
import { auditName, streamRows, tableName, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The columns read from a compute node row.
 *
 * @category model
 * @since 0.1.0
 */
export const ComputeNodeRow = struct({
  id: Int,
  hypervisor_hostname: nullable(Str),
  hypervisor_type: nullable(Str),
  vcpus: Int,
  memory_mb: Int,
  local_gb: Int,
  created_at: UtcDate,
  updated_at: UtcDate,
  deleted_at: UtcDate,
  deleted: nullable(Int),
});

/** @category model @since 0.1.0 */
export type ComputeNodeRow = t.TypeOf<typeof ComputeNodeRow>;

const COLUMNS = ['id', 'hypervisor_hostname', 'hypervisor_type', 'vcpus', 'memory_mb', 'local_gb', 'created_at', 'updated_at', 'deleted_at', 'deleted'] as const;

// -------------------------------------------------------------------------------------
// events
// -------------------------------------------------------------------------------------

/**
 * A compute node row's events (pure).
 *
 * @example
 * toEvents(ref)(ctx)(row) // Right([Create at created_at, Delete at deleted_at]) or Left(rejection)
 * @since 0.1.0
 */
export const toEvents =
  (ref: TableRef) =>
  (ctx: Context) =>
  (row: ComputeNodeRow): Ei.Either<Rejection, ReadonlyNonEmptyArray<E.Event>> => {
    const source = { table: auditName(ctx.site)(ref), id: String(row.id) };
    const hostname = row.hypervisor_hostname?.trim() ?? '';
    const reject = (reason: string, detail: string) =>
      Ei.left(rejection({ site: ctx.site.site, source, reason, detail, entityId: hostname === '' ? undefined : hostname, time: row.created_at ?? undefined }));
    if (hostname === '') return reject('no_hostname', 'compute node row without hypervisor_hostname');
    if (row.created_at === null) return reject('no_start', 'compute node row without a valid created_at (NULL or zero date)');
    const softDeleted = (row.deleted ?? 0) !== 0 || row.deleted_at !== null;
    const end = softDeleted ? (row.deleted_at ?? row.updated_at) : null;
    if (softDeleted && end === null) return reject('no_end', 'soft-deleted compute node row with neither deleted_at nor updated_at');
    const host = ctx.hostsByHostname.get(hostname);
    const extra: Record<string, string> = { compute_node_id: String(row.id), hypervisor_type: row.hypervisor_type ?? '' };
    if (softDeleted && row.deleted_at === null) extra.end_from = 'updated_at';
    const fields = {
      entityId: hostname,
      source,
      countType: 'total' as const,
      quantities: Q.make({ nodes: 1, vcpus: row.vcpus, memory_mb: row.memory_mb, disk_gb: row.local_gb, gpus: host?.gpus ?? 0 }),
      attributes: E.attributes({ site: ctx.site.site, node_type: host?.node_type ?? 'unknown', hypervisor_hostname: hostname, extra }),
    };
    return Ei.right(E.span(fields, row.created_at, end));
  };

// -------------------------------------------------------------------------------------
// adapters
// -------------------------------------------------------------------------------------

/**
 * The adapter for one compute node table (`compute_nodes` or `shadow_compute_nodes`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const computeNodesAdapter = (table: 'compute_nodes' | 'shadow_compute_nodes'): Adapter<ComputeNodeRow> => {
  const ref: TableRef = { db: 'nova', table };
  return {
    name: `nova.${table}`,
    table: ref,
    reads: [ref],
    codec: ComputeNodeRow,
    rowId: idColumn,
    query: (src: Source) => streamRows(src, src.knex.select(COLUMNS).from(tableName(src)(ref)).orderBy('id')),
    toEvents: toEvents(ref),
  };
};

/** `nova.compute_nodes`. @since 0.1.0 */
export const computeNodes = computeNodesAdapter('compute_nodes');

/** `nova.shadow_compute_nodes` (archived rows; absent on sites that never archived). @since 0.1.0 */
export const shadowComputeNodes = computeNodesAdapter('shadow_compute_nodes');
