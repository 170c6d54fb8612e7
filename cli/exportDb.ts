/**
 * `--export-db URL`: writes the report's tables (`cli/tables.ts`: the usage timeline, the wide
 * per-day table, the lead-time timeline and statistics, the reservation book, the monthly utilization, the
 * coverage gaps) into database tables of
 * the same names that dashboards query (docs/grafana.md), through knex, on MySQL/MariaDB or SQLite.
 *
 * Each table is replaced whole and atomically: rows go into `<name>__new`, then one rename
 * swaps it in (MySQL `RENAME TABLE` is atomic; SQLite does it in a transaction). Readers see the
 * old table or the new one, never a half-filled one; a failed export leaves the old table.
 * Instants (`timestamp`, or the columns a table names in `times`) are DATETIME (UTC) on MySQL and
 * ISO-8601 text on SQLite; text columns are VARCHAR(255) on MySQL (TEXT when a value is longer).
 *
 * @since 0.1.0
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import * as TE from 'fp-ts/TaskEither';
import type { Knex } from 'knex';
import { knexConfig, redact } from '../adapters/Source';
import type { ConfigFailure, WriteFailure } from '../lib/Failure';
import { checkTarget } from './outputDir';

/** A table to export: its name, its columns in order, which are text, and the rows. @since 0.1.0 */
export interface ExportTable {
  readonly name: string;
  readonly columns: ReadonlyArray<string>;
  /** Columns holding text (the others are numbers, or instants: see `times`). */
  readonly text: ReadonlyArray<string>;
  /** Columns holding instants as ISO-8601 UTC text (default `['timestamp']`). */
  readonly times?: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const writableConfig = async (url: string): Promise<{ config: Knex.Config; dialect: 'mysql' | 'sqlite' }> => {
  const c = await knexConfig(url)();
  if (c._tag === 'Left') throw new Error(c.left.message);
  if (c.right.dialect === 'sqlite') {
    const filename = (c.right.config.connection as { filename: string }).filename;
    return { dialect: 'sqlite', config: { client: 'better-sqlite3', connection: { filename }, useNullAsDefault: true } };
  }
  const conn = c.right.config.connection as { database?: string };
  if (conn.database === undefined || conn.database === '') throw new Error(`--export-db ${redact(url)}: name the database (mysql://user:pass@host:port/DATABASE)`);
  return c.right as { config: Knex.Config; dialect: 'mysql' };
};

const toDatetime = (iso: unknown): unknown => (typeof iso === 'string' ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : iso);

const replaceTable = async (k: Knex, dialect: 'mysql' | 'sqlite', t: ExportTable): Promise<void> => {
  if (!NAME.test(t.name) || !t.columns.every((c) => NAME.test(c))) throw new Error(`bad table or column name in ${t.name}`);
  const fresh = `${t.name}__new`;
  const times = t.times ?? ['timestamp'];
  const long = (c: string): boolean => t.rows.some((r) => typeof r[c] === 'string' && (r[c] as string).length > 255);
  await k.schema.dropTableIfExists(fresh);
  await k.schema.createTable(fresh, (tb) => {
    for (const c of t.columns) {
      if (times.includes(c)) (dialect === 'mysql' ? tb.dateTime(c) : tb.text(c)).notNullable();
      else if (t.text.includes(c)) (dialect === 'mysql' && !long(c) ? tb.string(c, 255) : tb.text(c)).notNullable();
      else tb.double(c).nullable();
    }
  });
  const rows = t.rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (const c of t.columns) o[c] = times.includes(c) && dialect === 'mysql' ? toDatetime(r[c]) : (r[c] ?? null);
    return o;
  });
  const batch = Math.max(1, Math.floor(900 / Math.max(1, t.columns.length)));
  for (let i = 0; i < rows.length; i += batch) await k.insert(rows.slice(i, i + batch)).into(fresh);
  if (dialect === 'mysql') {
    const old = `${t.name}__old`;
    await k.schema.dropTableIfExists(old);
    if (await k.schema.hasTable(t.name)) await k.raw('RENAME TABLE ?? TO ??, ?? TO ??', [t.name, old, fresh, t.name]);
    else await k.raw('RENAME TABLE ?? TO ??', [fresh, t.name]);
    await k.schema.dropTableIfExists(old);
  } else {
    await k.transaction(async (trx) => {
      await trx.schema.dropTableIfExists(t.name);
      await trx.raw('ALTER TABLE ?? RENAME TO ??', [fresh, t.name]);
    });
  }
};

/**
 * Replaces each table in the target database.
 *
 * @example
 * await exportDb('sqlite:dash.sqlite', [{ name: 'usage_timeline', columns, text: ['site'], rows }])()
 * @since 0.1.0
 */
export const exportDb = (url: string, tables: ReadonlyArray<ExportTable>): TE.TaskEither<ConfigFailure | WriteFailure, void> =>
  TE.tryCatch(
    async () => {
      const { config, dialect } = await writableConfig(url);
      const { knex } = await import('knex'); // loaded on first use, like adapters/Source.ts
      const k = knex(config);
      try {
        for (const t of tables) await replaceTable(k, dialect, t);
      } finally {
        await k.destroy();
      }
    },
    (e): WriteFailure => ({ _tag: 'WriteFailure', path: redact(url), message: (e instanceof Error ? e.message : String(e)).split(url).join(redact(url)) }),
  );

/**
 * Checks an export target before any database is read: a URL the tool can use, a MySQL URL that
 * names its database, a SQLite file whose folder exists and that is a file (or absent). It does
 * not connect: the export happens after the outputs are written, and a server may come and go.
 *
 * @example
 * await checkExportDb('sqlite:dash.sqlite')() // right(undefined)
 * await checkExportDb('sqlite:/dev/full')() // left(WriteFailure: not a regular file)
 * @since 0.3.0
 */
export const checkExportDb =
  (url: string): TE.TaskEither<ConfigFailure | WriteFailure, void> =>
  async () => {
    const c = await knexConfig(url)();
    if (E.isLeft(c)) return E.left({ _tag: 'ConfigFailure', message: `--export-db: ${c.left.message}` });
    const where = `--export-db ${redact(url)}`;
    if (c.right.dialect === 'mysql') {
      const db = (c.right.config.connection as { database?: string }).database;
      if (db === undefined || db === '') return E.left({ _tag: 'ConfigFailure', message: `${where}: name the database (mysql://user:pass@host:port/DATABASE)` });
      return E.right(undefined);
    }
    const file = (c.right.config.connection as { filename: string }).filename;
    const target = await checkTarget(file)();
    if (E.isLeft(target)) return E.left({ ...target.left, path: where });
    const dir = await fs.stat(path.dirname(path.resolve(file))).catch(() => undefined);
    if (dir === undefined || !dir.isDirectory()) return E.left({ _tag: 'WriteFailure', path: where, message: `no such folder: ${path.dirname(file)}` });
    return E.right(undefined);
  };
