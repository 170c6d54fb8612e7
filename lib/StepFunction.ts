/**
 * Step functions: a count over time, as change points.
 *
 * `values[i]` holds on `[times[i], times[i + 1])`; the last value holds forever; before `times[0]`
 * the function is 0. The canonical form (which every constructor here returns) has strictly
 * increasing times, no two consecutive equal values, and a non-zero first value, so two step
 * functions are equal exactly when their arrays are equal.
 *
 * The typed arrays are shared, never copied: treat them as read-only.
 *
 * Step functions form a monoid under pointwise addition (`empty` is the zero function), so
 * counts of partitions (sites, groups, sources) merge with `concatAll`.
 *
 * @since 0.1.0
 * @module
 */
import { bisectRight } from 'd3-array';
import type { Monoid as MonoidT } from 'fp-ts/Monoid';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export interface StepFunction {
  readonly times: Float64Array;
  readonly values: Float64Array;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The zero function. @category constructors @since 0.1.0 */
export const empty: StepFunction = { times: new Float64Array(0), values: new Float64Array(0) };

/**
 * Canonical step function from change points in any order; at a repeated time the last point
 * given wins.
 *
 * @example
 * fromPoints([[0, 1], [10, 1], [20, 0]]) // times [0, 20], values [1, 0]
 * @category constructors
 * @since 0.1.0
 */
export const fromPoints = (points: ReadonlyArray<readonly [number, number]>): StepFunction => {
  const idx = points.map((_, i) => i).sort((a, b) => points[a][0] - points[b][0] || a - b);
  const times: number[] = [];
  const values: number[] = [];
  for (const i of idx) {
    const [t, v] = points[i];
    if (times.length > 0 && times[times.length - 1] === t) {
      times.pop();
      values.pop();
    }
    const prev = values.length > 0 ? values[values.length - 1] : 0;
    if (v !== prev) {
      times.push(t);
      values.push(v);
    }
  }
  return { times: Float64Array.from(times), values: Float64Array.from(values) };
};

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The value at instant `t` (the step whose half-open span contains `t`).
 *
 * @example
 * valueAt(unsafeMillis(20))(fromPoints([[0, 1], [20, 3]])) === 3
 * @since 0.1.0
 */
export const valueAt =
  (t: T.Millis) =>
  (f: StepFunction): number => {
    const i = bisectRight(f.times, t) - 1;
    return i < 0 ? 0 : f.values[i];
  };

/**
 * The integral over `[a, b)` in value-hours (e.g. node-hours). 0 when `b <= a`.
 *
 * @example
 * integral(unsafeMillis(0), unsafeMillis(2 * HOUR))(fromPoints([[0, 3]])) === 6
 * @since 0.1.0
 */
export const integral =
  (a: T.Millis, b: T.Millis) =>
  (f: StepFunction): number => {
    if (b <= a) return 0;
    const n = f.times.length;
    let i = Math.max(0, bisectRight(f.times, a) - 1);
    let sum = 0;
    for (; i < n && f.times[i] < b; i++) {
      const s = Math.max(a, f.times[i]);
      const e = i + 1 < n ? Math.min(b, f.times[i + 1]) : b;
      if (e > s) sum += f.values[i] * (e - s);
    }
    return sum / T.HOUR;
  };

/**
 * The change points as `[time, value]` pairs.
 *
 * @since 0.1.0
 */
export const toPoints = (f: StepFunction): ReadonlyArray<readonly [T.Millis, number]> => {
  const out: Array<readonly [T.Millis, number]> = [];
  for (let i = 0; i < f.times.length; i++) out.push([T.unsafeMillis(f.times[i]), f.values[i]]);
  return out;
};

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Combines two step functions pointwise on the union of their change points.
 *
 * @example
 * zipWith((x, y) => x - y)(reservable, committed) // available
 * @category combinators
 * @since 0.1.0
 */
export const zipWith =
  (f: (x: number, y: number) => number) =>
  (a: StepFunction, b: StepFunction): StepFunction => {
    const times: number[] = [];
    const values: number[] = [];
    let i = 0;
    let j = 0;
    let va = 0;
    let vb = 0;
    // Before the first change point both inputs are 0 and so is the result: an `f` with
    // f(0, 0) !== 0 is only meaningful after a point where both inputs are given.
    let prev = 0;
    while (i < a.times.length || j < b.times.length) {
      const ta = i < a.times.length ? a.times[i] : Infinity;
      const tb = j < b.times.length ? b.times[j] : Infinity;
      const t = Math.min(ta, tb);
      if (ta === t) va = a.values[i++];
      if (tb === t) vb = b.values[j++];
      const v = f(va, vb);
      if (v !== prev) {
        times.push(t);
        values.push(v);
        prev = v;
      }
    }
    return { times: Float64Array.from(times), values: Float64Array.from(values) };
  };

/**
 * Every value mapped through `f` (canonical form kept).
 *
 * @category combinators
 * @since 0.1.0
 */
export const map =
  (f: (x: number) => number) =>
  (a: StepFunction): StepFunction =>
    zipWith((x) => f(x))(a, empty);

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * Pointwise sum; `empty` is the zero function.
 *
 * @category instances
 * @since 0.1.0
 */
export const Monoid: MonoidT<StepFunction> = {
  concat: zipWith((x, y) => x + y),
  empty,
};

/**
 * Structural equality (exact for canonical step functions).
 *
 * @category instances
 * @since 0.1.0
 */
export const equals = (a: StepFunction, b: StepFunction): boolean =>
  a.times.length === b.times.length &&
  a.times.every((t, i) => t === b.times[i]) &&
  a.values.every((v, i) => Object.is(v, b.values[i]) || v === b.values[i]);
