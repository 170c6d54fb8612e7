/**
 * `reservable` capacity from Blazar hosts (reconstruction rules, section 3): each row of
 * `blazar.computehosts` is the entity `computehosts.id`, reservable over `[created_at, deleted_at)`.
 * Clamping to the Nova `total` window of the same hostname happens later, in the core.
 *
 * Works on both Blazar flavours: Chameleon Blazar soft-deletes (`deleted` is NULL while live, the
 * row's uuid once deleted, plus `deleted_at`); upstream Blazar has neither column and hard-deletes,
 * so every row it still has is live. The query checks which columns exist.
 *
 * Rules for one row:
 * - no `hypervisor_hostname`: rejected `no_hostname` (it cannot be matched to a Nova node);
 * - no `created_at` (NULL, zero or unparseable): rejected `no_start`;
 * - soft-deleted (`deleted IS NOT NULL`, or `deleted_at` set): ends at `deleted_at`; with no
 *   usable `deleted_at`, at `updated_at` (Chameleon's soft delete saves the row, bumping it),
 *   marked `extra.end_from`; with neither, rejected `no_end`;
 * - quantities: nodes 1, vcpus, memory_mb, disk_gb (`local_gb`) as copied at registration; gpus
 *   and node_type from the host's capabilities (`ctx.hostsById`);
 * - with a host state history (`ctx.hostStates`, section 15) the span is also split into
 *   `reservable_usable` / `reservable_unusable` parts where the state is known.
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
import { splitEvents } from './auditComputehosts';
import { Int, nullable, Str, struct, UtcDate } from './codecs';
import { auditName, columnsOf, streamRows, tableName, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The columns read from a Blazar host row (`deleted`, `deleted_at` are NULL on upstream Blazar).
 *
 * @category model
 * @since 0.1.0
 */
export const ComputehostRow = struct({
  id: Str,
  hypervisor_hostname: nullable(Str),
  vcpus: Int,
  memory_mb: Int,
  local_gb: Int,
  created_at: UtcDate,
  updated_at: UtcDate,
  deleted_at: UtcDate,
  deleted: nullable(Str),
});

/** @category model @since 0.1.0 */
export type ComputehostRow = t.TypeOf<typeof ComputehostRow>;

const REF: TableRef = { db: 'blazar', table: 'computehosts' };
const ALWAYS = ['id', 'hypervisor_hostname', 'vcpus', 'memory_mb', 'local_gb', 'created_at'] as const;
const OPTIONAL = ['updated_at', 'deleted_at', 'deleted'] as const;

/**
 * The select list for the host table as it is: optional columns it lacks are read as NULL.
 *
 * @since 0.1.0
 */
export const hostColumns = async (src: Source): Promise<ReadonlyArray<string>> => {
  const cols = await columnsOf(src, REF);
  return [...ALWAYS, ...OPTIONAL.map((c) => (cols.has(c) ? c : `null as ${c}`))];
};

// -------------------------------------------------------------------------------------
// events
// -------------------------------------------------------------------------------------

/**
 * A Blazar host row's events (pure).
 *
 * @since 0.1.0
 */
export const toEvents =
  (ctx: Context) =>
  (row: ComputehostRow): Ei.Either<Rejection, ReadonlyNonEmptyArray<E.Event>> => {
    const source = { table: auditName(ctx.site)(REF), id: row.id };
    const reject = (reason: string, detail: string) =>
      Ei.left(rejection({ site: ctx.site.site, source, reason, detail, entityId: row.id, time: row.created_at ?? undefined }));
    const hostname = row.hypervisor_hostname?.trim() ?? '';
    if (hostname === '') return reject('no_hostname', 'Blazar host row without hypervisor_hostname');
    if (row.created_at === null) return reject('no_start', 'Blazar host row without a valid created_at (NULL or zero date)');
    const softDeleted = row.deleted !== null || row.deleted_at !== null;
    const end = softDeleted ? (row.deleted_at ?? row.updated_at) : null;
    if (softDeleted && end === null) return reject('no_end', 'soft-deleted Blazar host row with neither deleted_at nor updated_at');
    const caps = ctx.hostsById.get(row.id);
    const extra: Record<string, string> = { blazar_host_id: row.id, hypervisor_hostname: hostname };
    if (softDeleted && row.deleted_at === null) extra.end_from = 'updated_at';
    const fields = {
      entityId: row.id,
      source,
      countType: 'reservable' as const,
      quantities: Q.make({ nodes: 1, vcpus: row.vcpus, memory_mb: row.memory_mb, disk_gb: row.local_gb, gpus: caps?.gpus ?? 0 }),
      attributes: E.attributes({ site: ctx.site.site, node_type: caps?.node_type ?? 'unknown', hypervisor_hostname: hostname, extra }),
    };
    const evs = E.span(fields, row.created_at, end);
    if (ctx.hostStates === undefined) return Ei.right(evs);
    return Ei.right([...evs, ...splitEvents(ctx, hostname, fields, row.created_at, end)]);
  };

// -------------------------------------------------------------------------------------
// adapter
// -------------------------------------------------------------------------------------

async function* query(src: Source): AsyncIterable<unknown> {
  const cols = await hostColumns(src);
  yield* streamRows(
    src,
    src.knex
      .select(cols.map((c) => (c.startsWith('null as ') ? src.knex.raw(c) : c)))
      .from(tableName(src)(REF))
      .orderBy('id'),
  );
}

/**
 * `blazar.computehosts` -> `reservable`.
 *
 * @since 0.1.0
 */
export const computehosts: Adapter<ComputehostRow> = {
  name: 'blazar.computehosts',
  table: REF,
  reads: [REF],
  codec: ComputehostRow,
  rowId: idColumn,
  query,
  toEvents,
};
