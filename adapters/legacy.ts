/**
 * The legacy collector (reconstruction rules, section 7): the daily caches Chameleon's older
 * usage reporting left in the `chameleon_usage` database, read as {@link LegacyRecord}s for the
 * comparison with the reconstruction.
 *
 * - `node_usage_report_cache (date, node_type, maint_hours, reserved_hours, used_hours,
 *   idle_hours, total_hours)`: hours per day and node type -> `LegacyUsage` (hours as stored;
 *   the usage timeline sums them over node types and divides by 24).
 * - `node_count_cache (date, node_type, cnt)`: nodes per day and node type -> `LegacyCount`.
 *
 * Columns as in ChameleonCloud/usage-exploration `src/chameleon_usage/ingest/rawschemas.py`
 * (`NodeUsageReportCache`, `NodeCountCache`). Whether the tables have an `id` column is not
 * documented: it is probed, and without one a row is named `<date>/<node_type>`.
 *
 * `date` is a DATE: the day at 00:00Z. A DATETIME with a time of day (a snapshot that widened
 * the column) is floored to its day.
 *
 * Rejections: `date_missing` (NULL, zero or unparseable date), `hours_missing` /
 * `count_missing` (a NULL value), `negative_hours` / `negative_count`.
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import type { ReadonlyNonEmptyArray } from 'fp-ts/ReadonlyNonEmptyArray';
import * as t from 'io-ts';
import { rejection, type Rejection } from '../lib/Rejection';
import { DAY, unsafeMillis, type Millis } from '../lib/Time';
import type { Adapter, Context, LegacyRecord } from './Adapter';
import { nullable, Num, Str, struct, UtcDate } from './codecs';
import { auditName, columnsOf, streamRows, tableName, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export const usageCacheTable: TableRef = { db: 'chameleon_usage', table: 'node_usage_report_cache' };
/** @category model @since 0.1.0 */
export const countCacheTable: TableRef = { db: 'chameleon_usage', table: 'node_count_cache' };

/** The hour columns of `node_usage_report_cache`. @category model @since 0.1.0 */
export const hourColumns = ['maint_hours', 'reserved_hours', 'used_hours', 'idle_hours', 'total_hours'] as const;

// `id` is absent from tables without the column, and decodes to null then (as it did under
// `t.partial`: nullable succeeds on undefined, so partial too set it to null).
const Common = struct({ date: UtcDate, node_type: nullable(Str), id: nullable(Str) });

/** @category model @since 0.1.0 */
export const UsageRow = struct({
  ...Common.props,
  maint_hours: nullable(Num),
  reserved_hours: nullable(Num),
  used_hours: nullable(Num),
  idle_hours: nullable(Num),
  total_hours: nullable(Num),
});

/** @category model @since 0.1.0 */
export type UsageRow = t.TypeOf<typeof UsageRow>;

/** @category model @since 0.1.0 */
export const CountRow = struct({ ...Common.props, cnt: nullable(Num) });

/** @category model @since 0.1.0 */
export type CountRow = t.TypeOf<typeof CountRow>;

// -------------------------------------------------------------------------------------
// query
// -------------------------------------------------------------------------------------

const show = (v: unknown): string => (v === null || v === undefined ? 'NULL' : v instanceof Date ? v.toISOString() : String(v));

/**
 * The row id: the `id` column when the table has one, else `<date>/<node_type>`.
 *
 * @since 0.1.0
 */
export const legacyRowId = (raw: unknown): string => {
  const r = (raw ?? {}) as Record<string, unknown>;
  return r.id !== undefined && r.id !== null ? String(r.id) : `${show(r.date)}/${show(r.node_type)}`;
};

const streamTable =
  (ref: TableRef, columns: ReadonlyArray<string>) =>
  async function* (src: Source): AsyncIterable<unknown> {
    const hasId = (await columnsOf(src, ref)).has('id');
    const cols = hasId ? ['id', ...columns] : [...columns];
    const q = src.knex(tableName(src)(ref)).select(cols).orderBy(hasId ? ['date', 'node_type', 'id'] : ['date', 'node_type']);
    yield* streamRows(src, q);
  };

// -------------------------------------------------------------------------------------
// toEvents
// -------------------------------------------------------------------------------------

/** The day at 00:00Z of an instant. @since 0.1.0 */
export const startOfDay = (t: Millis): Millis => unsafeMillis(Math.floor(t / DAY) * DAY);

const base = (ctx: Context, ref: TableRef, row: t.TypeOf<typeof Common>) => {
  const id = row.id ?? `${row.date === null ? 'NULL' : new Date(row.date).toISOString().slice(0, 10)}/${row.node_type ?? 'NULL'}`;
  const source = { table: auditName(ctx.site)(ref), id };
  const reject = (reason: string, detail: string) =>
    Ei.left<Rejection, never>(rejection({ site: ctx.site.site, source, reason, detail, entityId: row.node_type ?? 'unknown' }));
  return { source, reject, node_type: row.node_type === null || row.node_type.trim() === '' ? 'unknown' : row.node_type };
};

/**
 * Pure: a `node_usage_report_cache` row becomes one `LegacyUsage` record, or one rejection.
 *
 * @since 0.1.0
 */
export const usageToRecords =
  (ctx: Context) =>
  (row: UsageRow): Ei.Either<Rejection, ReadonlyNonEmptyArray<LegacyRecord>> => {
    const { source, reject, node_type } = base(ctx, usageCacheTable, row);
    if (row.date === null) return reject('date_missing', 'date is NULL, zero or unparseable');
    const missing = hourColumns.filter((c) => row[c] === null);
    if (missing.length > 0) return reject('hours_missing', `NULL ${missing.join(', ')}`);
    const negative = hourColumns.filter((c) => (row[c] ?? 0) < 0);
    if (negative.length > 0) return reject('negative_hours', negative.map((c) => `${c} = ${row[c]}`).join(', '));
    return Ei.right([
      {
        _tag: 'LegacyUsage',
        site: ctx.site.site,
        date: startOfDay(row.date),
        node_type,
        maint_hours: row.maint_hours ?? 0,
        reserved_hours: row.reserved_hours ?? 0,
        used_hours: row.used_hours ?? 0,
        idle_hours: row.idle_hours ?? 0,
        total_hours: row.total_hours ?? 0,
        cnt: 0,
        source,
      },
    ]);
  };

/**
 * Pure: a `node_count_cache` row becomes one `LegacyCount` record, or one rejection.
 *
 * @since 0.1.0
 */
export const countToRecords =
  (ctx: Context) =>
  (row: CountRow): Ei.Either<Rejection, ReadonlyNonEmptyArray<LegacyRecord>> => {
    const { source, reject, node_type } = base(ctx, countCacheTable, row);
    if (row.date === null) return reject('date_missing', 'date is NULL, zero or unparseable');
    if (row.cnt === null) return reject('count_missing', 'cnt is NULL');
    if (row.cnt < 0) return reject('negative_count', `cnt = ${row.cnt}`);
    return Ei.right([
      {
        _tag: 'LegacyCount',
        site: ctx.site.site,
        date: startOfDay(row.date),
        node_type,
        maint_hours: 0,
        reserved_hours: 0,
        used_hours: 0,
        idle_hours: 0,
        total_hours: 0,
        cnt: row.cnt,
        source,
      },
    ]);
  };

// -------------------------------------------------------------------------------------
// the adapters
// -------------------------------------------------------------------------------------

/**
 * `chameleon_usage.node_usage_report_cache` -> `LegacyUsage` records.
 *
 * @since 0.1.0
 */
export const legacyUsage: Adapter<UsageRow, LegacyRecord> = {
  name: 'chameleon_usage.node_usage_report_cache',
  table: usageCacheTable,
  reads: [usageCacheTable],
  codec: UsageRow,
  rowId: legacyRowId,
  query: streamTable(usageCacheTable, ['date', 'node_type', ...hourColumns]),
  toEvents: usageToRecords,
};

/**
 * `chameleon_usage.node_count_cache` -> `LegacyCount` records.
 *
 * @since 0.1.0
 */
export const legacyCounts: Adapter<CountRow, LegacyRecord> = {
  name: 'chameleon_usage.node_count_cache',
  table: countCacheTable,
  reads: [countCacheTable],
  codec: CountRow,
  rowId: legacyRowId,
  query: streamTable(countCacheTable, ['date', 'node_type', 'cnt']),
  toEvents: countToRecords,
};
