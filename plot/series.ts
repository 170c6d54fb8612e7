/**
 * Step series for plotting: usage timeline rows -> step functions with "no data" stretches ->
 * the `{ x, y }` points Chart.js draws with `stepped: 'before'`.
 *
 * A {@link Steps} is a sorted list of breakpoints; from breakpoint `t` on the value is `v` until
 * the next breakpoint. `v = null` means unknown ("no data"), never zero; before the first
 * breakpoint the value is unknown too.
 *
 * A row's value holds until the next row of its series, or until it stops being known:
 * - collector `new`: the next coverage gap of its count type (the timeline has no rows inside a
 *   gap), else the end of the window;
 * - collector `legacy`: one day (legacy rows are daily means; a missing day is unknown).
 *
 * Pure; no Chart.js at run time.
 *
 * @since 0.1.0
 */
import { bisector } from 'd3-array';
import { isBaseCountType, type BaseCountType, type CountType } from '../lib/CountType';
import { inputsOf as derivedInputs } from '../lib/Timeline';
import { intersect, type CountCoverage, type Span } from '../lib/Coverage';
import * as T from '../lib/Time';
import type { UsageRow } from '../lib/UsageRow';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One breakpoint: from `t` (epoch ms) on the value is `v` (`null`: no data). @since 0.1.0 */
export interface Step {
  readonly t: number;
  readonly v: number | null;
}

/** Breakpoints sorted by strictly increasing `t`. @since 0.1.0 */
export type Steps = ReadonlyArray<Step>;

/** A drawable point (`y: null` breaks the line). @since 0.1.0 */
export interface Point {
  x: number;
  y: number | null;
}

/** `[start, end)` of a figure, epoch ms. @since 0.1.0 */
export type Window = readonly [number, number];

/** Coverage of one site per base count type, as `Report.coverage` holds it. @since 0.1.0 */
export type SiteCoverage = Readonly<Record<BaseCountType, CountCoverage>>;

// -------------------------------------------------------------------------------------
// coverage
// -------------------------------------------------------------------------------------

// The inputs of each count type: itself for a base one, lib/Timeline's list for a derived one.
const inputsOf = (ct: CountType): ReadonlyArray<BaseCountType> => (isBaseCountType(ct) ? [ct] : derivedInputs[ct]);

/**
 * Where all of `countTypes` are covered (a derived count type: where all its inputs are).
 *
 * @example
 * coveredOf(cov, ['available']) // cov.reservable ∩ cov.committed ∩ cov.ops
 * @since 0.1.0
 */
export const coveredOf = (cov: SiteCoverage, countTypes: ReadonlyArray<CountType>): ReadonlyArray<Span> => {
  const bases = [...new Set(countTypes.flatMap(inputsOf))];
  return bases.reduce<ReadonlyArray<Span>>((acc, ct) => intersect(acc, cov[ct].covered), cov[bases[0]].covered);
};

/**
 * The parts of `window` outside `covered` (sorted, disjoint spans).
 *
 * @example
 * uncovered([0, 10], [[2, 5]]) // [[0, 2], [5, 10]]
 * @since 0.1.0
 */
export const uncovered = (window: Window, covered: ReadonlyArray<Span>): ReadonlyArray<Window> => {
  const out: Array<Window> = [];
  let t = window[0];
  for (const [s, e] of covered) {
    if (e <= t) continue;
    if (s > t) out.push([t, Math.min(s, window[1])]);
    t = Math.max(t, e);
    if (t >= window[1]) break;
  }
  if (t < window[1]) out.push([t, window[1]]);
  return out.filter(([s, e]) => e > s);
};

/**
 * The union of sorted-or-not spans, merged where they overlap or touch.
 *
 * @since 0.1.0
 */
export const union = (spans: ReadonlyArray<Window>): ReadonlyArray<Window> => {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
};

/**
 * The window of a site's coverage: the covered spans and gaps together tile the report window.
 *
 * @since 0.1.0
 */
export const windowOfCoverage = (cov: SiteCoverage): Window | undefined => {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of Object.values(cov)) {
    for (const [s, e] of [...c.covered, ...c.gaps.map((g): Span => [g.start, g.end])]) {
      lo = Math.min(lo, s);
      hi = Math.max(hi, e);
    }
  }
  return lo < hi ? [lo, hi] : undefined;
};

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const millis = (iso: string): number => {
  const m = T.fromIso(iso);
  if (m._tag === 'None') throw new Error(`plot: not an ISO timestamp: ${iso}`); // rows were validated
  return m.value;
};

/**
 * Steps of one group's rows (any order), each value held until `holdEnd(t)` at the latest.
 *
 * @example
 * fromRows(rows, (t) => t + T.DAY) // legacy: a day each
 * @category constructors
 * @since 0.1.0
 */
export const fromRows = (rows: ReadonlyArray<UsageRow>, holdEnd: (t: number) => number): Steps => {
  const pts = rows.map((r) => ({ t: millis(r.timestamp), v: r.value })).sort((a, b) => a.t - b.t);
  const out: Step[] = [];
  for (let i = 0; i < pts.length; i++) {
    out.push(pts[i]);
    const end = holdEnd(pts[i].t);
    const next = i + 1 < pts.length ? pts[i + 1].t : Infinity;
    if (end < next && Number.isFinite(end)) out.push({ t: end, v: null });
  }
  return out;
};

/**
 * The hold rule of collector `new`: until the next gap start after `t`, else the window end.
 *
 * @since 0.1.0
 */
export const holdUntilGap =
  (window: Window, gaps: ReadonlyArray<Window>) =>
  (t: number): number => {
    for (const [s] of gaps) if (s > t) return Math.min(s, window[1]);
    return window[1];
  };

const bisectT = bisector((s: Step) => s.t).right;

/**
 * The value in force at `t` (`null` before the first breakpoint or where unknown).
 *
 * @since 0.1.0
 */
export const valueAt = (steps: Steps, t: number): number | null => {
  const i = bisectT(steps, t) - 1;
  return i < 0 ? null : steps[i].v;
};

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const grid = (all: ReadonlyArray<Steps>): ReadonlyArray<number> => [...new Set(all.flatMap((s) => s.map((p) => p.t)))].sort((a, b) => a - b);

/** Drops breakpoints that repeat the previous value. */
const compact = (steps: ReadonlyArray<Step>): Steps => {
  const out: Step[] = [];
  for (const s of steps) if (out.length === 0 || out[out.length - 1].v !== s.v) out.push(s);
  return out;
};

/**
 * Combines series pointwise on the union of their breakpoints.
 *
 * @since 0.1.0
 */
export const zipAll = (series: ReadonlyArray<Steps>, f: (vs: ReadonlyArray<number | null>) => number | null): Steps =>
  compact(grid(series).map((t) => ({ t, v: f(series.map((s) => valueAt(s, t))) })));

/**
 * The sum of the groups of one series: unknown only where every group is unknown (a group
 * without rows yet holds nothing).
 *
 * @since 0.1.0
 */
export const sumGroups = (series: ReadonlyArray<Steps>): Steps =>
  series.length === 1
    ? series[0]
    : zipAll(series, (vs) => (vs.every((v) => v === null) ? null : vs.reduce<number>((a, v) => a + (v ?? 0), 0)));

/**
 * `f` of known values; unknown where any input is.
 *
 * @since 0.1.0
 */
export const strict = (f: (vs: ReadonlyArray<number>) => number) => (vs: ReadonlyArray<number | null>): number | null =>
  vs.some((v) => v === null) ? null : f(vs as ReadonlyArray<number>);

/**
 * Cumulative sums of layers, bottom first: layer `i` is the sum of layers `0..i`. With
 * `unknown: 'all'` a stack is unknown where any layer is; with `'own'` an unknown layer is unknown
 * and counts as nothing for the layers above it.
 *
 * @example
 * stack([a, b], 'all') // [a, a + b]
 * @since 0.1.0
 */
export const stack = (layers: ReadonlyArray<Steps>, unknown: 'all' | 'own'): ReadonlyArray<Steps> => {
  const ts = grid(layers);
  const out: Step[][] = layers.map(() => []);
  for (const t of ts) {
    const vs = layers.map((l) => valueAt(l, t));
    const anyUnknown = vs.some((v) => v === null);
    let acc = 0;
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i];
      if (v !== null) acc += v;
      out[i].push({ t, v: v === null || (unknown === 'all' && anyUnknown) ? null : acc });
    }
  }
  return out.map(compact);
};

/**
 * The mean of each bucket over its known time (unknown when none of it is known), one breakpoint
 * per bucket start, not compacted (a repeated value stays a breakpoint). Buckets are `size` ms
 * long and start at `origin + k * size` (for ISO weeks: `size` 7 days, `origin` Monday
 * 1970-01-05); the first and last are clipped to the window.
 *
 * @example
 * bucketMeans([{ t: 0, v: 0 }, { t: 6 * T.HOUR, v: 4 }], [0, 2 * T.DAY], T.DAY, 0) // [{ t: 0, v: 3 }, { t: T.DAY, v: 4 }]
 * @since 0.1.0
 */
export const bucketMeans = (steps: Steps, window: Window, size: number, origin: number): Steps => {
  const out: Step[] = [];
  const first = origin + Math.floor((window[0] - origin) / size) * size;
  let i = bisectT(steps, first) - 1; // the breakpoint in force at `t`
  for (let d = first; d < window[1]; d += size) {
    const e = Math.min(d + size, window[1]);
    let sum = 0;
    let known = 0;
    let t = Math.max(d, window[0]);
    while (t < e) {
      while (i + 1 < steps.length && steps[i + 1].t <= t) i++;
      const next = i + 1 < steps.length ? Math.min(steps[i + 1].t, e) : e;
      const v = i >= 0 ? steps[i].v : null;
      if (v !== null) {
        sum += v * (next - t);
        known += next - t;
      }
      t = next;
    }
    out.push({ t: d, v: known > 0 ? sum / known : null });
  }
  return out;
};

/**
 * The mean of each UTC day over its known hours (unknown when no hour of the day is known), as
 * breakpoints at 00:00Z: the new collector's steps made comparable with legacy daily means.
 *
 * @example
 * dailyMeans([{ t: 0, v: 0 }, { t: 6 * T.HOUR, v: 4 }], [0, T.DAY]) // [{ t: 0, v: 3 }]
 * @since 0.1.0
 */
export const dailyMeans = (steps: Steps, window: Window): Steps => compact(bucketMeans(steps, window, T.DAY, 0));

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Points for a `stepped: 'before'` line over `window`: each value is drawn to the next breakpoint
 * (a known value before an unknown one gets an extra point so its last stretch is drawn), the last
 * one to the window end; unknown stretches are `y: null` so the line breaks.
 *
 * @example
 * toPoints([{ t: 0, v: 1 }, { t: 5, v: null }], [0, 10]) // [{x:0,y:1}, {x:5,y:1}, {x:5,y:null}]
 * @since 0.1.0
 */
export const toPoints = (steps: Steps, window: Window): Point[] => {
  const [ws, we] = window;
  const out: Point[] = [];
  const first = valueAt(steps, ws);
  if (first !== null) out.push({ x: ws, y: first });
  let prev = first;
  for (const s of steps) {
    if (s.t <= ws) continue;
    if (s.t >= we) break;
    if (s.v === null && prev !== null) out.push({ x: s.t, y: prev });
    out.push({ x: s.t, y: s.v });
    prev = s.v;
  }
  if (prev !== null) out.push({ x: we, y: prev });
  return out;
};

/**
 * The largest known value of some series (0 when none).
 *
 * @since 0.1.0
 */
export const maxOf = (series: ReadonlyArray<Steps>): number => {
  let m = 0;
  for (const s of series) for (const p of s) if (p.v !== null && p.v > m) m = p.v;
  return m;
};

/** Epoch ms of a row's timestamp. @since 0.1.0 */
export const rowMillis = millis;
