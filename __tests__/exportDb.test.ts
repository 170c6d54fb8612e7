import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import { knex, type Knex } from 'knex';
import { exportDb, type ExportTable } from '../cli/exportDb';
import { describeMysql, mysqlUrl } from './fixtures/db';

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
