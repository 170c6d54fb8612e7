/**
 * The data of the interactive page (`report.html`): a report's timeline, lead times, coverage
 * and audit, reduced to what the figures draw and encoded compactly, and back into the request
 * {@link figures} takes. Pure and free of Node: `page.ts` embeds it as JSON, the page's script
 * (`browser/main.ts`) decodes it and calls the same figure builders as the PNG renderer.
 *
 * Reduction (what makes the page small):
 * - one value type (the figures'), `hypervisor_hostname` groups summed (node types are kept, for
 *   the node-type selector);
 * - collector `new`: each series' steps (held until the next coverage gap, as the figures hold
 *   them) become bucket means (`day`: UTC days; `week`: ISO weeks), only where known, and a
 *   repeated value is dropped (the page holds it again until the next gap); collector `legacy`:
 *   daily values in the window as they are (a legacy value holds one day), at either resolution;
 * - values rounded to 3 decimals, lead times to 4 (0.36 s), bucket numbers and lead-time
 *   seconds delta-encoded.
 * Coverage is kept whole, so the "no data" shading is exactly the PNGs'.
 *
 * @since 0.1.0
 */
import type { CountType } from '../lib/CountType';
import type { ValueType } from '../lib/Quantities';
import type { BookingRow } from '../lib/Booking';
import type { ProjectedLeadTimeRow } from '../lib/ProjectedLeadTime';
import type { Audit } from '../lib/Report';
import type { UtilizationRow } from '../lib/Utilization';
import * as T from '../lib/Time';
import type { CollectorType, LeadTimeRow, LeadTimeType, UsageRow } from '../lib/UsageRow';
import { figureValueType, type FiguresRequest } from './figures';
import * as S from './series';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The time resolution of the page's usage series. @category model @since 0.1.0 */
export type Resolution = 'day' | 'week';

/** One usage series: bucket numbers (delta-encoded, the first absolute) and values. @category model @since 0.1.0 */
export interface PageSeries {
  readonly site: string;
  readonly collector: CollectorType;
  readonly count_type: CountType;
  readonly node_type?: string;
  /** Bucket numbers since the resolution's origin, delta-encoded (legacy: always days). */
  readonly t: ReadonlyArray<number>;
  readonly v: ReadonlyArray<number>;
}

/** Lead times of one site, kind and node type: epoch seconds (delta-encoded) and hours. @category model @since 0.1.0 */
export interface PageLeadSeries {
  readonly site: string;
  readonly leadtime_type: LeadTimeType;
  readonly node_type?: string;
  readonly t: ReadonlyArray<number>;
  readonly v: ReadonlyArray<number>;
}

/**
 * The reservation book of one site, horizon and node type (value type nodes): days since the
 * epoch (delta-encoded, the first absolute) and the day's booked, free, holds and reservable.
 *
 * @category model
 * @since 0.3.0
 */
export interface PageBookSeries {
  readonly site: string;
  readonly horizon_days: number;
  readonly node_type: string;
  readonly t: ReadonlyArray<number>;
  readonly booked: ReadonlyArray<number>;
  readonly free: ReadonlyArray<number>;
  readonly holds: ReadonlyArray<number>;
  readonly reservable: ReadonlyArray<number>;
}

/**
 * The projected lead times of one site, node type and request: days since the epoch
 * (delta-encoded), nodes, hours and the wait in hours (a capped wait is the cap).
 *
 * @category model
 * @since 0.3.0
 */
export interface PageProjectedSeries {
  readonly site: string;
  readonly node_type: string;
  readonly request: ProjectedLeadTimeRow['request'];
  readonly t: ReadonlyArray<number>;
  readonly nodes: ReadonlyArray<number>;
  readonly hours: ReadonlyArray<number>;
  readonly wait: ReadonlyArray<number>;
  readonly capped: ReadonlyArray<0 | 1>;
}

/**
 * Utilization rows of one site, node type and bucket (value type nodes), as columns: the
 * periods (`YYYY-MM` or `YYYY-MM-DD`) and each measure (null where not covered or undefined).
 *
 * @category model
 * @since 0.3.0
 */
export interface PageUtilizationSeries {
  readonly site: string;
  readonly node_type: string;
  readonly periods: ReadonlyArray<string>;
  readonly columns: Readonly<Partial<Record<UtilizationMeasure, ReadonlyArray<number | null>>>>;
}

/** The measures of a utilization row. @category model @since 0.3.0 */
export type UtilizationMeasure = 'reservable' | 'committed' | 'occupied' | 'active' | 'committed_pct' | 'occupied_pct' | 'active_pct' | 'ondemand_pct';

const MEASURES: ReadonlyArray<UtilizationMeasure> = ['reservable', 'committed', 'occupied', 'active', 'committed_pct', 'occupied_pct', 'active_pct', 'ondemand_pct'];

/** A table of the audit summary; its first column is `site`. @category model @since 0.1.0 */
export interface PageTable {
  readonly title: string;
  readonly columns: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
}

/** Everything the page embeds. @category model @since 0.1.0 */
export interface PageData {
  readonly title: string;
  /** `[start, end)` epoch ms. */
  readonly window: S.Window;
  readonly sites: ReadonlyArray<string>;
  readonly siteNames: Readonly<Record<string, string>>;
  readonly valueType: ValueType;
  readonly resolution: Resolution;
  readonly series: ReadonlyArray<PageSeries>;
  /**
   * The series of value type `devices` (the device stack of a CHI@Edge site), when the page's
   * value type is another and the rows have devices; absent otherwise. @since 0.4.0
   */
  readonly deviceSeries?: ReadonlyArray<PageSeries>;
  readonly leadTimes: ReadonlyArray<PageLeadSeries>;
  /** The reservation book (value type nodes); empty when the report has none. */
  readonly booking: ReadonlyArray<PageBookSeries>;
  readonly projected: ReadonlyArray<PageProjectedSeries>;
  /** Utilization per node type (value type nodes): monthly and daily; empty when the report has none. */
  readonly utilization: { readonly monthly: ReadonlyArray<PageUtilizationSeries>; readonly daily: ReadonlyArray<PageUtilizationSeries> };
  readonly coverage: Readonly<Record<string, S.SiteCoverage>>;
  /** Node types in the rows, sorted (empty when the report is not grouped by node type). */
  readonly nodeTypes: ReadonlyArray<string>;
  readonly audit: ReadonlyArray<PageTable>;
}

/** What {@link pageData} reads. @category model @since 0.1.0 */
export interface PageInput {
  readonly title?: string;
  readonly rows: ReadonlyArray<UsageRow>;
  readonly leadTimes: ReadonlyArray<LeadTimeRow>;
  /** The reservation book (`Report.booking`), if computed. */
  readonly booking?: { readonly rows: ReadonlyArray<BookingRow>; readonly projected: ReadonlyArray<ProjectedLeadTimeRow> };
  /** `Report.utilization`, if computed. */
  readonly utilization?: { readonly monthly: ReadonlyArray<UtilizationRow>; readonly daily: ReadonlyArray<UtilizationRow> };
  readonly coverage: ReadonlyMap<string, S.SiteCoverage>;
  readonly sites: ReadonlyArray<string>;
  readonly siteNames?: Readonly<Record<string, string>>;
  readonly window: S.Window;
  readonly valueType?: ValueType;
  readonly audit: Audit;
}

/** Bucket length and origin (ISO weeks start on Monday 1970-01-05). @since 0.1.0 */
export const buckets: Readonly<Record<Resolution, { readonly size: number; readonly origin: number }>> = {
  day: { size: T.DAY, origin: 0 },
  week: { size: 7 * T.DAY, origin: 4 * T.DAY },
};

// -------------------------------------------------------------------------------------
// encoding
// -------------------------------------------------------------------------------------

const round = (v: number, places: number): number => {
  const f = 10 ** places;
  const r = Math.round(v * f) / f;
  return r === 0 ? 0 : r; // no -0 in JSON
};

const deltas = (xs: ReadonlyArray<number>): number[] => xs.map((x, i) => (i === 0 ? x : x - xs[i - 1]));

const undelta = (xs: ReadonlyArray<number>): number[] => {
  const out: number[] = [];
  let acc = 0;
  for (const x of xs) out.push((acc += x));
  return out;
};

const keyOf = (...parts: ReadonlyArray<string | undefined>): string => parts.map((p) => p ?? '\u0001').join('\u0000');

const groupBy = <A>(xs: ReadonlyArray<A>, key: (a: A) => string): Map<string, A[]> => {
  const out = new Map<string, A[]>();
  for (const x of xs) {
    const k = key(x);
    const list = out.get(k);
    if (list === undefined) out.set(k, [x]);
    else list.push(x);
  }
  return out;
};

const usageSeries = (input: PageInput, valueType: ValueType, resolution: Resolution): PageSeries[] => {
  const { size, origin } = buckets[resolution];
  const mine = input.rows.filter((r) => r.value_type === valueType && input.sites.includes(r.site));
  const out: PageSeries[] = [];
  for (const rows of groupBy(mine, (r) => keyOf(r.site, r.collector_type, r.count_type, r.node_type)).values()) {
    const r0 = rows[0];
    const hosts = [...groupBy(rows, (r) => r.hypervisor_hostname ?? '').values()];
    let t: number[] = [];
    const v: number[] = [];
    if (r0.collector_type === 'legacy') {
      const steps = S.sumGroups(hosts.map((g) => S.fromRows(g, (x) => x + T.DAY)));
      for (const p of steps) {
        if (p.v === null || p.t < input.window[0] || p.t >= input.window[1]) continue;
        t.push(Math.floor(p.t / T.DAY));
        v.push(round(p.v, 3));
      }
    } else {
      const cov = input.coverage.get(r0.site);
      const gaps = cov === undefined ? [] : S.uncovered(input.window, S.coveredOf(cov, [r0.count_type]));
      const hold = S.holdUntilGap(input.window, gaps);
      const means = S.bucketMeans(S.sumGroups(hosts.map((g) => S.fromRows(g, hold))), input.window, size, origin);
      let prev: number | null = null;
      for (const p of means) {
        const x = p.v === null ? null : round(p.v, 3);
        if (x !== null && x !== prev) {
          t.push(Math.round((p.t - origin) / size));
          v.push(x);
        }
        prev = x;
      }
    }
    if (t.length === 0) continue;
    t = deltas(t);
    out.push({ site: r0.site, collector: r0.collector_type, count_type: r0.count_type, ...(r0.node_type === undefined ? {} : { node_type: r0.node_type }), t, v });
  }
  return out.sort((a, b) => cmp(keyOf(a.site, a.collector, a.count_type, a.node_type), keyOf(b.site, b.collector, b.count_type, b.node_type)));
};

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const leadSeries = (input: PageInput): PageLeadSeries[] => {
  const mine = input.leadTimes.filter((r) => input.sites.includes(r.site));
  const out: PageLeadSeries[] = [];
  for (const rows of groupBy(mine, (r) => keyOf(r.site, r.leadtime_type, r.node_type)).values()) {
    const r0 = rows[0];
    const pts = rows.map((r) => ({ t: Math.round(S.rowMillis(r.timestamp) / 1000), v: round(r.value, 4) })).sort((a, b) => a.t - b.t || a.v - b.v);
    out.push({
      site: r0.site,
      leadtime_type: r0.leadtime_type,
      ...(r0.node_type === undefined ? {} : { node_type: r0.node_type }),
      t: deltas(pts.map((p) => p.t)),
      v: pts.map((p) => p.v),
    });
  }
  return out.sort((a, b) => cmp(keyOf(a.site, a.leadtime_type, a.node_type), keyOf(b.site, b.leadtime_type, b.node_type)));
};

const dayNumber = (iso: string): number => Math.floor(S.rowMillis(iso) / T.DAY);

const bookSeries = (input: PageInput): PageBookSeries[] => {
  const mine = (input.booking?.rows ?? []).filter((r) => r.value_type === 'nodes' && input.sites.includes(r.site));
  const out: PageBookSeries[] = [];
  for (const rows of groupBy(mine, (r) => keyOf(r.site, String(r.horizon_days), r.node_type)).values()) {
    const sorted = [...rows].sort((a, b) => cmp(a.timestamp, b.timestamp));
    const r0 = sorted[0];
    out.push({
      site: r0.site,
      horizon_days: r0.horizon_days,
      node_type: r0.node_type,
      t: deltas(sorted.map((r) => dayNumber(r.timestamp))),
      booked: sorted.map((r) => round(r.booked, 4)),
      free: sorted.map((r) => round(r.free, 4)),
      holds: sorted.map((r) => round(r.holds, 4)),
      reservable: sorted.map((r) => round(r.reservable, 4)),
    });
  }
  return out.sort((a, b) => cmp(keyOf(a.site, String(a.horizon_days).padStart(4, '0'), a.node_type), keyOf(b.site, String(b.horizon_days).padStart(4, '0'), b.node_type)));
};

const projectedSeries = (input: PageInput): PageProjectedSeries[] => {
  const mine = (input.booking?.projected ?? []).filter((r) => input.sites.includes(r.site));
  const out: PageProjectedSeries[] = [];
  for (const rows of groupBy(mine, (r) => keyOf(r.site, r.node_type, r.request)).values()) {
    const sorted = [...rows].sort((a, b) => cmp(a.timestamp, b.timestamp));
    const r0 = sorted[0];
    out.push({
      site: r0.site,
      node_type: r0.node_type,
      request: r0.request,
      t: deltas(sorted.map((r) => dayNumber(r.timestamp))),
      nodes: sorted.map((r) => r.nodes),
      hours: sorted.map((r) => r.hours),
      wait: sorted.map((r) => r.lead_time_hours),
      capped: sorted.map((r) => (r.capped ? 1 : 0)),
    });
  }
  return out.sort((a, b) => cmp(keyOf(a.site, a.node_type, a.request), keyOf(b.site, b.node_type, b.request)));
};

const utilizationSeries = (input: PageInput, rows: ReadonlyArray<UtilizationRow>): PageUtilizationSeries[] => {
  const mine = rows.filter((r) => r.value_type === 'nodes' && input.sites.includes(r.site));
  const out: PageUtilizationSeries[] = [];
  for (const group of groupBy(mine, (r) => keyOf(r.site, r.node_type)).values()) {
    const sorted = [...group].sort((a, b) => cmp(a.period, b.period));
    const columns: Partial<Record<UtilizationMeasure, Array<number | null>>> = {};
    for (const m of MEASURES) {
      if (!sorted.some((r) => r[m] !== undefined)) continue;
      columns[m] = sorted.map((r) => {
        const v = r[m];
        return v === undefined || v === null ? null : round(v, 4);
      });
    }
    out.push({ site: sorted[0].site, node_type: sorted[0].node_type, periods: sorted.map((r) => r.period), columns });
  }
  return out.sort((a, b) => cmp(keyOf(a.site, a.node_type), keyOf(b.site, b.node_type)));
};

const utilizationRows = (series: ReadonlyArray<PageUtilizationSeries>, nodeType: string | undefined): UtilizationRow[] => {
  const out: UtilizationRow[] = [];
  for (const s of series) {
    if (nodeType !== undefined && s.node_type !== nodeType) continue;
    for (let i = 0; i < s.periods.length; i++) {
      const at = (m: UtilizationMeasure): number | null => s.columns[m]?.[i] ?? null;
      out.push({
        site: s.site,
        period: s.periods[i],
        node_type: s.node_type,
        value_type: 'nodes',
        reservable: at('reservable'),
        committed: at('committed'),
        occupied: at('occupied'),
        active: at('active'),
        committed_pct: at('committed_pct'),
        occupied_pct: at('occupied_pct'),
        active_pct: at('active_pct'),
        ...(s.columns.ondemand_pct === undefined ? {} : { ondemand_pct: at('ondemand_pct') }),
      });
    }
  }
  return out;
};

/**
 * The audit summary as tables: sources, rejections by reason, clamping, coverage gaps.
 *
 * @example
 * auditTables(report.audit).map((t) => t.title) // ['sources', 'rejections by reason', 'clamping', 'coverage gaps']
 * @since 0.1.0
 */
export const auditTables = (audit: Audit): ReadonlyArray<PageTable> => {
  const rejections: Array<Array<string | number>> = [];
  for (const s of audit.sources) for (const [reason, n] of Object.entries(s.rejected_by_reason).sort(([a], [b]) => cmp(a, b))) rejections.push([s.site, s.source, reason, n]);
  for (const a of audit.action_events) for (const [reason, n] of Object.entries(a.rejected_by_reason).sort(([x], [y]) => cmp(x, y))) rejections.push([a.site, a.source, reason, n]);
  return [
    {
      title: 'sources',
      columns: ['site', 'source', 'status', 'rows read', 'rows folded', 'rows rejected', 'detail'],
      rows: audit.sources.map((s) => [s.site, s.source, s.status, s.rows_read, s.rows_folded, s.rows_rejected, s.detail]),
    },
    { title: 'rejections by reason', columns: ['site', 'source', 'reason', 'rows'], rows: rejections },
    {
      title: 'clamping',
      columns: ['site', 'count type', 'action', 'rows', 'node-hours'],
      rows: audit.clamping.map((c) => [c.site, c.count_type, c.action, c.rows, round(c.node_hours, 1)]),
    },
    {
      title: 'coverage gaps',
      columns: ['site', 'count type', 'covered from', 'gap start', 'gap end', 'reason'],
      rows: audit.coverage.flatMap((c) => c.gaps.map((g) => [c.site, c.count_type, c.start ?? 'never', g.start, g.end, g.reason])),
    },
  ];
};

/**
 * The page's data of a report at a resolution.
 *
 * @example
 * pageData({ rows, leadTimes, coverage, sites: ['chi_uc'], window, audit }, 'day').series.length // one per site, collector, count type and node type
 * @category constructors
 * @since 0.1.0
 */
export const pageData = (input: PageInput, resolution: Resolution): PageData => {
  const valueType = figureValueType({ rows: input.rows, ...(input.valueType === undefined ? {} : { valueType: input.valueType }) });
  const series = usageSeries(input, valueType, resolution);
  const deviceSeries = valueType === 'devices' ? [] : usageSeries(input, 'devices', resolution);
  const leadTimes = leadSeries(input);
  const booking = bookSeries(input);
  const projected = projectedSeries(input);
  const utilization = { monthly: utilizationSeries(input, input.utilization?.monthly ?? []), daily: utilizationSeries(input, input.utilization?.daily ?? []) };
  const nodeTypes = [...new Set([...series.map((s) => s.node_type), ...deviceSeries.map((s) => s.node_type), ...leadTimes.map((s) => s.node_type), ...booking.map((s) => s.node_type)].filter((n): n is string => n !== undefined))].sort(cmp);
  const coverage: Record<string, S.SiteCoverage> = {};
  for (const s of input.sites) {
    const c = input.coverage.get(s);
    if (c !== undefined) coverage[s] = c;
  }
  const siteNames: Record<string, string> = {};
  for (const s of input.sites) if (input.siteNames?.[s] !== undefined) siteNames[s] = input.siteNames[s];
  return {
    title: input.title ?? 'chameleon-usage report',
    window: input.window,
    sites: input.sites,
    siteNames,
    valueType,
    resolution,
    series,
    ...(deviceSeries.length === 0 ? {} : { deviceSeries }),
    leadTimes,
    booking,
    projected,
    utilization,
    coverage,
    nodeTypes,
    audit: auditTables(input.audit),
  };
};

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

/**
 * The figures' request of page data, optionally for one node type only (rows of other node
 * types dropped; coverage and window unchanged).
 *
 * @example
 * figures(toFiguresRequest(pageData(input, 'day'), 'compute_skylake'))
 * @category destructors
 * @since 0.1.0
 */
export const toFiguresRequest = (data: PageData, nodeType?: string): FiguresRequest => {
  const { size, origin } = buckets[data.resolution];
  // rows share their timestamps (one per bucket): format each once
  const isoOf = new Map<number, string>();
  const iso = (ms: number): string => {
    let s = isoOf.get(ms);
    if (s === undefined) isoOf.set(ms, (s = T.toIso(T.unsafeMillis(ms))));
    return s;
  };
  const rows: UsageRow[] = [];
  const typed: ReadonlyArray<readonly [ReadonlyArray<PageSeries>, ValueType]> = [
    [data.series, data.valueType],
    [data.deviceSeries ?? [], 'devices'],
  ];
  for (const [list, valueType] of typed) {
    for (const s of list) {
      if (nodeType !== undefined && s.node_type !== nodeType) continue;
      const [sz, o] = s.collector === 'legacy' ? [T.DAY, 0] : [size, origin];
      const ts = undelta(s.t);
      for (let i = 0; i < ts.length; i++) {
        rows.push({
          site: s.site,
          timestamp: iso(Math.max(o + ts[i] * sz, data.window[0])),
          collector_type: s.collector,
          count_type: s.count_type,
          value_type: valueType,
          value: s.v[i],
          ...(s.node_type === undefined ? {} : { node_type: s.node_type }),
        });
      }
    }
  }
  const leadTimes: LeadTimeRow[] = [];
  for (const s of data.leadTimes) {
    if (nodeType !== undefined && s.node_type !== nodeType) continue;
    const ts = undelta(s.t);
    for (let i = 0; i < ts.length; i++)
      leadTimes.push({ site: s.site, timestamp: T.toIso(T.unsafeMillis(ts[i] * 1000)), leadtime_type: s.leadtime_type, value: s.v[i], ...(s.node_type === undefined ? {} : { node_type: s.node_type }) });
  }
  const bookRows: BookingRow[] = [];
  for (const s of data.booking) {
    if (nodeType !== undefined && s.node_type !== nodeType) continue;
    const ts = undelta(s.t);
    for (let i = 0; i < ts.length; i++)
      bookRows.push({ site: s.site, timestamp: iso(ts[i] * T.DAY), horizon_days: s.horizon_days, node_type: s.node_type, value_type: 'nodes', booked: s.booked[i], free: s.free[i], holds: s.holds[i], reservable: s.reservable[i] });
  }
  const projected: ProjectedLeadTimeRow[] = [];
  for (const s of data.projected) {
    if (nodeType !== undefined && s.node_type !== nodeType) continue;
    const ts = undelta(s.t);
    for (let i = 0; i < ts.length; i++)
      projected.push({ site: s.site, timestamp: iso(ts[i] * T.DAY), node_type: s.node_type, request: s.request, nodes: s.nodes[i], hours: s.hours[i], lead_time_hours: s.wait[i], capped: s.capped[i] === 1 });
  }
  return {
    rows,
    leadTimes,
    ...(bookRows.length === 0 ? {} : { booking: { rows: bookRows, projected } }),
    ...(data.utilization.monthly.length === 0 && data.utilization.daily.length === 0
      ? {}
      : { utilization: { monthly: utilizationRows(data.utilization.monthly, nodeType), daily: utilizationRows(data.utilization.daily, nodeType) } }),
    coverage: new Map(Object.entries(data.coverage)),
    sites: data.sites,
    siteNames: data.siteNames,
    window: data.window,
    valueType: data.valueType,
  };
};
