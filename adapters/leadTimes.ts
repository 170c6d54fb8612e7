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
 * are history; instance reservations have allocations too), grouped with their slot rows counted,
 * into a map lease -> host allocations; then the leases (from `adapters/leaseIndex.ts`, the same
 * lease and start-event selection the allocation adapter uses, ordered by id) and each row gets
 * its host ids. `toEvents` maps host ids to node types through `Context.hostsById` (`unknown`
 * when the host row is gone). The lease side is scanned once per read and shared with the
 * allocation adapter; the allocation rows are scanned again here (two columns, grouped as read).
 *
 * When `reservations` or `computehost_allocations` is missing (optional tables, reported in
 * `optional_missing`), every lease has node type `unknown`.
 *
 * Device leases (CHI@Edge, 0.4.0): the devices of a lease's `device_allocations` join its host
 * ids as `device:<id>` and give their device types (`machine_name`), so the lead-time report
 * includes and groups leases that reserve devices.
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import type { ReadonlyNonEmptyArray } from 'fp-ts/ReadonlyNonEmptyArray';
import * as t from 'io-ts';
import type { BookAllocation } from '../lib/Booking';
import type { LeaseFact } from '../lib/LeadTime';
import * as Q from '../lib/Quantities';
import type { Millis } from '../lib/Time';
import { rejection, type Rejection } from '../lib/Rejection';
import { computeNodeAt, type Adapter, type Context } from './Adapter';
import { allocationsTable, hostResourceTypes } from './allocations';
import { Int, nullable, readonlyArrayOf, Str, struct, UtcDate, withFast } from './codecs';
import { eventsTable, isOperator, LeaseColumns, leasesTable } from './leases';
import { instanceReservationsTable, leaseIndex, reservationsTable, withLeaseColumns } from './leaseIndex';
import { deviceAllocationsTable } from './deviceAllocations';
import { deviceEntity } from './devices';
import { auditName, forEachRow, hasTable, streamRows, tableName, type Source } from './Source';

const DEVICE_PREFIX = deviceEntity('');

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

const HostIds = readonlyArrayOf(Str);

/**
 * One host allocation of a lease for the reservation book: a `(reservation, Blazar host)` group
 * of allocation rows with its reservation's type, the number of rows (instance slots) and the
 * slot size (`null` without an `instance_reservations` row).
 *
 * @category model
 * @since 0.3.0
 */
export const LeaseAllocation = struct({
  reservation_id: Str,
  compute_host_id: Str,
  resource_type: nullable(Str),
  slots: Int,
  slot_vcpus: nullable(Int),
  slot_memory_mb: nullable(Int),
  slot_disk_gb: nullable(Int),
});

/** @category model @since 0.3.0 */
export type LeaseAllocation = t.TypeOf<typeof LeaseAllocation>;

const LeaseAllocations = readonlyArrayOf(LeaseAllocation);

/**
 * A lease row with the Blazar host ids of its allocations and the allocations themselves
 * (`null`: the allocation tables could not be read), and the row's `updated_at`.
 *
 * @category model
 * @since 0.1.0
 */
export const LeaseHostsRow = struct({
  ...LeaseColumns.props,
  lease_updated_at: UtcDate,
  host_ids: withFast(t.union([t.null, HostIds]), (u) => (u === null ? null : HostIds.fast(u))),
  allocations: withFast(t.union([t.null, LeaseAllocations]), (u) => (u === null ? null : LeaseAllocations.fast(u))),
});

/** @category model @since 0.1.0 */
export type LeaseHostsRow = t.TypeOf<typeof LeaseHostsRow>;

/** One distinct (lease, Blazar host) pair of the allocations. @category model @since 0.1.0 */
export const LeaseHostPair = struct({ lease_id: nullable(Str), compute_host_id: nullable(Str) });

/** One grouped allocation row of {@link allocationsByLease}'s query. @category model @since 0.3.0 */
export const LeaseAllocationRow = struct({ lease_id: nullable(Str), ...LeaseAllocation.props, reservation_id: nullable(Str), compute_host_id: nullable(Str) });

// -------------------------------------------------------------------------------------
// query
// -------------------------------------------------------------------------------------

/**
 * Every lease's host allocations (one per `(reservation, Blazar host)`, slot rows counted),
 * sorted by reservation and host id; `null` when the reservations or allocations table is
 * missing. A grouped row that does not decode (or names no lease, reservation or host) is left
 * out and counted in `dropped`: such rows are audited by the allocation adapter, which reads the
 * same rows (`lease_missing`, `reservation_missing`, ...).
 *
 * @since 0.3.0
 */
export const allocationsByLease = async (
  src: Source,
): Promise<{ readonly byLease: ReadonlyMap<string, ReadonlyArray<LeaseAllocation>>; readonly dropped: number } | null> => {
  if (!(await hasTable(src, allocationsTable))) return null;
  const ix = await leaseIndex(src);
  const reservations = ix.reservations;
  if (reservations === null) return null;
  // one group per (reservation, host) with its slot rows counted: the SQL's
  // `group by r.lease_id, r.id, a.compute_host_id` over the inner join with reservations
  const groups = new Map<string, Record<string, unknown>>();
  const sql = `select a.reservation_id as reservation_id, a.compute_host_id as compute_host_id from ${tableName(src)(allocationsTable)} a`;
  await forEachRow(src, src.knex.raw(sql), (raw) => {
    const row = raw as { reservation_id: unknown; compute_host_id: unknown };
    const r = row.reservation_id === null || row.reservation_id === undefined ? undefined : reservations.get(String(row.reservation_id));
    if (r === undefined) return;
    const host = row.compute_host_id ?? null;
    const key = `${r.id}\u0000${host === null ? '\u0001' : String(host)}`;
    const had = groups.get(key);
    if (had !== undefined) {
      had.slots = (had.slots as number) + 1;
      return;
    }
    const slot = ix.slots?.get(r.id);
    groups.set(key, {
      lease_id: r.lease_id,
      reservation_id: r.id,
      compute_host_id: host,
      resource_type: r.resource_type,
      slots: 1,
      slot_vcpus: slot?.vcpus ?? null,
      slot_memory_mb: slot?.memory_mb ?? null,
      slot_disk_gb: slot?.disk_gb ?? null,
    });
  });
  const out = new Map<string, LeaseAllocation[]>();
  let dropped = 0;
  for (const raw of groups.values()) {
    const dec = LeaseAllocationRow.decode(raw);
    if (Ei.isLeft(dec) || dec.right.lease_id === null || dec.right.reservation_id === null || dec.right.compute_host_id === null) {
      dropped++;
      continue;
    }
    const { lease_id, ...rest } = dec.right;
    const a: LeaseAllocation = { ...rest, reservation_id: dec.right.reservation_id, compute_host_id: dec.right.compute_host_id };
    const list = out.get(lease_id);
    if (list === undefined) out.set(lease_id, [a]);
    else list.push(a);
  }
  const key = (a: LeaseAllocation) => `${a.reservation_id}\u0000${a.compute_host_id}`;
  for (const list of out.values()) list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { byLease: out, dropped };
};

/**
 * The Blazar host ids of every lease's allocations, distinct, in allocation order; `null` when
 * the reservations or allocations table is missing.
 *
 * @since 0.1.0
 */
export const hostsByLease = async (src: Source): Promise<ReadonlyMap<string, ReadonlyArray<string>> | null> => {
  const all = await allocationsByLease(src);
  if (all === null) return null;
  const out = new Map<string, ReadonlyArray<string>>();
  for (const [lease, list] of all.byLease) out.set(lease, hostIdsOf(list));
  return out;
};

const hostIdsOf = (list: ReadonlyArray<LeaseAllocation>): ReadonlyArray<string> => [...new Set(list.map((a) => a.compute_host_id))];

/**
 * The device ids (as `device:<id>`, the devices' entity ids) of every lease's device allocations
 * (CHI@Edge), distinct and sorted; an empty map when the site has no device allocations.
 *
 * @since 0.4.0
 */
export const devicesByLease = async (src: Source): Promise<ReadonlyMap<string, ReadonlyArray<string>>> => {
  const out = new Map<string, string[]>();
  if (!(await hasTable(src, reservationsTable)) || !(await hasTable(src, deviceAllocationsTable))) return out;
  const n = tableName(src);
  const sql =
    `select distinct r.lease_id as lease_id, a.device_id as device_id from ${n(deviceAllocationsTable)} a ` +
    `join ${n(reservationsTable)} r on r.id = a.reservation_id where r.lease_id is not null and a.device_id is not null`;
  for await (const raw of streamRows(src, src.knex.raw(sql))) {
    const r = raw as { lease_id: unknown; device_id: unknown };
    const lease = String(r.lease_id);
    const list = out.get(lease);
    if (list === undefined) out.set(lease, [deviceEntity(String(r.device_id))]);
    else list.push(deviceEntity(String(r.device_id)));
  }
  for (const list of out.values()) list.sort();
  return out;
};

async function* query(src: Source): AsyncIterable<unknown> {
  const all = await allocationsByLease(src);
  const devices = await devicesByLease(src);
  for (const raw of (await leaseIndex(src)).leases) {
    const id = raw.lease_id;
    const list = all === null ? null : (all.byLease.get(String(id)) ?? []);
    const devs = devices.get(String(id)) ?? [];
    // a lease's devices join its hosts as `device:<id>` (nodeTypes gives their device types)
    const hostIds = list === null ? (devs.length > 0 ? devs : null) : [...hostIdsOf(list), ...devs];
    // a fresh record per lease (the lease record is shared with the allocation adapters)
    yield withLeaseColumns({ lease_updated_at: raw.lease_updated_at, host_ids: hostIds, allocations: list }, raw);
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
  (ctx: Pick<Context, 'hostsById' | 'devicesById'>) =>
  (hostIds: ReadonlyArray<string> | null): ReadonlyArray<string> => {
    if (hostIds === null) return ['unknown'];
    const s = new Set<string>();
    for (const id of hostIds) {
      if (id.startsWith(DEVICE_PREFIX)) s.add(ctx.devicesById?.get(id.slice(DEVICE_PREFIX.length))?.device_type ?? 'unknown');
      else s.add(ctx.hostsById.get(id)?.node_type ?? 'unknown');
    }
    return [...s].sort();
  };

/**
 * The host allocations of a lease as the reservation book sees them (`lib/Booking.ts`):
 * `physical:host` holds its whole host; `virtual:instance` / `flavor:instance` its slots, sized
 * as the allocation adapter sizes them (nodes = vcpus / the host's Nova vcpus at the lease's
 * start); other reservation types hold no host capacity and are left out.
 *
 * @example
 * bookAllocations(ctx)(row) // [{ host_id: '1', node_type: 'compute_skylake', whole: true, quantities: null }]
 * @since 0.3.0
 */
export const bookAllocations =
  (ctx: Pick<Context, 'hostsById' | 'computeNodes'>) =>
  (row: Pick<LeaseHostsRow, 'allocations' | 'lease_start_date' | 'lease_created_at'>): ReadonlyArray<BookAllocation> => {
    const out: BookAllocation[] = [];
    const start = Math.max(row.lease_start_date ?? 0, row.lease_created_at ?? 0) as Millis;
    for (const a of row.allocations ?? []) {
      const rt = a.resource_type;
      if (rt === null || !(hostResourceTypes as ReadonlyArray<string>).includes(rt)) continue;
      const host = ctx.hostsById.get(a.compute_host_id);
      const node_type = host?.node_type ?? 'unknown';
      if (rt === 'physical:host') {
        out.push({ host_id: a.compute_host_id, node_type, whole: true, quantities: null });
        continue;
      }
      if (a.slot_vcpus === null) {
        out.push({ host_id: a.compute_host_id, node_type, whole: false, quantities: null });
        continue;
      }
      const node = host === undefined ? undefined : computeNodeAt(ctx.computeNodes.get(host.hypervisor_hostname), start);
      const hostVcpus = node?.vcpus ?? 0;
      const vcpus = a.slot_vcpus * a.slots;
      out.push({
        host_id: a.compute_host_id,
        node_type,
        whole: false,
        quantities: Q.make({ nodes: hostVcpus > 0 ? vcpus / hostVcpus : 0, vcpus, memory_mb: (a.slot_memory_mb ?? 0) * a.slots, disk_gb: (a.slot_disk_gb ?? 0) * a.slots }),
      });
    }
    return out;
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
        updated_at: row.lease_updated_at,
        ...(row.allocations === null ? {} : { allocations: bookAllocations(ctx)(row) }),
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
  // device_allocations is read when present, silently (an optional source, granted and copied
  // through the device allocation adapter): a site without devices reports as before
  reads: [leasesTable, eventsTable, reservationsTable, allocationsTable, instanceReservationsTable],
  optional: [reservationsTable, allocationsTable, instanceReservationsTable],
  codec: LeaseHostsRow,
  rowId,
  query,
  toEvents,
};
