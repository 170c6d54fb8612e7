/**
 * The usage timeline: base counts -> derived counts -> rows of the plan's table, with coverage
 * and the stack invariants.
 *
 * Per (site, value type, group), the base step functions (total, reservable, committed, ops,
 * occupied_reserved, occupied_ondemand, stopped_reserved, stopped_ondemand; the zero function where
 * a group has none) give the derived ones on the union of their change points (reconstruction
 * rules, sections 1, 11 and 12):
 * - `occupied = occupied_reserved + occupied_ondemand`
 * - `available = reservable - committed - ops`
 * - `idle = committed - occupied_reserved`
 * - `maintenance = (total - reservable) + ops`, or `ops` on a site with an on-demand pool
 * - `stopped = stopped_reserved + stopped_ondemand` (the powered-off parts), `active = occupied -
 *   stopped`
 * - on a site with an on-demand pool only: `ondemand_capacity = total - reservable`,
 *   `available_ondemand = ondemand_capacity - occupied_ondemand`
 *
 * Rows exist only where a count type is covered (derived: where all inputs are). Without
 * resampling a series has a row at the start of each covered span (the value in force then) and
 * one at each change point inside it; with resampling one row per calendar bucket that meets a
 * covered span (see `Resample.resample`).
 *
 * Section 15: `unusable = reservable_unusable - committed_unusable - ops_unusable`, and
 * `available` loses it while `maintenance` gains it; the split types have no intervals outside
 * their coverage, so there `unusable` is 0 and available and maintenance are as above.
 *
 * Invariants checked at every change point where the inputs are covered:
 * `occupied_reserved <= committed <= reservable <= total`, `available, idle, maintenance >= 0`,
 * `active <= occupied`, `unusable >= 0`, `reservable_unusable <= reservable`, the stack identity
 * `available + committed + maintenance (+ ondemand_capacity) = total` and, on an on-demand pool
 * site, `available_ondemand >= 0`,
 * up to a slack of 1e-4 node for the micro-node rounding of fractional node counts.
 * Each violation is listed with its span, its largest excess and its excess value-hours; the
 * values are never clamped.
 *
 * Speed: the derived counts and the eight excesses of a group come from **one** merge pass over
 * the change points of its six base series (`stack`), not one pass per operation; rows are made
 * site by site already in output order (series ranked by their tie order, points stably sorted
 * by time), each timestamp's ISO text made once.
 *
 * @since 0.1.0
 * @module
 */
import * as O from 'fp-ts/Option';
import { baseCountTypes, derivedCountTypes, ondemandCountTypes, type BaseCountType, type CountType, type DerivedCountType } from './CountType';
import { intersect, type CountCoverage, type Span } from './Coverage';
import { keyString, type Counts, type GroupColumn, type SeriesKey } from './Counts';
import { sortIndex } from './Radix';
import * as S from './Scratch';
import type { LegacyDay } from './Legacy';
import type { ValueType } from './Quantities';
import { resample, resampleColumns, type Bucket, type Method } from './Resample';
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
  /**
   * Whether hosts outside Blazar's reservable pool serve on-demand instances here (section 12):
   * then `maintenance = ops` and `ondemand_capacity`, `available_ondemand` are written. Default
   * false.
   */
  readonly ondemandPool?: boolean;
}

/** @category model @since 0.1.0 */
export const checks = [
  'occupied_reserved<=committed',
  'committed<=reservable',
  'reservable<=total',
  'available>=0',
  'idle>=0',
  'maintenance>=0',
  'stopped<=occupied',
  'available_ondemand>=0',
  'unusable>=0',
  'reservable_unusable<=reservable',
  'stack=total',
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

/**
 * A step function under construction, canonical as it grows (a point only where the value
 * changes), in scratch slot `slot`, for at most `capacity` points; `done` copies it out. Its
 * columns start small and double as points come: the bound is the inputs' change points, but a
 * check's excess is 0 nearly everywhere and a derived count changes less often than its inputs,
 * so sizing every column for the bound held 20 x 2 columns of the largest group's change points
 * at once (454 MB of the 1.2 GB peak of the three real-size sites).
 */
class Steps {
  private times: Float64Array;
  private values: Float64Array;
  private n = 0;
  private last = 0;

  constructor(
    private readonly slot: string,
    private readonly capacity: number,
  ) {
    const c = Math.min(capacity, 1024);
    this.times = S.float64(`${slot}.times`, c);
    this.values = S.float64(`${slot}.values`, c);
  }

  put(t: number, v: number): void {
    if (v === this.last) return;
    if (this.n === this.times.length) this.grow();
    this.times[this.n] = t;
    this.values[this.n] = v;
    this.n++;
    this.last = v;
  }

  private grow(): void {
    const c = Math.min(this.capacity, this.times.length * 2);
    this.times = moved(this.times, S.float64(`${this.slot}.times`, c), this.n);
    this.values = moved(this.values, S.float64(`${this.slot}.values`, c), this.n);
  }

  done(): SF.StepFunction {
    return { times: this.times.slice(0, this.n), values: this.values.slice(0, this.n) };
  }
}

/** `to` with the first `n` values of `from` (none copied where the pool gave the same memory). */
const moved = (from: Float64Array, to: Float64Array, n: number): Float64Array => {
  if (to.buffer !== from.buffer || to.byteOffset !== from.byteOffset) to.set(from.subarray(0, n));
  return to;
};

/** The derived count types and, for each check, the amount by which it fails (0 where it holds). */
export interface Stack {
  readonly derived: Readonly<Record<DerivedCountType, SF.StepFunction>>;
  readonly excess: Readonly<Record<Check, SF.StepFunction>>;
}

/**
 * Everything computed from the base counts of one group, in one pass over the union of their
 * change points: the derived count types and the excess of each check (`max(0, x - y)` for
 * `x <= y`, `max(0, -x)` for `x >= 0`). Each result is canonical and equals what `zipWith` of the
 * same formula gives. `pool`: the site has an on-demand pool (section 12), so `maintenance` is
 * `ops` alone; `ondemand_capacity` and `available_ondemand` are computed either way (the caller
 * writes them only for such a site).
 *
 * @since 0.2.0
 */
export const stack = (b: Readonly<Record<BaseCountType, SF.StepFunction>>, pool = false): Stack => {
  const inputs = baseCountTypes.map((ct) => b[ct]);
  const k = inputs.length;
  const at = new Int32Array(k);
  const now = new Float64Array(k);
  let n = 0;
  for (const f of inputs) n += f.times.length;
  // at most one point per change point of the inputs
  const d = derivedCountTypes.map((c) => new Steps(`stack.${c}`, n));
  const [occupied, available, idle, maintenance, active, stopped, odCapacity, odAvailable, unusableS] = d;
  const ex = checks.map((c) => new Steps(`stack.${c}`, n));
  const [TOT, RES, COM, OPS, ORES, ODEM, SRES, SDEM, , RUN, , CUN, OUN] = baseCountTypes.map((_, i) => i);
  for (;;) {
    let t = Infinity;
    for (let i = 0; i < k; i++) if (at[i] < inputs[i].times.length && inputs[i].times[at[i]] < t) t = inputs[i].times[at[i]];
    if (t === Infinity) break;
    for (let i = 0; i < k; i++) {
      if (at[i] < inputs[i].times.length && inputs[i].times[at[i]] === t) now[i] = inputs[i].values[at[i]++];
    }
    const total = now[TOT];
    const reservable = now[RES];
    const committed = now[COM];
    const ops = now[OPS];
    const reserved = now[ORES];
    const occ = reserved + now[ODEM];
    const st = now[SRES] + now[SDEM];
    // section 15: free capacity on unusable hosts (0 where the host state is not covered: its
    // inputs have no intervals there) leaves available for maintenance
    const un = now[RUN] - now[CUN] - now[OUN];
    const av = reservable - committed - ops - un;
    const id = committed - reserved;
    const odCap = total - reservable;
    const odAv = odCap - now[ODEM];
    const mt = (pool ? ops : odCap + ops) + un;
    const act = occ - st;
    occupied.put(t, occ);
    available.put(t, av);
    idle.put(t, id);
    maintenance.put(t, mt);
    active.put(t, act);
    stopped.put(t, st);
    odCapacity.put(t, odCap);
    odAvailable.put(t, odAv);
    unusableS.put(t, un);
    // in the order of `checks`
    ex[0].put(t, Math.max(0, reserved - committed));
    ex[1].put(t, Math.max(0, committed - reservable));
    ex[2].put(t, Math.max(0, reservable - total));
    ex[3].put(t, Math.max(0, -av));
    ex[4].put(t, Math.max(0, -id));
    ex[5].put(t, Math.max(0, -mt));
    ex[6].put(t, Math.max(0, -act));
    ex[7].put(t, pool ? Math.max(0, -odAv) : 0);
    ex[8].put(t, Math.max(0, -un));
    ex[9].put(t, Math.max(0, now[RUN] - reservable));
    // the stack adds up to total: available + committed + maintenance (+ the on-demand capacity
    // on a pool site); an identity of the formulas above, checked so a formula change that
    // breaks it is seen
    ex[10].put(t, Math.abs(av + committed + mt + (pool ? odCap : 0) - total));
  }
  const excess = {} as Record<Check, SF.StepFunction>;
  checks.forEach((c, i) => {
    excess[c] = ex[i].done();
  });
  const derived = {} as Record<DerivedCountType, SF.StepFunction>;
  derivedCountTypes.forEach((c, i) => {
    derived[c] = d[i].done();
  });
  return { derived, excess };
};

/**
 * The derived count types from the base ones.
 *
 * @since 0.1.0
 */
export const derive = (b: Readonly<Record<BaseCountType, SF.StepFunction>>, pool = false): Readonly<Record<Exclude<CountType, BaseCountType>, SF.StepFunction>> =>
  stack(b, pool).derived;

/**
 * The base count types each derived count type is computed from.
 *
 * @since 0.1.0
 */
export const inputsOf: Readonly<Record<Exclude<CountType, BaseCountType>, ReadonlyArray<BaseCountType>>> = {
  occupied: ['occupied_reserved', 'occupied_ondemand'],
  available: ['reservable', 'committed', 'ops'],
  unusable: ['reservable_unusable', 'committed_unusable', 'ops_unusable'],
  idle: ['committed', 'occupied_reserved'],
  maintenance: ['total', 'reservable', 'ops'],
  active: ['occupied_reserved', 'occupied_ondemand', 'stopped_reserved', 'stopped_ondemand'],
  stopped: ['stopped_reserved', 'stopped_ondemand'],
  ondemand_capacity: ['total', 'reservable'],
  available_ondemand: ['total', 'reservable', 'occupied_ondemand'],
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

/** `points` as two columns, for the rows (no tuple per point). */
const pointColumns = (
  options: Pick<TimelineOptions, 'resample' | 'start' | 'end'>,
  covered: ReadonlyArray<Span>,
  f: SF.StepFunction,
): { readonly times: Float64Array; readonly values: Float64Array } => {
  if (O.isSome(options.resample)) return resampleColumns({ ...options.resample.value, start: options.start, end: options.end, covered })(f);
  const pts = points(options, covered)(f);
  return { times: Float64Array.from(pts, (p) => p[0]), values: Float64Array.from(pts, (p) => p[1]) };
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

const groupOf = (k: SeriesKey, groupBy: ReadonlyArray<GroupColumn>): Partial<Record<GroupColumn, string>> => {
  const g: Partial<Record<GroupColumn, string>> = {};
  for (const c of groupBy) g[c] = k.group[c] ?? 'unknown';
  return g;
};

/** The tie order of rows at one instant: collector, count type, value type, group columns. */
const tieKey = (collector: string, ct: string, vt: string, group: Partial<Record<GroupColumn, string>>): string =>
  [collector, ct, vt, group.node_type ?? '', group.hypervisor_hostname ?? ''].join('\u0000');

/** One series' rows to be: its points and what every row of it says besides time and value. */
interface RowSeries {
  readonly tie: string;
  readonly collector: 'new' | 'legacy';
  readonly countType: CountType;
  readonly valueType: ValueType;
  readonly group: Partial<Record<GroupColumn, string>>;
  readonly points: { readonly times: Float64Array; readonly values: Float64Array };
}

/** A row object with exactly the schema's keys (no spread: one object shape per grouping). */
const makeRow = (site: string, timestamp: string, s: RowSeries, value: number): UsageRow => {
  const base = { site, timestamp, collector_type: s.collector, count_type: s.countType, value_type: s.valueType, value };
  const g = s.group;
  if (g.node_type === undefined && g.hypervisor_hostname === undefined) return base as UsageRow;
  if (g.hypervisor_hostname === undefined) return { ...base, node_type: g.node_type } as UsageRow;
  if (g.node_type === undefined) return { ...base, hypervisor_hostname: g.hypervisor_hostname } as UsageRow;
  return { ...base, node_type: g.node_type, hypervisor_hostname: g.hypervisor_hostname } as UsageRow;
};

/** Rows of one site's series, sorted by instant then tie order; ISO text cached per instant. */
const siteRows = (site: string, series: ReadonlyArray<RowSeries>, iso: (t: number) => string, out: UsageRow[]): void => {
  const ranked = series.map((s, i) => [s.tie, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  let n = 0;
  for (const s of series) n += s.points.times.length;
  const times = S.float64('rows.times', n);
  const of = S.uint32('rows.of', n);
  const at = S.uint32('rows.at', n);
  let k = 0;
  for (const [, i] of ranked) {
    const pts = series[i].points.times;
    for (let j = 0; j < pts.length; j++) {
      times[k] = pts[j];
      of[k] = i;
      at[k++] = j;
    }
  }
  // stable by time over series appended in tie order: (time, tie) order
  const order = sortIndex(times);
  let lastT = NaN;
  let lastIso = '';
  for (let r = 0; r < n; r++) {
    const x = order[r];
    const t = times[x];
    if (t !== lastT) {
      lastT = t;
      lastIso = iso(t);
    }
    const s = series[of[x]];
    out.push(makeRow(site, lastIso, s, s.points.values[at[x]]));
  }
};

const legacyRows = (options: TimelineOptions, s: SiteCounts, out: RowSeries[]): void => {
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
    const points = { times: Float64Array.from(pts, (p) => p[0]), values: Float64Array.from(pts, (p) => p[1]) };
    out.push({ tie: tieKey('legacy', ct, 'nodes', group), collector: 'legacy', countType: ct, valueType: 'nodes', group, points });
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
    const isoCache = new Map<number, string>();
    const iso = (t: number): string => {
      let x = isoCache.get(t);
      if (x === undefined) {
        x = T.toIso(T.unsafeMillis(t));
        isoCache.set(t, x);
      }
      return x;
    };
    // violations in the sites' order, rows by site name
    const rowsOf: UsageRow[][] = [];
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
      const out: RowSeries[] = [];
      for (const gk of [...groups.keys()].sort()) {
        const { vt, key, base } = groups.get(gk) as { vt: ValueType; key: SeriesKey; base: Partial<Record<BaseCountType, SF.StepFunction>> };
        const full = Object.fromEntries(baseCountTypes.map((ct) => [ct, base[ct] ?? SF.empty])) as Record<BaseCountType, SF.StepFunction>;
        const pool = s.ondemandPool === true;
        const { derived, excess } = stack(full, pool);
        const group = groupOf(key, options.groupBy);
        const emit = (ct: CountType, f: SF.StepFunction, covered: ReadonlyArray<Span>) => {
          out.push({ tie: tieKey('new', ct, vt, group), collector: 'new', countType: ct, valueType: vt, group, points: pointColumns(options, covered, f) });
        };
        for (const ct of baseCountTypes) emit(ct, full[ct], s.coverage[ct].covered);
        for (const ct of derivedCountTypes) {
          if (pool || !(ondemandCountTypes as ReadonlyArray<string>).includes(ct)) emit(ct, derived[ct], coveredBy(s.coverage, inputsOf[ct]));
        }
        const inputs: Readonly<Record<Check, ReadonlyArray<BaseCountType>>> = {
          'occupied_reserved<=committed': ['occupied_reserved', 'committed'],
          'committed<=reservable': ['committed', 'reservable'],
          'reservable<=total': ['reservable', 'total'],
          'available>=0': inputsOf.available,
          'idle>=0': inputsOf.idle,
          'maintenance>=0': inputsOf.maintenance,
          'stopped<=occupied': inputsOf.active,
          'available_ondemand>=0': inputsOf.available_ondemand,
          'unusable>=0': inputsOf.unusable,
          'reservable_unusable<=reservable': ['reservable_unusable', 'reservable'],
          'stack=total': ['total', 'reservable', 'committed', 'ops'],
        };
        for (const check of checks) {
          if (check === 'available_ondemand>=0' && !pool) continue;
          for (const [a, b, max, hours] of spansWhere(excess[check], coveredBy(s.coverage, inputs[check]), slack(vt))) {
            violations.push({ site: s.site, value_type: vt, group, check, start: T.toIso(a), end: T.toIso(b), max_excess: max, excess_hours: hours });
          }
        }
      }
      legacyRows(options, s, out);
      const mine: UsageRow[] = [];
      siteRows(s.site, out, iso, mine);
      rowsOf.push(mine);
    }
    const bySite = sites.map((s, i) => [s.site, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    for (const [, i] of bySite) for (const r of rowsOf[i]) rows.push(r);
    return { rows, violations };
  };
