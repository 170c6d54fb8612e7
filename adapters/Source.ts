/**
 * A site's source databases, live (MySQL/MariaDB through mysql2) or as a one-file SQLite snapshot
 * (better-sqlite3), behind one knex handle.
 *
 * Table naming (decided in docs/decisions.md):
 * - MySQL: each logical database (`nova`, `nova_api`, `blazar`, `chameleon_usage`, and the
 *   optional trigger-based audit tables `openstack_audit`) maps to the
 *   site's real database name, so `{ db: 'nova', table: 'instances' }` is `nova.instances` (or
 *   `nova_cell1.instances` if the site config says so). Cross-database joins work as usual.
 * - SQLite: one file holds every table as `<logical db>__<table>`, e.g. `nova__instances`,
 *   `nova_api__request_specs`, `blazar__leases`, `chameleon_usage__node_count_cache`,
 *   `openstack_audit__audit_blazar_computehosts`.
 *
 * MySQL connections read DATETIMEs as strings (`dateStrings`) and parse them as UTC in the codecs,
 * so neither the server's nor the client's time zone can move an event; BIGINT and DECIMAL come
 * as strings and are decoded by `codecs.Int` / `codecs.Num`.
 *
 * @since 0.1.0
 * @module
 */
import { promises as fs } from 'node:fs';
import * as TE from 'fp-ts/TaskEither';
import type { Knex } from 'knex';
import type { BaseCountType } from '../lib/CountType';
import type { KnownGap } from '../lib/Coverage';
import type { ConfigFailure, ConnectionFailure, QueryFailure } from '../lib/Failure';
import type { Millis } from '../lib/Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The logical source databases. @category model @since 0.1.0 */
export const logicalDbs = ['nova', 'nova_api', 'blazar', 'chameleon_usage', 'openstack_audit'] as const;

/** @category model @since 0.1.0 */
export type LogicalDb = (typeof logicalDbs)[number];

/** A table in a logical database. @category model @since 0.1.0 */
export interface TableRef {
  readonly db: LogicalDb;
  readonly table: string;
}

/**
 * What the tool knows about one site beyond its database.
 *
 * @category model
 * @since 0.1.0
 */
export interface SiteConfig {
  /** Key used in outputs, e.g. `chi_tacc`. */
  readonly site: string;
  /** Human name, e.g. `CHI@TACC`. */
  readonly displayName: string;
  /** Real database name per logical database. */
  readonly databases: Readonly<Record<LogicalDb, string>>;
  /** Projects whose leases are operator leases (maintenance, not demand). */
  readonly operatorProjects: ReadonlyArray<string>;
  /** Name of the integer Blazar capability that gives a host's GPU count. */
  readonly gpuCapability: string;
  /** Coverage starts that override the earliest created_at (known gaps at the start). */
  readonly coverageStart: Readonly<Partial<Record<BaseCountType, Millis>>>;
  /** Spans where a count type's history is known to be lost: no rows there, shaded in plots. */
  readonly knownGaps: ReadonlyArray<KnownGap>;
  /**
   * Whether hosts outside Blazar's reservable pool serve on-demand instances (KVM@TACC), not
   * out of service (reconstruction rules, section 12). Default false.
   */
  readonly ondemandPool: boolean;
}

export type { KnownGap } from '../lib/Coverage';

/** A connected site. @category model @since 0.1.0 */
export interface Source {
  readonly knex: Knex;
  readonly dialect: 'mysql' | 'sqlite';
  readonly site: SiteConfig;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The default real name of each logical database: its own name.
 *
 * @category constructors
 * @since 0.4.0
 */
export const defaultDatabases: Readonly<Record<LogicalDb, string>> = Object.freeze({
  nova: 'nova',
  nova_api: 'nova_api',
  blazar: 'blazar',
  chameleon_usage: 'chameleon_usage',
  openstack_audit: 'openstack_audit',
});

/**
 * A site config with the defaults: database names `nova`, `nova_api`, `blazar`,
 * `chameleon_usage`, `openstack_audit` (a missing database is a missing source, not an error); no operator projects; GPUs from `gpu.gpu_count`; no known gaps; no on-demand
 * pool.
 *
 * @category constructors
 * @since 0.1.0
 */
export const siteConfig = (
  site: string,
  overrides: Partial<Omit<SiteConfig, 'site' | 'databases'>> & { readonly databases?: Readonly<Partial<Record<LogicalDb, string>>> } = {},
): SiteConfig => ({
  site,
  displayName: overrides.displayName ?? site,
  databases: { ...defaultDatabases, ...(overrides.databases ?? {}) },
  operatorProjects: overrides.operatorProjects ?? [],
  gpuCapability: overrides.gpuCapability ?? 'gpu.gpu_count',
  coverageStart: overrides.coverageStart ?? {},
  knownGaps: overrides.knownGaps ?? [],
  ondemandPool: overrides.ondemandPool ?? false,
});

/**
 * Removes the password from a database URL, for messages and logs.
 *
 * @example
 * redact('mysql://u:secret@h:3306') === 'mysql://u:***@h:3306'
 * @since 0.1.0
 */
export const redact = (url: string): string => {
  // Works on malformed URLs too: the user info runs from after `//` (or the start) to the last
  // `@`; whatever follows its first `:` is the password.
  const at = url.lastIndexOf('@');
  if (at < 0) return url;
  const slashes = url.indexOf('//');
  const start = slashes >= 0 && slashes < at ? slashes + 2 : 0;
  const colon = url.indexOf(':', start);
  return colon < 0 || colon > at ? url : `${url.slice(0, colon)}:***${url.slice(at)}`;
};

/**
 * knex logs connection errors with their stack trace on the console; the tool reports every
 * failure itself (redacted, stack only with --verbose), so knex's own logging is silenced.
 */
const quiet: Knex.Config['log'] = { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined };

/**
 * The knex configuration for a database URL: `mysql://user:pass@host:port[/db]` or
 * `sqlite:path` (also `sqlite://path`).
 *
 * @since 0.1.0
 */
export const knexConfig = (url: string): TE.TaskEither<ConfigFailure, { config: Knex.Config; dialect: Source['dialect'] }> => {
  if (url.startsWith('sqlite:')) {
    const filename = url.replace(/^sqlite:(\/\/)?/, '');
    if (filename === '') return TE.left({ _tag: 'ConfigFailure', message: 'sqlite URL without a path (use sqlite:path/to/file.sqlite)' });
    return TE.right({
      dialect: 'sqlite',
      // knex hands better-sqlite3 only `connection.options.readonly` (a top-level `readonly` or
      // `fileMustExist` is ignored, and a missing file was created empty): read-only never creates
      // a file, and `connect` checks that the snapshot exists first
      config: { client: 'better-sqlite3', connection: { filename, options: { readonly: true } }, useNullAsDefault: true, log: quiet },
    });
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return TE.left({ _tag: 'ConfigFailure', message: `not a database URL: ${redact(url)} (use mysql://user:pass@host:port or sqlite:path)` });
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    return TE.left({ _tag: 'ConfigFailure', message: `unsupported database URL scheme ${u.protocol} (use mysql:// or sqlite:)` });
  }
  return TE.right({
    dialect: 'mysql',
    config: {
      client: 'mysql2',
      connection: {
        host: u.hostname || '127.0.0.1',
        port: u.port === '' ? 3306 : Number(u.port),
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
        database: u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : undefined,
        timezone: 'Z',
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: true,
        connectTimeout: 10_000,
      },
      pool: { min: 0, max: 4 },
      log: quiet,
    },
  });
};

/**
 * Connection options. `queryTimeoutMs` bounds every statement on MySQL/MariaDB (the server
 * interrupts it: MariaDB `max_statement_time`, MySQL `max_execution_time`); SQLite has no
 * statement timeout.
 *
 * @category model
 * @since 0.1.0
 */
export interface ConnectOptions {
  readonly queryTimeoutMs?: number;
}

/**
 * Whether an error is a statement the server interrupted for its time limit: MariaDB errno 1969
 * (`max_statement_time exceeded`, which mysql2 gives no code name), MySQL errno 3024.
 *
 * @since 0.1.0
 */
export const isTimeout = (e: unknown): boolean => {
  const x = e as { errno?: number; code?: string } | null;
  return x?.errno === 1969 || x?.errno === 3024 || x?.code === 'ER_STATEMENT_TIMEOUT' || x?.code === 'ER_QUERY_TIMEOUT';
};

type RawConnection = { query: (sql: string, cb: (err: (Error & { code?: string }) | null) => void) => void };

const withStatementTimeout = (config: Knex.Config, ms: number): Knex.Config => ({
  ...config,
  pool: {
    ...(config.pool ?? {}),
    afterCreate: (conn: RawConnection, done: (err: Error | null, conn: RawConnection) => void) => {
      const seconds = Math.max(0.001, ms / 1000);
      conn.query(`SET SESSION max_statement_time = ${seconds}`, (err) => {
        if (err === null) return done(null, conn);
        // MySQL has no max_statement_time; its max_execution_time bounds SELECTs in ms
        conn.query(`SET SESSION max_execution_time = ${Math.max(1, Math.round(ms))}`, (err2) => done(err2, conn));
      });
    },
  },
});

/**
 * A failed query as a `QueryFailure` of `source`, naming the time limit when the server
 * interrupted the statement for it.
 *
 * @since 0.1.0
 */
export const toQueryFailure =
  (source: string) =>
  (e: unknown): QueryFailure => {
    const message = e instanceof Error ? e.message : String(e);
    return {
      _tag: 'QueryFailure',
      source,
      message: isTimeout(e) ? `the query exceeded the time limit (--query-timeout): ${message}` : message,
      code: (e as { code?: string } | null)?.code,
    };
  };

/** A SQLite snapshot must be an existing regular file: never created, never a folder. */
const checkSnapshot = async (config: Knex.Config): Promise<void> => {
  const filename = (config.connection as { filename: string }).filename;
  const st = await fs.stat(filename).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'ENOENT' ? Object.assign(new Error('no such file (a snapshot is opened read-only and never created)'), { code: 'ENOENT' }) : e;
  });
  if (!st.isFile()) throw Object.assign(new Error(st.isDirectory() ? 'is a folder, not a SQLite snapshot' : 'not a regular file, not a SQLite snapshot'), { code: 'ENOTFILE' });
};

/**
 * Connects and checks the connection with a trivial query. The failure message is redacted. A
 * SQLite snapshot is opened read-only and must exist (a missing file is a `ConnectionFailure`,
 * and no file is created).
 *
 * @since 0.1.0
 */
export const connect = (
  url: string,
  site: SiteConfig,
  options: ConnectOptions = {},
): TE.TaskEither<ConfigFailure | ConnectionFailure, Source> =>
  TE.chainW(({ config, dialect }: { config: Knex.Config; dialect: Source['dialect'] }) =>
    TE.tryCatch(
      async () => {
        if (dialect === 'sqlite') await checkSnapshot(config);
        // loaded on first use: a command that connects to nothing (--help, a usage error, demo
        // without a database) does not pay for knex's modules
        const { knex } = await import('knex');
        const k = knex(dialect === 'mysql' && options.queryTimeoutMs !== undefined ? withStatementTimeout(config, options.queryTimeoutMs) : config);
        try {
          await k.raw('select 1');
          // a SQLite file is read only now: a file that is not a database fails here, and one
          // without a single table (an empty file is an empty database) is no snapshot either
          if (dialect === 'sqlite' && (await k.raw('select name from sqlite_master limit 1')).length === 0) {
            throw Object.assign(new Error('holds no table: not a snapshot (extract or generate write one)'), { code: 'ENOTSNAPSHOT' });
          }
        } catch (e) {
          await k.destroy();
          throw e;
        }
        return { knex: k, dialect, site };
      },
      (e): ConnectionFailure => ({
        _tag: 'ConnectionFailure',
        // knex puts the statement before the driver's message: the probes say nothing to a user
        message: `${redact(url)}: ${(e instanceof Error ? e.message : String(e)).replace(/^(select 1|select name from sqlite_master limit 1) - /, '')}`.split(url).join(redact(url)),
        code: (e as { code?: string }).code,
      }),
    ),
  )(knexConfig(url));

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The name to use in SQL for a logical table.
 *
 * @example
 * tableName(mysqlSource)({ db: 'nova', table: 'instances' }) === 'nova.instances'
 * tableName(sqliteSource)({ db: 'nova', table: 'instances' }) === 'nova__instances'
 * @since 0.1.0
 */
export const tableName =
  (src: Pick<Source, 'dialect' | 'site'>) =>
  (ref: TableRef): string =>
    src.dialect === 'mysql' ? `${src.site.databases[ref.db]}.${ref.table}` : `${ref.db}__${ref.table}`;

/**
 * The `database.table` name the audit reports (real database names).
 *
 * @since 0.1.0
 */
export const auditName =
  (site: SiteConfig) =>
  (ref: TableRef): string =>
    `${site.databases[ref.db]}.${ref.table}`;

/**
 * The columns of a table, lower-cased; empty when the table does not exist (or is not visible to
 * this user).
 *
 * @since 0.1.0
 */
export const columnsOf = async (src: Source, ref: TableRef): Promise<ReadonlySet<string>> => {
  if (src.dialect === 'mysql') {
    const rows: Array<{ c: string }> = (
      await src.knex.raw('select column_name as c from information_schema.columns where table_schema = ? and table_name = ?', [
        src.site.databases[ref.db],
        ref.table,
      ])
    )[0];
    return new Set(rows.map((r) => String(r.c).toLowerCase()));
  }
  const rows: Array<{ name: string }> = await src.knex.raw(`select name from pragma_table_info(?)`, [tableName(src)(ref)]);
  return new Set(rows.map((r) => r.name.toLowerCase()));
};

/**
 * Whether a table exists and is visible.
 *
 * @since 0.1.0
 */
export const hasTable = async (src: Source, ref: TableRef): Promise<boolean> => (await columnsOf(src, ref)).size > 0;

/**
 * Whether a table can be read: `ok`, `missing` (no such table or database) or `denied` (no SELECT
 * grant). Probes with `select * ... limit 0`, which reads no row.
 *
 * @since 0.1.0
 */
export const probeTable = async (src: Source, ref: TableRef): Promise<'ok' | 'missing' | 'denied'> => {
  try {
    await src.knex.raw(`select * from ${tableName(src)(ref)} limit 0`);
    return 'ok';
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const message = e instanceof Error ? e.message : String(e);
    if (/DENIED/.test(code)) return 'denied';
    if (code === 'ER_NO_SUCH_TABLE' || code === 'ER_BAD_DB_ERROR' || /no such table/i.test(message)) return 'missing';
    throw e;
  }
};

/**
 * Streams the rows of a query, one at a time, on both dialects. On MySQL this is mysql2's row
 * stream. knex's SQLite stream reads the whole result before emitting it, so on SQLite the rows
 * come from better-sqlite3's `iterate()` on the pooled connection instead: memory stays bounded
 * by one row. The connection is held until the iteration ends (or the consumer stops early), so
 * no other query may run on a SQLite source inside the loop.
 *
 * @example
 * for await (const row of streamRows(src, src.knex.select('*').from(tableName(src)(ref)))) console.log(row)
 * @since 0.1.0
 */
export async function* streamRows(src: Source, q: Knex.QueryBuilder | Knex.Raw): AsyncIterable<unknown> {
  const { sql, bindings } = q.toSQL().toNative();
  // the statement bypasses knex's runner: announce it as knex announces its own ('query' event),
  // so that listeners (logging, the benchmark's capture of every statement) see every read
  (src.knex.client as { emit(event: string, obj: unknown): void }).emit('query', { method: 'raw', sql, bindings });
  if (src.dialect === 'mysql') {
    yield* streamMysql(src, sql, bindings as unknown[]);
    return;
  }
  const client = src.knex.client as { acquireConnection(): Promise<SqliteConnection>; releaseConnection(c: SqliteConnection): Promise<unknown> };
  const conn = await client.acquireConnection();
  try {
    let n = 0;
    for (const row of conn.prepare(sql).iterate(...(bindings as unknown[]))) {
      yield row;
      // a synchronous read never lets the event loop run: give it a turn now and then, so that
      // a signal (SIGINT, SIGTERM) is handled within milliseconds, not after the whole table
      if (++n % 4096 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await client.releaseConnection(conn);
  }
}

/**
 * Calls `f` on every row of a query, as {@link streamRows} reads them, but without an awaited step
 * per row: on SQLite the rows are stepped synchronously (with a turn of the event loop every 4096
 * rows, for signals), on MySQL they come from the same row stream. For the scans whose rows are
 * only folded into a map (`adapters/leaseIndex.ts`), where an async iterator's promise per row
 * costs more than the row.
 *
 * @example
 * await forEachRow(src, src.knex.raw('select id from blazar__leases'), (row) => ids.push(row))
 * @since 0.5.0
 */
export const forEachRow = async (src: Source, q: Knex.QueryBuilder | Knex.Raw, f: (row: unknown) => void): Promise<void> => {
  if (src.dialect === 'mysql') {
    for await (const row of streamRows(src, q)) f(row);
    return;
  }
  const { sql, bindings } = q.toSQL().toNative();
  (src.knex.client as { emit(event: string, obj: unknown): void }).emit('query', { method: 'raw', sql, bindings });
  const client = src.knex.client as { acquireConnection(): Promise<SqliteConnection>; releaseConnection(c: SqliteConnection): Promise<unknown> };
  const conn = await client.acquireConnection();
  let it: IterableIterator<unknown> | undefined;
  try {
    it = conn.prepare(sql).iterate(...(bindings as unknown[]));
    for (;;) {
      let r = it.next();
      for (let i = 0; i < 4096 && r.done !== true; i++) {
        f(r.value);
        r = it.next();
      }
      if (r.done === true) break;
      f(r.value);
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    // an early end (f threw) must close the statement, or the connection stays busy
    it?.return?.();
    await client.releaseConnection(conn);
  }
};

interface MysqlConnection {
  query(sql: string, values: unknown[]): { stream(o: { highWaterMark: number }): NodeJS.ReadableStream & { destroy(e?: Error): void } };
  on(event: 'error' | 'end', f: (e?: Error) => void): void;
  off(event: 'error' | 'end', f: (e?: Error) => void): void;
}

/**
 * mysql2's row stream on a pooled connection. knex's own stream never ends when the server kills
 * the connection mid-read (the connection emits `end` and `error`, the query stream neither), so
 * a killed read would hang forever; here the connection's `end` or `error` fails the stream.
 */
async function* streamMysql(src: Source, sql: string, bindings: unknown[]): AsyncIterable<unknown> {
  const client = src.knex.client as { acquireConnection(): Promise<MysqlConnection>; releaseConnection(c: MysqlConnection): Promise<unknown> };
  const conn = await client.acquireConnection();
  const stream = conn.query(sql, bindings).stream({ highWaterMark: 512 });
  const lost = (e?: Error) => {
    const err = Object.assign(new Error(`the database connection was lost during the read${e?.message === undefined ? '' : ` (${e.message})`}`), {
      code: (e as { code?: string } | undefined)?.code ?? 'PROTOCOL_CONNECTION_LOST',
    });
    stream.destroy(err);
  };
  conn.on('error', lost);
  conn.on('end', lost);
  try {
    for await (const row of stream) yield row;
  } finally {
    conn.off('error', lost);
    conn.off('end', lost);
    await client.releaseConnection(conn);
  }
}

interface SqliteConnection {
  prepare(sql: string): { iterate(...params: unknown[]): IterableIterator<unknown> };
}
