/**
 * The whole reconstruction of one or more sites, pure: events -> intervals (fold) -> clamped
 * intervals -> counts (sweep) -> timeline rows and utilization per node type
 * (`lib/Utilization.ts`), with the audit that accounts for every row.
 *
 * The effects (reading databases, writing files) are the caller's: `cli/report.ts` composes
 * `adapters/readSite` with this function and writes the outputs.
 *
 * Audit (`audit.json`), whose core other tools read:
 * - `sources`: one entry per (site, source table) with `rows_read = rows_folded + rows_rejected`
 *   and `rejected_by_reason`, plus the status (`read`, `missing_table`, `no_select_grant`);
 * - `fold`: per (site, count type) the events folded, intervals made and events rejected by reason;
 * - `clamping`: per (site, count type, action) rows and node-hours;
 * - `coverage`: per (site, count type) the coverage start, how it was found and every gap;
 * - `invariants`: every span where the stack invariants fail;
 * - `legacy_mismatches`, `action_events`, `warnings`;
 * - `power`: per site what the power history noticed (active vs stopped, `lib/Power.ts`);
 * - `leadtime`: per site the leases seen, excluded (operator, outside the window), reported, with
 *   an effective lead time or missing it by reason, negative lead times, timeline rows and rows
 *   merged by same-second averaging (`lib/LeadTime.ts`);
 * - `booking`: per site the reservation book's audit (`lib/Booking.ts`) with its
 *   `projected_leadtime` part (`lib/ProjectedLeadTime.ts`).
 *
 * @since 0.1.0
 * @module
 */
import * as O from 'fp-ts/Option';
import { booking, entries, type BookingAudit, type BookingRow, type PoolHost } from './Booking';
import { clampTable, standardRules, type ClampEntry } from './Clamp';
import { stoppedOf, baseCountTypes, hostStateCountTypes, type BaseCountType } from './CountType';
import { coverageOf, subtract, type CountCoverage, type KnownGap, type Span } from './Coverage';
import { activeCoverage, notCovered, powerAudit, powerSourceRead, type PowerAudit } from './Power';
import type { Event } from './Event';
import { Builder, quantitiesOf, type EventTable } from './EventTable';
import { foldTable } from './Fold';
import type { IntervalTable } from './IntervalTable';
import { leadTimes, type LeadTimeAudit, type LeadTimeReport, type LeaseFact } from './LeadTime';
import { legacyDays, type LegacyMismatch, type LegacyRecord } from './Legacy';
import { projectedLeadTimes, type ProjectedLeadTimeAudit, type ProjectedLeadTimeRow } from './ProjectedLeadTime';
import { countByReason, type Rejection } from './Rejection';
import type { ValueType } from './Quantities';
import { sweepTable } from './Sweep';
import * as T from './Time';
import { timeline, type SiteCounts, type Timeline, type TimelineOptions, type Violation } from './Timeline';
import { outputCountTypes, type DailyRow, type UsageRow } from './UsageRow';
import { utilization, type UtilizationRow } from './Utilization';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the audit says about one source table (the runner's report has this shape).
 *
 * @category model
 * @since 0.1.0
 */
export interface SourceAudit {
  readonly site: string;
  readonly source: string;
  readonly status: string;
  readonly detail: string;
  readonly rows_read: number;
  readonly rows_folded: number;
  readonly rows_rejected: number;
  readonly rejected_by_reason: Readonly<Record<string, number>>;
  /** Optional tables the source was read without (the runner's report has them). */
  readonly optional_missing?: ReadonlyArray<string>;
}

/** Everything read from one site. @category model @since 0.1.0 */
export interface SiteInput {
  readonly site: string;
  /** The site's events: a table (as `readSite` gives them) or objects, all of this site. */
  readonly events: EventTable | ReadonlyArray<Event>;
  readonly legacy: ReadonlyArray<LegacyRecord>;
  /** Row rejections of the adapters and of action events. */
  readonly rejections: ReadonlyArray<Rejection>;
  readonly sources: ReadonlyArray<SourceAudit>;
  /** Earliest `created_at` of each count type's primary table; else the earliest interval start. */
  readonly earliest?: Readonly<Partial<Record<BaseCountType, T.Millis>>>;
  readonly configStart: Readonly<Partial<Record<BaseCountType, T.Millis>>>;
  readonly knownGaps: ReadonlyArray<KnownGap>;
  readonly warnings: ReadonlyArray<string>;
  /**
   * The site's leases for the lead-time report (operator leases flagged); absent when the lease
   * source was not read: no lead-time rows, and the audit's `leadtime` has no entry for the site.
   */
  readonly leases?: ReadonlyArray<LeaseFact>;
  /** Whether the site has an on-demand pool (section 12); default false. */
  readonly ondemandPool?: boolean;
}

export type { PowerAudit } from './Power';

/** @category model @since 0.1.0 */
export interface FoldAudit {
  readonly site: string;
  readonly count_type: BaseCountType;
  readonly events: number;
  readonly intervals: number;
  readonly rejected_by_reason: Readonly<Record<string, number>>;
}

/** @category model @since 0.1.0 */
export interface CoverageAudit {
  readonly site: string;
  readonly count_type: BaseCountType;
  readonly start: string | null;
  readonly start_from: CountCoverage['startFrom'];
  readonly gaps: ReadonlyArray<{ readonly start: string; readonly end: string; readonly reason: string }>;
}

/** @category model @since 0.1.0 */
export interface Audit {
  readonly window: { readonly start: string; readonly end: string };
  readonly sources: ReadonlyArray<SourceAudit>;
  readonly fold: ReadonlyArray<FoldAudit>;
  readonly clamping: ReadonlyArray<ClampEntry>;
  readonly coverage: ReadonlyArray<CoverageAudit>;
  readonly invariants: ReadonlyArray<Violation>;
  readonly legacy_mismatches: ReadonlyArray<{ readonly site: string; readonly day: string; readonly node_type?: string; readonly count_total: number; readonly usage_total: number }>;
  readonly action_events: ReadonlyArray<{ readonly site: string; readonly source: string; readonly rejected_by_reason: Readonly<Record<string, number>> }>;
  readonly warnings: ReadonlyArray<{ readonly site: string; readonly message: string }>;
  readonly leadtime: ReadonlyArray<LeadTimeAudit>;
  /** The reservation book per site (`lib/Booking.ts`, `lib/ProjectedLeadTime.ts`). */
  readonly booking: ReadonlyArray<BookingAudit & { readonly projected_leadtime: ProjectedLeadTimeAudit }>;
  /** Per site, what the power history noticed (section 11). */
  readonly power: ReadonlyArray<PowerAudit>;
}

/**
 * The reservation book of a site as users saw it: `booking_timeline` and `projected_leadtime`
 * rows, and their audit.
 *
 * @category model
 * @since 0.3.0
 */
export interface SiteBooking {
  readonly rows: ReadonlyArray<BookingRow>;
  readonly projected: ReadonlyArray<ProjectedLeadTimeRow>;
  readonly audit: BookingAudit & { readonly projected_leadtime: ProjectedLeadTimeAudit };
}

/** @category model @since 0.1.0 */
export interface Report {
  readonly timeline: Timeline;
  /** The wide per-day table (collector `new`, daily means), for dashboards. */
  readonly daily: ReadonlyArray<DailyRow>;
  readonly audit: Audit;
  /** Lead times: per lease, the lead-time timeline (grouped by node type when asked) and monthly stats. */
  readonly leadTime: Omit<LeadTimeReport, 'audit'>;
  /** Coverage per site and count type (for plots). */
  readonly coverage: ReadonlyMap<string, Readonly<Record<BaseCountType, CountCoverage>>>;
  /** The reservation book as users saw it, all sites (sites whose leases and allocations were read). */
  readonly booking: { readonly rows: ReadonlyArray<BookingRow>; readonly projected: ReadonlyArray<ProjectedLeadTimeRow> };
  /**
   * Utilization per node type (section 13): `monthly` (every value type, `utilization_monthly.csv`)
   * and `daily` (nodes only, for the node-type figure).
   */
  readonly utilization: { readonly monthly: ReadonlyArray<UtilizationRow>; readonly daily: ReadonlyArray<UtilizationRow> };
}

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

/**
 * The table whose rows each base count type comes from (its read status decides coverage).
 *
 * @since 0.1.0
 */
export const primaryTable: Readonly<Record<BaseCountType, string>> = {
  total: 'compute_nodes',
  reservable: 'computehosts',
  committed: 'computehost_allocations',
  ops: 'computehost_allocations',
  occupied_reserved: 'instances',
  occupied_ondemand: 'instances',
  stopped_reserved: 'instances',
  stopped_ondemand: 'instances',
  reservable_usable: 'audit_blazar_computehosts',
  reservable_unusable: 'audit_blazar_computehosts',
  committed_usable: 'audit_blazar_computehosts',
  committed_unusable: 'audit_blazar_computehosts',
  ops_unusable: 'audit_blazar_computehosts',
  total_unusable: 'audit_nova_services',
};

/**
 * The device tables (CHI@Edge) that also feed base count types: a site whose only reservable
 * pool is its devices has its reservable and committed coverage from them.
 *
 * @category model
 * @since 0.4.0
 */
export const devicePrimaryTable: Readonly<Partial<Record<BaseCountType, string>>> = {
  reservable: 'devices',
  committed: 'device_allocations',
  ops: 'device_allocations',
};

const tableOf = (source: string): string => source.slice(source.lastIndexOf('.') + 1);

/**
 * The value types a site reports: those asked for, less `devices` where no device table was read,
 * or it was read empty
 * (a site whose Blazar has no devices has no device rows, rather than rows of zeros).
 *
 * @example
 * siteValueTypes(['nodes', 'devices'], [])  // ['nodes']
 * @category folding
 * @since 0.4.0
 */
export const siteValueTypes = (valueTypes: ReadonlyArray<ValueType>, sources: ReadonlyArray<Pick<SourceAudit, 'source' | 'status' | 'rows_read'>>): ReadonlyArray<ValueType> =>
  valueTypes.includes('devices') && !readsDevices(sources) ? valueTypes.filter((vt) => vt !== 'devices') : valueTypes;

/**
 * Whether the site's device table was read and holds a device: every Blazar of the fork has the
 * device tables, empty on a site without devices (a bare-metal site reports no device rows).
 */
const readsDevices = (sources: ReadonlyArray<Pick<SourceAudit, 'source' | 'status' | 'rows_read'>>): boolean =>
  sources.some((x) => tableOf(x.source) === devicePrimaryTable.reservable && x.status === 'read' && x.rows_read > 0);

/**
 * What one site adds to a report: its counts and its share of the audit, without its events.
 * `siteReport` makes it as soon as the site is read, so a report of many sites holds one site's
 * events at a time; `assemble` joins them.
 *
 * @category model
 * @since 0.2.0
 */
export interface SiteReport {
  readonly site: string;
  readonly counts: SiteCounts;
  readonly fold: ReadonlyArray<FoldAudit>;
  readonly clamping: ReadonlyArray<ClampEntry>;
  readonly coverage: ReadonlyArray<CoverageAudit>;
  readonly legacyMismatches: ReadonlyArray<LegacyMismatch>;
  readonly actionEvents: ReadonlyArray<{ readonly site: string; readonly source: string; readonly rejected_by_reason: Readonly<Record<string, number>> }>;
  readonly sources: ReadonlyArray<SourceAudit>;
  readonly warnings: ReadonlyArray<string>;
  /** The site's lead times, when its leases were read. */
  readonly leadTime?: LeadTimeReport;
  /** The site's reservation book, when its leases and their allocations were read. */
  readonly booking?: SiteBooking;
  /** What the power history of the site's instances noticed (section 11). */
  readonly power: PowerAudit;
  /** The site's utilization rows, monthly and daily (see `Report.utilization`). */
  readonly utilization: { readonly monthly: ReadonlyArray<UtilizationRow>; readonly daily: ReadonlyArray<UtilizationRow> };
}

const tableOfSite = (s: SiteInput): EventTable => {
  if (!Array.isArray(s.events)) return s.events as EventTable;
  const b = new Builder(s.site);
  for (const e of s.events as ReadonlyArray<Event>) b.push(e);
  return b.build();
};

/**
 * What a site's part keeps besides its counts and audit.
 *
 * @category model
 * @since 0.2.0
 */
export interface SiteReportKeep {
  /**
   * The per-lease lead times (`leadTime.leases`; default `true`). The lead-time timeline,
   * statistics and audit are kept either way; a report that writes only those (the CLI) passes
   * `false` and holds no lease of a site after it is reduced (about 0.3 KB a lease).
   */
  readonly leases?: boolean;
}

/**
 * One site's reconstruction: fold, clamp and sweep of its events, coverage, legacy days, lead
 * times and its part of the audit.
 *
 * @example
 * const part = siteReport(options)(site)
 * const lean = siteReport(options, { leases: false })(site) // leadTime.leases empty
 * @category folding
 * @since 0.2.0
 */
export const siteReport =
  (asked: TimelineOptions, keep: SiteReportKeep = {}) =>
  (s: SiteInput): SiteReport => {
    // the value type devices only where the site's Blazar has devices (docs/decisions.md)
    const options: TimelineOptions = { ...asked, valueTypes: siteValueTypes(asked.valueTypes, s.sources) };
    const window = [options.start, options.end] as const;
    const table = tableOfSite(s);
    const folded = foldTable({ overlap: { total: 'union' } })(table);
    const fold: FoldAudit[] = folded.stats.map((x) => ({ site: s.site, ...x }));
    const earliest: Partial<Record<BaseCountType, T.Millis>> = { ...s.earliest };
    if (s.earliest === undefined) {
      const iv = folded.intervals;
      for (let i = 0; i < iv.length; i++) {
        const ct = baseCountTypes[iv.dict.entityCountType[iv.entity[i]]];
        const e = earliest[ct];
        if (e === undefined || iv.start[i] < e) earliest[ct] = T.unsafeMillis(iv.start[i]);
      }
    }
    const sourceRead: Partial<Record<BaseCountType, boolean>> = {};
    for (const ct of baseCountTypes) {
      sourceRead[ct] = s.sources.some((x) => (tableOf(x.source) === primaryTable[ct] || tableOf(x.source) === devicePrimaryTable[ct]) && x.status === 'read');
    }
    // section 15: a host state is known only from the audit tables' first row on; an empty or
    // absent audit table covers nothing (never "all usable")
    for (const ct of hostStateCountTypes) sourceRead[ct] = earliest[ct] !== undefined;
    const actionsRead = powerSourceRead(s.sources);
    const cov = Object.fromEntries(
      baseCountTypes.map((ct) => [ct, coverageOf({ window, earliest, sourceRead, configStart: s.configStart, knownGaps: s.knownGaps })(ct)]),
    ) as Record<BaseCountType, CountCoverage>;
    for (const [occ, act] of Object.entries(stoppedOf) as Array<[keyof typeof stoppedOf, BaseCountType]>) {
      cov[act] = actionsRead ? activeCoverage(window, cov[occ], s.configStart[act], s.knownGaps.filter((g) => g.countTypes.includes(act))) : notCovered(window, 'instance action tables not read');
    }
    const coverage: CoverageAudit[] = baseCountTypes.map((ct) => ({
      site: s.site,
      count_type: ct,
      start: O.isSome(cov[ct].start) ? T.toIso(cov[ct].start.value) : null,
      start_from: cov[ct].startFrom,
      gaps: cov[ct].gaps.map((g) => ({ start: T.toIso(g.start), end: T.toIso(g.end), reason: g.reason })),
    }));
    const clamped = clampTable({
      rules: standardRules,
      covered: (_site, ct) => clampCoverage(cov[ct], s.knownGaps.filter((g) => g.countTypes.includes(ct))),
      horizon: options.end,
    })(folded.intervals);
    const counts = sweepTable({ groupBy: options.groupBy, valueTypes: options.valueTypes })(clamped.intervals);
    // utilization is per node type whatever the timeline is grouped by: its own sweep unless the
    // counts are grouped by node type alone (per-host series would make one integral per host)
    const byNodeType =
      options.groupBy.length === 1 && options.groupBy[0] === 'node_type' ? counts : sweepTable({ groupBy: ['node_type'], valueTypes: options.valueTypes })(clamped.intervals);
    const legacy = legacyDays({ byNodeType: options.groupBy.includes('node_type') })(s.legacy);
    const bySource = new Map<string, Rejection[]>();
    for (const r of s.rejections) {
      if (!/instance_actions_events$/.test(r.source.table)) continue;
      const list = bySource.get(r.source.table) ?? [];
      list.push(r);
      bySource.set(r.source.table, list);
    }
    const actionEvents = [...bySource.entries()].sort().map(([source, rs]) => ({ site: s.site, source, rejected_by_reason: countByReason(rs) }));
    const lt =
      s.leases === undefined
        ? undefined
        : leadTimes({ start: options.start, end: options.end, groupBy: options.groupBy.includes('node_type') ? ['node_type'] : [], sites: [s.site] })(s.leases);
    const leadTime = lt === undefined || keep.leases !== false ? lt : { ...lt, leases: [] };
    // the book holds hosts: a device site (CHI@Edge) without any host has none
    const book =
      s.leases !== undefined && s.leases.some((l) => l.allocations !== undefined) && !(readsDevices(s.sources) && poolOf(clamped.intervals).length === 0)
        ? siteBooking(options, s.site, s.leases, clamped.intervals, cov)
        : undefined;
    return {
      site: s.site,
      counts: { site: s.site, counts, coverage: cov, legacy: legacy.days, ondemandPool: s.ondemandPool === true },
      fold,
      clamping: clamped.audit,
      coverage,
      legacyMismatches: legacy.mismatches,
      actionEvents,
      sources: s.sources,
      warnings: s.warnings,
      leadTime,
      booking: book,
      power: powerAudit(s.site, table, actionsRead),
      utilization: siteUtilization(options, { site: s.site, counts: byNodeType, coverage: cov, legacy: [], ondemandPool: s.ondemandPool === true }),
    };
  };

/** The hosts' reservable stretches (clamped `reservable` intervals) as the book's pool. */
const poolOf = (iv: IntervalTable): ReadonlyArray<PoolHost> => {
  const out: PoolHost[] = [];
  const ct = baseCountTypes.indexOf('reservable');
  const { dict } = iv;
  for (let i = 0; i < iv.length; i++) {
    if (dict.entityCountType[iv.entity[i]] !== ct) continue;
    const run = iv.run[i];
    // the book holds hosts: devices (CHI@Edge) are not in its pool
    if (quantitiesOf(dict, run).devices > 0) continue;
    out.push({
      host_id: dict.entityIds[iv.entity[i]],
      node_type: dict.strings[dict.runs.nodeType[run]],
      quantities: quantitiesOf(dict, run),
      start: iv.start[i],
      end: iv.end[i],
    });
  }
  return out.sort((a, b) => a.start - b.start || (a.host_id < b.host_id ? -1 : a.host_id > b.host_id ? 1 : 0));
};

const within = (spans: ReadonlyArray<Span>, m: number): boolean => spans.some(([a, b]) => a <= m && m < b);

/** The book where reservable and committed are both covered at m (section 8). */
const siteBooking = (
  options: TimelineOptions,
  site: string,
  leases: ReadonlyArray<LeaseFact>,
  clamped: IntervalTable,
  cov: Readonly<Record<BaseCountType, CountCoverage>>,
): SiteBooking => {
  const pool = poolOf(clamped);
  const covered = (m: number) => within(cov.reservable.covered, m) && within(cov.committed.covered, m);
  const o = { start: options.start, end: options.end, valueTypes: options.valueTypes, covered };
  const b = booking(o)(site, leases, pool);
  const p = projectedLeadTimes(o)(site, leases, entries(leases).entries, pool);
  return { rows: b.rows, projected: p.rows, audit: { ...b.audit, projected_leadtime: p.audit } };
};

/** A site's utilization rows: monthly for every value type, daily for nodes (the figure's). */
const siteUtilization = (options: TimelineOptions, c: SiteCounts): SiteReport['utilization'] => ({
  monthly: utilization({ start: options.start, end: options.end, bucket: 'month', valueTypes: options.valueTypes })([c]),
  daily: options.valueTypes.includes('nodes') ? utilization({ start: options.start, end: options.end, bucket: 'day', valueTypes: ['nodes'] })([c]) : [],
});

const isDaily = (options: TimelineOptions): boolean =>
  O.isSome(options.resample) && options.resample.value.bucket === '1d' && options.resample.value.method === 'mean';

/**
 * Joins the sites' parts into the report: the usage timeline of all sites, the daily table,
 * lead times and the audit.
 *
 * @example
 * const { timeline, audit } = assemble(options)(sites.map(siteReport(options)))
 * @category folding
 * @since 0.2.0
 */
export const assemble =
  (options: TimelineOptions) =>
  (parts: ReadonlyArray<SiteReport>): Report => {
    const siteCounts = parts.map((p) => p.counts);
    const tl = timeline(options)(siteCounts);
    // the daily table is the daily-mean timeline of collector new: the same rows when the
    // timeline itself is daily means
    const daily = wide(isDaily(options) ? tl.rows : timeline({ ...options, resample: O.some({ bucket: '1d', method: 'mean' }) })(siteCounts.map((x) => ({ ...x, legacy: [] }))).rows);
    const leads = parts.filter((p) => p.leadTime !== undefined).map((p) => p.leadTime as LeadTimeReport);
    // rows and statistics by site (as one call over all sites gives them), leases and audit in site order
    const bySite = [...leads].sort((a, b) => (siteOf(a) < siteOf(b) ? -1 : siteOf(a) > siteOf(b) ? 1 : 0));
    const coverage = new Map<string, Readonly<Record<BaseCountType, CountCoverage>>>();
    for (const p of parts) coverage.set(p.site, p.counts.coverage);
    const books = parts.filter((p) => p.booking !== undefined).map((p) => p.booking as SiteBooking);
    books.sort((a, b) => (a.audit.site < b.audit.site ? -1 : a.audit.site > b.audit.site ? 1 : 0));
    return {
      timeline: tl,
      daily,
      leadTime: {
        leases: leads.flatMap((l) => l.leases),
        rows: bySite.flatMap((l) => l.rows),
        stats: bySite.flatMap((l) => l.stats),
      },
      coverage,
      booking: { rows: books.flatMap((b) => b.rows), projected: books.flatMap((b) => b.projected) },
      // by site, as the timeline (each part's rows are sorted already; the sort is stable)
      utilization: { monthly: bySiteName(parts.flatMap((p) => p.utilization.monthly)), daily: bySiteName(parts.flatMap((p) => p.utilization.daily)) },
      audit: {
        window: { start: T.toIso(options.start), end: T.toIso(options.end) },
        sources: parts.flatMap((p) => p.sources),
        fold: parts.flatMap((p) => p.fold),
        clamping: parts.flatMap((p) => p.clamping),
        coverage: parts.flatMap((p) => p.coverage),
        invariants: tl.violations,
        legacy_mismatches: parts.flatMap((p) => p.legacyMismatches.map((m) => ({ ...m, day: T.toIso(m.day) }))),
        action_events: parts.flatMap((p) => p.actionEvents),
        warnings: parts.flatMap((p) => p.warnings.map((message) => ({ site: p.site, message }))),
        leadtime: leads.flatMap((l) => l.audit),
        booking: books.map((b) => b.audit),
        power: parts.map((p) => p.power),
      },
    };
  };

const bySiteName = (rows: ReadonlyArray<UtilizationRow>): ReadonlyArray<UtilizationRow> => [...rows].sort((a, b) => (a.site < b.site ? -1 : a.site > b.site ? 1 : 0));

const siteOf = (l: LeadTimeReport): string => l.audit[0]?.site ?? '';

/**
 * Reconstructs the sites' usage timeline and its audit.
 *
 * @example
 * const { timeline, audit } = report(options)(sites)
 * @category folding
 * @since 0.1.0
 */
export const report =
  (options: TimelineOptions) =>
  (sites: ReadonlyArray<SiteInput>): Report =>
    assemble(options)(sites.map(siteReport(options)));

/**
 * Pivots daily rows of collector `new` into one row per (day, site, value type, group) with one
 * column per count type; `null` where a count type has no row that day.
 *
 * @since 0.1.0
 */
export const wide = (rows: ReadonlyArray<UsageRow>): ReadonlyArray<DailyRow> => {
  const out = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    if (r.collector_type !== 'new') continue;
    const k = [r.timestamp, r.site, r.value_type, r.node_type ?? '', r.hypervisor_hostname ?? ''].join('\u0000');
    let w = out.get(k);
    if (w === undefined) {
      w = { timestamp: r.timestamp, site: r.site, value_type: r.value_type };
      for (const ct of outputCountTypes) w[ct] = null;
      if (r.node_type !== undefined) w.node_type = r.node_type;
      if (r.hypervisor_hostname !== undefined) w.hypervisor_hostname = r.hypervisor_hostname;
      out.set(k, w);
    }
    w[r.count_type] = r.value;
  }
  return [...out.keys()].sort().map((k) => out.get(k) as DailyRow);
};

/**
 * Where clamping may check a parent: from its coverage start on, without end (not cut to the
 * report's window), minus its known gaps.
 */
const clampCoverage = (c: CountCoverage, gaps: ReadonlyArray<KnownGap>): ReadonlyArray<Span> => {
  if (O.isNone(c.start)) return [];
  let spans: ReadonlyArray<Span> = [[c.start.value, T.unsafeMillis(Infinity)]];
  for (const g of gaps) spans = subtract(spans, [g.start, g.end]);
  return spans;
};
