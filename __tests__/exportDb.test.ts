import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import { knex, type Knex } from 'knex';
import * as O from 'fp-ts/Option';
import { exportDb, type ExportTable } from '../cli/exportDb';
import { runReport, type ReportRequest } from '../cli/report';
import { reportTables, type ReportTable } from '../cli/tables';
import * as T from '../lib/Time';
import { describeMysql, mysqlUrl, openFixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';

const table = (rows: number, value = 1): ExportTable => ({
  name: 'usage_timeline',
  columns: ['site', 'timestamp', 'count_type', 'value'],
  text: ['site', 'count_type'],
  rows: Array.from({ length: rows }, (_, i) => ({ site: 'chi_uc', timestamp: `2024-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`, count_type: 'total', value })),
});

const check = async (k: Knex, expected: number, value: number) => {
  const rows = await k('usage_timeline').select('*').orderBy('timestamp');
  expect(rows).toHaveLength(expected);
  expect(rows.every((r: { value: number }) => r.value === value)).toBe(true);
  expect(await k.schema.hasTable('usage_timeline__new')).toBe(false);
};

describe('exportDb on SQLite', () => {
  it('creates the table, then replaces it whole on the next export', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-export-'));
    const file = path.join(dir, 'dash.sqlite');
    try {
      expect(Ei.isRight(await exportDb(`sqlite:${file}`, [table(20, 1)])())).toBe(true);
      // `sqlite:` URLs must exist to be read; the exporter creates it
      expect(Ei.isRight(await exportDb(`sqlite:${file}`, [table(5, 2)])())).toBe(true);
      const k = knex({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
      try {
        await check(k, 5, 2);
      } finally {
        await k.destroy();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeMysql('exportDb on MySQL', () => {
  it('swaps the new table in with one rename and keeps DATETIME timestamps in UTC', async () => {
    const db = `cu_export_${process.pid}`;
    const base = mysqlUrl() as string;
    const admin = knex({ client: 'mysql2', connection: { uri: base } as Knex.MySqlConnectionConfig });
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${db}\``);
    try {
      expect(Ei.isRight(await exportDb(`${base}/${db}`, [table(10, 3)])())).toBe(true);
      expect(Ei.isRight(await exportDb(`${base}/${db}`, [table(4, 7)])())).toBe(true);
      const k = knex({ client: 'mysql2', connection: { uri: `${base}/${db}`, dateStrings: true } as Knex.MySqlConnectionConfig });
      try {
        await check(k, 4, 7);
        const [first] = await k('usage_timeline').select('timestamp').orderBy('timestamp').limit(1);
        expect(first.timestamp).toBe('2024-01-01 00:00:00');
      } finally {
        await k.destroy();
      }
    } finally {
      await admin.raw(`DROP DATABASE IF EXISTS \`${db}\``);
      await admin.destroy();
    }
  });

  it('refuses a MySQL URL without a database name', async () => {
    const r = await exportDb(mysqlUrl() as string, [table(1)])();
    expect(Ei.isLeft(r) && r.left.message).toMatch(/name the database/);
  });
});

// -------------------------------------------------------------------------------------
// the report's tables, end to end
// -------------------------------------------------------------------------------------

const at = (iso: string) => O.getOrElse((): T.Millis => T.unsafeMillis(NaN))(T.fromIso(iso));

/** Runs the small site's report with `--export-db url` and returns it with its table list. */
const exportReport = async (url: string) => {
  const src = await openFixture('sqlite');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-export-report-'));
  try {
    await populate(src);
    const req: ReportRequest = {
      targets: [{ site: { ...src.src.site, site: 'small' }, url: src.url }],
      out,
      start: at('2024-01-01'),
      end: at('2024-02-01'),
      groupBy: ['node_type'],
      valueTypes: ['nodes'],
      resample: O.none,
      facts: false,
      exportDb: url,
      log: () => undefined,
    };
    const r = await runReport(req)();
    if (Ei.isLeft(r)) throw new Error(JSON.stringify(r.left));
    const tables = reportTables(req.groupBy, r.right.report);
    if (Ei.isLeft(tables)) throw new Error(JSON.stringify(tables.left));
    // every table that has a file has the same rows there
    for (const t of tables.right.filter((x) => x.formats.includes('json'))) {
      expect(JSON.parse(fs.readFileSync(path.join(out, 'data', `${t.name}.json`), 'utf8'))).toHaveLength(t.rows.length);
    }
    return tables.right;
  } finally {
    await src.drop();
    fs.rmSync(out, { recursive: true, force: true });
  }
};

/** Every table is in the database with its columns and rows; instants read back as the same UTC instant. */
const checkTables = async (k: Knex, tables: ReadonlyArray<ReportTable>, instant: (v: unknown) => string) => {
  expect(tables.map((t) => t.name)).toEqual(['usage_timeline', 'usage_daily', 'leadtime_timeline', 'leadtime_stats', 'booking_timeline', 'projected_leadtime', 'utilization_monthly', 'coverage_gaps']);
  for (const t of tables) {
    expect(t.rows.length).toBeGreaterThan(0);
    const got: Array<Record<string, unknown>> = await k(t.name).select(t.columns as string[]);
    expect(got).toHaveLength(t.rows.length);
    expect(Object.keys(got[0])).toEqual(t.columns);
    const times = t.times ?? ['timestamp'];
    const key = (r: Readonly<Record<string, unknown>>, read: boolean) =>
      JSON.stringify(t.columns.map((c) => (times.includes(c) ? (read ? instant(r[c]) : r[c]) : typeof r[c] === 'number' ? Number((r[c] as number).toFixed(9)) : (r[c] ?? null))));
    expect(got.map((r) => key(r, true)).sort()).toEqual(t.rows.map((r) => key(r, false)).sort());
    expect(await k.schema.hasTable(`${t.name}__new`)).toBe(false);
  }
};

describe('report --export-db on SQLite', () => {
  it('writes every table of the report (lead times and coverage gaps included) with the rows of its file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-export-'));
    const file = path.join(dir, 'dash.sqlite');
    try {
      const tables = await exportReport(`sqlite:${file}`);
      const k = knex({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
      try {
        await checkTables(k, tables, (v) => String(v));
      } finally {
        await k.destroy();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeMysql('report --export-db on MySQL', () => {
  it('writes every table of the report, instants as DATETIME in UTC', async () => {
    const db = `cu_export_report_${process.pid}`;
    const base = mysqlUrl() as string;
    const admin = knex({ client: 'mysql2', connection: { uri: base } as Knex.MySqlConnectionConfig });
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${db}\``);
    try {
      const tables = await exportReport(`${base}/${db}`);
      const k = knex({ client: 'mysql2', connection: { uri: `${base}/${db}`, dateStrings: true } as Knex.MySqlConnectionConfig });
      try {
        await checkTables(k, tables, (v) => `${String(v).replace(' ', 'T')}Z`);
        const cols = await k.raw('SELECT COLUMN_NAME AS c, DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [db, 'leadtime_stats']);
        const types = Object.fromEntries((cols[0] as Array<{ c: string; t: string }>).map((x) => [x.c, x.t]));
        expect(types).toMatchObject({ month: 'datetime', site: 'varchar', median_hours: 'double', node_type: 'varchar' });
      } finally {
        await k.destroy();
      }
    } finally {
      await admin.raw(`DROP DATABASE IF EXISTS \`${db}\``);
      await admin.destroy();
    }
  });
});
