/**
 * The synthetic CHI@Edge site `chi_edge` (`edgePlan.ts`): Blazar devices only, no Nova.
 *
 * - World: the simulator's (`simulate.ts`) with the devices as its hosts (arrival, enrolment in
 *   Blazar, retirement) and its `physical:host`-style leases holding whole devices (user leases,
 *   some deleted early, some failed at start; operator maintenance windows); no instances (the
 *   containers run by Zun are not a source of this tool).
 * - Rows, as Chameleon's Blazar fork stores them: `devices` (soft-deleted at retirement, with
 *   their `machine_name` capability in `device_extra_capabilities`, soft-deleted with them),
 *   `resource_properties` (`device` / `machine_name`), `leases`, `reservations` (type `device`),
 *   `device_reservations`, `device_allocations` (soft-deleted at the lease end, again at its
 *   deletion; a lease update that re-allocated a device leaves the old soft-deleted row beside
 *   the new one), `events` (soft-deleted with their lease, which stamps `updated_at`). The Blazar
 *   host tables exist and are empty; the Nova and legacy databases have no tables.
 * - Truth: reservable (a device's Blazar window), committed / ops (each device of a lease over
 *   `[max(start_date, created_at), min(end_date, deleted_at))`, nothing for a failed start) and
 *   available, value type `devices`, per device type; no total (no Nova: not covered).
 *
 * @since 0.4.0
 */
import { deviceTableKeys, type TableKey } from './ddl';
import type { Plan, SitePlan } from './plan';
import { random, type Random } from './random';
import { fmt, type Emit, type RowStats } from './rows';
import { simulateSite } from './simulate';
import { truthIntervals, truthTimeline, type TruthInterval, type TruthRow, type TruthType } from './truth';
import type { Lease, SiteWorld } from './world';

const SEC = 1000;
const MIN = 60 * SEC;

/** The tables of the edge site's snapshot: Blazar's, with the device tables. @since 0.4.0 */
export const edgeTables: ReadonlyArray<TableKey> = [
  'blazar.leases',
  'blazar.reservations',
  'blazar.events',
  'blazar.computehosts',
  'blazar.computehost_allocations',
  'blazar.computehost_reservations',
  'blazar.instance_reservations',
  'blazar.computehost_extra_capabilities',
  'blazar.resource_properties',
  ...deviceTableKeys,
];

/** The count types of the edge truth (no Nova, no instances). @since 0.4.0 */
export const edgeTruthTypes: ReadonlyArray<TruthType> = ['reservable', 'committed', 'ops', 'available'];

/**
 * Simulates the edge site: the simulator's world without instances.
 *
 * @since 0.4.0
 */
export const simulateEdge = (plan: Plan, site: SitePlan): SiteWorld => ({ ...simulateSite(plan, site), instances: [] });

// -------------------------------------------------------------------------------------
// rows
// -------------------------------------------------------------------------------------

const fmtOrNull = (t: number | null): string | null => (t === null ? null : fmt(t));

interface Ctx {
  readonly put: (key: TableKey, values: ReadonlyArray<unknown>) => void;
  readonly rng: Random;
  readonly snapshot: number;
  readonly deviceIds: ReadonlyArray<string>;
}

/** One lease's rows (the event logic of `rows.ts`, for device reservations). */
const leaseRows = (l: Lease, c: Ctx): void => {
  const { put, rng, snapshot } = c;
  const commitStart = Math.max(l.startDate, l.createdAt);
  const deleted = l.deletedAt;
  const ended = Math.min(l.endDate, deleted ?? Infinity);
  const startDone = !l.error && (deleted === null || deleted > commitStart) ? commitStart + rng.int(1, 15) * SEC : null;
  const started = startDone !== null && startDone < snapshot;
  const endDone = started && ended + 5 * SEC < snapshot ? ended + rng.int(1, 12) * SEC : null;
  const status = deleted !== null ? 'DELETING' : l.error ? 'ERROR' : endDone !== null ? 'TERMINATED' : started ? 'ACTIVE' : 'PENDING';
  const updated = deleted ?? endDone ?? l.extendedAt ?? (started ? startDone : null);
  const soft = (id: string) => (deleted === null ? [null, null] : [id, fmt(deleted)]);
  put('blazar.leases', [fmt(l.createdAt), fmtOrNull(updated), l.id, l.name, l.userId, l.projectId, fmt(l.startDate), fmt(l.endDate), rng.hex(32), status, 0, ...soft(l.id)]);
  for (const r of l.reservations) {
    const resourceId = rng.uuid();
    const rstatus = l.error ? 'error' : endDone !== null || (deleted !== null && deleted <= ended) ? 'deleted' : started ? 'active' : 'pending';
    put('blazar.reservations', [fmt(l.createdAt), fmtOrNull(updated), r.id, l.id, resourceId, 'device', rstatus, 0, 0, ...soft(r.id)]);
    const n = r.hosts.length;
    put('blazar.device_reservations', [fmt(l.createdAt), null, resourceId, r.id, `${n}-${n}`, JSON.stringify(['==', '$machine_name', r.nodeType]), 'default', ...soft(resourceId)]);
    const gone = deleted ?? endDone;
    r.hosts.forEach((h, k) => {
      // a lease update that re-allocated the device: the old row, soft-deleted at the update
      if (k === 0 && l.extendedAt !== null && rng.chance(0.25)) {
        const old = rng.uuid();
        put('blazar.device_allocations', [fmt(l.createdAt), fmt(l.extendedAt), old, c.deviceIds[h], r.id, old, fmt(l.extendedAt)]);
      }
      const aid = rng.uuid();
      put('blazar.device_allocations', [fmt(l.createdAt), fmtOrNull(gone), aid, c.deviceIds[h], r.id, gone === null ? null : aid, fmtOrNull(gone)]);
    });
  }
  const stamped = (updatedAt: string | null): string | null => (deleted === null ? updatedAt : fmt(deleted));
  const startId = rng.uuid();
  const startStatus = l.error && commitStart < snapshot ? 'ERROR' : started ? 'DONE' : 'UNDONE';
  const startUpdated = l.error && commitStart < snapshot ? fmt(commitStart + 3 * SEC) : started ? fmt(startDone as number) : null;
  put('blazar.events', [fmt(l.createdAt), stamped(startUpdated), startId, l.id, 'start_lease', fmt(l.startDate), startStatus, ...soft(startId)]);
  const beforeEnd = Math.max(l.startDate, l.endDate - 60 * MIN);
  const beforeId = rng.uuid();
  const beforeDone = started && beforeEnd < ended && beforeEnd + 5 * SEC < snapshot;
  put('blazar.events', [fmt(l.createdAt), stamped(beforeDone ? fmt(beforeEnd + 4 * SEC) : null), beforeId, l.id, 'before_end_lease', fmt(beforeEnd), beforeDone ? 'DONE' : 'UNDONE', ...soft(beforeId)]);
  const endId = rng.uuid();
  put('blazar.events', [fmt(l.createdAt), stamped(fmtOrNull(endDone)), endId, l.id, 'end_lease', fmt(l.endDate), endDone !== null ? 'DONE' : 'UNDONE', ...soft(endId)]);
};

/**
 * Derives and emits the rows of the edge site.
 *
 * @since 0.4.0
 */
export const edgeRows = (plan: Plan, w: SiteWorld, emit: Emit): RowStats => {
  const rng = random(plan.seed, `${w.plan.site}/rows`);
  const stats: RowStats = {};
  const put = (key: TableKey, values: ReadonlyArray<unknown>) => {
    stats[key] = (stats[key] ?? 0) + 1;
    emit(key, values);
  };
  const snapshot = plan.end;
  const enrolled = w.hosts.filter((h) => h.reservableFrom !== null);
  const first = Math.min(...enrolled.map((h) => h.reservableFrom as number));
  const property = rng.uuid();
  if (enrolled.length > 0) put('blazar.resource_properties', [fmt(first), null, property, 'device', 'machine_name', 0, 0, null, null]);
  const deviceIds = w.hosts.map(() => rng.uuid());
  for (const h of enrolled) {
    const id = deviceIds[h.index];
    const created = h.reservableFrom as number;
    const gone = h.reservableTo !== null && h.reservableTo < snapshot ? h.reservableTo : null;
    const soft = (x: string) => (gone === null ? [null, null] : [x, fmt(gone)]);
    put('blazar.devices', [fmt(created), fmtOrNull(gone), id, h.hostname.split('.')[0], 'container', 'k3s', 1, ...soft(id)]);
    const cap = rng.uuid();
    put('blazar.device_extra_capabilities', [fmt(created), fmtOrNull(gone), cap, id, property, h.nodeType, ...soft(cap)]);
  }
  for (const l of w.leases) leaseRows(l, { put, rng, snapshot, deviceIds });
  return stats;
};

// -------------------------------------------------------------------------------------
// truth
// -------------------------------------------------------------------------------------

/**
 * The true intervals of the edge site: the world's reservable and committed / ops intervals (one
 * device each); no total.
 *
 * @since 0.4.0
 */
export const edgeTruth = (plan: Plan, w: SiteWorld): ReadonlyArray<TruthInterval> => truthIntervals(plan, w).filter((iv) => iv.countType !== 'total');

/**
 * The edge truth as usage-timeline rows: value type `devices`, the count types of
 * {@link edgeTruthTypes}, per device type.
 *
 * @since 0.4.0
 */
export const edgeTimeline = (site: string, intervals: ReadonlyArray<TruthInterval>): ReadonlyArray<TruthRow> =>
  truthTimeline(site, intervals)
    .filter((r) => edgeTruthTypes.includes(r.count_type))
    .map((r) => ({ ...r, value_type: 'devices' }));
