/**
 * `openstack_audit.audit_blazar_leases`, `audit_blazar_reservations` and
 * `audit_blazar_computehost_allocations` (reconstruction rules, section 15): Blazar rows that
 * were hard-deleted from their source tables, made visible again.
 *
 * Their `data` keys are not defined in any stored deployment default (facts 3.3): the snapshot
 * codecs read the Blazar model's column names and accept any other key.
 *
 * - An id present in the source table is the source's: its audit rows change nothing (the source
 *   row wins) and are folded as `in_source`.
 * - A lease or reservation only in the audit table fills what a source allocation lacks: an
 *   allocation whose reservation (or lease) row is gone is counted with the audited one
 *   (`extra.from = 'audit'`) instead of being rejected `reservation_missing` / `lease_missing`.
 * - An allocation only in the audit table is counted like a source row (physical hosts; instance
 *   slots need `instance_reservations`, which is not audited, and are rejected as the allocation
 *   adapter rejects them), with its lease's window cut at its DELETE row's time (an allocation's
 *   own `deleted_at` is ignored, as in section 4), `extra.from = 'audit'`, unless the source has
 *   an allocation of the same (reservation, host): then the source wins.
 * - A lease's end: `data.deleted_at` when set, else its DELETE row's time.
 * - A lease known only from the audit has no start event: its start status is unknown (never
 *   `lease_error`).
 *
 * @since 0.4.0
 * @module
 */
import * as Ei from 'fp-ts/Either';
import * as t from 'io-ts';
import type { Event } from '../lib/Event';
import { countByReason, rejection, type Rejection } from '../lib/Rejection';
import type * as T from '../lib/Time';
import type { Context } from './Adapter';
import type { AllocationRow } from './allocations';
import { auditTable, byIdTime, decodeAuditRows, decodeData, readAudit, unreadAuditReport, type AuditRow, type Zone } from './auditDecode';
import { nullable, Str, UtcDate } from './codecs';
import type { LeaseAllocation, LeaseHostsRow } from './leadTimes';
import type { LeaseColumns } from './leases';
import type { SourceReport } from './runner';
import { auditName, columnsOf, probeTable, tableName, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.4.0 */
export const auditLeasesTable = auditTable('blazar_leases');
/** @category model @since 0.4.0 */
export const auditReservationsTable = auditTable('blazar_reservations');
/** @category model @since 0.4.0 */
export const auditAllocationsTable = auditTable('blazar_computehost_allocations');

const opt = <C extends t.Mixed>(c: C) => t.union([c, t.undefined]);

/** A lease snapshot. @category model @since 0.4.0 */
export const LeaseSnapshot = t.type({
  name: opt(nullable(Str)),
  project_id: opt(nullable(Str)),
  tenant_id: opt(nullable(Str)),
  created_at: opt(UtcDate),
  start_date: opt(UtcDate),
  end_date: opt(UtcDate),
  deleted_at: opt(UtcDate),
});

/** A reservation snapshot. @category model @since 0.4.0 */
export const ReservationSnapshot = t.type({ lease_id: Str, resource_type: opt(nullable(Str)) });

/** A host allocation snapshot. @category model @since 0.4.0 */
export const AllocationSnapshot = t.type({ reservation_id: Str, compute_host_id: Str });

/**
 * What the lease tables' audit gives the allocation adapter: leases and reservations no longer
 * in their source tables, by id.
 *
 * @category model
 * @since 0.4.0
 */
export interface BlazarAudit {
  /** Leases only in the audit table, and the source leases of reservations only there. */
  readonly leases: ReadonlyMap<string, LeaseColumns>;
  /** Reservations only in the audit table. */
  readonly reservations: ReadonlyMap<string, { readonly lease_id: string; readonly resource_type: string | null }>;
  /** Source reservations whose lease is only in the audit table: reservation id -> lease id. */
  readonly leaseOf: ReadonlyMap<string, string>;
}

/**
 * An allocation row with what its source lacks filled from the audit (pure): a reservation gone
 * from the source (and then its lease), or a lease gone from the source. `filled` says whether
 * anything came from the audit.
 *
 * @category combinators
 * @since 0.4.0
 */
export const fill = (audit: BlazarAudit | undefined, row: AllocationRow): { readonly row: AllocationRow; readonly filled: boolean } => {
  if (audit === undefined) return { row, filled: false };
  if (row.r_id === null && row.reservation_id !== null) {
    const r = audit.reservations.get(row.reservation_id);
    if (r === undefined) return { row, filled: false };
    const lease = audit.leases.get(r.lease_id);
    return { row: { ...row, r_id: row.reservation_id, resource_type: r.resource_type, ...(lease ?? {}) }, filled: true };
  }
  if (row.lease_id === null && row.r_id !== null) {
    const id = audit.leaseOf.get(row.r_id);
    const lease = id === undefined ? undefined : audit.leases.get(id);
    if (lease === undefined) return { row, filled: false };
    return { row: { ...row, ...lease }, filled: true };
  }
  return { row, filled: false };
};

/** One audited entity: its last snapshot and the time of its DELETE row, if any. */
interface Last<A> {
  readonly id: string;
  readonly auditId: number;
  readonly snap: A;
  readonly deletedAt: T.Millis | null;
}

// -------------------------------------------------------------------------------------
// folding (pure)
// -------------------------------------------------------------------------------------

/**
 * The last snapshot of every entity of decoded audit rows (in (id, time, audit_id) order), with
 * the time of its DELETE row; rows whose snapshot does not decode are rejections.
 *
 * @category folding
 * @since 0.4.0
 */
export const lastSnapshots = <A>(codec: t.Decoder<unknown, A>, o: { readonly site: string; readonly table: string }, rows: ReadonlyArray<AuditRow>): { readonly last: ReadonlyArray<Last<A>>; readonly rejections: ReadonlyArray<Rejection> } => {
  const decode = decodeData(codec, o);
  const by = new Map<string, { auditId: number; snap: A | undefined; deletedAt: T.Millis | null }>();
  const rejections: Rejection[] = [];
  for (const row of [...rows].sort(byIdTime)) {
    const d = decode(row);
    if (Ei.isLeft(d)) {
      rejections.push(d.left);
      continue;
    }
    const cur = by.get(row.id) ?? { auditId: row.auditId, snap: undefined, deletedAt: null };
    if (row.kind === 'DELETE') {
      cur.deletedAt = row.time;
      if (cur.snap === undefined) cur.snap = d.right;
    } else {
      cur.snap = d.right;
      cur.deletedAt = null;
    }
    cur.auditId = row.auditId;
    by.set(row.id, cur);
  }
  const last: Array<Last<A>> = [];
  for (const id of [...by.keys()].sort()) {
    const x = by.get(id) as { auditId: number; snap: A; deletedAt: T.Millis | null };
    last.push({ id, auditId: x.auditId, snap: x.snap, deletedAt: x.deletedAt });
  }
  return { last, rejections };
};

/**
 * A lease snapshot as the lease columns of an allocation row (no start event known).
 *
 * @category constructors
 * @since 0.4.0
 */
export const leaseColumnsOf = (id: string, s: t.TypeOf<typeof LeaseSnapshot>, deletedRow: T.Millis | null): LeaseColumns => ({
  lease_id: id,
  lease_name: s.name ?? null,
  lease_project_id: s.project_id ?? s.tenant_id ?? null,
  lease_created_at: s.created_at ?? null,
  lease_start_date: s.start_date ?? null,
  lease_end_date: s.end_date ?? null,
  lease_deleted_at: s.deleted_at ?? deletedRow,
  lease_start_status: null,
  lease_start_updated_at: null,
  lease_start_time: null,
  lease_start_deleted: null,
  lease_start_deleted_at: null,
});

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

const ids = async (src: Source, ref: TableRef): Promise<ReadonlySet<string> | undefined> => {
  if ((await probeTable(src, ref)) !== 'ok') return undefined;
  const rows: Array<{ id: unknown }> = await src.knex.select('id').from(tableName(src)(ref));
  return new Set(rows.map((r) => String(r.id)));
};

/**
 * What reading the Blazar lease tables' audit gave a site: the context part, the audit-only
 * allocations as events, and one report per audit table.
 *
 * @category model
 * @since 0.4.0
 */
export interface BlazarAuditRead {
  readonly audit: BlazarAudit;
  readonly reports: ReadonlyArray<SourceReport>;
  readonly rejections: ReadonlyArray<Rejection>;
  /** Allocation rows known only from the audit table, to run through the allocation adapter. */
  readonly allocations: ReadonlyArray<{ readonly row: AllocationRow; readonly auditId: number }>;
}

/**
 * Reads the three audit tables and the ids of their source tables.
 *
 * @since 0.4.0
 */
export const readBlazarAudit = async (src: Source, zone: Zone): Promise<BlazarAuditRead> => {
  const site = src.site.site;
  const reports: SourceReport[] = [];
  const rejections: Rejection[] = [];
  const load = async <A>(ref: TableRef, source: TableRef, codec: t.Decoder<unknown, A>, what: string) => {
    // the source wins: the rows of an id the source table still has are not used, so the server
    // leaves them out (counted as read and folded; on a live site they are most of the rows)
    const sourceOk = (await probeTable(src, source)) === 'ok';
    const read = await readAudit(src, ref, sourceOk ? source : undefined);
    if (read.state !== 'ok' || read.shape === undefined) {
      reports.push(unreadAuditReport(site, read));
      return [] as ReadonlyArray<Last<A>>;
    }
    const inSource = await ids(src, source);
    const decoded = decodeAuditRows(read.raw, { site, table: read.name, layout: read.shape.layout, zone });
    const l = lastSnapshots(codec, { site, table: read.name }, decoded.rows);
    const rej = [...decoded.rejections, ...l.rejections];
    const only = inSource === undefined ? [] : l.last.filter((x) => !inSource.has(x.id));
    rejections.push(...rej);
    reports.push({
      site,
      source: read.name,
      status: 'read',
      detail: [
        `layout ${read.shape.layout}, time ${read.shape.timeColumn}`,
        zone.note,
        inSource === undefined ? `source table ${tableName(src)(source)} not readable: audit rows not used` : `${only.length} ${what} only in the audit table (hard-deleted), counted with extra.from = audit`,
      ]
        .filter((x) => x !== '')
        .join('; '),
      rows_read: read.rows ?? read.raw.length,
      rows_folded: (read.rows ?? read.raw.length) - rej.length,
      rows_rejected: rej.length,
      rejected_by_reason: countByReason(rej),
      optional_missing: [],
    });
    return only;
  };
  const leases = await load(auditLeasesTable, { db: 'blazar', table: 'leases' }, LeaseSnapshot, 'lease(s)');
  const reservations = await load(auditReservationsTable, { db: 'blazar', table: 'reservations' }, ReservationSnapshot, 'reservation(s)');
  const allocs = await load(auditAllocationsTable, { db: 'blazar', table: 'computehost_allocations' }, AllocationSnapshot, 'allocation(s)');
  const auditLeases = new Map<string, LeaseColumns>();
  for (const l of leases) auditLeases.set(l.id, leaseColumnsOf(l.id, l.snap, l.deletedAt));
  const auditResv = new Map<string, { lease_id: string; resource_type: string | null }>();
  for (const r of reservations) auditResv.set(r.id, { lease_id: r.snap.lease_id, resource_type: r.snap.resource_type ?? null });
  const rRef: TableRef = { db: 'blazar', table: 'reservations' };
  const lRef: TableRef = { db: 'blazar', table: 'leases' };
  const rOk = (await probeTable(src, rRef)) === 'ok';
  // source reservations of audit-only allocations, and source reservations whose lease is gone
  const resvIds = [...new Set(allocs.map((a) => a.snap.reservation_id))].filter((id) => !auditResv.has(id));
  const srcResv = new Map<string, { lease_id: string; resource_type: string | null }>();
  const leaseOf = new Map<string, string>();
  if (rOk) {
    const sel = ['id', 'lease_id', 'resource_type'];
    const tn = tableName(src)(rRef);
    if (resvIds.length > 0) for (const r of (await src.knex.select(sel).from(tn).whereIn('id', resvIds)) as Array<Record<string, unknown>>) srcResv.set(String(r.id), { lease_id: String(r.lease_id), resource_type: r.resource_type === null ? null : String(r.resource_type) });
    if (auditLeases.size > 0) for (const r of (await src.knex.select(sel).from(tn).whereIn('lease_id', [...auditLeases.keys()])) as Array<Record<string, unknown>>) leaseOf.set(String(r.id), String(r.lease_id));
  }
  // source leases of audit-only reservations (an allocation whose reservation is gone reaches
  // its lease only through the audited reservation)
  const leaseIds = [...new Set([...srcResv.values(), ...auditResv.values()].map((r) => r.lease_id))].filter((id) => !auditLeases.has(id));
  const fillLeases = new Map<string, LeaseColumns>(auditLeases);
  if (leaseIds.length > 0 && (await probeTable(src, lRef)) === 'ok') {
    const cols = await columnsOf(src, lRef);
    const sel = ['id', 'name', 'created_at', 'start_date', 'end_date', ...(['project_id', 'tenant_id', 'deleted_at'] as const).map((c) => (cols.has(c) ? c : src.knex.raw(`null as ${c}`)))];
    for (const r of (await src.knex.select(sel).from(tableName(src)(lRef)).whereIn('id', leaseIds)) as Array<Record<string, unknown>>) {
      const d = LeaseSnapshot.decode(r);
      if (Ei.isRight(d)) fillLeases.set(String(r.id), leaseColumnsOf(String(r.id), d.right, null));
    }
  }
  const audit: BlazarAudit = { leases: fillLeases, reservations: auditResv, leaseOf };
  const allocations: Array<{ row: AllocationRow; auditId: number }> = [];
  if (allocs.length > 0) {
    const aRef = tableName(src)({ db: 'blazar', table: 'computehost_allocations' });
    const groups = new Set(((await src.knex.select('reservation_id', 'compute_host_id').from(aRef)) as Array<Record<string, unknown>>).map((r) => `${String(r.reservation_id)}\u0000${String(r.compute_host_id)}`));
    let same = 0;
    for (const a of allocs) {
      // the source has this (reservation, host): the source wins
      if (groups.has(`${a.snap.reservation_id}\u0000${a.snap.compute_host_id}`)) {
        same += 1;
        continue;
      }
      const resv = srcResv.get(a.snap.reservation_id) ?? auditResv.get(a.snap.reservation_id);
      const lease = resv === undefined ? undefined : fillLeases.get(resv.lease_id);
      const cut = (l: LeaseColumns): LeaseColumns =>
        a.deletedAt === null || (l.lease_end_date !== null && l.lease_end_date <= a.deletedAt) ? l : { ...l, lease_end_date: a.deletedAt };
      allocations.push({
        auditId: a.auditId,
        row: {
          id: a.id,
          reservation_id: a.snap.reservation_id,
          compute_host_id: a.snap.compute_host_id,
          r_id: resv === undefined ? null : a.snap.reservation_id,
          resource_type: resv?.resource_type ?? null,
          slot_vcpus: null,
          slot_memory_mb: null,
          slot_disk_gb: null,
          group_position: 1,
          group_size: 1,
          ...(lease === undefined ? { ...leaseColumnsOf('', { name: undefined, project_id: undefined, tenant_id: undefined, created_at: undefined, start_date: undefined, end_date: undefined, deleted_at: undefined }, null), lease_id: null } : cut(lease)),
        },
      });
    }
    if (same > 0) {
      const name = auditName(src.site)(auditAllocationsTable);
      const i = reports.findIndex((r) => r.source === name);
      if (i >= 0) reports[i] = { ...reports[i], detail: `${reports[i].detail}; ${same} of them share (reservation, host) with a source allocation: the source wins` };
    }
  }
  return { audit, reports, rejections, allocations };
};

/**
 * The events of audit-only allocations, made by the allocation adapter's `toEvents`, marked
 * `extra.from = 'audit'` with the audit table as their source; rejections as it gives them.
 *
 * @since 0.4.0
 */
export const auditAllocationEvents = (
  ctx: Context,
  table: string,
  rows: BlazarAuditRead['allocations'],
  toEvents: (ctx: Context) => (row: AllocationRow) => Ei.Either<Rejection, ReadonlyArray<Event>>,
): { readonly events: ReadonlyArray<Event>; readonly rejections: ReadonlyArray<Rejection> } => {
  const f = toEvents(ctx);
  const events: Event[] = [];
  const rejections: Rejection[] = [];
  for (const { row, auditId } of rows) {
    const r = f(row);
    if (Ei.isLeft(r)) {
      rejections.push(rejection({ site: r.left.site, source: { table, id: String(auditId) }, reason: r.left.reason, detail: `audit-only allocation ${row.id}: ${r.left.detail}`, entityId: row.id }));
      continue;
    }
    for (const e of r.right) events.push({ ...e, source: { table, id: String(auditId) }, attributes: { ...e.attributes, extra: { ...e.attributes.extra, from: 'audit' } } });
  }
  return { events, rejections };
};

/**
 * The leases known only from the audit tables (hard-deleted from `blazar.leases`), as lease
 * rows for the lead-time adapter's `toEvents` (`toFacts`, passed in to keep this module free of
 * it): their columns from the last audit snapshot, no start event (so no lead time of their
 * own: `no_start_event`, or excluded as operator leases), and the host allocations the audit kept
 * (one per (reservation, host), slot rows counted), so the reservation book holds what they held.
 * Leases whose id the source still has are left to the source (`sourceIds`).
 *
 * @category combinators
 * @since 0.4.0
 */
export const auditOnlyLeases = <A>(
  read: Pick<BlazarAuditRead, 'audit' | 'allocations'>,
  sourceIds: ReadonlySet<string>,
  toFacts: (row: LeaseHostsRow) => Ei.Either<Rejection, ReadonlyArray<A>>,
): { readonly facts: ReadonlyArray<A>; readonly rejections: ReadonlyArray<Rejection> } => {
  const byLease = new Map<string, Map<string, LeaseAllocation>>();
  for (const { row } of read.allocations) {
    const r = fill(read.audit, row).row;
    if (r.lease_id === null || r.reservation_id === null || r.compute_host_id === null) continue;
    const m = byLease.get(r.lease_id) ?? new Map<string, LeaseAllocation>();
    byLease.set(r.lease_id, m);
    const key = `${r.reservation_id}\u0000${r.compute_host_id}`;
    const prev = m.get(key);
    m.set(key, {
      reservation_id: r.reservation_id,
      compute_host_id: r.compute_host_id,
      resource_type: r.resource_type,
      slots: (prev?.slots ?? 0) + 1,
      slot_vcpus: r.slot_vcpus,
      slot_memory_mb: r.slot_memory_mb,
      slot_disk_gb: r.slot_disk_gb,
    });
  }
  const facts: A[] = [];
  const rejections: Rejection[] = [];
  for (const id of [...read.audit.leases.keys()].sort()) {
    if (sourceIds.has(id)) continue;
    const cols = read.audit.leases.get(id) as LeaseColumns;
    const allocations = [...(byLease.get(id)?.values() ?? [])].sort((a, b) =>
      a.reservation_id === b.reservation_id ? (a.compute_host_id < b.compute_host_id ? -1 : 1) : a.reservation_id < b.reservation_id ? -1 : 1,
    );
    const hostIds = [...new Set(allocations.map((a) => a.compute_host_id))];
    const r = toFacts({ ...cols, lease_updated_at: null, host_ids: hostIds, allocations });
    if (Ei.isLeft(r)) rejections.push(r.left);
    else facts.push(...r.right);
  }
  return { facts, rejections };
};
