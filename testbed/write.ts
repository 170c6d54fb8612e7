/**
 * Writing a testbed site: the real DDL, then the rows, into a one-file SQLite snapshot
 * (better-sqlite3, prepared inserts in large transactions) or into MySQL/MariaDB databases
 * (knex batch inserts).
 *
 * - SQLite: one file per site, tables `<logical db>__<table>` as `cli extract` writes them, plus
 *   `truth__usage_timeline`. Written under a temporary name and renamed at the end, so a failed
 *   run never leaves a half-written snapshot under the real name.
 * - MySQL: databases `<prefix><site>_nova`, `_nova_api`, `_blazar`, `_chameleon_usage` and one
 *   `<prefix>truth` database for every site; dropped and re-created. The session runs with
 *   `sql_mode = ''` so the zero dates of the quirks can be stored. Rows of a site are buffered
 *   and inserted in batches of 1000.
 *
 * Both get the foreign-key indexes the real services have (`instance_actions.instance_uuid`,
 * `instance_actions_events.action_id`, Blazar `lease_id` / `reservation_id`): the adapters join
 * on them.
 *
 * @since 0.1.0
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { isLeft } from 'fp-ts/Either';
import { knex, type Knex } from 'knex';
import { knexConfig, logicalDbs, type LogicalDb } from '../adapters/Source';
import { auditColumns, auditDdl, type AuditTable } from './audit';
import { ddl, inLayout, isDeviceTable, qualifiedName, tableKeys, type CapabilityLayout, type DdlOptions, type TableKey } from './ddl';
import { columnsOf, type Emit } from './rows';
import { truthColumns, type TruthRow } from './truth';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where a site goes. @category model @since 0.1.0 */
export interface SiteWriter {
  readonly emit: Emit;
  writeTruth(rows: ReadonlyArray<TruthRow>): void;
  /** The site's `openstack_audit` tables (issue 15; SQLite `openstack_audit__audit_<name>`, MySQL `<prefix><site>_openstack_audit`). */
  writeAudit?(tables: ReadonlyArray<AuditTable>): void;
  /** Commits (SQLite: renames into place; MySQL: inserts the buffered rows). */
  finish(): Promise<void>;
  /** Gives up: removes the temporary file (SQLite). */
  abort(): Promise<void>;
}

/** The foreign-key indexes of the real schemas, by table. */
const INDEXES: ReadonlyArray<readonly [TableKey, string]> = [
  ['nova.instance_actions', 'instance_uuid'],
  ['nova.shadow_instance_actions', 'instance_uuid'],
  ['nova.instance_actions_events', 'action_id'],
  ['nova.shadow_instance_actions_events', 'action_id'],
  ['blazar.reservations', 'lease_id'],
  ['blazar.events', 'lease_id'],
  ['blazar.computehost_allocations', 'reservation_id'],
  ['blazar.computehost_reservations', 'reservation_id'],
  ['blazar.instance_reservations', 'reservation_id'],
  ['blazar.computehost_extra_capabilities', 'computehost_id'],
  ['blazar.device_allocations', 'reservation_id'],
  ['blazar.device_reservations', 'reservation_id'],
  ['blazar.device_extra_capabilities', 'device_id'],
];

/** Every source table of a capability layout. @since 0.1.0 */
export const siteTables = (layout: CapabilityLayout): ReadonlyArray<TableKey> => tableKeys.filter((k) => inLayout(k, layout) && !isDeviceTable(k));

// -------------------------------------------------------------------------------------
// SQLite
// -------------------------------------------------------------------------------------

/**
 * A writer into a new SQLite snapshot at `file` (replaced if it exists).
 *
 * @since 0.1.0
 */
export const sqliteWriter = (file: string, layout: CapabilityLayout, tables: ReadonlyArray<TableKey> = siteTables(layout)): SiteWriter => {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  const db = new Database(tmp);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  const o: DdlOptions = { capabilityLayout: layout, blazar: 'chameleon' };
  for (const key of tables) for (const stmt of ddl('sqlite', key, o)) db.exec(stmt);
  for (const [key, col] of INDEXES) {
    if (!tables.includes(key)) continue;
    const name = qualifiedName('sqlite', key, o);
    db.exec(`CREATE INDEX idx_${name}_${col} ON ${name} ("${col}")`);
  }
  db.exec(`CREATE TABLE truth__usage_timeline (${truthColumns.map((c) => `"${c}" ${c === 'value' ? 'REAL' : 'TEXT'} NOT NULL`).join(', ')})`);
  const statements = new Map<TableKey, Database.Statement>();
  const statement = (key: TableKey): Database.Statement => {
    let s = statements.get(key);
    if (s === undefined) {
      const cols = columnsOf(key, layout);
      s = db.prepare(`INSERT INTO ${qualifiedName('sqlite', key, o)} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
      statements.set(key, s);
    }
    return s;
  };
  let pending = 0;
  db.exec('BEGIN');
  const emit: Emit = (key, values) => {
    statement(key).run(values as unknown[]);
    if (++pending >= 200_000) {
      db.exec('COMMIT');
      db.exec('BEGIN');
      pending = 0;
    }
  };
  return {
    emit,
    writeAudit: (tables) => {
      for (const t of tables) {
        for (const stmt of auditDdl('sqlite', t)) db.exec(stmt);
        const ins = db.prepare(`INSERT INTO "openstack_audit__audit_${t.name}" (${auditColumns.map((c) => `"${c}"`).join(', ')}) VALUES (${auditColumns.map(() => '?').join(', ')})`);
        for (const r of t.rows) ins.run(...r);
      }
    },
    writeTruth: (rows) => {
      const ins = db.prepare(`INSERT INTO truth__usage_timeline VALUES (${truthColumns.map(() => '?').join(', ')})`);
      for (const r of rows) ins.run(r.site, r.timestamp, r.collector_type, r.count_type, r.value_type, r.value, r.node_type);
    },
    finish: async () => {
      db.exec('COMMIT');
      db.close();
      fs.renameSync(tmp, file);
    },
    abort: async () => {
      if (db.open) db.close();
      fs.rmSync(tmp, { force: true });
    },
  };
};

// -------------------------------------------------------------------------------------
// MySQL
// -------------------------------------------------------------------------------------

/** The MySQL database names of a testbed site. @since 0.1.0 */
export const mysqlDatabases = (prefix: string, site: string): Record<LogicalDb, string> =>
  Object.fromEntries(logicalDbs.map((db) => [db, `${prefix}${site}_${db}`])) as Record<LogicalDb, string>;

/** The MySQL database of a testbed site's audit tables (issue 15). @since 0.4.0 */
export const auditDatabase = (prefix: string, site: string): string => `${prefix}${site}_openstack_audit`;

/**
 * A knex handle on a MySQL server URL with `sql_mode = ''` (zero dates allowed).
 *
 * @since 0.1.0
 */
export const mysqlKnex = async (url: string): Promise<Knex> => {
  const r = await knexConfig(url)();
  if (isLeft(r)) throw new Error(r.left.message);
  if (r.right.dialect !== 'mysql') throw new Error('--mysql needs a mysql:// URL');
  const config = r.right.config;
  return knex({
    ...config,
    pool: {
      min: 0,
      max: 2,
      afterCreate: (conn: { query: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) =>
        conn.query("SET SESSION sql_mode = ''", (err) => done(err, conn)),
    },
  });
};

/**
 * A writer into fresh MySQL databases for one site.
 *
 * @since 0.1.0
 */
export const mysqlWriter = async (k: Knex, prefix: string, site: string, layout: CapabilityLayout, tables: ReadonlyArray<TableKey> = siteTables(layout)): Promise<SiteWriter> => {
  const databases = mysqlDatabases(prefix, site);
  const o: DdlOptions = { capabilityLayout: layout, blazar: 'chameleon', databases };
  for (const db of logicalDbs) {
    await k.raw(`DROP DATABASE IF EXISTS \`${databases[db]}\``);
    await k.raw(`CREATE DATABASE \`${databases[db]}\` CHARACTER SET utf8mb4`);
  }
  for (const key of tables) for (const stmt of ddl('mysql', key, o)) await k.raw(stmt);
  for (const [key, col] of INDEXES) if (tables.includes(key)) await k.raw(`CREATE INDEX idx_${col} ON ${qualifiedName('mysql', key, o)} (\`${col}\`)`);
  const truthDb = `${prefix}truth`;
  await k.raw(`CREATE DATABASE IF NOT EXISTS \`${truthDb}\` CHARACTER SET utf8mb4`);
  await k.raw(
    `CREATE TABLE IF NOT EXISTS \`${truthDb}\`.usage_timeline (${truthColumns.map((c) => `\`${c}\` ${c === 'value' ? 'DOUBLE' : 'VARCHAR(64)'} NOT NULL`).join(', ')})`,
  );
  await k.raw(`DELETE FROM \`${truthDb}\`.usage_timeline WHERE site = ?`, [site]);
  const buffers = new Map<TableKey, Array<ReadonlyArray<unknown>>>();
  let truth: ReadonlyArray<TruthRow> = [];
  let audit: ReadonlyArray<AuditTable> = [];
  const insert = async (table: string, cols: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>) => {
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      await k.raw(`INSERT INTO ${table} (${cols.map((c) => `\`${c}\``).join(', ')}) VALUES ${chunk.map((r) => `(${r.map(() => '?').join(', ')})`).join(', ')}`, chunk.flat() as Knex.RawBinding[]);
    }
  };
  return {
    emit: (key, values) => {
      let b = buffers.get(key);
      if (b === undefined) buffers.set(key, (b = []));
      b.push(values);
    },
    writeTruth: (rows) => {
      truth = rows;
    },
    writeAudit: (tables) => {
      audit = tables;
    },
    finish: async () => {
      if (audit.length > 0) {
        const adb = auditDatabase(prefix, site);
        await k.raw(`DROP DATABASE IF EXISTS \`${adb}\``);
        await k.raw(`CREATE DATABASE \`${adb}\` CHARACTER SET utf8mb4`);
        for (const t of audit) {
          for (const stmt of auditDdl('mysql', t, adb)) await k.raw(stmt);
          await insert(`\`${adb}\`.\`audit_${t.name}\``, auditColumns, t.rows);
        }
      }
      for (const [key, rows] of buffers) await insert(qualifiedName('mysql', key, o), columnsOf(key, layout), rows);
      await insert(`\`${truthDb}\`.usage_timeline`, truthColumns, truth.map((r) => [r.site, r.timestamp, r.collector_type, r.count_type, r.value_type, r.value, r.node_type]));
      buffers.clear();
    },
    abort: async () => {
      buffers.clear();
    },
  };
};
