/**
 * `--export-db URL`: writes the usage timeline, the wide per-day table and the monthly
 * utilization into database tables (`usage_timeline`, `usage_daily`, `utilization_monthly`; the
 * list is `cli/report.ts`'s) that dashboards query, through knex, on MySQL/MariaDB or
 * SQLite.
 *
 * Each table is replaced whole and atomically: rows go into `<name>__new`, then one rename
 * swaps it in (MySQL `RENAME TABLE` is atomic; SQLite does it in a transaction). Readers see the
 * old table or the new one, never a half-filled one; a failed export leaves the old table.
 * Timestamps are DATETIME (UTC) on MySQL and ISO-8601 text on SQLite.
 *
 * @since 0.1.0
 */
import * as TE from 'fp-ts/TaskEither';
import { knex, type Knex } from 'knex';
import { knexConfig, redact } from '../adapters/Source';
import type { ConfigFailure, WriteFailure } from '../lib/Failure';

/** A table to export: its name, its columns in order, which are text, and the rows. @since 0.1.0 */
export interface ExportTable {
  readonly name: string;
  readonly columns: ReadonlyArray<string>;
  /** Columns holding text (the others are numbers, `timestamp` is a time). */
  readonly text: ReadonlyArray<string>;
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
  await k.schema.dropTableIfExists(fresh);
  await k.schema.createTable(fresh, (tb) => {
    for (const c of t.columns) {
      if (c === 'timestamp') (dialect === 'mysql' ? tb.dateTime(c) : tb.text(c)).notNullable();
      else if (t.text.includes(c)) (dialect === 'mysql' ? tb.string(c, 255) : tb.text(c)).notNullable();
      else tb.double(c).nullable();
    }
  });
  const rows = t.rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (const c of t.columns) o[c] = c === 'timestamp' && dialect === 'mysql' ? toDatetime(r[c]) : (r[c] ?? null);
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
      const k = knex(config);
      try {
        for (const t of tables) await replaceTable(k, dialect, t);
      } finally {
        await k.destroy();
      }
    },
    (e): WriteFailure => ({ _tag: 'WriteFailure', path: redact(url), message: (e instanceof Error ? e.message : String(e)).split(url).join(redact(url)) }),
  );
