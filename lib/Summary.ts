/**
 * The KPI summary: for the last full calendar period (ISO week, Monday to Sunday UTC, or calendar
 * month) inside the report window and the one before it, per site and node type, the reservable,
 * committed and occupied node-hours and shares, the leases created and started, the median lead
 * times, and the change from one period to the other: what a weekly KPI e-mail carries.
 *
 * Input is what a report holds: the wide per-day table of collector `new` (daily means of the
 * `nodes` value type), the coverage of each site's count types, and the per-lease lead times.
 *
 * Invariants (tested as properties):
 * - node-hours conserve: a count type's node-hours in a period are its timeline's integral over
 *   the period's covered hours (`sum(daily mean x covered hours of the day)`, which
 *   `Resample.resample` makes equal to the integral);
 * - a share is taken only over hours where both its numerator and `reservable` are covered:
 *   `committed_pct = committed / reservable` node-hours over the hours both are covered,
 *   `occupied_pct = occupied / reservable` likewise (exact when coverage starts and ends on day
 *   boundaries; on a day where one count type's coverage starts mid-day, that day's mean is
 *   taken over the overlap);
 * - unknown is not zero: a count type with no covered hour in a period has `null` node-hours and
 *   its share is `null`; leases of a site whose lease source was not read are `null`, not 0;
 *   `covered_hours` says how much of the period is known;
 * - a node type counts a lease once in each node type it holds (`none` when it holds no host), as
 *   the lead-time statistics do; the site's `all` row counts it once; node-hours of `all` are the
 *   sum over node types; a node type with nothing in either period (no node-hour, no lease) has
 *   no row;
 * - the monthly summary's median lead times are the lead-time statistics' medians of that month
 *   (same leases: those created in the period; same quantile, R-7).
 *
 * @since 0.3.0
 * @module
 */
import { quantileSorted } from 'd3-array';
import type { BaseCountType } from './CountType';
import { intersect, type CountCoverage, type Span } from './Coverage';
import type { LeaseLeadTime } from './LeadTime';
import { floor, next } from './Resample';
import * as T from './Time';
import type { DailyRow } from './UsageRow';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The period kinds: an ISO week (Monday 00:00Z to Monday 00:00Z) or a calendar month. @category model @since 0.3.0 */
export type PeriodKind = 'week' | 'month';

/** The period kinds, in the order `--summary` lists them. @category model @since 0.3.0 */
export const periodKinds: ReadonlyArray<PeriodKind> = ['week', 'month'];

/** A calendar period `[start, end)` and its name (`2025-W52`, `2025-12`). @category model @since 0.3.0 */
export interface Period {
  /** `YYYY-Www` (ISO week-numbering year and week) or `YYYY-MM`. */
  readonly label: string;
  readonly start: T.Millis;
  readonly end: T.Millis;
}

/** The count types a summary reports. @category model @since 0.3.0 */
export type SummaryCount = 'reservable' | 'committed' | 'occupied';

/** The count types a summary reports, in order. @category model @since 0.3.0 */
export const summaryCounts: ReadonlyArray<SummaryCount> = ['reservable', 'committed', 'occupied'];

/** What a summary is made from. @category model @since 0.3.0 */
export interface SummaryInput {
  readonly kind: PeriodKind;
  /** The report window `[start, end)`. */
  readonly start: T.Millis;
  readonly end: T.Millis;
  /** The wide per-day table (collector `new`, daily means); only `value_type` `nodes` is read. */
  readonly daily: ReadonlyArray<DailyRow>;
  /** Coverage per site and base count type: the sites of the summary, in this order. */
  readonly coverage: ReadonlyMap<string, Readonly<Record<BaseCountType, CountCoverage>>>;
  /** Per-lease lead times of the sites whose lease source was read. */
  readonly leases: ReadonlyArray<LeaseLeadTime>;
  /** The sites whose leases were read (others have unknown lease counts). */
  readonly leaseSites: ReadonlyArray<string>;
  /** One row per node type besides the site's `all` row. */
  readonly byNodeType: boolean;
}

/** The figures of one site (and node type) in one period. @category model @since 0.3.0 */
export interface Metrics {
  /** The period's length in hours. */
  readonly hours: number;
  /** Hours of the period each count type is covered (known). */
  readonly covered_hours: Readonly<Record<SummaryCount, number>>;
  /** Node-hours over the covered hours; `null` when not covered at all. */
  readonly node_hours: Readonly<Record<SummaryCount, number | null>>;
  /** `committed / reservable` in %, over the hours both are covered; `null` when none or no reservable capacity. */
  readonly committed_pct: number | null;
  /** `occupied / reservable` in %, over the hours both are covered. */
  readonly occupied_pct: number | null;
  /** Leases created in the period (`null`: the site's leases were not read). */
  readonly leases_created: number | null;
  /** Leases whose actual start is in the period. */
  readonly leases_started: number | null;
  /** Median requested lead time (hours) of the leases created in the period. */
  readonly median_requested_hours: number | null;
  /** Median effective lead time (hours) of the leases created in the period that started. */
  readonly median_effective_hours: number | null;
}

/** Current minus previous, per figure; `null` when either is unknown. Shares in percentage points. @category model @since 0.3.0 */
export interface Change {
  readonly node_hours: Readonly<Record<SummaryCount, number | null>>;
  readonly committed_pct: number | null;
  readonly occupied_pct: number | null;
  readonly leases_created: number | null;
  readonly leases_started: number | null;
  readonly median_requested_hours: number | null;
  readonly median_effective_hours: number | null;
}

/** One site and node type (`all`: the whole site). @category model @since 0.3.0 */
export interface SummaryRow {
  readonly site: string;
  readonly node_type: string;
  readonly current: Metrics;
  /** `null` when the period before is not inside the window. */
  readonly previous: Metrics | null;
  /** `null` when there is no previous period. */
  readonly change: Change | null;
}

/** The summary: its periods and rows (sites in coverage order, `all` first, then node types sorted). @category model @since 0.3.0 */
export interface Summary {
  readonly kind: PeriodKind;
  /** The last full period inside the window; `null` when the window holds none (then no rows). */
  readonly current: Period | null;
  readonly previous: Period | null;
  readonly rows: ReadonlyArray<SummaryRow>;
}

// -------------------------------------------------------------------------------------
// periods
// -------------------------------------------------------------------------------------

const bucketOf = (kind: PeriodKind) => (kind === 'week' ? '7d' : '1mo');

/**
 * The name of a period starting at `start`: `YYYY-Www` for a week (ISO 8601: the year of its
 * Thursday), `YYYY-MM` for a month.
 *
 * @example
 * periodLabel('week', T.unsafeMillis(Date.UTC(2024, 11, 30))) // '2025-W01'
 * periodLabel('month', T.unsafeMillis(Date.UTC(2024, 11, 1))) // '2024-12'
 * @since 0.3.0
 */
export const periodLabel = (kind: PeriodKind, start: T.Millis): string => {
  const d = new Date(start);
  if (kind === 'month') return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  const thursday = new Date(start + 3 * T.DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * T.DAY)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
};

/**
 * The last full period inside `[start, end)` and the one before it (each `null` when not
 * entirely inside the window).
 *
 * @example
 * // window 2024-01-01 .. 2024-03-15: current 2024-02, previous 2024-01
 * lastFullPeriods('month', start, end)
 * @since 0.3.0
 */
export const lastFullPeriods = (kind: PeriodKind, start: T.Millis, end: T.Millis): { readonly current: Period | null; readonly previous: Period | null } => {
  const b = bucketOf(kind);
  const make = (s: T.Millis): Period | null => {
    const e = next(b)(s);
    return s >= start && e <= end ? { label: periodLabel(kind, s), start: s, end: e } : null;
  };
  // the period that contains the last instant of the window, if it ends exactly there, else the one before
  let s = floor(b)(T.unsafeMillis(end - 1));
  if (next(b)(s) > end) s = floor(b)(T.unsafeMillis(s - 1));
  const current = make(s);
  if (current === null) return { current: null, previous: null };
  return { current, previous: make(floor(b)(T.unsafeMillis(s - 1))) };
};

// -------------------------------------------------------------------------------------
// coverage
// -------------------------------------------------------------------------------------

const inputs: Readonly<Record<SummaryCount, ReadonlyArray<BaseCountType>>> = {
  reservable: ['reservable'],
  committed: ['committed'],
  occupied: ['occupied_reserved', 'occupied_ondemand'],
};

const coveredSpans = (cov: Readonly<Record<BaseCountType, CountCoverage>>, cts: ReadonlyArray<BaseCountType>): ReadonlyArray<Span> =>
  cts.reduce<ReadonlyArray<Span>>((acc, ct) => intersect(acc, cov[ct].covered), cov[cts[0]].covered);

/** Hours of `spans` inside `[from, to)`. */
const hoursIn = (spans: ReadonlyArray<Span>, from: number, to: number): number => {
  let ms = 0;
  for (const [s, e] of spans) {
    const a = s > from ? s : from;
    const b = e < to ? e : to;
    if (b > a) ms += b - a;
  }
  return ms / T.HOUR;
};

// -------------------------------------------------------------------------------------
// metrics
// -------------------------------------------------------------------------------------

const median = (xs: ReadonlyArray<number>): number | null => (xs.length === 0 ? null : (quantileSorted([...xs].sort((a, b) => a - b), 0.5) as number));

const pct = (num: number, den: number, hours: number): number | null => (hours > 0 && den > 0 ? (100 * num) / den : null);

/** The daily rows of one site (and node type) in a period, by day start. */
type Days = ReadonlyMap<number, ReadonlyArray<DailyRow>>;

const capacity = (
  period: Period,
  spans: Readonly<Record<SummaryCount, ReadonlyArray<Span>>>,
  days: Days,
): Pick<Metrics, 'hours' | 'covered_hours' | 'node_hours' | 'committed_pct' | 'occupied_pct'> => {
  const both = { committed: intersect(spans.reservable, spans.committed), occupied: intersect(spans.reservable, spans.occupied) };
  const covered = { reservable: 0, committed: 0, occupied: 0 };
  const nh = { reservable: 0, committed: 0, occupied: 0 };
  // numerator and denominator of each share, over the hours both are covered
  const share = { committed: [0, 0, 0], occupied: [0, 0, 0] };
  for (let d = period.start as number; d < period.end; d += T.DAY) {
    const rows = days.get(d) ?? [];
    const sum = (c: SummaryCount): number => rows.reduce((n, r) => n + (r[c] ?? 0), 0);
    for (const c of summaryCounts) {
      const h = hoursIn(spans[c], d, d + T.DAY);
      covered[c] += h;
      nh[c] += sum(c) * h;
    }
    for (const c of ['committed', 'occupied'] as const) {
      const h = hoursIn(both[c], d, d + T.DAY);
      share[c][0] += sum(c) * h;
      share[c][1] += sum('reservable') * h;
      share[c][2] += h;
    }
  }
  const known = (c: SummaryCount): number | null => (covered[c] > 0 ? nh[c] : null);
  return {
    hours: (period.end - period.start) / T.HOUR,
    covered_hours: covered,
    node_hours: { reservable: known('reservable'), committed: known('committed'), occupied: known('occupied') },
    committed_pct: pct(share.committed[0], share.committed[1], share.committed[2]),
    occupied_pct: pct(share.occupied[0], share.occupied[1], share.occupied[2]),
  };
};

const leaseMetrics = (period: Period, leases: ReadonlyArray<LeaseLeadTime> | null): Pick<Metrics, 'leases_created' | 'leases_started' | 'median_requested_hours' | 'median_effective_hours'> => {
  if (leases === null) return { leases_created: null, leases_started: null, median_requested_hours: null, median_effective_hours: null };
  const inside = (t: number | null): boolean => t !== null && t >= period.start && t < period.end;
  const created = leases.filter((l) => inside(l.created_at));
  return {
    leases_created: created.length,
    leases_started: leases.filter((l) => inside(l.actual_start)).length,
    median_requested_hours: median(created.map((l) => l.requested_hours)),
    median_effective_hours: median(created.flatMap((l) => (l.effective_hours === null ? [] : [l.effective_hours]))),
  };
};

const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);

const change = (cur: Metrics, prev: Metrics): Change => ({
  node_hours: {
    reservable: diff(cur.node_hours.reservable, prev.node_hours.reservable),
    committed: diff(cur.node_hours.committed, prev.node_hours.committed),
    occupied: diff(cur.node_hours.occupied, prev.node_hours.occupied),
  },
  committed_pct: diff(cur.committed_pct, prev.committed_pct),
  occupied_pct: diff(cur.occupied_pct, prev.occupied_pct),
  leases_created: diff(cur.leases_created, prev.leases_created),
  leases_started: diff(cur.leases_started, prev.leases_started),
  median_requested_hours: diff(cur.median_requested_hours, prev.median_requested_hours),
  median_effective_hours: diff(cur.median_effective_hours, prev.median_effective_hours),
});

const ALL = 'all';

/** Nothing to say: no reservable, committed or occupied node-hour, no lease (zero or unknown). */
const idle = (m: Metrics): boolean =>
  summaryCounts.every((c) => (m.node_hours[c] ?? 0) === 0) && (m.leases_created ?? 0) === 0 && (m.leases_started ?? 0) === 0;

const nodeTypesOf = (l: LeaseLeadTime): ReadonlyArray<string> => (l.node_types.length === 0 ? ['none'] : l.node_types);

// -------------------------------------------------------------------------------------
// summary
// -------------------------------------------------------------------------------------

/**
 * The summary of the last full period inside the window and the one before it, per site (`all`)
 * and, when `byNodeType`, per node type (those of the daily table and of the leases; a node type
 * with no reservable, committed or occupied node-hour and no lease in either period, such as a
 * retired one, is left out: the site's `all` row still counts it).
 *
 * @example
 * const rep = report(options)(sites) // Report.report keeps the per-lease lead times
 * const s = summarize({ kind: 'week', start, end, daily: rep.daily, coverage: rep.coverage,
 *   leases: rep.leadTime.leases, leaseSites: rep.audit.leadtime.map((a) => a.site), byNodeType: true })
 * s.rows[0].current.committed_pct // e.g. 61.2: committed share of reservable node-hours that week
 * @since 0.3.0
 */
export const summarize = (input: SummaryInput): Summary => {
  const { current, previous } = lastFullPeriods(input.kind, input.start, input.end);
  if (current === null) return { kind: input.kind, current: null, previous: null, rows: [] };
  const from = (previous ?? current).start;
  // daily rows of nodes inside the two periods, by site, node type and day
  const days = new Map<string, Map<number, DailyRow[]>>();
  const add = (key: string, day: number, r: DailyRow) => {
    const m = days.get(key) ?? new Map<number, DailyRow[]>();
    days.set(key, m);
    const list = m.get(day);
    if (list === undefined) m.set(day, [r]);
    else list.push(r);
  };
  const types = new Map<string, Set<string>>();
  const typeOf = (site: string, nt: string) => {
    const s = types.get(site) ?? new Set<string>();
    types.set(site, s);
    s.add(nt);
  };
  for (const r of input.daily) {
    if (r.value_type !== 'nodes') continue;
    const day = T.fromIsoNullable(r.timestamp);
    if (day === null || day < from || day >= current.end) continue;
    if (input.byNodeType) typeOf(r.site, r.node_type ?? 'unknown');
    add(`${r.site}\u0000${ALL}`, day, r);
    if (input.byNodeType) add(`${r.site}\u0000${r.node_type ?? 'unknown'}`, day, r);
  }
  const leaseSites = new Set(input.leaseSites);
  const leasesBy = new Map<string, LeaseLeadTime[]>();
  const during = (t: number | null): boolean => t !== null && t >= from && t < current.end;
  for (const l of input.leases) {
    if (!during(l.created_at) && !during(l.actual_start)) continue;
    for (const nt of input.byNodeType ? [ALL, ...nodeTypesOf(l)] : [ALL]) {
      const k = `${l.site}\u0000${nt}`;
      const list = leasesBy.get(k);
      if (list === undefined) leasesBy.set(k, [l]);
      else list.push(l);
      if (nt !== ALL) typeOf(l.site, nt);
    }
  }
  const rows: SummaryRow[] = [];
  for (const [site, cov] of input.coverage) {
    const spans = { reservable: coveredSpans(cov, inputs.reservable), committed: coveredSpans(cov, inputs.committed), occupied: coveredSpans(cov, inputs.occupied) };
    const nts = input.byNodeType ? [...(types.get(site) ?? [])].sort() : [];
    for (const nt of [ALL, ...nts]) {
      const k = `${site}\u0000${nt}`;
      const ls = leaseSites.has(site) ? (leasesBy.get(k) ?? []) : null;
      const metrics = (p: Period): Metrics => ({ ...capacity(p, spans, days.get(k) ?? new Map()), ...leaseMetrics(p, ls) });
      const cur = metrics(current);
      const prev = previous === null ? null : metrics(previous);
      if (nt !== ALL && idle(cur) && (prev === null || idle(prev))) continue;
      rows.push({ site, node_type: nt, current: cur, previous: prev, change: prev === null ? null : change(cur, prev) });
    }
  }
  return { kind: input.kind, current, previous, rows };
};
