/**
 * The sweep: intervals -> counts, one step function per series key.
 *
 * For each series, every interval contributes `+q` at its start and `-q` at its end (none for an
 * open interval); deltas are sorted by time and summed as integers at the value type's resolution
 * (`Quantities.scale`: micro-nodes for nodes, whole units otherwise), so sums are exact and a
 * closed stream returns to exactly 0. One change point is emitted per instant where the running
 * sum changes, after all deltas of that instant.
 *
 * Laws (tested): the value at each change point equals the naive count of the intervals
 * containing it; the integral equals the sum of interval lengths x quantities; counts of valid
 * streams are never negative.
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/Option';
import { fromSeries, type Counts, type GroupColumn, type Series, type SeriesKey, keyString } from './Counts';
import type { Interval } from './Interval';
import { scale, toUnits, valueTypes as allValueTypes, type ValueType } from './Quantities';

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

interface Acc {
  readonly key: SeriesKey;
  readonly times: number[];
  readonly deltas: number[];
}

const build = (acc: Acc): Series => {
  const n = acc.times.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => acc.times[a] - acc.times[b]);
  const unit = scale[acc.key.valueType];
  const times: number[] = [];
  const values: number[] = [];
  let sum = 0;
  let last = 0;
  for (let k = 0; k < n; ) {
    const t = acc.times[order[k]];
    while (k < n && acc.times[order[k]] === t) sum += acc.deltas[order[k++]];
    if (sum !== last) {
      times.push(t);
      values.push(sum / unit);
      last = sum;
    }
  }
  return { key: acc.key, steps: { times: Float64Array.from(times), values: Float64Array.from(values) } };
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
    const groupBy = options.groupBy ?? [];
    const vts = options.valueTypes ?? allValueTypes;
    const accs = new Map<string, Acc>();
    // the accumulators of one (site, count type, group) per value type, found through nested maps
    // so that no key object or key string is made per interval
    const cache = new Map<string, Map<string, Map<string, Acc[]>>>();
    const accsOf = (iv: Interval): Acc[] => {
      let byType = cache.get(iv.attributes.site);
      if (byType === undefined) {
        byType = new Map();
        cache.set(iv.attributes.site, byType);
      }
      let byGroup = byType.get(iv.countType);
      if (byGroup === undefined) {
        byGroup = new Map();
        byType.set(iv.countType, byGroup);
      }
      const gk = groupBy.length === 0 ? '' : groupBy.map((g) => iv.attributes[g]).join('\u0000');
      let list = byGroup.get(gk);
      if (list === undefined) {
        const group: Partial<Record<GroupColumn, string>> = {};
        for (const g of groupBy) group[g] = iv.attributes[g];
        list = vts.map((vt) => {
          const key: SeriesKey = { site: iv.attributes.site, countType: iv.countType, valueType: vt, group };
          const ks = keyString(key);
          let acc = accs.get(ks);
          if (acc === undefined) {
            acc = { key, times: [], deltas: [] };
            accs.set(ks, acc);
          }
          return acc;
        });
        byGroup.set(gk, list);
      }
      return list;
    };
    for (const iv of intervals) {
      const list = accsOf(iv);
      for (let v = 0; v < vts.length; v++) {
        const vt = vts[v];
        const acc = list[v];
        const q = toUnits(vt, iv.quantities[vt]);
        if (q === 0) continue;
        acc.times.push(iv.start);
        acc.deltas.push(q);
        if (O.isSome(iv.end)) {
          acc.times.push(iv.end.value);
          acc.deltas.push(-q);
        }
      }
    }
    return fromSeries([...accs.values()].map(build));
  };
