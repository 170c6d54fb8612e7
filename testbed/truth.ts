/**
 * The truth: the usage a perfect observer of the simulated world would report, with the count
 * type definitions of the reconstruction rules (section 1), computed from the world directly and
 * independently of the reconstruction (no code of `lib/` is used for the counting).
 *
 * - total: a host from `added` to `retired`; reservable: its Blazar window;
 * - committed / ops: each host (or slot group on a host) of a user / operator lease over
 *   `[max(start_date, created_at), min(end_date, deleted_at))`, nothing for a lease whose start
 *   failed; `physical:host` 1 node, slots `slots x vcpus / host vcpus`;
 * - occupied_reserved / occupied_ondemand: instance periods (`world.periods`), 1 node on bare
 *   metal, `vcpus / host vcpus` on KVM;
 * - stopped_reserved / stopped_ondemand: the powered-off parts of the periods (each period minus
 *   its powered-on parts, `world.poweredOn`);
 * - derived: occupied = reserved + ondemand, available = reservable - committed - ops,
 *   idle = committed - occupied_reserved, maintenance = total - reservable + ops (ops alone on
 *   the KVM site, whose non-reservable hosts are its on-demand pool), stopped = stopped_reserved +
 *   stopped_ondemand, active = occupied - stopped; on the KVM site also ondemand_capacity =
 *   total - reservable and available_ondemand = ondemand_capacity - occupied_ondemand.
 *
 * Value type: nodes only. Node counts are summed as integer micro-nodes (like the sweep), so the
 * change-point timeline is exact; daily node-hours are floats.
 *
 * Invariants: everything is cut at the snapshot (`plan.end`): an interval still open there has
 * no end; `timeline` has one row per change point per (count type, node type), none before the
 * first change.
 *
 * @since 0.1.0
 */
import { splitIntervals, type HostInterval } from './auditTruth';
import type { Plan } from './plan';
import { periods, poweredOn, type SiteWorld } from './world';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The base count types. @since 0.1.0 */
export const baseTypes = [
  'total',
  'reservable',
  'committed',
  'ops',
  'occupied_reserved',
  'occupied_ondemand',
  'stopped_reserved',
  'stopped_ondemand',
  // issue 15 (auditTruth.ts): from the audit tables' install on
  'reservable_usable',
  'reservable_unusable',
  'committed_usable',
  'committed_unusable',
  'ops_unusable',
  'total_unusable',
] as const;
/** @since 0.1.0 */
export type BaseType = (typeof baseTypes)[number];
/** Every count type of the truth, derived ones included. @since 0.1.0 */
export const truthTypes = [
  ...baseTypes,
  'occupied',
  'available',
  'idle',
  'maintenance',
  'active',
  'stopped',
  'ondemand_capacity',
  'available_ondemand',
  'unusable',
] as const;
/** @since 0.1.0 */
export type TruthType = (typeof truthTypes)[number];

/**
 * The count types of the truth of a site: the on-demand pool's two only where it has one.
 *
 * @since 0.3.0
 */
export const truthTypesOf = (pool: boolean): ReadonlyArray<TruthType> =>
  pool ? truthTypes : truthTypes.filter((ct) => ct !== 'ondemand_capacity' && ct !== 'available_ondemand');

/** A true interval. @category model @since 0.1.0 */
export interface TruthInterval {
  readonly countType: BaseType;
  readonly nodeType: string;
  readonly start: number;
  /** `null`: still open at the snapshot. */
  readonly end: number | null;
  readonly nodes: number;
}

/** A usage-timeline row of the truth (collector `truth`). @category model @since 0.1.0 */
export interface TruthRow {
  readonly site: string;
  readonly timestamp: string;
  readonly collector_type: 'truth';
  readonly count_type: TruthType;
  /** `devices` on the CHI@Edge site (`edge.ts`), else `nodes`. */
  readonly value_type: 'nodes' | 'devices';
  readonly value: number;
  readonly node_type: string;
}

const MICRO = 1_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// -------------------------------------------------------------------------------------
// intervals
// -------------------------------------------------------------------------------------

/**
 * The true intervals of a site, cut at the snapshot.
 *
 * @since 0.1.0
 */
export const truthIntervals = (plan: Plan, w: SiteWorld): ReadonlyArray<TruthInterval> => {
  const out: TruthInterval[] = [];
  const snap = plan.end;
  const add = (countType: BaseType, nodeType: string, start: number, end: number | null, nodes: number) => {
    if (start >= snap) return;
    const e = end === null || end >= snap ? null : end;
    if (e !== null && e <= start) return;
    out.push({ countType, nodeType, start, end: e, nodes });
  };
  // per host, for the audit split (auditTruth.ts)
  const held: HostInterval[] = [];
  for (const h of w.hosts) {
    add('total', h.nodeType, h.added, h.retired, 1);
    held.push({ countType: 'total', host: h.index, start: h.added, end: h.retired, nodes: 1 });
    if (h.reservableFrom !== null) {
      add('reservable', h.nodeType, h.reservableFrom, h.reservableTo, 1);
      held.push({ countType: 'reservable', host: h.index, start: h.reservableFrom, end: h.reservableTo, nodes: 1 });
    }
  }
  for (const l of w.leases) {
    if (l.error) continue;
    const start = Math.max(l.startDate, l.createdAt);
    const end = Math.min(l.endDate, l.deletedAt ?? Infinity);
    if (end <= start) continue;
    const ct: BaseType = l.operator ? 'ops' : 'committed';
    for (const r of l.reservations) {
      if (r.resourceType === 'physical:host') {
        for (const h of r.hosts) {
          add(ct, w.hosts[h].nodeType, start, end, 1);
          held.push({ countType: ct === 'ops' ? 'ops' : 'committed', host: h, start, end, nodes: 1 });
        }
      } else {
        const perHost = new Map<number, number>();
        for (const h of r.hosts) perHost.set(h, (perHost.get(h) ?? 0) + 1);
        for (const [h, slots] of perHost) {
          add(ct, w.hosts[h].nodeType, start, end, (slots * (r.slot?.vcpus ?? 0)) / w.hosts[h].vcpus);
          held.push({ countType: ct === 'ops' ? 'ops' : 'committed', host: h, start, end, nodes: (slots * (r.slot?.vcpus ?? 0)) / w.hosts[h].vcpus });
        }
      }
    }
  }
  for (const iv of splitIntervals(w, held)) add(iv.countType, iv.nodeType, iv.start, iv.end, iv.nodes);
  const bare = w.plan.kind === 'baremetal';
  for (const i of w.instances) {
    const host = w.hosts[i.host];
    const nodes = bare ? 1 : i.flavor.vcpus / host.vcpus;
    const ct: BaseType = i.reservationId === null ? 'occupied_ondemand' : 'occupied_reserved';
    for (const [s, e] of periods(i)) add(ct, host.nodeType, s, e, nodes);
    const off: BaseType = i.reservationId === null ? 'stopped_ondemand' : 'stopped_reserved';
    const on = poweredOn(i);
    for (const [s, e] of periods(i)) {
      // the period minus its powered-on spans
      let t: number | null = s;
      for (const [os, oe] of on) {
        if (t === null || os < s || (e !== null && os >= e)) continue;
        if (os > t) add(off, host.nodeType, t, os, nodes);
        t = oe;
      }
      if (t !== null && (e === null || e > t)) add(off, host.nodeType, t, e, nodes);
    }
  }
  return out;
};

// -------------------------------------------------------------------------------------
// daily node-hours
// -------------------------------------------------------------------------------------

/** Node-hours per day of `[start, end)` per base count type (site total). @category model @since 0.1.0 */
export type DailyHours = Readonly<Record<BaseType, Float64Array>>;

/**
 * Node-hours per UTC day and base count type, summed over node types.
 *
 * @since 0.1.0
 */
export const dailyHours = (intervals: ReadonlyArray<TruthInterval>, start: number, end: number): DailyHours => {
  const days = Math.ceil((end - start) / DAY);
  const out = Object.fromEntries(baseTypes.map((ct) => [ct, new Float64Array(days)])) as Record<BaseType, Float64Array>;
  for (const iv of intervals) {
    const s = Math.max(iv.start, start);
    const e = Math.min(iv.end ?? end, end);
    if (e <= s) continue;
    const arr = out[iv.countType];
    const micro = Math.round(iv.nodes * MICRO) / MICRO;
    for (let d = Math.floor((s - start) / DAY); d < days; d++) {
      const ds = start + d * DAY;
      const de = ds + DAY;
      if (ds >= e) break;
      const over = Math.min(e, de) - Math.max(s, ds);
      if (over > 0) arr[d] += (micro * over) / HOUR;
    }
  }
  return out;
};

/**
 * Derived daily node-hours from the base ones.
 *
 * @since 0.1.0
 */
export const derivedHours = (b: DailyHours, ct: TruthType, d: number, pool = false): number => {
  switch (ct) {
    case 'stopped':
      return b.stopped_reserved[d] + b.stopped_ondemand[d];
    case 'active':
      return b.occupied_reserved[d] + b.occupied_ondemand[d] - b.stopped_reserved[d] - b.stopped_ondemand[d];
    case 'ondemand_capacity':
      return b.total[d] - b.reservable[d];
    case 'available_ondemand':
      return b.total[d] - b.reservable[d] - b.occupied_ondemand[d];
    case 'occupied':
      return b.occupied_reserved[d] + b.occupied_ondemand[d];
    case 'unusable':
      return b.reservable_unusable[d] - b.committed_unusable[d] - b.ops_unusable[d];
    case 'available':
      // rules section 15: where the state is covered the unusable free capacity leaves available
      return b.reservable[d] - b.committed[d] - b.ops[d] - (b.reservable_unusable[d] - b.committed_unusable[d] - b.ops_unusable[d]);
    case 'idle':
      return b.committed[d] - b.occupied_reserved[d];
    case 'maintenance': {
      // ... and joins maintenance (zero before the install: no split intervals there)
      const unusable = b.reservable_unusable[d] - b.committed_unusable[d] - b.ops_unusable[d];
      return (pool ? b.ops[d] : b.total[d] - b.reservable[d] + b.ops[d]) + unusable;
    }
    default:
      return b[ct][d];
  }
};

// -------------------------------------------------------------------------------------
// the change-point timeline
// -------------------------------------------------------------------------------------

const iso = (t: number): string => {
  const s = new Date(t).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
};

/** A step function in micro-nodes: value `values[k]` from `times[k]` on. */
interface Steps {
  readonly times: ReadonlyArray<number>;
  readonly values: ReadonlyArray<number>;
}

const toSteps = (deltas: ReadonlyArray<readonly [number, number]>): Steps => {
  const sorted = [...deltas].sort((a, b) => a[0] - b[0]);
  const times: number[] = [];
  const values: number[] = [];
  let v = 0;
  for (let k = 0; k < sorted.length; ) {
    const t = sorted[k][0];
    while (k < sorted.length && sorted[k][0] === t) v += sorted[k++][1];
    if (values.length === 0 ? v !== 0 : values[values.length - 1] !== v) {
      times.push(t);
      values.push(v);
    }
  }
  return { times, values };
};

/** `sum of weight * f` over step functions, as a step function. */
const combine = (parts: ReadonlyArray<readonly [Steps, number]>): Steps => {
  const deltas: Array<readonly [number, number]> = [];
  for (const [f, w] of parts) {
    let prev = 0;
    for (let k = 0; k < f.times.length; k++) {
      deltas.push([f.times[k], w * (f.values[k] - prev)]);
      prev = f.values[k];
    }
  }
  return toSteps(deltas);
};

const SPLIT: ReadonlyArray<TruthType> = ['reservable_usable', 'reservable_unusable', 'committed_usable', 'committed_unusable', 'ops_unusable', 'unusable'];

/**
 * Issue 15: a split count type has a row at its coverage start (the audit install), zero
 * included, for a node type that still has capacity (`of`) then or later; none before it.
 */
const withCoverageRow = (f: Steps, ct: TruthType, audit: { readonly start: number; readonly services: boolean } | undefined, of: Steps): Steps => {
  if (audit === undefined || !(SPLIT.includes(ct) || (ct === 'total_unusable' && audit.services))) return f;
  const t0 = audit.start;
  let live = false;
  for (let k = 0; k < of.times.length && !live; k++) if (of.values[k] !== 0 && (of.times[k] >= t0 || k === of.times.length - 1 || of.times[k + 1] > t0)) live = true;
  if (!live || f.times.includes(t0)) return f;
  let v = 0;
  for (let k = 0; k < f.times.length && f.times[k] <= t0; k++) v = f.values[k];
  const at = f.times.findIndex((t) => t > t0);
  const times = at === -1 ? [...f.times, t0] : [...f.times.slice(0, at), t0, ...f.times.slice(at)];
  const values = at === -1 ? [...f.values, v] : [...f.values.slice(0, at), v, ...f.values.slice(at)];
  return { times, values };
};

/**
 * The truth as usage-timeline rows (value type nodes, grouped by node type, one row per change
 * point), base and derived count types.
 *
 * @since 0.1.0
 */
export const truthTimeline = (
  site: string,
  intervals: ReadonlyArray<TruthInterval>,
  pool = false,
  /** Issue 15: the audit tables' install (the split's coverage start) and whether Nova services are audited. */
  audit?: { readonly start: number; readonly services: boolean },
): ReadonlyArray<TruthRow> => {
  const byKey = new Map<string, Array<readonly [number, number]>>();
  const nodeTypes = new Set<string>();
  for (const iv of intervals) {
    nodeTypes.add(iv.nodeType);
    const k = `${iv.countType}\u0000${iv.nodeType}`;
    let list = byKey.get(k);
    if (list === undefined) byKey.set(k, (list = []));
    const q = Math.round(iv.nodes * MICRO);
    list.push([iv.start, q]);
    if (iv.end !== null) list.push([iv.end, -q]);
  }
  const rows: TruthRow[] = [];
  const empty: Steps = { times: [], values: [] };
  for (const nt of [...nodeTypes].sort()) {
    const base = Object.fromEntries(baseTypes.map((ct) => [ct, toSteps(byKey.get(`${ct}\u0000${nt}`) ?? [])])) as Record<BaseType, Steps>;
    const unusable = combine([
      [base.reservable_unusable, 1],
      [base.committed_unusable, -1],
      [base.ops_unusable, -1],
    ]);
    const all: Record<TruthType, Steps> = {
      ...base,
      unusable,
      occupied: combine([
        [base.occupied_reserved, 1],
        [base.occupied_ondemand, 1],
      ]),
      available: combine([
        [base.reservable, 1],
        [base.committed, -1],
        [base.ops, -1],
        [unusable, -1],
      ]),
      idle: combine([
        [base.committed, 1],
        [base.occupied_reserved, -1],
      ]),
      maintenance: pool
        ? combine([
            [base.ops, 1],
            [unusable, 1],
          ])
        : combine([
            [base.total, 1],
            [base.reservable, -1],
            [base.ops, 1],
            [unusable, 1],
          ]),
      stopped: combine([
        [base.stopped_reserved, 1],
        [base.stopped_ondemand, 1],
      ]),
      active: combine([
        [base.occupied_reserved, 1],
        [base.occupied_ondemand, 1],
        [base.stopped_reserved, -1],
        [base.stopped_ondemand, -1],
      ]),
      ondemand_capacity: combine([
        [base.total, 1],
        [base.reservable, -1],
      ]),
      available_ondemand: combine([
        [base.total, 1],
        [base.reservable, -1],
        [base.occupied_ondemand, -1],
      ]),
    };
    for (const ct of truthTypesOf(pool)) {
      const f = withCoverageRow(all[ct] ?? empty, ct, audit, ct === 'total_unusable' ? base.total : base.reservable);
      for (let k = 0; k < f.times.length; k++) {
        rows.push({ site, timestamp: iso(f.times[k]), collector_type: 'truth', count_type: ct, value_type: 'nodes', value: f.values[k] / MICRO, node_type: nt });
      }
    }
  }
  rows.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.count_type < b.count_type ? -1 : a.count_type > b.count_type ? 1 : a.node_type < b.node_type ? -1 : 1));
  return rows;
};

/** The columns of the truth table. @since 0.1.0 */
export const truthColumns = ['site', 'timestamp', 'collector_type', 'count_type', 'value_type', 'value', 'node_type'] as const;
