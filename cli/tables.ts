/**
 * The report's tables: one list that both the files under `<out>/data/` and `--export-db` are
 * made from, so a new output is one entry here and reaches the files and the dashboards' database
 * together.
 *
 * An entry names its table (the file's base name and the database table's name), its columns in
 * order, which columns are text and which are instants (the rest are numbers), its validated rows
 * and the file formats it is written in (none: database only). `audit.json` (a document, not a
 * table) and `facts_timeline.csv` (every event: too big for a dashboard table) stay files only.
 *
 * @since 0.3.0
 */
import * as Ei from 'fp-ts/Either';
import type { GroupColumn } from '../lib/Counts';
import type { Failure } from '../lib/Failure';
import { bookingSchema, projectedLeadTimeSchema, validateBookingRows, validateProjectedLeadTimeRows } from '../lib/BookingRow';
import { statColumns } from '../lib/LeadTime';
import type { Report } from '../lib/Report';
import { utilizationColumns } from '../lib/Utilization';
import { dailyColumns, leadTimeColumns, usageColumns, validateDailyRows, validateLeadTimeRows, validateRows, type LeadTimeGroupColumn } from '../lib/UsageRow';
import type { ExportTable } from './exportDb';

/** The file formats a table is written in. @since 0.3.0 */
export type TableFormat = 'csv' | 'json';

/** A table of the report: what `--export-db` writes, and the files it is written to. @since 0.3.0 */
export interface ReportTable extends ExportTable {
  /** `<out>/data/<name>.<format>` for each; empty: the table goes to `--export-db` only. */
  readonly formats: ReadonlyArray<TableFormat>;
}

/** Every text column any table has; the rest are numbers or instants. */
const TEXT = new Set(['site', 'collector_type', 'count_type', 'value_type', 'node_type', 'hypervisor_hostname', 'leadtime_type', 'reason', 'request', 'capped']);

const textOf = (columns: ReadonlyArray<string>): ReadonlyArray<string> => columns.filter((c) => TEXT.has(c));

const invalid = (what: string) => (messages: ReadonlyArray<string>): Failure => ({ _tag: 'DecodeFailure', source: what, message: messages.join('; ') });

const round = (x: number | null | undefined, digits: number): number | null => (x === null || x === undefined ? null : Number(x.toFixed(digits)));

/**
 * The rows and columns of `utilization_monthly.csv` (and of the exported `utilization_monthly`
 * table): `month` for the row's period, means rounded to 1e-6 and percentages to 1e-4, empty
 * (null) where a share's denominator is 0 or not covered; `ondemand_pct` only when a site has an
 * on-demand pool.
 *
 * @since 0.3.0
 */
export const utilizationFile = (rep: Pick<Report, 'utilization'>): { readonly columns: ReadonlyArray<string>; readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>> } => {
  const withOndemand = rep.utilization.monthly.some((r) => r.ondemand_pct !== undefined);
  const rows = rep.utilization.monthly.map((r) => {
    const o: Record<string, unknown> = {
      site: r.site,
      month: r.period,
      node_type: r.node_type,
      value_type: r.value_type,
      reservable: round(r.reservable, 6),
      committed: round(r.committed, 6),
      occupied: round(r.occupied, 6),
      active: round(r.active, 6),
      committed_pct: round(r.committed_pct, 4),
      occupied_pct: round(r.occupied_pct, 4),
      active_pct: round(r.active_pct, 4),
    };
    if (withOndemand) o.ondemand_pct = round(r.ondemand_pct, 4);
    return o;
  });
  return { columns: utilizationColumns(withOndemand), rows };
};

/**
 * The report's tables, validated against their schemas, in output order: `usage_timeline`,
 * `usage_daily`, `leadtime_timeline`, `leadtime_stats`, `booking_timeline`,
 * `projected_leadtime`, `utilization_monthly` (files and database), then
 * `coverage_gaps` (database only: the audit's gaps, one row per gap, for dashboards to mark
 * "no data").
 *
 * @since 0.3.0
 */
export const reportTables = (groupBy: ReadonlyArray<GroupColumn>, rep: Report): Ei.Either<Failure, ReadonlyArray<ReportTable>> => {
  const rows = validateRows(groupBy)(rep.timeline.rows);
  if (Ei.isLeft(rows)) return Ei.left(invalid('usage timeline')(rows.left));
  const daily = validateDailyRows(groupBy)(rep.daily);
  if (Ei.isLeft(daily)) return Ei.left(invalid('daily table')(daily.left));
  const leadGroup: ReadonlyArray<LeadTimeGroupColumn> = groupBy.includes('node_type') ? ['node_type'] : [];
  const lead = validateLeadTimeRows(leadGroup)(rep.leadTime.rows);
  if (Ei.isLeft(lead)) return Ei.left(invalid('lead-time timeline')(lead.left));
  const book = validateBookingRows(rep.booking.rows);
  if (Ei.isLeft(book)) return Ei.left(invalid('booking timeline')(book.left));
  const projected = validateProjectedLeadTimeRows(rep.booking.projected);
  if (Ei.isLeft(projected)) return Ei.left(invalid('projected lead times')(projected.left));
  const util = utilizationFile(rep);
  const table = (name: string, columns: ReadonlyArray<string>, rs: ExportTable['rows'], formats: ReadonlyArray<TableFormat>, times = ['timestamp']): ReportTable => ({
    name,
    columns,
    text: textOf(columns),
    times: times.filter((t) => columns.includes(t)),
    rows: rs,
    formats,
  });
  const gaps = rep.audit.coverage.flatMap((c) => c.gaps.map((g) => ({ site: c.site, count_type: c.count_type, start: g.start, end: g.end, reason: g.reason })));
  return Ei.right([
    table('usage_timeline', usageColumns(groupBy), rows.right, ['csv', 'json']),
    table('usage_daily', dailyColumns(groupBy), daily.right, ['csv']),
    table('leadtime_timeline', leadTimeColumns(leadGroup), lead.right, ['csv', 'json']),
    table('leadtime_stats', statColumns(leadGroup), rep.leadTime.stats, ['json'], ['month']),
    table('booking_timeline', bookingSchema.columns, book.right, ['csv']),
    table('projected_leadtime', projectedLeadTimeSchema.columns, projected.right, ['csv']),
    { ...table('utilization_monthly', util.columns, util.rows, ['csv'], []), text: ['site', 'month', 'node_type', 'value_type'] },
    table('coverage_gaps', ['site', 'count_type', 'start', 'end', 'reason'], gaps, [], ['start', 'end']),
  ]);
};
