/**
 * The legacy collector: `chameleon_usage.node_usage_report_cache` and `node_count_cache` as
 * `LegacyRecord`s, pure and against SQLite and MySQL fixtures.
 */
import * as Ei from 'fp-ts/Either';
import { emptyContext, type LegacyRecord } from '../adapters/Adapter';
import { CountRow, countToRecords, legacyCounts, legacyRowId, legacyUsage, startOfDay, UsageRow, usageToRecords } from '../adapters/legacy';
import { runAdapter, type RunResult } from '../adapters/runner';
import { siteConfig } from '../adapters/Source';
import * as T from '../lib/Time';
import { describeBoth, openFixture, type Dialect, type Fixture } from './fixtures/db';
import * as R from './fixtures/rows';

const ctx = emptyContext(siteConfig('chi_tacc'));
const day = (s: string) => T.toIso(T.unsafeMillis(Date.parse(`${s}T00:00:00Z`)));

const decodeUsage = (raw: unknown): UsageRow => {
  const d = UsageRow.decode(raw);
  if (Ei.isLeft(d)) throw new Error('does not decode');
  return d.right;
};
const decodeCount = (raw: unknown): CountRow => {
  const d = CountRow.decode(raw);
  if (Ei.isLeft(d)) throw new Error('does not decode');
  return d.right;
};
const reasonOf = (r: Ei.Either<{ reason: string }, unknown>) => (Ei.isLeft(r) ? r.left.reason : 'ok');

describe('usageToRecords', () => {
  it('keeps the hours of a day and node type as stored, dated the day at 00:00Z', () => {
    const r = usageToRecords(ctx)(decodeUsage(R.nodeUsageReportCache({ date: '2024-03-05 00:00:00', idle_hours: 12.5 })));
    if (Ei.isLeft(r)) throw new Error(r.left.detail);
    expect(r.right).toEqual([
      {
        _tag: 'LegacyUsage',
        site: 'chi_tacc',
        date: T.unsafeMillis(Date.UTC(2024, 2, 5)),
        node_type: 'compute_skylake',
        maint_hours: 24,
        reserved_hours: 48,
        used_hours: 96,
        idle_hours: 12.5,
        total_hours: 240,
        cnt: 0,
        source: { table: 'chameleon_usage.node_usage_report_cache', id: '2024-03-05/compute_skylake' },
      },
    ]);
  });

  it('decodes DECIMAL hours that the driver returns as strings', () => {
    const r = usageToRecords(ctx)(decodeUsage(R.nodeUsageReportCache({ used_hours: '96.25' })));
    expect(Ei.isRight(r) && r.right[0].used_hours).toBe(96.25);
  });

  it('floors a date with a time of day to its day', () => {
    expect(T.toIso(startOfDay(T.unsafeMillis(Date.UTC(2024, 0, 2, 13, 45))))).toBe('2024-01-02T00:00:00Z');
  });

  it('rejects a NULL or zero date as date_missing', () => {
    expect(reasonOf(usageToRecords(ctx)(decodeUsage(R.nodeUsageReportCache({ date: null }))))).toBe('date_missing');
    expect(reasonOf(usageToRecords(ctx)(decodeUsage(R.nodeUsageReportCache({ date: '0000-00-00 00:00:00' }))))).toBe('date_missing');
  });

  it('rejects negative and NULL hours', () => {
    expect(reasonOf(usageToRecords(ctx)(decodeUsage(R.nodeUsageReportCache({ maint_hours: -1 }))))).toBe('negative_hours');
    expect(reasonOf(usageToRecords(ctx)(decodeUsage(R.nodeUsageReportCache({ used_hours: null }))))).toBe('hours_missing');
  });

  it('names a row by its id column when there is one, else by day and node type', () => {
    expect(legacyRowId({ id: 7, date: '2024-01-01' })).toBe('7');
    expect(legacyRowId({ date: '2024-01-01', node_type: 'gpu_a100' })).toBe('2024-01-01/gpu_a100');
  });
});

describe('countToRecords', () => {
  it('keeps the node count of a day and node type', () => {
    const r = countToRecords(ctx)(decodeCount(R.nodeCountCache({ date: '2024-02-29', node_type: 'gpu_a100', cnt: 4 })));
    if (Ei.isLeft(r)) throw new Error(r.left.detail);
    expect(r.right[0]).toMatchObject({ _tag: 'LegacyCount', date: Date.UTC(2024, 1, 29), node_type: 'gpu_a100', cnt: 4, total_hours: 0 });
  });

  it('rejects a negative count and a missing date', () => {
    expect(reasonOf(countToRecords(ctx)(decodeCount(R.nodeCountCache({ cnt: -3 }))))).toBe('negative_count');
    expect(reasonOf(countToRecords(ctx)(decodeCount(R.nodeCountCache({ date: null }))))).toBe('date_missing');
  });
});

const run = async (fx: Fixture, which: 'usage' | 'count'): Promise<RunResult<LegacyRecord>> => {
  const r = which === 'usage' ? await runAdapter(legacyUsage, fx.src, emptyContext(fx.src.site))() : await runAdapter(legacyCounts, fx.src, emptyContext(fx.src.site))();
  if (Ei.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

describeBoth('legacy adapters', (dialect: Dialect) => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await openFixture(dialect, { tables: ['chameleon_usage.node_usage_report_cache', 'chameleon_usage.node_count_cache'] });
  });
  afterEach(async () => {
    await fx.drop();
  });

  it('reads node_usage_report_cache rows as LegacyUsage records, one per row, ordered by day', async () => {
    await fx.insert('chameleon_usage.node_usage_report_cache', [
      R.nodeUsageReportCache({ date: '2024-01-02 00:00:00', node_type: 'storage', total_hours: 48, maint_hours: 0, reserved_hours: 0, used_hours: 24, idle_hours: 0 }),
      R.nodeUsageReportCache({ date: '2024-01-01 00:00:00', idle_hours: 12.5 }),
    ]);
    const r = await run(fx, 'usage');
    expect(r.report).toMatchObject({ status: 'read', rows_read: 2, rows_folded: 2, rows_rejected: 0 });
    expect(r.outputs.map((x) => [T.toIso(x.date), x.node_type, x.total_hours, x.idle_hours, x.used_hours])).toEqual([
      [day('2024-01-01'), 'compute_skylake', 240, 12.5, 96],
      [day('2024-01-02'), 'storage', 48, 0, 24],
    ]);
    expect(r.outputs[0].source.table).toBe(`${fx.src.site.databases.chameleon_usage}.node_usage_report_cache`);
  });

  it('rejects usage rows with a zero date or negative hours, with reasons', async () => {
    await fx.insert('chameleon_usage.node_usage_report_cache', [
      R.nodeUsageReportCache({ date: '0000-00-00 00:00:00' }),
      R.nodeUsageReportCache({ date: '2024-01-03 00:00:00', reserved_hours: -2 }),
      R.nodeUsageReportCache({ date: '2024-01-04 00:00:00' }),
    ]);
    const r = await run(fx, 'usage');
    expect(r.report).toMatchObject({ rows_read: 3, rows_folded: 1, rows_rejected: 2, rejected_by_reason: { date_missing: 1, negative_hours: 1 } });
    expect(r.outputs.map((x) => T.toIso(x.date))).toEqual([day('2024-01-04')]);
  });

  it('reads node_count_cache rows as LegacyCount records and rejects a negative count', async () => {
    await fx.insert('chameleon_usage.node_count_cache', [
      R.nodeCountCache({ date: '2024-01-01', cnt: 10 }),
      R.nodeCountCache({ date: '2024-01-01', node_type: 'gpu_a100', cnt: 2 }),
      R.nodeCountCache({ date: '2024-01-02', cnt: -1 }),
    ]);
    const r = await run(fx, 'count');
    expect(r.report).toMatchObject({ rows_read: 3, rows_folded: 2, rejected_by_reason: { negative_count: 1 } });
    expect(r.outputs.map((x) => [x._tag, T.toIso(x.date), x.node_type, x.cnt])).toEqual([
      ['LegacyCount', day('2024-01-01'), 'compute_skylake', 10],
      ['LegacyCount', day('2024-01-01'), 'gpu_a100', 2],
    ]);
    expect(r.rejections[0].source.id).toBe('2024-01-02/compute_skylake');
  });

  it('reports a missing legacy table by name instead of failing', async () => {
    const only = await openFixture(dialect, { tables: ['chameleon_usage.node_count_cache'] });
    try {
      const r = await run(only, 'usage');
      expect(r.report.status).toBe('missing_table');
      expect(r.report.detail).toContain('node_usage_report_cache');
    } finally {
      await only.drop();
    }
  });
});
