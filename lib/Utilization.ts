/**
 * Utilization per node type (reconstruction rules, section 13): per (site, node type, value
 * type) and calendar bucket (month for `utilization_monthly.csv`, day for the node-type figure),
 * hours-weighted means of reservable, committed, occupied and active, and the percentages
 *
 * - `committed_pct = committed / reservable`
 * - `occupied_pct = occupied_reserved / reservable`
 * - `active_pct = active / occupied`
 * - `ondemand_pct = occupied_ondemand / ondemand_capacity` (on an on-demand pool site only,
 *   `ondemand_capacity = total - reservable`)
 *
 * over covered hours only. A mean is the integral of its count type over the hours of the bucket
 * where it is covered, divided by those hours (`null` where it is covered nowhere in the bucket;
 * unknown is not zero). A percentage is the ratio of the two integrals over the hours where
 * both sides are covered, x100; `null` where the denominator's integral is 0 (or nothing is
 * covered). So a month half covered is the mean of its covered half, and a ratio never mixes
 * a numerator and a denominator of different hours.
 *
 * Node type `all` is the whole site (the sum over node types: integrals add up, and coverage
 * is per site, so the means of `all` are the sums of the node types' means). Rows by node type
 * exist when the counts are grouped by node type (hostname groups are summed into their node
 * type); otherwise only `all`.
 *
 * Pure, from the base step functions and their coverage (`Timeline.SiteCounts`); the cost is one
 * `integral` per (series, bucket, covered span), no allocation per change point.
 *
 * @since 0.3.0
 * @module
 */
import { stoppedOf, type BaseCountType } from './CountType';
import { intersect, type Span } from './Coverage';
import type { ValueType } from './Quantities';
import * as SF from './StepFunction';
import * as T from './Time';
import type { SiteCounts } from './Timeline';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One row of `utilization_monthly.csv`. Means in the value type's unit, percentages in %.
 *
 * @category model
 * @since 0.3.0
 */
export interface UtilizationRow {
  readonly site: string;
  /** `YYYY-MM` (monthly) or `YYYY-MM-DD` (daily), UTC. */
  readonly period: string;
  readonly node_type: string;
  readonly value_type: ValueType;
  readonly reservable: number | null;
  readonly committed: number | null;
  readonly occupied: number | null;
  readonly active: number | null;
  readonly committed_pct: number | null;
  readonly occupied_pct: number | null;
  readonly active_pct: number | null;
  /** Only on a site with an on-demand pool (absent elsewhere). */
  readonly ondemand_pct?: number | null;
}

/**
 * The columns of `utilization_monthly.csv`, in order (`month` is the row's `period`);
 * `ondemand_pct` last, when any site has an on-demand pool.
 *
 * @category model
 * @since 0.3.0
 */
export const utilizationColumns = (withOndemand: boolean): ReadonlyArray<string> => [
  'site',
  'month',
  'node_type',
  'value_type',
  'reservable',
  'committed',
  'occupied',
  'active',
  'committed_pct',
  'occupied_pct',
  'active_pct',
  ...(withOndemand ? ['ondemand_pct'] : []),
];

/** The calendar bucket of a utilization row: a UTC month or day. @category model @since 0.3.0 */
export type Bucket = 'month' | 'day';

/** The window, bucket and value types of a utilization fold. @category model @since 0.3.0 */
export interface UtilizationOptions {
  readonly start: T.Millis;
  readonly end: T.Millis;
  readonly bucket: Bucket;
  /** Value types to report (default: every value type the counts have). */
  readonly valueTypes?: ReadonlyArray<ValueType>;
}

/** The node type of the whole site. @since 0.3.0 */
export const ALL = 'all';

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const inputs = ['total', 'reservable', 'committed', 'occupied_reserved', 'occupied_ondemand', 'stopped_reserved', 'stopped_ondemand'] as const satisfies ReadonlyArray<BaseCountType>;
type Input = (typeof inputs)[number];

/**
 * The buckets from the one holding `start` to `end`: `[from, to, label]`, cut to the window.
 *
 * @example
 * buckets(jan1, mar1, 'month') // [[jan1, feb1, '2024-01'], [feb1, mar1, '2024-02']]
 * @since 0.3.0
 */
export const buckets = (start: T.Millis, end: T.Millis, bucket: Bucket): ReadonlyArray<readonly [T.Millis, T.Millis, string]> => {
  const out: Array<readonly [T.Millis, T.Millis, string]> = [];
  const d = new Date(start);
  let t = bucket === 'month' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) : Math.floor(start / T.DAY) * T.DAY;
  while (t < end) {
    const x = new Date(t);
    const next = bucket === 'month' ? Date.UTC(x.getUTCFullYear(), x.getUTCMonth() + 1, 1) : t + T.DAY;
    const iso = x.toISOString();
    out.push([T.unsafeMillis(Math.max(t, start)), T.unsafeMillis(Math.min(next, end)), bucket === 'month' ? iso.slice(0, 7) : iso.slice(0, 10)]);
    t = next;
  }
  return out;
};

/** A signed sum of inputs. */
type Quantity = ReadonlyArray<readonly [Input, 1 | -1]>;
const RESERVABLE: Quantity = [['reservable', 1]];
const COMMITTED: Quantity = [['committed', 1]];
const OCCUPIED_RESERVED: Quantity = [['occupied_reserved', 1]];
const OCCUPIED_ONDEMAND: Quantity = [['occupied_ondemand', 1]];
const OCCUPIED: Quantity = [
  ['occupied_reserved', 1],
  ['occupied_ondemand', 1],
];
// the powered-on parts: occupied minus its powered-off parts (section 11)
const ACTIVE: Quantity = [...OCCUPIED, [stoppedOf.occupied_reserved, -1], [stoppedOf.occupied_ondemand, -1]];
const ONDEMAND_CAPACITY: Quantity = [
  ['total', 1],
  ['reservable', -1],
];
const inputsOf = (q: Quantity): ReadonlyArray<Input> => q.map(([ct]) => ct);

const hoursOf = (spans: ReadonlyArray<Span>): number => spans.reduce((n, [s, e]) => n + (e - s) / T.HOUR, 0);

/** The integral of the summed series over spans. */
const integralOver = (fs: ReadonlyArray<SF.StepFunction>, spans: ReadonlyArray<Span>): number => {
  let sum = 0;
  for (const f of fs) for (const [s, e] of spans) sum += SF.integral(s, e)(f);
  return sum;
};

const pct = (num: number, den: number, hours: number): number | null => (hours > 0 && den !== 0 ? (100 * num) / den : null);

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

/**
 * The utilization rows of the given sites, sorted by site, value type, node type (`all` first)
 * and period.
 *
 * @example
 * utilization({ start, end, bucket: 'month' })([siteCounts]) // [{ site, period: '2024-01', node_type: 'all', ... }, ...]
 * @category folding
 * @since 0.3.0
 */
export const utilization =
  (options: UtilizationOptions) =>
  (sites: ReadonlyArray<SiteCounts>): ReadonlyArray<UtilizationRow> => {
    const out: UtilizationRow[] = [];
    const bs = buckets(options.start, options.end, options.bucket);
    for (const s of [...sites].sort((a, b) => (a.site < b.site ? -1 : a.site > b.site ? 1 : 0))) {
      // series by value type, node type and count type (hostname groups summed by keeping a list)
      const by = new Map<string, { vt: ValueType; nt: string; fs: Record<Input, SF.StepFunction[]> }>();
      const add = (vt: ValueType, nt: string, ct: Input, f: SF.StepFunction) => {
        const k = `${vt}\u0000${nt === ALL ? '' : nt}`;
        let g = by.get(k);
        if (g === undefined) {
          g = { vt, nt, fs: Object.fromEntries(inputs.map((c) => [c, [] as SF.StepFunction[]])) as unknown as Record<Input, SF.StepFunction[]> };
          by.set(k, g);
        }
        g.fs[ct].push(f);
      };
      for (const series of s.counts) {
        const { valueType, countType, group } = series.key;
        if (series.key.site !== s.site || !(inputs as ReadonlyArray<string>).includes(countType)) continue;
        if (options.valueTypes !== undefined && !options.valueTypes.includes(valueType)) continue;
        add(valueType, ALL, countType as Input, series.steps);
        if (group.node_type !== undefined) add(valueType, group.node_type, countType as Input, series.steps);
      }
      const pool = s.ondemandPool === true;
      const cov = (cts: ReadonlyArray<Input>, span: Span): ReadonlyArray<Span> => cts.reduce<ReadonlyArray<Span>>((acc, ct) => intersect(acc, s.coverage[ct].covered), [span]);
      for (const k of [...by.keys()].sort()) {
        const { vt, nt, fs } = by.get(k) as { vt: ValueType; nt: string; fs: Record<Input, SF.StepFunction[]> };
        for (const [from, to, label] of bs) {
          const span: Span = [from, to];
          // a quantity is a signed sum of inputs, e.g. active = occupied - stopped
          const integral = (q: Quantity, c: ReadonlyArray<Span>): number => q.reduce((n, [ct, sign]) => n + sign * integralOver(fs[ct], c), 0);
          const mean = (q: Quantity): number | null => {
            const c = cov(inputsOf(q), span);
            const h = hoursOf(c);
            return h > 0 ? integral(q, c) / h : null;
          };
          const ratio = (num: Quantity, den: Quantity): number | null => {
            const c = cov([...inputsOf(num), ...inputsOf(den)], span);
            return pct(integral(num, c), integral(den, c), hoursOf(c));
          };
          const row: UtilizationRow = {
            site: s.site,
            period: label,
            node_type: nt,
            value_type: vt,
            reservable: mean(RESERVABLE),
            committed: mean(COMMITTED),
            occupied: mean(OCCUPIED),
            active: mean(ACTIVE),
            committed_pct: ratio(COMMITTED, RESERVABLE),
            occupied_pct: ratio(OCCUPIED_RESERVED, RESERVABLE),
            active_pct: ratio(ACTIVE, OCCUPIED),
          };
          out.push(pool ? { ...row, ondemand_pct: ratio(OCCUPIED_ONDEMAND, ONDEMAND_CAPACITY) } : row);
        }
      }
    }
    return out;
  };
