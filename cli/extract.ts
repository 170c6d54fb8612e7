/**
 * `chameleon-usage extract`: copies the tables the tool reads (`tablesRead`) from a site's MySQL
 * databases into one SQLite file, which `report --db sqlite:<file>` reads with the same results.
 *
 * Invariants:
 * - exactly the tables of `tablesRead` that exist and can be read are copied, each as
 *   `<logical db>__<table>` (the SQLite naming of `adapters/Source.ts`); a missing table, or one
 *   without a SELECT grant, is not created (so the snapshot reports it missing, as MySQL does)
 *   and is listed in the report;
 * - values are copied as MySQL gives them to the adapters (`dateStrings`, big numbers as
 *   strings): DATETIME/DATE/TIMESTAMP as their exact text, zero dates included, DECIMAL as text
 *   (exact), integers as INTEGER, FLOAT/DOUBLE as REAL, text as TEXT, binary as BLOB. Columns keep
 *   their order, NOT NULL and the primary key; secondary indexes are recreated (non-unique: they
 *   only speed up the adapters' joins). Text columns with a case-insensitive MySQL collation get
 *   `COLLATE NOCASE`, so joins, comparisons and ORDER BY on the snapshot group the same rows
 *   (ASCII case folding: the closest SQLite has);
 * - all tables are read in one REPEATABLE READ transaction (SELECTs only), so the snapshot is one
 *   consistent point in time even while the site is live (InnoDB tables);
 * - rows are streamed (memory is one batch) and inserted in batches, one SQLite transaction per
 *   batch;
 * - the file appears complete or not at all: it is built under a temporary name in the target's
 *   folder, synced, then renamed over the target; any failure removes the temporary file and
 *   leaves a previous target untouched.
 *
 * @since 0.1.0
 */
import { promises as fs, rmSync } from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import * as E from 'fp-ts/Either';
import type * as TE from 'fp-ts/TaskEither';
import { readZone, utcZone, type Zone } from '../adapters/auditDecode';
import * as T from '../lib/Time';
import { tablesRead } from '../adapters/registry';
import { probeTable, streamRows, toQueryFailure, type Source, type TableRef } from '../adapters/Source';
import type { Failure, QueryFailure } from '../lib/Failure';
import { critical, onInterrupt } from './interrupt';
import { checkTarget, makeDirs, removeCreated } from './outputDir';
import { tempPathFor } from './write';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What happened to one table: `copied` (with its row count, possibly 0), or skipped because it
 * is `missing` or `denied` (no SELECT grant).
 *
 * @category model
 * @since 0.1.0
 */
export interface TableCopy {
  /** `logical db.table`, e.g. `nova.instances`. */
  readonly table: string;
  /** The MySQL name it was read from, e.g. `nova_cell1.instances`. */
  readonly source: string;
  /** The SQLite table name, e.g. `nova__instances`. */
  readonly target: string;
  readonly status: 'copied' | 'missing' | 'denied';
  readonly rows: number;
}

/** @category model @since 0.1.0 */
export interface ExtractReport {
  readonly site: string;
  readonly out: string;
  /** One entry per table of `tablesRead`, in its order. */
  readonly tables: ReadonlyArray<TableCopy>;
}

/** A MySQL column as `information_schema.columns` describes it. @category model @since 0.1.0 */
export interface MysqlColumn {
  readonly name: string;
  /** `data_type`, e.g. `int`, `varchar`, `datetime`. */
  readonly dataType: string;
  readonly nullable: boolean;
  /** `collation_name`, null for non-text columns. */
  readonly collation: string | null;
}

// -------------------------------------------------------------------------------------
// DDL
// -------------------------------------------------------------------------------------

/**
 * The SQLite declared type for a MySQL `data_type`. Unknown types get `BLOB` (no affinity): the
 * value is stored exactly as the driver gave it.
 *
 * @example
 * sqliteType('bigint') === 'INTEGER'
 * sqliteType('decimal') === 'TEXT' // exact, as mysql2 gives it
 * sqliteType('datetime') === 'TEXT' // the exact string, zero dates included
 * @since 0.1.0
 */
export const sqliteType = (dataType: string): 'INTEGER' | 'REAL' | 'TEXT' | 'BLOB' => {
  switch (dataType.toLowerCase()) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'integer':
    case 'bigint':
    case 'year':
      return 'INTEGER';
    case 'float':
    case 'double':
    case 'real':
      return 'REAL';
    case 'decimal':
    case 'numeric':
    case 'char':
    case 'varchar':
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
    case 'json':
    case 'enum':
    case 'set':
    case 'date':
    case 'datetime':
    case 'timestamp':
    case 'time':
    case 'uuid':
    case 'inet4':
    case 'inet6':
      return 'TEXT';
    default:
      return 'BLOB';
  }
};

/**
 * A SQLite identifier in double quotes, inner quotes doubled.
 *
 * @since 0.1.0
 */
export const quoteSqlite = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * The SQLite table name of a logical table (as `tableName` gives for SQLite sources).
 *
 * @since 0.1.0
 */
export const snapshotName = (ref: TableRef): string => `${ref.db}__${ref.table}`;

/**
 * The `CREATE TABLE` statement for a copied table.
 *
 * @example
 * createTableSql('nova__x', [{ name: 'id', dataType: 'int', nullable: false, collation: null }], ['id'])
 * // 'CREATE TABLE "nova__x" ("id" INTEGER NOT NULL, PRIMARY KEY ("id"))'
 * @since 0.1.0
 */
export const createTableSql = (table: string, columns: ReadonlyArray<MysqlColumn>, primaryKey: ReadonlyArray<string>): string => {
  const cols = columns.map((c) => {
    const type = sqliteType(c.dataType);
    const nocase = type === 'TEXT' && c.collation !== null && /_ci$/i.test(c.collation) ? ' COLLATE NOCASE' : '';
    return `${quoteSqlite(c.name)} ${type}${c.nullable ? '' : ' NOT NULL'}${nocase}`;
  });
  const pk = primaryKey.length === 0 ? [] : [`PRIMARY KEY (${primaryKey.map(quoteSqlite).join(', ')})`];
  return `CREATE TABLE ${quoteSqlite(table)} (${[...cols, ...pk].join(', ')})`;
};

// -------------------------------------------------------------------------------------
// effects
// -------------------------------------------------------------------------------------

/** A failure already classified; unwinds to `extract`, which returns it. */
class Stop extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const queryFailure = (source: string, e: unknown): QueryFailure => toQueryFailure(source)(e);

/** Runs a MySQL step; its errors become a `QueryFailure` of `source`. */
const onMysql = async <A>(source: string, f: () => Promise<A>): Promise<A> => {
  try {
    return await f();
  } catch (e) {
    throw e instanceof Stop ? e : new Stop(queryFailure(source, e));
  }
};

/** Runs a SQLite step; its errors become a `WriteFailure` of the output. */
const onSqlite = <A>(out: string, f: () => A): A => {
  try {
    return f();
  } catch (e) {
    throw e instanceof Stop ? e : new Stop({ _tag: 'WriteFailure', path: out, message: errorText(e) });
  }
};

const rowsOf = async (trx: Source['knex'], sql: string, bindings: ReadonlyArray<string>): Promise<Array<Record<string, unknown>>> =>
  (await trx.raw(sql, [...bindings]))[0] as Array<Record<string, unknown>>;

interface TableShape {
  readonly columns: ReadonlyArray<MysqlColumn>;
  readonly primaryKey: ReadonlyArray<string>;
  readonly indexes: ReadonlyArray<{ readonly name: string; readonly columns: ReadonlyArray<string> }>;
}

const shapeOf = async (src: Source, ref: TableRef): Promise<TableShape> => {
  const db = src.site.databases[ref.db];
  const cols = await rowsOf(
    src.knex,
    'select column_name as name, data_type as dt, is_nullable as nul, collation_name as coll from information_schema.columns ' +
      'where table_schema = ? and table_name = ? order by ordinal_position',
    [db, ref.table],
  );
  const stats = await rowsOf(
    src.knex,
    'select index_name as idx, column_name as col from information_schema.statistics ' +
      'where table_schema = ? and table_name = ? order by index_name, seq_in_index',
    [db, ref.table],
  );
  const indexes = new Map<string, string[]>();
  for (const s of stats) {
    const idx = String(s.idx);
    if (s.col === null) continue; // functional index part: nothing to copy
    const cols = indexes.get(idx);
    if (cols === undefined) indexes.set(idx, [String(s.col)]);
    else cols.push(String(s.col));
  }
  return {
    columns: cols.map((c) => ({ name: String(c.name), dataType: String(c.dt), nullable: String(c.nul) === 'YES', collation: c.coll === null ? null : String(c.coll) })),
    primaryKey: indexes.get('PRIMARY') ?? [],
    indexes: [...indexes].filter(([n]) => n !== 'PRIMARY').map(([name, columns]) => ({ name, columns })),
  };
};

/** An audit row with its trigger-written times converted from the server's zone to UTC. */
const auditTimesToUtc = (zone: Zone, r: Record<string, unknown>): Record<string, unknown> => {
  const conv = (v: unknown): unknown => {
    const t = typeof v === 'string' ? T.fromIsoNullable(v) : null;
    return t === null ? v : T.toIso(zone.toUtc(t)).slice(0, 19).replace('T', ' ');
  };
  const out = { ...r };
  if ('audit_changed_at' in out) out.audit_changed_at = conv(out.audit_changed_at);
  // a backfill row's event time is copied from an OpenStack column: UTC already
  if ('audit_event_time' in out && out.audit_changed_by !== 'backfill') out.audit_event_time = conv(out.audit_event_time);
  return out;
};

/** A value as better-sqlite3 can bind it: JSON columns (parsed by mysql2 on MySQL) back to text. */
const bindable = (v: unknown): unknown =>
  v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v !== null && typeof v === 'object' && !Buffer.isBuffer(v) ? JSON.stringify(v) : v;

const copyTable = async (src: Source, db: Database.Database, ref: TableRef, out: string, batchSize: number): Promise<TableCopy> => {
  const sourceName = `${src.site.databases[ref.db]}.${ref.table}`;
  const base = { table: `${ref.db}.${ref.table}`, source: sourceName, target: snapshotName(ref) };
  const status = await onMysql(sourceName, () => probeTable(src, ref));
  if (status !== 'ok') return { ...base, status, rows: 0 };
  const shape = await onMysql(sourceName, () => shapeOf(src, ref));
  if (shape.columns.length === 0) return { ...base, status: 'missing', rows: 0 };
  const target = snapshotName(ref);
  const names = shape.columns.map((c) => c.name);
  const insert = onSqlite(out, () => {
    db.exec(createTableSql(target, shape.columns, shape.primaryKey));
    const stmt = db.prepare(`INSERT INTO ${quoteSqlite(target)} (${names.map(quoteSqlite).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
    return db.transaction((batch: ReadonlyArray<ReadonlyArray<unknown>>) => {
      for (const r of batch) stmt.run(r);
    });
  });
  let rows = 0;
  let batch: Array<ReadonlyArray<unknown>> = [];
  // section 15: audit times as a non-UTC server shows them are converted to UTC here, so the
  // snapshot (read as UTC) holds what a live read would give
  const zone = ref.db === 'openstack_audit' ? await onMysql(sourceName, () => readZone(src)) : utcZone;
  await onMysql(sourceName, async () => {
    const q = src.knex.select(names).from(`${src.site.databases[ref.db]}.${ref.table}`);
    for await (const row of streamRows(src, q)) {
      const r = zone.utc ? (row as Record<string, unknown>) : auditTimesToUtc(zone, row as Record<string, unknown>);
      const values = new Array<unknown>(names.length);
      for (let i = 0; i < names.length; i++) values[i] = bindable(r[names[i]]);
      batch.push(values);
      if (batch.length >= batchSize) {
        const full = batch;
        batch = [];
        onSqlite(out, () => insert(full));
        rows += full.length;
      }
    }
  });
  onSqlite(out, () => insert(batch));
  rows += batch.length;
  onSqlite(out, () => {
    for (const ix of shape.indexes) {
      db.exec(`CREATE INDEX ${quoteSqlite(`${target}__${ix.name}`)} ON ${quoteSqlite(target)} (${ix.columns.map(quoteSqlite).join(', ')})`);
    }
  });
  return { ...base, status: 'copied', rows };
};

const syncPath = async (p: string): Promise<void> => {
  const h = await fs.open(p, 'r');
  try {
    await h.sync();
  } catch {
    // folders cannot be synced on some file systems; the file itself was synced before
  } finally {
    await h.close();
  }
};

/**
 * Copies every table the tool reads from a MySQL source into the SQLite file `out`, atomically.
 * `batchSize` rows go into one SQLite transaction (default 5000).
 *
 * @example
 * const r = await extract({ src, out: 'snapshots/chi_tacc.sqlite' })()
 * // right({ site: 'chi_tacc', out, tables: [{ table: 'blazar.computehost_allocations', status: 'copied', rows: 120345, ... }, ...] })
 * @since 0.1.0
 */
export const extract =
  (o: { readonly src: Source; readonly out: string; readonly batchSize?: number }): TE.TaskEither<Failure, ExtractReport> =>
  async () => {
    if (o.src.dialect !== 'mysql') {
      return E.left({ _tag: 'ConfigFailure', message: 'extract copies from MySQL/MariaDB (give --db mysql://...); the source is already SQLite' });
    }
    const batchSize = Math.max(1, Math.floor(o.batchSize ?? 5000));
    const target = await checkTarget(o.out)();
    if (E.isLeft(target)) return target;
    let tmp: string;
    let created: ReadonlyArray<string> = [];
    try {
      created = await makeDirs(path.dirname(path.resolve(o.out)));
      tmp = tempPathFor(path.resolve(o.out));
    } catch (e) {
      return E.left({ _tag: 'WriteFailure', path: o.out, message: errorText(e) });
    }
    let db: Database.Database | undefined;
    // an interrupted copy removes its temporary file
    const forget = onInterrupt(() => {
      rmSync(tmp, { force: true });
      removeCreated(created);
    });
    try {
      db = onSqlite(o.out, () => {
        const d = new Database(tmp);
        // The file is private until the rename and deleted on failure: no journal is needed.
        d.pragma('journal_mode = OFF');
        d.pragma('synchronous = OFF');
        return d;
      });
      const open = db;
      const tables = await onMysql(`${o.src.site.site} snapshot`, () =>
        o.src.knex.transaction(
          async (trx) => {
            const src: Source = { ...o.src, knex: trx };
            const out: TableCopy[] = [];
            for (const ref of tablesRead) out.push(await copyTable(src, open, ref, o.out, batchSize));
            return out;
          },
          // Not `readOnly`: knex 3 renders `SET TRANSACTION ... READ ONLY` without the comma
          // MySQL and MariaDB require. Only SELECTs run here anyway.
          { isolationLevel: 'repeatable read' },
        ),
      );
      onSqlite(o.out, () => open.close());
      db = undefined;
      await syncPath(tmp);
      await critical(async () => {
        await fs.rename(tmp, path.resolve(o.out));
        forget();
      });
      await syncPath(path.dirname(path.resolve(o.out)));
      return E.right({ site: o.src.site.site, out: o.out, tables });
    } catch (e) {
      forget();
      if (db !== undefined) {
        try {
          db.close();
        } catch {
          // the failure being reported matters more
        }
      }
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      removeCreated(created);
      if (e instanceof Stop) return E.left(e.failure);
      return E.left({ _tag: 'WriteFailure', path: o.out, message: errorText(e) });
    }
  };
