/**
 * The lease side of Blazar, read once per source by plain table scans and joined here: every
 * lease with its `start_lease` event, every reservation, and the slot size of every instance
 * reservation. The allocation adapters (hosts and devices) and the lead-time report join their
 * rows to it in memory instead of asking the database for a join per row.
 *
 * Why not in SQL any more: the lease join picks one `start_lease` event per lease and one
 * `instance_reservations` row per reservation, which SQL can only say as a correlated scalar
 * subquery (`ev.id = (select ... limit 1)`); on keys that are random UUIDs every such lookup is a
 * random B-tree walk. On CHI@TACC at Chameleon's real size (224 k leases, 672 k events, 160 k
 * allocations) the joined lease query took 2.0 s and the joined allocation query 2.7 s in SQLite,
 * where scanning the four tables whole takes 0.7 s and the joins in maps a few tens of ms (the
 * same holds on MySQL, where each scan is one sequential read). The maps hold one small record per
 * lease, reservation and slot row (about 60 MB at CHI@TACC's size), for the length of one site's
 * read (the index is kept per `Source` in a `WeakMap`).
 *
 * The rules are the SQL's, exactly:
 * - the `start_lease` event of a lease: the most recently updated (NULL `updated_at` last, then
 *   the larger id), chosen among the rows whose `event_type = 'start_lease'`;
 * - the slot row of a reservation: the row whose id is the reservation's `resource_id`, else the
 *   most recently created (NULL last), then the larger id;
 * - keys match exactly (the SQL joined with `=`, which MySQL's case-insensitive collations would
 *   also have matched across letter case: Blazar writes lowercase UUIDs, so nothing differs on
 *   real data; docs/decisions.md);
 * - rows come out in the binary order of their keys, as the SQL ordered them (`cast(.. as binary)`
 *   on MySQL): ids are compared by UTF-16 code units, the same order as UTF-8 bytes for every
 *   character outside the surrogate range, so for every id Blazar writes.
 *
 * @since 0.5.0
 */
import * as Ei from 'fp-ts/Either';
import { UtcDate } from './codecs';
import { eventsTable, leaseShape, leasesTable } from './leases';
import { columnsOf, forEachRow, hasTable, tableName, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.5.0 */
export const reservationsTable: TableRef = { db: 'blazar', table: 'reservations' };
/** @category model @since 0.5.0 */
export const instanceReservationsTable: TableRef = { db: 'blazar', table: 'instance_reservations' };

/**
 * One lease's columns as the adapters' codecs read them (`LeaseColumns`, every name prefixed
 * `lease_`), raw as the driver gave them, and the row's `updated_at` (`lease_updated_at`, NULL
 * when the column is missing).
 *
 * @category model
 * @since 0.5.0
 */
export interface LeaseRecord {
  readonly lease_id: unknown;
  readonly lease_name: unknown;
  readonly lease_project_id: unknown;
  readonly lease_created_at: unknown;
  readonly lease_start_date: unknown;
  readonly lease_end_date: unknown;
  readonly lease_deleted_at: unknown;
  readonly lease_start_status: unknown;
  readonly lease_start_updated_at: unknown;
  readonly lease_start_time: unknown;
  readonly lease_start_deleted: unknown;
  readonly lease_start_deleted_at: unknown;
  readonly lease_updated_at: unknown;
}

/** A reservation row's join columns. @category model @since 0.5.0 */
export interface ReservationRecord {
  readonly id: string;
  readonly lease_id: unknown;
  readonly resource_type: unknown;
}

/** The slot size of an instance reservation (per slot). @category model @since 0.5.0 */
export interface SlotRecord {
  readonly vcpus: unknown;
  readonly memory_mb: unknown;
  readonly disk_gb: unknown;
}

/**
 * The lease side of one source. `slots` is null when the source has no `instance_reservations`
 * table (every slot size unknown); `reservations` is null when it has no reservations table.
 *
 * @category model
 * @since 0.5.0
 */
export interface LeaseIndex {
  /** Every lease with its start event, in the binary order of the lease id. */
  readonly leases: ReadonlyArray<LeaseRecord>;
  readonly leaseById: ReadonlyMap<string, LeaseRecord>;
  readonly reservations: ReadonlyMap<string, ReservationRecord> | null;
  readonly slots: ReadonlyMap<string, SlotRecord> | null;
}

/** The lease columns of a lease that does not exist (a left join without a match). @since 0.5.0 */
export const noLease: Omit<LeaseRecord, 'lease_updated_at'> = {
  lease_id: null,
  lease_name: null,
  lease_project_id: null,
  lease_created_at: null,
  lease_start_date: null,
  lease_end_date: null,
  lease_deleted_at: null,
  lease_start_status: null,
  lease_start_updated_at: null,
  lease_start_time: null,
  lease_start_deleted: null,
  lease_start_deleted_at: null,
};

// -------------------------------------------------------------------------------------
// ordering
// -------------------------------------------------------------------------------------

/**
 * Binary order of two keys (NULL first, as SQL sorts it ascending).
 *
 * @since 0.5.0
 */
export const compareKeys = (a: unknown, b: unknown): number => {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** A DATETIME as a sort key: NULL is `null`; a zero or unparseable date sorts below every date. */
const timeKey = (u: unknown): number | null => {
  if (u === null || u === undefined) return null;
  const d = UtcDate.decode(u);
  return Ei.isRight(d) && d.right !== null ? d.right : -Infinity;
};

/** `order by <t> is null, <t> desc, id desc`: whether `a` comes before `b` (the chosen one wins). */
const newer = (ta: number | null, ida: unknown, tb: number | null, idb: unknown): boolean => {
  if (ta === null && tb !== null) return false;
  if (ta !== null && tb === null) return true;
  if (ta !== null && tb !== null && ta !== tb) return ta > tb;
  return compareKeys(ida, idb) > 0;
};

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

interface EventPick {
  readonly id: unknown;
  readonly t: number | null;
  readonly row: Record<string, unknown>;
}

const read = async (src: Source): Promise<LeaseIndex> => {
  const n = tableName(src);
  const shape = await leaseShape(src);
  // the start events: one per lease
  const picked = new Map<string, EventPick>();
  if (await hasTable(src, eventsTable)) {
    const soft = shape.eventsSoftDelete ? 'e.deleted as deleted, e.deleted_at as deleted_at' : 'null as deleted, null as deleted_at';
    const sql = `select e.id as id, e.lease_id as lease_id, e.status as status, e.updated_at as updated_at, e.time as time, ${soft} from ${n(eventsTable)} e where e.event_type = 'start_lease'`;
    await forEachRow(src, src.knex.raw(sql), (raw) => {
      const r = raw as Record<string, unknown>;
      if (r.lease_id === null || r.lease_id === undefined) return;
      const key = String(r.lease_id);
      const t = timeKey(r.updated_at);
      const had = picked.get(key);
      if (had === undefined || newer(t, r.id, had.t, had.id)) picked.set(key, { id: r.id, t, row: r });
    });
  }
  // the leases, each with its start event's columns
  const leases: LeaseRecord[] = [];
  const leaseById = new Map<string, LeaseRecord>();
  const hasUpdated = (await columnsOf(src, leasesTable)).has('updated_at');
  const project = shape.projectColumn === null ? 'null' : `l.${shape.projectColumn}`;
  const sql =
    `select l.id as lease_id, l.name as lease_name, ${project} as lease_project_id, l.created_at as lease_created_at, ` +
    `l.start_date as lease_start_date, l.end_date as lease_end_date, ${shape.hasDeletedAt ? 'l.deleted_at' : 'null'} as lease_deleted_at, ` +
    `${hasUpdated ? 'l.updated_at' : 'null'} as lease_updated_at from ${n(leasesTable)} l`;
  await forEachRow(src, src.knex.raw(sql), (raw) => {
    const r = raw as Record<string, unknown>;
    const ev = r.lease_id === null || r.lease_id === undefined ? undefined : picked.get(String(r.lease_id))?.row;
    const rec: LeaseRecord = {
      lease_id: r.lease_id,
      lease_name: r.lease_name,
      lease_project_id: r.lease_project_id,
      lease_created_at: r.lease_created_at,
      lease_start_date: r.lease_start_date,
      lease_end_date: r.lease_end_date,
      lease_deleted_at: r.lease_deleted_at,
      lease_start_status: ev?.status ?? null,
      lease_start_updated_at: ev?.updated_at ?? null,
      lease_start_time: ev?.time ?? null,
      lease_start_deleted: ev?.deleted ?? null,
      lease_start_deleted_at: ev?.deleted_at ?? null,
      lease_updated_at: r.lease_updated_at,
    };
    leases.push(rec);
    if (r.lease_id !== null && r.lease_id !== undefined) leaseById.set(String(r.lease_id), rec);
  });
  picked.clear();
  leases.sort((a, b) => compareKeys(a.lease_id, b.lease_id));
  // the reservations, and the slot row of each
  let reservations: Map<string, ReservationRecord> | null = null;
  const resourceOf = new Map<string, unknown>();
  if (await hasTable(src, reservationsTable)) {
    const rs = new Map<string, ReservationRecord>();
    const withResource = (await columnsOf(src, reservationsTable)).has('resource_id');
    const rsql = `select r.id as id, r.lease_id as lease_id, r.resource_type as resource_type, ${withResource ? 'r.resource_id' : 'null'} as resource_id from ${n(reservationsTable)} r`;
    await forEachRow(src, src.knex.raw(rsql), (raw) => {
      const r = raw as Record<string, unknown>;
      if (r.id === null || r.id === undefined) return;
      const id = String(r.id);
      rs.set(id, { id, lease_id: r.lease_id, resource_type: r.resource_type });
      if (r.resource_id !== null && r.resource_id !== undefined) resourceOf.set(id, r.resource_id);
    });
    reservations = rs;
  }
  let slots: Map<string, SlotRecord> | null = null;
  if (await hasTable(src, instanceReservationsTable)) {
    const best = new Map<string, { id: unknown; own: boolean; t: number | null; slot: SlotRecord }>();
    const isql = `select ir.id as id, ir.reservation_id as reservation_id, ir.vcpus as vcpus, ir.memory_mb as memory_mb, ir.disk_gb as disk_gb, ir.created_at as created_at from ${n(instanceReservationsTable)} ir`;
    await forEachRow(src, src.knex.raw(isql), (raw) => {
      const r = raw as Record<string, unknown>;
      if (r.reservation_id === null || r.reservation_id === undefined) return;
      const key = String(r.reservation_id);
      const res = resourceOf.get(key);
      const own = res !== undefined && r.id !== null && r.id !== undefined && String(r.id) === String(res);
      const t = timeKey(r.created_at);
      const had = best.get(key);
      const wins = had === undefined || (own !== had.own ? own : newer(t, r.id, had.t, had.id));
      if (wins) best.set(key, { id: r.id, own, t, slot: { vcpus: r.vcpus, memory_mb: r.memory_mb, disk_gb: r.disk_gb } });
    });
    slots = new Map([...best].map(([k, v]) => [k, v.slot]));
  }
  return { leases, leaseById, reservations, slots };
};

const cache = new WeakMap<Source, Promise<LeaseIndex>>();

/**
 * The lease index of a source, read on first use and shared by every adapter of the same read
 * (a failed read is not kept: the next caller reads again and sees the error itself).
 *
 * @example
 * const { leaseById } = await leaseIndex(src)
 * @since 0.5.0
 */
export const leaseIndex = (src: Source): Promise<LeaseIndex> => {
  const had = cache.get(src);
  if (had !== undefined) return had;
  const p = read(src);
  cache.set(src, p);
  p.catch(() => cache.delete(src));
  return p;
};

/**
 * Sets the twelve lease join columns of `l` on `o` (in `LeaseColumns`' order) and returns `o`:
 * one field at a time, which V8 keeps a fast object (an object spread of a lease record cost 0.8 s
 * for CHI@TACC's 224 k leases). The one place that lists them for the joins of every adapter: `withLeaseColumns(row,
 * leaseRecordOf(ix, reservation))` gives the lease columns the SQL's left joins gave.
 *
 * @example
 * withLeaseColumns({ id: 'a1' }, noLease) // { id: 'a1', lease_id: null, ..., lease_start_deleted_at: null }
 * @since 0.5.0
 */
export const withLeaseColumns = <O extends object>(o: O, l: Omit<LeaseRecord, 'lease_updated_at'>): O & Omit<LeaseRecord, 'lease_updated_at'> => {
  const x = o as Record<string, unknown>;
  x.lease_id = l.lease_id;
  x.lease_name = l.lease_name;
  x.lease_project_id = l.lease_project_id;
  x.lease_created_at = l.lease_created_at;
  x.lease_start_date = l.lease_start_date;
  x.lease_end_date = l.lease_end_date;
  x.lease_deleted_at = l.lease_deleted_at;
  x.lease_start_status = l.lease_start_status;
  x.lease_start_updated_at = l.lease_start_updated_at;
  x.lease_start_time = l.lease_start_time;
  x.lease_start_deleted = l.lease_start_deleted;
  x.lease_start_deleted_at = l.lease_start_deleted_at;
  return x as O & Omit<LeaseRecord, 'lease_updated_at'>;
};

/**
 * The lease record of the lease of a reservation, or {@link noLease}: for a caller that copies
 * the columns it needs (its `lease_updated_at` is not a join column).
 *
 * @since 0.5.0
 */
export const leaseRecordOf = (ix: LeaseIndex, reservation: ReservationRecord | undefined): Omit<LeaseRecord, 'lease_updated_at'> => {
  if (reservation === undefined || reservation.lease_id === null || reservation.lease_id === undefined) return noLease;
  return ix.leaseById.get(String(reservation.lease_id)) ?? noLease;
};
