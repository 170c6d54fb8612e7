/**
 * Resampling: a step function -> one value per calendar bucket (`1h`, `1d`, `7d`, `1mo`, UTC).
 *
 * Buckets are aligned to the UTC calendar, never to the window: `1h` on the hour, `1d` at 00:00Z,
 * `7d` on ISO weeks (Monday 00:00Z), `1mo` on the first of each calendar month (28 to 31 days).
 * So every series of every site, count type and collector shares the same timestamps and joins
 * row by row (the legacy collector's rows are days at 00:00Z).
 *
 * Invariants:
 * - a row is labelled with its bucket's calendar start; it summarizes the bucket's *covered
 *   span* `[max(label, start, coverageStart), min(next label, end))`, which is never empty;
 * - no row for a bucket that ends at or before the window start or the coverage start
 *   (unknown is not zero), none for a bucket that starts at or after the window end;
 * - `mean` is the span's integral divided by the span's length in hours, so value-hours are
 *   conserved exactly: `sum(mean x span hours) == integral over [max(start, coverageStart), end)`;
 * - `point` is the value at the span's start, i.e. `valueAt(label)` for every bucket that is
 *   fully covered at its start, and the first known value for a bucket straddling the coverage
 *   start or the window start.
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/Either';
import { bisectRight } from 'd3-array';
import type { StepFunction } from './StepFunction';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The bucket sizes, in output order.
 *
 * @category model
 * @since 0.1.0
 */
export const buckets = ['1h', '1d', '7d', '1mo'] as const;

/** @category model @since 0.1.0 */
export type Bucket = (typeof buckets)[number];

/**
 * How a bucket's value is computed: time-weighted `mean`, or the `point` value at its start.
 *
 * @category model
 * @since 0.1.0
 */
export const methods = ['mean', 'point'] as const;

/** @category model @since 0.1.0 */
export type Method = (typeof methods)[number];

/** @category model @since 0.1.0 */
export interface ResampleOptions {
  readonly bucket: Bucket;
  readonly method: Method;
  /** Window start (inclusive). */
  readonly start: T.Millis;
  /** Window end (exclusive); the last bucket is cut here. */
  readonly end: T.Millis;
  /** First instant the series is known; nothing is reported before it. Default: `start`. */
  readonly coverageStart?: T.Millis;
}

/**
 * A bucket's calendar label and its covered span `[from, to)`.
 *
 * @category model
 * @since 0.1.0
 */
export type Span = readonly [label: T.Millis, from: T.Millis, to: T.Millis];

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A bucket from its name (`1h`, `1d`, `7d`, `1mo`).
 *
 * @example
 * assert.deepStrictEqual(parseBucket('1d'), E.right('1d'))
 * assert.ok(E.isLeft(parseBucket('1w')))
 * @category constructors
 * @since 0.1.0
 */
export const parseBucket = (s: string): E.Either<string, Bucket> =>
  (buckets as ReadonlyArray<string>).includes(s)
    ? E.right(s as Bucket)
    : E.left(`unknown bucket '${s}': expected one of ${buckets.join(', ')}`);

// -------------------------------------------------------------------------------------
// calendar
// -------------------------------------------------------------------------------------

const WEEK = 7 * T.DAY;
// 1970-01-01 was a Thursday: the first Monday 00:00Z after the epoch is 1970-01-05.
const MONDAY = 4 * T.DAY;

/**
 * The start of the bucket containing `t` (UTC calendar).
 *
 * @example
 * const at = (iso: string) => unsafeMillis(Date.parse(iso))
 * assert.strictEqual(toIso(floor('7d')(at('2024-01-03T12:00:00Z'))), '2024-01-01T00:00:00Z') // a Monday
 * @since 0.1.0
 */
export const floor =
  (bucket: Bucket) =>
  (t: T.Millis): T.Millis => {
    switch (bucket) {
      case '1h':
        return T.unsafeMillis(Math.floor(t / T.HOUR) * T.HOUR);
      case '1d':
        return T.unsafeMillis(Math.floor(t / T.DAY) * T.DAY);
      case '7d':
        return T.unsafeMillis(Math.floor((t - MONDAY) / WEEK) * WEEK + MONDAY);
      case '1mo': {
        const d = new Date(t);
        return T.unsafeMillis(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
      }
    }
  };

/**
 * The start of the bucket after the one starting at `label` (`label` must be a bucket start).
 *
 * @since 0.1.0
 */
export const next =
  (bucket: Bucket) =>
  (label: T.Millis): T.Millis => {
    switch (bucket) {
      case '1h':
        return T.unsafeMillis(label + T.HOUR);
      case '1d':
        return T.unsafeMillis(label + T.DAY);
      case '7d':
        return T.unsafeMillis(label + WEEK);
      case '1mo': {
        const d = new Date(label);
        return T.unsafeMillis(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
      }
    }
  };

/**
 * The buckets meeting `[start, end)`, each with its label and its part inside the window.
 * Empty when `end <= start`.
 *
 * @example
 * const at = (iso: string) => unsafeMillis(Date.parse(iso))
 * bucketSpans('1d', at('2024-01-01T12:00:00Z'), at('2024-01-03T06:00:00Z'))
 * // [[Jan 1, Jan 1 12:00, Jan 2], [Jan 2, Jan 2, Jan 3], [Jan 3, Jan 3, Jan 3 06:00]]
 * @since 0.1.0
 */
export const bucketSpans = (bucket: Bucket, start: T.Millis, end: T.Millis): ReadonlyArray<Span> => {
  const out: Array<Span> = [];
  const step = next(bucket);
  for (let label = floor(bucket)(start); label < end && start < end; ) {
    const after = step(label);
    out.push([label, label < start ? start : label, after < end ? after : end]);
    label = after;
  }
  return out;
};

/**
 * The calendar labels of the buckets meeting `[start, end)` (the first may precede `start`).
 *
 * @example
 * const at = (iso: string) => unsafeMillis(Date.parse(iso))
 * bucketStarts('1mo', at('2024-01-15T00:00:00Z'), at('2024-03-01T00:00:00Z')) // [Jan 1, Feb 1]
 * @since 0.1.0
 */
export const bucketStarts = (bucket: Bucket, start: T.Millis, end: T.Millis): ReadonlyArray<T.Millis> =>
  bucketSpans(bucket, start, end).map(([label]) => label);

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

/**
 * One `[label, value]` row per bucket that meets the covered part of the window. The covered
 * part is `options.covered` when given (sorted, disjoint spans inside the window: coverage with
 * known gaps cut out), else `[max(start, coverageStart), end)`. A bucket's value describes only
 * its covered part: `mean` is that part's integral over its length, `point` the value at its
 * first covered instant; a bucket with no covered part has no row. One merge pass over buckets,
 * spans and change points: O(buckets + spans + change points).
 *
 * @example
 * // 2 nodes all of Jan 1, 4 nodes from Jan 2 12:00
 * resample({ bucket: '1d', method: 'mean', start: jan1, end: jan3 })(f) // [[jan1, 2], [jan2, 3]]
 * @category folding
 * @since 0.1.0
 */
export const resample =
  (options: ResampleOptions & { readonly covered?: ReadonlyArray<readonly [T.Millis, T.Millis]> }) =>
  (steps: StepFunction): ReadonlyArray<readonly [T.Millis, number]> => {
    const { times, values } = resampleColumns(options)(steps);
    const out: Array<readonly [T.Millis, number]> = new Array<readonly [T.Millis, number]>(times.length);
    for (let k = 0; k < times.length; k++) out[k] = [T.unsafeMillis(times[k]), values[k]];
    return out;
  };

/**
 * `resample` as two columns (labels and values), without a tuple per bucket.
 *
 * @category folding
 * @since 0.2.0
 */
export const resampleColumns =
  (options: ResampleOptions & { readonly covered?: ReadonlyArray<readonly [T.Millis, T.Millis]> }) =>
  (steps: StepFunction): { readonly times: Float64Array; readonly values: Float64Array } => {
    const { bucket, method, end } = options;
    const from = options.coverageStart !== undefined && options.coverageStart > options.start ? options.coverageStart : options.start;
    const covered = options.covered ?? (from < end ? [[from, end] as const] : []);
    const outT: number[] = [];
    const outV: number[] = [];
    if (covered.length === 0) return { times: new Float64Array(0), values: new Float64Array(0) };
    const step = next(bucket);
    const { times, values } = steps;
    const n = times.length;
    const last = covered[covered.length - 1][1];
    // i: the step in force at the cursor (-1: before the first change point, value 0).
    let i = bisectRight(times, covered[0][0]) - 1;
    let j = 0;
    // Buckets are walked in place (no span array, no object per bucket).
    for (let label = floor(bucket)(covered[0][0]); label < last; ) {
      const after = step(label);
      while (j < covered.length && covered[j][1] <= label) j++;
      let acc = 0;
      let len = 0;
      let first = NaN;
      for (let k = j; k < covered.length && covered[k][0] < after; k++) {
        const s = covered[k][0] > label ? covered[k][0] : label;
        const e = covered[k][1] < after ? covered[k][1] : after;
        if (e <= s) continue;
        while (i + 1 < n && times[i + 1] <= s) i++;
        if (Number.isNaN(first)) first = i < 0 ? 0 : values[i];
        len += e - s;
        if (method === 'mean') {
          let t: number = s;
          while (t < e) {
            const change = i + 1 < n ? times[i + 1] : Infinity;
            const stop = change < e ? change : e;
            if (i >= 0) acc += values[i] * (stop - t);
            t = stop;
            if (stop === change) i++;
          }
        }
      }
      if (len > 0) {
        outT.push(label);
        outV.push(method === 'point' ? first : acc / len);
      }
      label = after;
    }
    return { times: Float64Array.from(outT), values: Float64Array.from(outV) };
  };
