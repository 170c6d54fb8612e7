/**
 * The sweep: intervals -> counts, one step function per series key.
 *
 * For each series, every interval contributes `+q` at its start and `-q` at its end (none for an
 * open interval); deltas are sorted by time and summed as integers at the value type's resolution
 * (`Quantities.scale`: micro-nodes for nodes, whole units otherwise), so sums are exact and a
 * closed stream returns to exactly 0. One change point is emitted per instant where the running
 * sum changes, after all deltas of that instant.
 *
 * On columns (`sweepTable`, one site): a group and a series number per labels entry and count
 * type, the deltas of a value type in three typed arrays, one radix sort by time and a stable
 * counting sort by series, then one pass. `sweep` runs the same on objects.
 *
 * Laws (tested): the value at each change point equals the naive count of the intervals
 * containing it; the integral equals the sum of interval lengths x quantities; counts of valid
 * streams are never negative.
 *
 * @since 0.1.0
 * @module
 */
import { baseCountTypes } from './CountType';
import { fromSeries, type Counts, type GroupColumn, type Series, type SeriesKey } from './Counts';
import type { Interval } from './Interval';
import * as IT from './IntervalTable';
import { scale, toUnits, valueTypes as allValueTypes, type ValueType } from './Quantities';
import { NumberIds } from './NumberIds';
import { groupIndex, sortIndex, sortWordsInScratch } from './Radix';
import * as S from './Scratch';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export interface SweepOptions {
  /** Group columns beyond site, count type and value type. Default none. */
  readonly groupBy?: ReadonlyArray<GroupColumn>;
  /** Value types to count. Default all five. */
  readonly valueTypes?: ReadonlyArray<ValueType>;
}

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

/** The step function of series `s` from its deltas `order[from..to)`, sorted by time. */
const steps = (time: Float64Array, delta: Float64Array, order: Uint32Array, from: number, to: number, unit: number): Series['steps'] => {
  const times = new Float64Array(to - from);
  const values = new Float64Array(to - from);
  let n = 0;
  let sum = 0;
  let last = 0;
  for (let k = from; k < to; ) {
    const t = time[order[k]];
    while (k < to && time[order[k]] === t) sum += delta[order[k++]];
    if (sum !== last) {
      times[n] = t;
      values[n] = sum / unit;
      n++;
      last = sum;
    }
  }
  return { times: times.slice(0, n), values: values.slice(0, n) };
};

/**
 * The step functions of every series, from the intervals' deltas in integer units, with one
 * radix sort of `series x 2^b + instant` keys (two 32-bit words) carrying the deltas along,
 * read back sequentially; `undefined` when the keys do not fit 48 bits (fractional instants,
 * spans of centuries: the caller sorts by permutation instead). Instants that are all whole
 * seconds are keyed in seconds.
 */
const stepsBySeries = (
  t: IT.IntervalTable,
  sid: Uint32Array,
  units: Float64Array,
  nSeries: number,
  n: number,
  unit: number,
): Array<Series['steps'] | undefined> | undefined => {
  const { quantity } = t.dict.runs;
  let min = Infinity;
  let max = -Infinity;
  let seconds = true;
  for (let i = 0; i < t.length; i++) {
    if (units[quantity[t.run[i]]] === 0) continue;
    const s = t.start[i];
    const e = t.end[i];
    if (s !== Math.floor(s) || (e !== Infinity && e !== Math.floor(e))) return undefined;
    if (s < min) min = s;
    if (s > max) max = s;
    if (e !== Infinity && e > max) max = e;
    if (s % 1000 !== 0 || (e !== Infinity && e % 1000 !== 0)) seconds = false;
  }
  const out: Array<Series['steps'] | undefined> = new Array<Series['steps'] | undefined>(nSeries).fill(undefined);
  if (n === 0) return out;
  const step = seconds ? 1000 : 1;
  const tb = Math.max(1, Math.ceil(Math.log2((max - min) / step + 1)));
  const sb = Math.max(1, Math.ceil(Math.log2(nSeries)));
  if (tb + sb > 48) return undefined;
  const shift = 2 ** tb;
  // the keys as two words, written straight from the intervals (scratch: read before returning)
  const lo = S.uint32('sweep.lo', n);
  const hi = S.uint32('sweep.hi', n);
  const pay = S.float64('sweep.pay', n);
  let k = 0;
  const put = (key: number, d: number): void => {
    const l = key % 4294967296;
    lo[k] = l;
    hi[k] = (key - l) / 4294967296;
    pay[k++] = d;
  };
  for (let i = 0; i < t.length; i++) {
    const q = units[quantity[t.run[i]]];
    if (q === 0) continue;
    const base = sid[i] * shift;
    put(base + (t.start[i] - min) / step, q);
    if (t.end[i] !== Infinity) put(base + (t.end[i] - min) / step, -q);
  }
  const sorted = sortWordsInScratch(lo, hi, pay, tb + sb);
  const L = sorted.lo;
  const H = sorted.hi;
  const d = sorted.payload;
  const keyAt = (j: number): number => H[j] * 4294967296 + L[j];
  for (let from = 0; from < n; ) {
    const s = Math.floor(keyAt(from) / shift);
    const end = (s + 1) * shift;
    let to = from;
    while (to < n && keyAt(to) < end) to++;
    // built in scratch, copied out at its final length
    const times = S.float64('sweep.times', to - from);
    const values = S.float64('sweep.values', to - from);
    let m = 0;
    let sum = 0;
    let last = 0;
    for (let j = from; j < to; ) {
      const key = keyAt(j);
      while (j < to && keyAt(j) === key) sum += d[j++];
      if (sum !== last) {
        times[m] = (key - s * shift) * step + min;
        values[m] = sum / unit;
        m++;
        last = sum;
      }
    }
    out[s] = { times: times.slice(0, m), values: values.slice(0, m) };
    from = to;
  }
  return out;
};

/**
 * Counts one site's intervals per (count type, value type, group columns).
 *
 * @example
 * sweepTable({ valueTypes: ['nodes'] })(clamped.intervals)
 * @category folding
 * @since 0.2.0
 */
export const sweepTable =
  (options: SweepOptions = {}) =>
  (t: IT.IntervalTable): Counts => {
    const groupBy = options.groupBy ?? [];
    const vts = options.valueTypes ?? allValueTypes;
    const { dict } = t;
    const { runs, strings } = dict;
    // group number per distinct (node type, hostname) ids of the grouped columns; series number
    // per (group, count type)
    const byNode = groupBy.includes('node_type');
    const byHost = groupBy.includes('hypervisor_hostname');
    const groupIds = new NumberIds();
    const groups: Array<Partial<Record<GroupColumn, string>>> = [];
    const seriesIds: number[] = [];
    const series: Array<{ ct: number; group: number }> = [];
    const sid = S.uint32('sweep.sid', t.length);
    const nTypes = baseCountTypes.length;
    for (let i = 0; i < t.length; i++) {
      const r = t.run[i];
      let g = 0;
      if (byNode || byHost) {
        const n = byNode ? runs.nodeType[r] : 0;
        const h = byHost ? runs.hostname[r] : 0;
        g = groupIds.intern(n * 67108864 + h);
        if (g === groups.length) {
          const group: Partial<Record<GroupColumn, string>> = {};
          for (const c of groupBy) group[c] = c === 'node_type' ? strings[n] : strings[h];
          groups.push(group);
        }
      } else if (groups.length === 0) groups.push({});
      const ct = dict.entityCountType[t.entity[i]];
      const key = g * nTypes + ct;
      let s = seriesIds[key];
      if (s === undefined) {
        s = series.length;
        series.push({ ct, group: g });
        seriesIds[key] = s;
      }
      sid[i] = s;
    }
    const out: Series[] = [];
    for (const vt of vts) {
      const units = new Float64Array(runs.quantities.length);
      for (let q = 0; q < units.length; q++) units[q] = toUnits(vt, runs.quantities[q][vt]);
      const { quantity } = runs;
      let n = 0;
      for (let i = 0; i < t.length; i++) if (units[quantity[t.run[i]]] !== 0) n += t.end[i] === Infinity ? 1 : 2;
      const key = (s: number): SeriesKey => ({ site: dict.site, countType: baseCountTypes[series[s].ct], valueType: vt, group: groups[series[s].group] });
      const sorted = stepsBySeries(t, sid, units, series.length, n, scale[vt]);
      if (sorted !== undefined) {
        for (let s = 0; s < series.length; s++) out.push({ key: key(s), steps: sorted[s] ?? { times: new Float64Array(0), values: new Float64Array(0) } });
        continue;
      }
      const time = new Float64Array(n);
      const delta = new Float64Array(n);
      const of = new Uint32Array(n);
      let k = 0;
      for (let i = 0; i < t.length; i++) {
        const q = units[quantity[t.run[i]]];
        if (q === 0) continue;
        time[k] = t.start[i];
        delta[k] = q;
        of[k++] = sid[i];
        if (t.end[i] !== Infinity) {
          time[k] = t.end[i];
          delta[k] = -q;
          of[k++] = sid[i];
        }
      }
      // by time, then stably by series: each series' deltas in time order
      const order = groupIndex(of, series.length, sortIndex(time));
      let from = 0;
      for (let s = 0; s < series.length; s++) {
        let to = from;
        while (to < n && of[order[to]] === s) to++;
        out.push({ key: key(s), steps: steps(time, delta, order, from, to, scale[vt]) });
        from = to;
      }
    }
    return fromSeries(out);
  };

/**
 * Counts the intervals per (site, count type, value type, group columns).
 *
 * @example
 * sweep({ groupBy: ['node_type'], valueTypes: ['nodes'] })(intervals)
 * @category folding
 * @since 0.1.0
 */
export const sweep =
  (options: SweepOptions = {}) =>
  (intervals: ReadonlyArray<Interval>): Counts => {
    const out: Series[] = [];
    for (const table of IT.fromIntervals(intervals)) for (const s of sweepTable(options)(table)) out.push(s);
    return fromSeries(out);
  };
