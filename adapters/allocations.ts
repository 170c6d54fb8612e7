/**
 * `committed` and `ops` from Blazar host allocations (reconstruction rules, sections 1 and 4).
 *
 * One entity per distinct `(reservation_id, compute_host_id)`, id `<reservation_id>/<host_id>`:
 * instance reservations (`virtual:instance`, `flavor:instance`) write one allocation row per slot,
 * so the same host repeats; those rows are one host allocation with the slots' resources summed.
 *
 * The join: the lease side (reservations, leases, each lease's `start_lease` event, each
 * reservation's `instance_reservations` row) is scanned once per read into maps
 * (`adapters/leaseIndex.ts`, shared with the lead-time report); the allocation rows are scanned,
 * ordered by the binary value of `(reservation_id, compute_host_id, id)` and joined there, so each
 * group's rows are consecutive and every allocation row yields exactly one joined row. (Until
 * 0.5.0 this was one SQL join with correlated scalar subqueries, streamed; on random-UUID keys
 * each lookup is a random B-tree walk: 2.7 s of SQLite for CHI@TACC's 160 k allocation rows at
 * Chameleon's real size, where the scans and the maps take well under one. The allocation rows
 * are held, about 0.2 KB each.)
 *
 * Conservation (the audit counts rows of `blazar.computehost_allocations`): the query yields
 * exactly one item per allocation row, annotated with its place in its group
 * (`group_position`, 1-based, and `group_size`, set on the **last** row of the group only).
 * - A group that commits: its last row folds into the entity's two events (with the whole
 *   group's resources); every other row is rejected `merged_slot`. The last row, not the first,
 *   carries the group because the group's size is known only once the next group begins: the
 *   stream holds one row back instead of buffering a whole group.
 * - A group that commits nothing: every row is rejected with the group's reason (they are all
 *   the same, since the reason depends only on the joined reservation and lease).
 * So `rows_read = rows_folded + rows_rejected` holds, and the `merged_slot` count is the number
 * of slot rows beyond the first of each committed host allocation.
 *
 * Window `[max(lease.start_date, lease.created_at), min(lease.end_date, lease.deleted_at))`;
 * `computehost_allocations.deleted_at` is ignored (a later `lease_destroy` can overwrite it).
 * Soft-deleted allocation, reservation and lease rows are read like live ones: they are history.
 *
 * Rejections: `reservation_missing`, `lease_missing`, `resource_type_<type>` (e.g.
 * `resource_type_network`, `resource_type_none`), `lease_error`, `deleted_before_start`,
 * `lease_start_missing` (NULL or zero `start_date`), `instance_reservation_missing` (an
 * instance reservation without its `instance_reservations` row: the slot size is unknown),
 * `merged_slot`.
 *
 * Kept with a note (`extra`): an allocation whose Blazar host is unknown (`host_unknown = '1'`,
 * node_type and hypervisor_hostname `unknown`); an instance allocation whose host has no Nova
 * compute node with vcpus > 0 (`nodes_unknown = '1'`, nodes = 0).
 *
 * Not done here: clamping to the reservable window of the host (section 4, `clipped`/`orphan`)
 * happens after the fold, where both timelines are known.
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import type { ReadonlyNonEmptyArray } from 'fp-ts/ReadonlyNonEmptyArray';
import * as t from 'io-ts';
import type { BaseCountType } from '../lib/CountType';
import * as E from '../lib/Event';
import * as Q from '../lib/Quantities';
import { rejection, type Rejection } from '../lib/Rejection';
import type { Millis } from '../lib/Time';
import { computeNodeAt, idColumn, type Adapter, type Context, type HostInfo } from './Adapter';
import { fill } from './auditBlazar';
import { splitEvents } from './auditComputehosts';
import { Int, nullable, Str, struct } from './codecs';
import { commitment, isOperator, LeaseColumns, leasesTable, eventsTable } from './leases';
import { compareKeys, instanceReservationsTable, leaseIndex, leaseRecordOf, reservationsTable, withLeaseColumns } from './leaseIndex';
import { auditName, forEachRow, tableName, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export const allocationsTable: TableRef = { db: 'blazar', table: 'computehost_allocations' };
export { instanceReservationsTable, reservationsTable };

/** Reservation types whose allocations commit host capacity. @category model @since 0.1.0 */
export const hostResourceTypes = ['physical:host', 'virtual:instance', 'flavor:instance'] as const;

/**
 * One allocation row joined with its reservation, lease, start event and slot size, plus its
 * place in its `(reservation_id, compute_host_id)` group.
 *
 * @category model
 * @since 0.1.0
 */
export const AllocationRow = struct({
  id: Str,
  reservation_id: nullable(Str),
  compute_host_id: nullable(Str),
  /** `reservations.id`; null when the reservation row does not exist. */
  r_id: nullable(Str),
  resource_type: nullable(Str),
  /** `instance_reservations` slot size (per slot), null when there is no such row. */
  slot_vcpus: nullable(Int),
  slot_memory_mb: nullable(Int),
  slot_disk_gb: nullable(Int),
  /** 1-based position of the row in its group. */
  group_position: Int,
  /** The group's row count, on the last row of the group only. */
  group_size: nullable(Int),
  // one struct, not an intersection: errors name the column itself (docs/decisions.md)
  ...LeaseColumns.props,
});

/** @category model @since 0.1.0 */
export type AllocationRow = t.TypeOf<typeof AllocationRow>;

// -------------------------------------------------------------------------------------
// query
// -------------------------------------------------------------------------------------

/**
 * Every allocation row joined with its reservation, lease, start event and slot size (the lease
 * side from {@link leaseIndex}: scanned once, joined in maps), ordered by the binary value of
 * `(reservation_id, compute_host_id, id)` so that each group is consecutive. The joined columns
 * are the ones the SQL join gave: `r_id` and `resource_type` null without a reservation, the lease
 * columns null without a lease, the slot columns null without a slot row.
 *
 * @since 0.5.0
 */
export const joinedAllocations = async (src: Source): Promise<Iterable<Record<string, unknown>>> => {
  const ix = await leaseIndex(src);
  const rows: Array<{ id: unknown; reservation_id: unknown; compute_host_id: unknown }> = [];
  const sql = `select a.id as id, a.reservation_id as reservation_id, a.compute_host_id as compute_host_id from ${tableName(src)(allocationsTable)} a`;
  await forEachRow(src, src.knex.raw(sql), (raw) => void rows.push(raw as (typeof rows)[number]));
  rows.sort((a, b) => compareKeys(a.reservation_id, b.reservation_id) || compareKeys(a.compute_host_id, b.compute_host_id) || compareKeys(a.id, b.id));
  // each joined row is made as it is consumed, so only the three-column rows are held
  return (function* () {
    for (const row of rows) {
      const r = row.reservation_id === null || row.reservation_id === undefined ? undefined : ix.reservations?.get(String(row.reservation_id));
      const slot = r === undefined ? undefined : ix.slots?.get(r.id);
      yield withLeaseColumns(
        {
          id: row.id,
          reservation_id: row.reservation_id,
          compute_host_id: row.compute_host_id,
          r_id: r?.id ?? null,
          resource_type: r?.resource_type ?? null,
          slot_vcpus: slot?.vcpus ?? null,
          slot_memory_mb: slot?.memory_mb ?? null,
          slot_disk_gb: slot?.disk_gb ?? null,
        },
        leaseRecordOf(ix, r),
      );
    }
  })();
};

const groupKey = (raw: Record<string, unknown>): string => `${String(raw.reservation_id)}\u0000${String(raw.compute_host_id)}`;

/**
 * Annotates a stream of rows ordered by group with `group_position` and `group_size` (on the
 * last row of each group). Holds back one row; never more. The group key is
 * `(reservation_id, compute_host_id)` unless `keyOf` says otherwise (0.4.0: the device
 * allocations group by `(reservation_id, device_id)`).
 *
 * The rows are annotated in place and yielded as they came: they are the stream's own objects,
 * and a copy of each (an object spread of the driver's row) was the dearest step of the read:
 * streaming and decoding CHI@TACC's 137k allocations (bench scale) took 3.6 s of CPU with the
 * copy, 1.1 s without.
 *
 * @example
 * // keys a, a, b -> positions 1, 2, 1; sizes null, 2, 1
 * @since 0.1.0
 */
export async function* annotateGroups(
  rows: AsyncIterable<unknown> | Iterable<unknown>,
  keyOf: (row: Record<string, unknown>) => string = groupKey,
): AsyncIterable<Record<string, unknown>> {
  let held: Record<string, unknown> | undefined;
  let heldKey = '';
  let position = 0;
  for await (const raw of rows) {
    const row = raw as Record<string, unknown>;
    const key = keyOf(row);
    if (held !== undefined) {
      const last = key !== heldKey;
      held.group_position = position;
      held.group_size = last ? position : null;
      yield held;
      if (last) position = 0;
    }
    held = row;
    heldKey = key;
    position += 1;
  }
  if (held !== undefined) {
    held.group_position = position;
    held.group_size = position;
    yield held;
  }
}

async function* query(src: Source): AsyncIterable<unknown> {
  yield* annotateGroups(await joinedAllocations(src));
}

// -------------------------------------------------------------------------------------
// toEvents
// -------------------------------------------------------------------------------------

const reasonOfType = (rt: string | null): string =>
  rt === null || rt.trim() === '' ? 'resource_type_none' : `resource_type_${rt.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;


interface Sized {
  readonly quantities: Q.Quantities;
  readonly notes: Readonly<Record<string, string>>;
}

const physicalSize = (host: HostInfo | undefined): Sized => ({
  quantities:
    host === undefined
      ? Q.make({ nodes: 1 })
      : Q.make({ nodes: 1, vcpus: host.vcpus, memory_mb: host.memory_mb, disk_gb: host.local_gb, gpus: host.gpus }),
  notes: {},
});

const instanceSize = (ctx: Context, host: HostInfo | undefined, row: AllocationRow, slots: number, start: Millis): Sized => {
  const vcpus = (row.slot_vcpus ?? 0) * slots;
  const node = host === undefined ? undefined : computeNodeAt(ctx.computeNodes.get(host.hypervisor_hostname), start);
  const hostVcpus = node?.vcpus ?? 0;
  return {
    quantities: Q.make({
      nodes: hostVcpus > 0 ? vcpus / hostVcpus : 0,
      vcpus,
      memory_mb: (row.slot_memory_mb ?? 0) * slots,
      disk_gb: (row.slot_disk_gb ?? 0) * slots,
    }),
    notes: hostVcpus > 0 ? {} : { nodes_unknown: '1' },
  };
};

/**
 * Pure: an allocation row becomes the entity's create and delete (last row of a committing
 * group), or one rejection.
 *
 * @since 0.1.0
 */
export const toEvents = (ctx: Context) => {
  // made once per read: this runs for every allocation row
  const table = auditName(ctx.site)(allocationsTable);
  const site = ctx.site.site;
  const operator = isOperator(ctx.site);
  return (source: AllocationRow): Ei.Either<Rejection, ReadonlyNonEmptyArray<E.Event>> => {
    // section 15: a reservation or lease hard-deleted from the source, filled from its audit rows
    const { row, filled } = ctx.blazarAudit === undefined ? { row: source, filled: false } : fill(ctx.blazarAudit, source);
    const entityId = `${row.reservation_id ?? ''}/${row.compute_host_id ?? ''}`;
    const reject = (reason: string, detail: string, time?: Millis) =>
      Ei.left(rejection({ site, source: { table, id: row.id }, reason, detail, entityId, time }));

    if (row.r_id === null) return reject('reservation_missing', `reservation ${row.reservation_id ?? 'NULL'} does not exist`);
    if (row.lease_id === null) return reject('lease_missing', `the lease of reservation ${row.r_id} does not exist`);
    const rt = row.resource_type;
    if (rt === null || !(hostResourceTypes as ReadonlyArray<string>).includes(rt)) {
      return reject(reasonOfType(rt), `reservation ${row.r_id} has resource_type ${rt ?? 'NULL'}: not host capacity`);
    }
    const window = commitment(row);
    if (Ei.isLeft(window)) {
      const why = {
        lease_error: `the start_lease event of lease ${row.lease_id} ended in ERROR`,
        deleted_before_start: `lease ${row.lease_id} was deleted before its start`,
        lease_start_missing: `lease ${row.lease_id} has no valid start_date`,
      }[window.left];
      return reject(window.left, why);
    }
    const isSlots = rt !== 'physical:host';
    if (isSlots && row.slot_vcpus === null) return reject('instance_reservation_missing', `no instance_reservations row for ${row.r_id}`);
    if (row.group_size === null) {
      return reject('merged_slot', `slot row ${row.group_position} of host allocation ${entityId}, merged into the group's last row`);
    }

    const host = row.compute_host_id === null ? undefined : ctx.hostsById.get(row.compute_host_id);
    const { start, end } = window.right;
    const sized = isSlots ? instanceSize(ctx, host, row, row.group_size, start) : physicalSize(host);
    const countType: BaseCountType = operator(row) ? 'ops' : 'committed';
    const extra: Record<string, string> = {
      reservation_id: row.r_id,
      lease_id: row.lease_id,
      blazar_host_id: row.compute_host_id ?? '',
      project_id: row.lease_project_id ?? '',
      resource_type: rt,
    };
    if (host === undefined) extra.host_unknown = '1';
    if (filled) extra.from = 'audit';
    for (const k in sized.notes) extra[k] = sized.notes[k];
    const attributes = { site, node_type: host?.node_type ?? 'unknown', hypervisor_hostname: host?.hypervisor_hostname ?? 'unknown', extra };
    const fields = { entityId, countType, quantities: sized.quantities, attributes, source: { table, id: row.id } };
    const evs = E.span(fields, start, end);
    if (ctx.hostStates === undefined || host === undefined) return Ei.right(evs);
    return Ei.right([...evs, ...splitEvents(ctx, host.hypervisor_hostname, { ...fields, countType: countType as 'committed' | 'ops' }, start, end)]);
  };
};

// -------------------------------------------------------------------------------------
// the adapter
// -------------------------------------------------------------------------------------

/**
 * `blazar.computehost_allocations` -> `committed` / `ops` events.
 *
 * @example
 * const result = await runAdapter(allocations, src, ctx)()
 * @since 0.1.0
 */
export const allocations: Adapter<AllocationRow> = {
  name: 'blazar.computehost_allocations',
  table: allocationsTable,
  reads: [allocationsTable, reservationsTable, leasesTable, eventsTable, instanceReservationsTable],
  optional: [instanceReservationsTable],
  codec: AllocationRow,
  rowId: idColumn,
  query,
  toEvents,
};
