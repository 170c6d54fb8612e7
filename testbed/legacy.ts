/**
 * The legacy `chameleon_usage` caches, computed the way the legacy collector did: once a day,
 * per node type, from what it could see then (it ran on the live system, so it saw the hosts
 * whose Nova and Blazar rows were later lost).
 *
 * Per day `d` and node type (bare-metal sites only; the legacy collector never covered KVM):
 * - `node_count_cache.cnt`: hosts Nova knew at `d 00:00` (a snapshot, not a mean);
 * - `total_hours = 24 x cnt` (the snapshot, held all day);
 * - `maint_hours`: node-hours not in Blazar's pool that day (`total_hours` minus the true
 *   reservable node-hours, at least 0) plus the node-hours of operator leases;
 * - `used_hours`: node-hours of user lease hosts that had at least one launched instance during
 *   the lease (the legacy granularity: a host used once counts as used for the whole lease);
 * - `reserved_hours`: the node-hours of the other user lease hosts;
 * - `idle_hours = total - maint - reserved - used`, at least 0.
 *
 * So the comparison has real differences to show: the snapshot misses hosts that come or go
 * during a day, and `used` overstates occupancy (whole leases instead of instance periods).
 *
 * Invariants: one row per (day, node type) with `cnt > 0` or any hours, days in the plan's
 * window; hours rounded to 1e-4.
 *
 * @since 0.1.0
 */
import type { Plan } from './plan';
import type { Emit } from './rows';
import { periods, type SiteWorld } from './world';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Daily {
  readonly cnt: Float64Array;
  readonly reservable: Float64Array;
  readonly ops: Float64Array;
  readonly used: Float64Array;
  readonly reserved: Float64Array;
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * Emits the legacy cache rows of a site (none for KVM sites). Returns the rows written.
 *
 * @since 0.1.0
 */
export const legacyRows = (plan: Plan, w: SiteWorld, emit: Emit): number => {
  if (w.plan.kind !== 'baremetal') return 0;
  const start = plan.start;
  const end = plan.end;
  const days = Math.ceil((end - start) / DAY);
  const byType = new Map<string, Daily>();
  const of = (nt: string): Daily => {
    let d = byType.get(nt);
    if (d === undefined) {
      d = { cnt: new Float64Array(days), reservable: new Float64Array(days), ops: new Float64Array(days), used: new Float64Array(days), reserved: new Float64Array(days) };
      byType.set(nt, d);
    }
    return d;
  };
  const spread = (arr: Float64Array, s0: number, e0: number) => {
    const s = Math.max(s0, start);
    const e = Math.min(e0, end);
    for (let d = Math.max(0, Math.floor((s - start) / DAY)); d < days; d++) {
      const ds = start + d * DAY;
      if (ds >= e) break;
      const over = Math.min(e, ds + DAY) - Math.max(s, ds);
      if (over > 0) arr[d] += over / HOUR;
    }
  };
  for (const h of w.hosts) {
    const d = of(h.nodeType);
    for (let k = 0; k < days; k++) {
      const t = start + k * DAY;
      if (h.added <= t && (h.retired === null || t < h.retired)) d.cnt[k] += 1;
    }
    if (h.reservableFrom !== null) spread(d.reservable, h.reservableFrom, h.reservableTo ?? end);
  }
  // hosts of a reservation that ran an instance at some point
  const usedHosts = new Set<string>();
  for (const i of w.instances) if (i.reservationId !== null && periods(i).length > 0) usedHosts.add(`${i.reservationId}/${i.host}`);
  for (const l of w.leases) {
    if (l.error) continue;
    const s = Math.max(l.startDate, l.createdAt);
    const e = Math.min(l.endDate, l.deletedAt ?? Infinity);
    if (e <= s) continue;
    for (const r of l.reservations) {
      for (const h of r.hosts) {
        const d = of(w.hosts[h].nodeType);
        spread(l.operator ? d.ops : usedHosts.has(`${r.id}/${h}`) ? d.used : d.reserved, s, e);
      }
    }
  }
  let n = 0;
  for (const nt of [...byType.keys()].sort()) {
    const d = byType.get(nt) as Daily;
    for (let k = 0; k < days; k++) {
      const total = 24 * d.cnt[k];
      const maint = Math.max(0, total - d.reservable[k]) + d.ops[k];
      if (total === 0 && maint === 0 && d.used[k] === 0 && d.reserved[k] === 0) continue;
      const iso = new Date(start + k * DAY).toISOString().slice(0, 10);
      const idle = Math.max(0, total - maint - d.reserved[k] - d.used[k]);
      emit('chameleon_usage.node_count_cache', [iso, nt, d.cnt[k]]);
      emit('chameleon_usage.node_usage_report_cache', [`${iso} 00:00:00`, nt, r4(maint), r4(d.reserved[k]), r4(d.used[k]), r4(idle), r4(total)]);
      n += 2;
    }
  }
  return n;
};
