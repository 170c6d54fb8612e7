/**
 * The usage timeline: base counts -> derived counts -> rows of the plan's table, with coverage
 * and the stack invariants.
 *
 * Per (site, value type, group), the base step functions (total, reservable, committed, ops,
 * occupied_reserved, occupied_ondemand; the zero function where a group has none) give the
 * derived ones on the union of their change points (reconstruction rules, section 1):
 * - `occupied = occupied_reserved + occupied_ondemand`
 * - `available = reservable - committed - ops`
 * - `idle = committed - occupied_reserved`
 * - `maintenance = (total - reservable) + ops`
 *
 * Rows exist only where a count type is covered (derived: where all inputs are). Without
 * resampling a series has a row at the start of each covered span (the value in force then) and
 * one at each change point inside it; with resampling one row per calendar bucket that meets a
 * covered span (see `Resample.resample`).
 *
 * Invariants checked at every change point where the inputs are covered:
 * `occupied_reserved <= committed <= reservable <= total`, `available, idle, maintenance >= 0`,
 * up to a slack of 1e-4 node for the micro-node rounding of fractional node counts.
 * Each violation is listed with its span, its largest excess and its excess value-hours; the
 * values are never clamped.
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/Option';
import { baseCountTypes, type BaseCountType, type CountType } from './CountType';
import { intersect, type CountCoverage, type Span } from './Coverage';
import { keyString, type Counts, type GroupColumn, type SeriesKey } from './Counts';
import type { LegacyDay } from './Legacy';
import type { ValueType } from './Quantities';
import { resample, type Bucket, type Method } from './Resample';
import * as SF from './StepFunction';
import * as T from './Time';
import type { UsageRow } from './UsageRow';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export interface TimelineOptions {
  readonly start: T.Millis;
  readonly end: T.Millis;
  readonly groupBy: ReadonlyArray<GroupColumn>;
  readonly valueTypes: ReadonlyArray<ValueType>;
  readonly resample: O.Option<{ readonly bucket: Bucket; readonly method: Method }>;
}

/** What the timeline needs of one site. @category model @since 0.1.0 */
export interface SiteCounts {
  readonly site: string;
  /** Base counts of this site (after clamping). */
  readonly counts: Counts;
  readonly coverage: Readonly<Record<BaseCountType, CountCoverage>>;
  /** Legacy days of this site (grouped as `groupBy` allows), if any. */
  readonly legacy: ReadonlyArray<LegacyDay>;
}

/** @category model @since 0.1.0 */
export const checks = [
  'occupied_reserved<=committed',
  'committed<=reservable',
  'reservable<=total',
  'available>=0',
  'idle>=0',
  'maintenance>=0',
] as const;

/** @category model @since 0.1.0 */
export type Check = (typeof checks)[number];

/** @category model @since 0.1.0 */
export interface Violation {
  readonly site: string;
  readonly value_type: ValueType;
  readonly group: Readonly<Partial<Record<GroupColumn, string>>>;
  readonly check: Check;
  readonly start: string;
  readonly end: string;
  /** The largest amount by which the check fails in the span. */
  readonly max_excess: number;
  /** The excess integrated over the span, in value-hours (node-hours for nodes). */
  readonly excess_hours: number;
}

/** @category model @since 0.1.0 */
export interface Timeline {
  readonly rows: ReadonlyArray<UsageRow>;
  readonly violations: ReadonlyArray<Violation>;
}

// -------------------------------------------------------------------------------------
// derived counts
// -------------------------------------------------------------------------------------

const add = SF.zipWith((x, y) => x + y);
const sub = SF.zipWith((x, y) => x - y);

/**
 * The derived count types from the base ones.
 *
 * @since 0.1.0
 */
export const derive = (b: Readonly<Record<BaseCountType, SF.StepFunction>>): Readonly<Record<Exclude<CountType, BaseCountType>, SF.StepFunction>> => ({
  occupied: add(b.occupied_reserved, b.occupied_ondemand),
  available: sub(sub(b.reservable, b.committed), b.ops),
  idle: sub(b.committed, b.occupied_reserved),
  maintenance: add(sub(b.total, b.reservable), b.ops),
});

/**
 * The base count types each derived count type is computed from.
 *
 * @since 0.1.0
 */
export const inputsOf: Readonly<Record<Exclude<CountType, BaseCountType>, ReadonlyArray<BaseCountType>>> = {
  occupied: ['occupied_reserved', 'occupied_ondemand'],
  available: ['reservable', 'committed', 'ops'],
  idle: ['committed', 'occupied_reserved'],
  maintenance: ['total', 'reservable', 'ops'],
};

const coveredBy = (cov: Readonly<Record<BaseCountType, CountCoverage>>, cts: ReadonlyArray<BaseCountType>): ReadonlyArray<Span> =>
  cts.reduce<ReadonlyArray<Span>>((acc, ct) => intersect(acc, cov[ct].covered), cov[cts[0]].covered);

// -------------------------------------------------------------------------------------
// rows
// -------------------------------------------------------------------------------------

/**
 * The `[timestamp, value]` points of a series on its covered spans: unresampled (span starts and
 * change points) or resampled (one per bucket).
 *
 * @since 0.1.0
 */
export const points =
  (options: Pick<TimelineOptions, 'resample' | 'start' | 'end'>, covered: ReadonlyArray<Span>) =>
  (f: SF.StepFunction): ReadonlyArray<readonly [T.Millis, number]> => {
    if (O.isSome(options.resample)) {
      return resample({ ...options.resample.value, start: options.start, end: options.end, covered })(f);
    }
    const out: Array<readonly [T.Millis, number]> = [];
    for (const [s, e] of covered) {
      out.push([s, SF.valueAt(s)(f)]);
      for (let i = 0; i < f.times.length; i++) {
        const t = f.times[i];
        if (t > s && t < e) out.push([T.unsafeMillis(t), f.values[i]]);
      }
    }
    return out;
  };

/**
 * How much a check may fail by before it is a violation. Fractional node counts are summed at
 * micro-node resolution, so two 8-vCPU instances on a 48-vCPU host hold 2 x 0.166667 nodes while
 * their reservation commits 0.333333: rounding, not a violation. 1e-4 node allows about a hundred
 * such roundings; the other value types are integers.
 */
const slack = (vt: ValueType): number => (vt === 'nodes' ? 1e-4 : 1e-9);

const spansWhere = (excess: SF.StepFunction, covered: ReadonlyArray<Span>, eps: number): ReadonlyArray<readonly [T.Millis, T.Millis, number, number]> => {
  const out: Array<readonly [T.Millis, T.Millis, number, number]> = [];
  for (const [s, e] of covered) {
    let open: { start: number; max: number } | undefined;
    const close = (at: number) => {
      if (open === undefined) return;
      out.push([T.unsafeMillis(open.start), T.unsafeMillis(at), open.max, SF.integral(T.unsafeMillis(open.start), T.unsafeMillis(at))(excess)]);
      open = undefined;
    };
    const visit = (t: number, v: number) => {
      if (v > eps) {
        if (open === undefined) open = { start: t, max: v };
        else open.max = Math.max(open.max, v);
      } else close(t);
    };
    visit(s, SF.valueAt(s)(excess));
    for (let i = 0; i < excess.times.length; i++) if (excess.times[i] > s && excess.times[i] < e) visit(excess.times[i], excess.values[i]);
    close(e);
  }
  return out;
};

const excessOver = SF.zipWith((x, y) => Math.max(0, x - y));
const negativePart = SF.map((x) => Math.max(0, -x));

const groupOf = (k: SeriesKey, groupBy: ReadonlyArray<GroupColumn>): Partial<Record<GroupColumn, string>> => {
  const g: Partial<Record<GroupColumn, string>> = {};
  for (const c of groupBy) g[c] = k.group[c] ?? 'unknown';
  return g;
};

const rowKey = (r: UsageRow): string =>
  [r.site, r.timestamp, r.collector_type, r.count_type, r.value_type, r.node_type ?? '', r.hypervisor_hostname ?? ''].join('\u0000');

const legacyRows = (options: TimelineOptions, s: SiteCounts, out: UsageRow[]): void => {
  if (!options.valueTypes.includes('nodes') || options.groupBy.includes('hypervisor_hostname')) return;
  const byNodeType = options.groupBy.includes('node_type');
  const series = new Map<string, { group: Partial<Record<GroupColumn, string>>; ct: CountType; days: Array<readonly [T.Millis, number]> }>();
  for (const d of s.legacy) {
    if (d.day < options.start || d.day >= options.end) continue;
    const group = byNodeType ? { node_type: d.node_type ?? 'unknown' } : {};
    for (const [ct, v] of Object.entries(d.values) as Array<[CountType, number]>) {
      const k = `${ct}\u0000${group.node_type ?? ''}`;
      const entry = series.get(k) ?? { group, ct, days: [] as Array<readonly [T.Millis, number]> };
      entry.days.push([d.day, v]);
      series.set(k, entry);
    }
  }
  for (const { group, ct, days } of series.values()) {
    let pts: ReadonlyArray<readonly [T.Millis, number]> = days;
    if (O.isSome(options.resample)) {
      // a day's value holds over that day; days without a row are not covered
      const covered: Array<readonly [T.Millis, T.Millis]> = [];
      const steps: Array<readonly [number, number]> = [];
      for (const [day, v] of days) {
        const next = T.unsafeMillis(Math.min(day + T.DAY, options.end));
        const last = covered[covered.length - 1];
        if (last !== undefined && last[1] === day) covered[covered.length - 1] = [last[0], next];
        else covered.push([day, next]);
        steps.push([day, v]);
      }
      pts = resample({ ...options.resample.value, start: options.start, end: options.end, covered })(SF.fromPoints(steps));
    }
    for (const [t, v] of pts) {
      out.push({ site: s.site, timestamp: T.toIso(t), collector_type: 'legacy', count_type: ct, value_type: 'nodes', value: v, ...group } as UsageRow);
    }
  }
};

/**
 * The usage timeline rows (collector `new` and `legacy`) and the invariant violations of the
 * given sites, sorted by site, timestamp, collector, count type, value type and group.
 *
 * @example
 * const { rows, violations } = timeline(options)([{ site: 'chi_uc', counts, coverage, legacy: [] }])
 * @category folding
 * @since 0.1.0
 */
export const timeline =
  (options: TimelineOptions) =>
  (sites: ReadonlyArray<SiteCounts>): Timeline => {
    const rows: UsageRow[] = [];
    const violations: Violation[] = [];
    for (const s of sites) {
      // series of this site by value type and group
      const groups = new Map<string, { vt: ValueType; key: SeriesKey; base: Partial<Record<BaseCountType, SF.StepFunction>> }>();
      for (const series of s.counts) {
        if (series.key.site !== s.site || !options.valueTypes.includes(series.key.valueType)) continue;
        const gk = keyString({ ...series.key, countType: 'total' });
        const g = groups.get(gk) ?? { vt: series.key.valueType, key: series.key, base: {} };
        g.base[series.key.countType as BaseCountType] = series.steps;
        groups.set(gk, g);
      }
      for (const gk of [...groups.keys()].sort()) {
        const { vt, key, base } = groups.get(gk) as { vt: ValueType; key: SeriesKey; base: Partial<Record<BaseCountType, SF.StepFunction>> };
        const full = Object.fromEntries(baseCountTypes.map((ct) => [ct, base[ct] ?? SF.empty])) as Record<BaseCountType, SF.StepFunction>;
        const derived = derive(full);
        const group = groupOf(key, options.groupBy);
        const emit = (ct: CountType, f: SF.StepFunction, covered: ReadonlyArray<Span>) => {
          for (const [t, v] of points(options, covered)(f)) {
            rows.push({ site: s.site, timestamp: T.toIso(t), collector_type: 'new', count_type: ct, value_type: vt, value: v, ...group } as UsageRow);
          }
        };
        for (const ct of baseCountTypes) emit(ct, full[ct], s.coverage[ct].covered);
        for (const ct of Object.keys(inputsOf) as Array<keyof typeof inputsOf>) emit(ct, derived[ct], coveredBy(s.coverage, inputsOf[ct]));
        const pairs: ReadonlyArray<readonly [Check, SF.StepFunction, ReadonlyArray<BaseCountType>]> = [
          ['occupied_reserved<=committed', excessOver(full.occupied_reserved, full.committed), ['occupied_reserved', 'committed']],
          ['committed<=reservable', excessOver(full.committed, full.reservable), ['committed', 'reservable']],
          ['reservable<=total', excessOver(full.reservable, full.total), ['reservable', 'total']],
          ['available>=0', negativePart(derived.available), inputsOf.available],
          ['idle>=0', negativePart(derived.idle), inputsOf.idle],
          ['maintenance>=0', negativePart(derived.maintenance), inputsOf.maintenance],
        ];
        for (const [check, excess, inputs] of pairs) {
          for (const [a, b, max, hours] of spansWhere(excess, coveredBy(s.coverage, inputs), slack(vt))) {
            violations.push({ site: s.site, value_type: vt, group, check, start: T.toIso(a), end: T.toIso(b), max_excess: max, excess_hours: hours });
          }
        }
      }
      legacyRows(options, s, rows);
    }
    // by site, then instant (numerically: ISO text puts '.500Z' before 'Z'), then the other keys
    const keyed = rows.map((r) => [r.site, Date.parse(r.timestamp), rowKey(r), r] as const);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0)));
    return { rows: keyed.map((k) => k[3]), violations };
  };
