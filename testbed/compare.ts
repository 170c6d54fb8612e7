/**
 * Ground-truth recovery: the reconstructed daily usage timeline against the generator's truth,
 * per site, count type and month, in node-hours.
 *
 * - Only days where the reconstruction has a row are compared (no row = not covered: a known gap
 *   or before a coverage start, reported separately as `uncovered_days`, never as an error);
 * - days where a coverage starts after 00:00 are `partial_days`: the reconstruction's daily mean
 *   is over the covered hours only, the truth's over the whole day, so they are not compared;
 * - a day "differs" when the daily means differ by more than `tolerance` nodes (default 1e-6,
 *   the sweep's resolution);
 * - `error` is `|recon - truth| / truth` over the month's compared days (0 when both are 0).
 *
 * @since 0.1.0
 */
import { derivedHours, truthTypes, truthTypesOf, type DailyHours, type TruthType } from './truth';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A reconstructed daily row (ungrouped, value type nodes, collector `new`). @category model @since 0.1.0 */
export interface DailyValue {
  readonly timestamp: string;
  readonly count_type: string;
  readonly value: number;
}

/** @category model @since 0.1.0 */
export interface MonthError {
  readonly site: string;
  readonly month: string;
  readonly count_type: TruthType;
  readonly days: number;
  readonly uncovered_days: number;
  /** Days where a coverage starts after 00:00: the reconstruction describes only part of them. */
  readonly partial_days: number;
  readonly differing_days: number;
  readonly truth_node_hours: number;
  readonly recon_node_hours: number;
  readonly error: number;
}

const DAY = 86_400_000;

// -------------------------------------------------------------------------------------
// comparing
// -------------------------------------------------------------------------------------

/**
 * Compares one site's reconstructed daily means with its true daily node-hours.
 *
 * @example
 * compareSite({ site: 'chi_uc', start, end, truth: dailyHours(...), recon: rows }).filter((m) => m.error > 0.005)
 * @since 0.1.0
 */
export const compareSite = (o: {
  readonly site: string;
  readonly start: number;
  readonly end: number;
  readonly truth: DailyHours;
  readonly recon: ReadonlyArray<DailyValue>;
  readonly tolerance?: number;
  /** Coverage starts (ms) of the site's count types: a day holding one after 00:00 is partial. */
  readonly coverageStarts?: ReadonlyArray<number>;
  /** The site has an on-demand pool (section 12): its two count types are compared, maintenance is ops. */
  readonly pool?: boolean;
  /** The count types to compare (default: the site's, `truthTypesOf(pool)`; the edge site's are fewer). @since 0.4.0 */
  readonly types?: ReadonlyArray<TruthType>;
}): ReadonlyArray<MonthError> => {
  const pool = o.pool === true;
  const types = o.types ?? truthTypesOf(pool);
  const partial = new Set<number>();
  for (const t of o.coverageStarts ?? []) if ((t - o.start) % DAY !== 0) partial.add(Math.floor((t - o.start) / DAY));
  const tol = o.tolerance ?? 1e-6;
  const days = Math.ceil((o.end - o.start) / DAY);
  const recon = new Map<string, Float64Array>();
  for (const ct of types) recon.set(ct, new Float64Array(days).fill(NaN));
  for (const r of o.recon) {
    const arr = recon.get(r.count_type);
    if (arr === undefined) continue;
    const d = Math.round((Date.parse(r.timestamp) - o.start) / DAY);
    if (d >= 0 && d < days) arr[d] = r.value;
  }
  const out: MonthError[] = [];
  const acc = new Map<string, { days: number; uncovered: number; partial: number; differing: number; truth: number; recon: number }>();
  for (const ct of types) {
    const arr = recon.get(ct) as Float64Array;
    for (let d = 0; d < days; d++) {
      const month = new Date(o.start + d * DAY).toISOString().slice(0, 7);
      const k = `${month}\u0000${ct}`;
      let a = acc.get(k);
      if (a === undefined) acc.set(k, (a = { days: 0, uncovered: 0, partial: 0, differing: 0, truth: 0, recon: 0 }));
      const truthHours = derivedHours(o.truth, ct, d, pool);
      if (Number.isNaN(arr[d])) {
        a.uncovered += 1;
        continue;
      }
      if (partial.has(d)) {
        a.partial += 1;
        continue;
      }
      a.days += 1;
      a.truth += truthHours;
      a.recon += arr[d] * 24;
      if (Math.abs(arr[d] - truthHours / 24) > tol) a.differing += 1;
    }
  }
  for (const [k, a] of acc) {
    const [month, ct] = k.split('\u0000') as [string, TruthType];
    const diff = Math.abs(a.recon - a.truth);
    out.push({
      site: o.site,
      month,
      count_type: ct,
      days: a.days,
      uncovered_days: a.uncovered,
      partial_days: a.partial,
      differing_days: a.differing,
      truth_node_hours: a.truth,
      recon_node_hours: a.recon,
      error: diff < 1e-6 ? 0 : a.truth === 0 ? Infinity : diff / Math.abs(a.truth),
    });
  }
  out.sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : truthTypes.indexOf(a.count_type) - truthTypes.indexOf(b.count_type)));
  return out;
};
