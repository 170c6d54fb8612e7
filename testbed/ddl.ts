/**
 * The DDL of every table a fixture or the testbed creates, rendered for MySQL/MariaDB and SQLite.
 *
 * **Real** (the default): the tables Nova (Debian's 26.x, Zed) and Chameleon's Blazar fork
 * (bbd20e84) build with their own migrations, dumped by `bash scripts/real-services/dump-ddl.sh`
 * into `testbed/realDdl.generated.ts` (columns with their exact types, nullability and defaults,
 * primary keys, indexes; foreign keys are left out so fixtures can write orphans and any table
 * alone). MySQL gets every index; SQLite the primary key and the unique indexes.
 *
 * **Hand-written** (tables and layouts the real services at that version do not have):
 * - the legacy `chameleon_usage` collector caches (`node_count_cache`, `node_usage_report_cache`);
 * - upstream Blazar (`blazar: 'upstream'`), which hard-deletes: no `deleted`/`deleted_at`;
 * - the two older layouts `node_type` has lived in (openstack-schemas.md section 3):
 *   `extra_capabilities` (Chameleon 2020-04 to 2024) and `capability_name` (the original).
 *
 * Table names follow `adapters/Source.ts`: MySQL `<real db>.<table>`, SQLite
 * `<logical db>__<table>`.
 *
 * @since 0.1.0
 */
import type { LogicalDb } from '../adapters/Source';
import { realDdl } from './realDdl.generated';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Every table a fixture can create, as `logical db.table`. */
export const tableKeys = [
  'nova.compute_nodes',
  'nova.shadow_compute_nodes',
  'nova.instances',
  'nova.shadow_instances',
  'nova.instance_actions',
  'nova.shadow_instance_actions',
  'nova.instance_actions_events',
  'nova.shadow_instance_actions_events',
  'nova.instance_extra',
  'nova_api.request_specs',
  'blazar.leases',
  'blazar.reservations',
  'blazar.events',
  'blazar.computehosts',
  'blazar.computehost_allocations',
  'blazar.computehost_reservations',
  'blazar.instance_reservations',
  'blazar.computehost_extra_capabilities',
  'blazar.resource_properties',
  'blazar.extra_capabilities',
  'blazar.devices',
  'blazar.device_allocations',
  'blazar.device_reservations',
  'blazar.device_extra_capabilities',
  'chameleon_usage.node_count_cache',
  'chameleon_usage.node_usage_report_cache',
] as const;

/** @since 0.1.0 */
export type TableKey = (typeof tableKeys)[number];

/**
 * The Blazar device tables (CHI@Edge, Chameleon's fork only). A fixture or testbed site has them
 * only when it asks for them (a site without devices reads exactly as before): they are left out
 * of the default table lists. Always rendered from the real DDL (`property_id` layout).
 *
 * @since 0.4.0
 */
export const deviceTableKeys = ['blazar.devices', 'blazar.device_allocations', 'blazar.device_reservations', 'blazar.device_extra_capabilities'] as const satisfies ReadonlyArray<TableKey>;

/** Whether `key` is a Blazar device table. @since 0.4.0 */
export const isDeviceTable = (key: TableKey): boolean => (deviceTableKeys as ReadonlyArray<TableKey>).includes(key);

/** Where a host's `node_type` lives (openstack-schemas.md section 3). */
export type CapabilityLayout = 'resource_properties' | 'capability_name' | 'extra_capabilities';

/** @since 0.1.0 */
export interface DdlOptions {
  /** Real database name per logical database (MySQL only; default: the logical name). */
  readonly databases?: Readonly<Partial<Record<LogicalDb, string>>>;
  /** Layout of `computehost_extra_capabilities` (default `resource_properties`). */
  readonly capabilityLayout?: CapabilityLayout;
  /** `chameleon` (default): Blazar tables have `deleted`/`deleted_at`; `upstream`: they do not. */
  readonly blazar?: 'chameleon' | 'upstream';
}

type ColType =
  | 'id' // INT AUTO_INCREMENT PRIMARY KEY (Nova), plain INT PRIMARY KEY in shadow tables
  | 'uuid_id' // VARCHAR(36) PRIMARY KEY (Blazar)
  | 'int'
  | 'bigint'
  | 'float'
  | 'double'
  | 'bool'
  | 'datetime'
  | 'date'
  | 'text'
  | 'mediumtext'
  | `varchar(${number})`;

interface Col {
  readonly name: string;
  readonly type: ColType;
  readonly notNull?: boolean;
  readonly default?: string;
}

const c = (name: string, type: ColType, more: Partial<Omit<Col, 'name' | 'type'>> = {}): Col => ({ name, type, ...more });
const nn = (name: string, type: ColType, more: Partial<Omit<Col, 'name' | 'type'>> = {}): Col => c(name, type, { ...more, notNull: true });

// -------------------------------------------------------------------------------------
// column lists
// -------------------------------------------------------------------------------------

// Hand-written column lists: Blazar (for upstream Blazar and the older capability layouts) and
// the legacy collector. Nova and Chameleon Blazar come from realDdl.generated.ts.

/** Blazar columns before Chameleon's soft delete: timestamps and a uuid id. */
const blazarBase: ReadonlyArray<Col> = [c('created_at', 'datetime'), c('updated_at', 'datetime'), nn('id', 'uuid_id')];

const leases: ReadonlyArray<Col> = [
  nn('name', 'varchar(80)'),
  c('user_id', 'varchar(255)'),
  c('project_id', 'varchar(255)'),
  nn('start_date', 'datetime'),
  nn('end_date', 'datetime'),
  c('trust_id', 'varchar(36)'),
  c('status', 'varchar(255)'),
  nn('degraded', 'bool', { default: '0' }),
];

const reservations: ReadonlyArray<Col> = [
  nn('lease_id', 'varchar(36)'),
  c('resource_id', 'varchar(36)'),
  c('resource_type', 'varchar(66)'),
  c('status', 'varchar(13)'),
  nn('missing_resources', 'bool', { default: '0' }),
  nn('resources_changed', 'bool', { default: '0' }),
];

const events: ReadonlyArray<Col> = [c('lease_id', 'varchar(36)'), c('event_type', 'varchar(66)'), c('time', 'datetime'), c('status', 'varchar(13)')];

const computehosts: ReadonlyArray<Col> = [
  nn('vcpus', 'int'),
  nn('cpu_info', 'mediumtext'),
  nn('hypervisor_type', 'mediumtext'),
  nn('hypervisor_version', 'int'),
  c('hypervisor_hostname', 'varchar(255)'),
  c('service_name', 'varchar(255)'),
  nn('memory_mb', 'int'),
  nn('local_gb', 'int'),
  c('status', 'varchar(13)'),
  nn('availability_zone', 'varchar(255)'),
  nn('trust_id', 'varchar(36)'),
  nn('reservable', 'bool', { default: '1' }),
  nn('disabled', 'bool', { default: '0' }),
];

const allocations: ReadonlyArray<Col> = [c('compute_host_id', 'varchar(36)'), c('reservation_id', 'varchar(36)')];

const hostReservations: ReadonlyArray<Col> = [
  c('reservation_id', 'varchar(36)'),
  c('aggregate_id', 'int'),
  c('resource_properties', 'mediumtext'),
  c('count_range', 'varchar(36)'),
  c('hypervisor_properties', 'mediumtext'),
  c('before_end', 'varchar(36)'),
  c('on_start', 'varchar(50)'),
];

const instanceReservations: ReadonlyArray<Col> = [
  c('reservation_id', 'varchar(36)'),
  nn('vcpus', 'int'),
  nn('memory_mb', 'int'),
  nn('disk_gb', 'int'),
  nn('amount', 'int'),
  nn('affinity', 'bool'),
  c('resource_properties', 'mediumtext'),
  c('flavor_id', 'varchar(36)'),
  c('aggregate_id', 'int'),
  c('server_group_id', 'varchar(36)'),
  c('before_end', 'varchar(36)'),
];

const resourceProperties: ReadonlyArray<Col> = [
  nn('resource_type', 'varchar(255)'),
  nn('property_name', 'varchar(255)'),
  nn('private', 'bool', { default: '0' }),
  nn('is_unique', 'bool', { default: '0' }),
];

const extraCapabilities: ReadonlyArray<Col> = [
  nn('resource_type', 'varchar(255)'),
  nn('capability_name', 'varchar(255)'),
  nn('private', 'bool', { default: '0' }),
];

const hostCapabilities = (layout: CapabilityLayout): ReadonlyArray<Col> => [
  c('computehost_id', 'varchar(36)'),
  layout === 'resource_properties'
    ? nn('property_id', 'varchar(255)') // the model says VARCHAR(36), the migration made 255
    : layout === 'extra_capabilities'
      ? nn('capability_id', 'varchar(255)')
      : nn('capability_name', 'varchar(64)'),
  nn('capability_value', 'mediumtext'),
];

// Legacy collector tables: columns from usage-exploration rawschemas (NodeCountCache.date is a
// date, NodeUsageReportCache.date a datetime).
const nodeCountCache: ReadonlyArray<Col> = [nn('date', 'date'), nn('node_type', 'varchar(255)'), nn('cnt', 'int')];

const nodeUsageReportCache: ReadonlyArray<Col> = [
  nn('date', 'datetime'),
  nn('node_type', 'varchar(255)'),
  nn('maint_hours', 'double'),
  nn('reserved_hours', 'double'),
  nn('used_hours', 'double'),
  nn('idle_hours', 'double'),
  nn('total_hours', 'double'),
];

// -------------------------------------------------------------------------------------
// rendering
// -------------------------------------------------------------------------------------

const blazarTable = (cols: ReadonlyArray<Col>, o: DdlOptions): ReadonlyArray<Col> =>
  o.blazar === 'upstream' ? [...blazarBase, ...cols] : [...blazarBase, ...cols, c('deleted', 'varchar(36)'), c('deleted_at', 'datetime')];

/** Whether `key` belongs to the capability layout (tables of other layouts do not exist). */
export const inLayout = (key: TableKey, layout: CapabilityLayout): boolean =>
  key === 'blazar.resource_properties' ? layout === 'resource_properties' : key === 'blazar.extra_capabilities' ? layout === 'extra_capabilities' : true;

/** The hand-written columns of a table the real services do not have (see {@link isReal}). */
const handWritten = (key: TableKey, o: DdlOptions): { cols: ReadonlyArray<Col>; shadow: boolean; unique: ReadonlyArray<ReadonlyArray<string>> } => {
  const layout = o.capabilityLayout ?? 'resource_properties';
  switch (key) {
    case 'nova.compute_nodes':
    case 'nova.shadow_compute_nodes':
    case 'nova.instances':
    case 'nova.shadow_instances':
    case 'nova.instance_actions':
    case 'nova.shadow_instance_actions':
    case 'nova.instance_actions_events':
    case 'nova.shadow_instance_actions_events':
    case 'nova.instance_extra':
    case 'nova_api.request_specs':
      throw new Error(`${key} has no hand-written DDL: it comes from the real schema`);
    case 'blazar.leases':
      return { cols: blazarTable(leases, o), shadow: false, unique: [] };
    case 'blazar.reservations':
      return { cols: blazarTable(reservations, o), shadow: false, unique: [] };
    case 'blazar.events':
      return { cols: blazarTable(events, o), shadow: false, unique: [] };
    case 'blazar.computehosts':
      return { cols: blazarTable(computehosts, o), shadow: false, unique: [] };
    case 'blazar.computehost_allocations':
      return { cols: blazarTable(allocations, o), shadow: false, unique: [] };
    case 'blazar.computehost_reservations':
      return { cols: blazarTable(hostReservations, o), shadow: false, unique: [] };
    case 'blazar.instance_reservations':
      return { cols: blazarTable(instanceReservations, o), shadow: false, unique: [] };
    case 'blazar.computehost_extra_capabilities':
      return { cols: blazarTable(hostCapabilities(layout), o), shadow: false, unique: [] };
    case 'blazar.resource_properties':
      return { cols: blazarTable(resourceProperties, o), shadow: false, unique: [['resource_type', 'property_name']] };
    case 'blazar.extra_capabilities':
      return { cols: blazarTable(extraCapabilities, o), shadow: false, unique: [['resource_type', 'capability_name']] };
    case 'blazar.devices':
    case 'blazar.device_allocations':
    case 'blazar.device_reservations':
    case 'blazar.device_extra_capabilities':
      throw new Error(`${key} has no hand-written DDL: only Chameleon's Blazar has devices (real schema)`);
    case 'chameleon_usage.node_count_cache':
      return { cols: nodeCountCache, shadow: false, unique: [] };
    case 'chameleon_usage.node_usage_report_cache':
      return { cols: nodeUsageReportCache, shadow: false, unique: [] };
  }
};

const mysqlType = (t: ColType, shadow: boolean): string => {
  switch (t) {
    case 'id':
      return shadow ? 'INT NOT NULL PRIMARY KEY' : 'INT NOT NULL AUTO_INCREMENT PRIMARY KEY';
    case 'uuid_id':
      return 'VARCHAR(36) NOT NULL PRIMARY KEY';
    case 'int':
      return 'INT';
    case 'bigint':
      return 'BIGINT';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'bool':
      return 'TINYINT(1)';
    case 'datetime':
      return 'DATETIME';
    case 'date':
      return 'DATE';
    case 'text':
      return 'TEXT';
    case 'mediumtext':
      return 'MEDIUMTEXT';
    default:
      return t.toUpperCase();
  }
};

const sqliteType = (t: ColType, shadow: boolean): string => {
  switch (t) {
    case 'id':
      return shadow ? 'INTEGER NOT NULL PRIMARY KEY' : 'INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT';
    case 'uuid_id':
      return 'VARCHAR(36) NOT NULL PRIMARY KEY';
    case 'int':
    case 'bigint':
    case 'bool':
      return 'INTEGER';
    case 'float':
    case 'double':
      return 'REAL';
    case 'datetime':
      return 'DATETIME';
    case 'date':
      return 'DATE';
    case 'text':
    case 'mediumtext':
      return 'TEXT';
    default:
      return t.toUpperCase();
  }
};

/**
 * The name of a fixture table in SQL.
 *
 * @example
 * qualifiedName('sqlite', 'nova.instances') === 'nova__instances'
 * qualifiedName('mysql', 'nova.instances', { databases: { nova: 't1_nova' } }) === 't1_nova.instances'
 */
export const qualifiedName = (dialect: 'mysql' | 'sqlite', key: TableKey, o: DdlOptions = {}): string => {
  const [db, table] = key.split('.') as [LogicalDb, string];
  return dialect === 'mysql' ? `\`${o.databases?.[db] ?? db}\`.\`${table}\`` : `${db}__${table}`;
};

// -------------------------------------------------------------------------------------
// real tables (realDdl.generated.ts)
// -------------------------------------------------------------------------------------

/** A table of the real schemas. @since 0.1.0 */
export type RealTableKey = keyof typeof realDdl.tables;

/** One column of a real table, as information_schema describes it. @since 0.1.0 */
export interface RealColumn {
  readonly name: string;
  /** `COLUMN_TYPE`, e.g. `int(11)`, `varchar(36)`, `tinyint(1)`, `mediumtext`, `enum('owner','admin')`. */
  readonly type: string;
  readonly nullable: boolean;
  /** `COLUMN_DEFAULT` as SQL (`0`, `'x'`), null when there is none. */
  readonly default: string | null;
  readonly autoIncrement: boolean;
}

/** A real table: columns in order, primary key, indexes. @since 0.1.0 */
export interface RealTable {
  readonly columns: ReadonlyArray<RealColumn>;
  readonly primaryKey: ReadonlyArray<string>;
  readonly indexes: ReadonlyArray<{ readonly name: string; readonly unique: boolean; readonly columns: ReadonlyArray<string> }>;
}

/**
 * The real tables, by key: what Nova and Chameleon Blazar's migrations create.
 *
 * @since 0.1.0
 */
export const realTables: Readonly<Record<RealTableKey, RealTable>> = realDdl.tables;

/** The service versions the real tables were dumped from. @since 0.1.0 */
export const realVersions = { nova: realDdl.nova, blazar: realDdl.blazar, migrations: realDdl.versions };

/**
 * Whether a table is rendered from the real schema under these options: every Nova table, and
 * the Blazar tables of Chameleon's fork in the `resource_properties` layout.
 *
 * @since 0.1.0
 */
export const isReal = (key: TableKey, o: DdlOptions = {}): key is TableKey & RealTableKey => {
  if (!(key in realDdl.tables)) return false;
  if (!key.startsWith('blazar.')) return true;
  if (isDeviceTable(key)) return o.blazar !== 'upstream';
  return o.blazar !== 'upstream' && (o.capabilityLayout ?? 'resource_properties') === 'resource_properties';
};

/** The SQLite type of a MySQL column type. */
const sqliteOf = (mysql: string): string => {
  const t = mysql.toLowerCase();
  if (/^(tiny|small|medium|big)?int\b/.test(t)) return 'INTEGER';
  if (/^(float|double|decimal|real)\b/.test(t)) return 'REAL';
  if (/^(var)?char\(/.test(t)) return t.toUpperCase();
  if (t === 'datetime' || t.startsWith('timestamp')) return 'DATETIME';
  if (t === 'date') return 'DATE';
  return 'TEXT'; // text, mediumtext, longtext, enum(...)
};

const realDdlOf = (dialect: 'mysql' | 'sqlite', key: TableKey & RealTableKey, o: DdlOptions): string[] => {
  const t = realTables[key];
  const name = qualifiedName(dialect, key, o);
  if (dialect === 'mysql') {
    const q = (s: string) => `\`${s}\``;
    const lines = t.columns.map((col) =>
      [q(col.name), col.type, col.nullable ? '' : 'NOT NULL', col.autoIncrement ? 'AUTO_INCREMENT' : '', col.default === null ? '' : `DEFAULT ${col.default}`]
        .filter((x) => x !== '')
        .join(' '),
    );
    if (t.primaryKey.length > 0) lines.push(`PRIMARY KEY (${t.primaryKey.map(q).join(', ')})`);
    for (const i of t.indexes) lines.push(`${i.unique ? 'UNIQUE KEY' : 'KEY'} ${q(i.name)} (${i.columns.map(q).join(', ')})`);
    return [`CREATE TABLE ${name} (\n  ${lines.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8`];
  }
  const q = (s: string) => `"${s}"`;
  const single = t.primaryKey.length === 1 ? t.primaryKey[0] : undefined;
  const lines = t.columns.map((col) => {
    const pk = col.name === single;
    const type = sqliteOf(col.type);
    return [q(col.name), type, col.nullable && !pk ? '' : 'NOT NULL', pk ? (col.autoIncrement && type === 'INTEGER' ? 'PRIMARY KEY AUTOINCREMENT' : 'PRIMARY KEY') : '', col.default === null ? '' : `DEFAULT ${col.default}`]
      .filter((x) => x !== '')
      .join(' ');
  });
  if (t.primaryKey.length > 1) lines.push(`PRIMARY KEY (${t.primaryKey.map(q).join(', ')})`);
  const out = [`CREATE TABLE ${name} (\n  ${lines.join(',\n  ')}\n)`];
  // SQLite index names are per database: prefix them with the table
  for (const i of t.indexes) if (i.unique) out.push(`CREATE UNIQUE INDEX ${q(`${key.replace('.', '__')}__${i.name}`)} ON ${name} (${i.columns.map(q).join(', ')})`);
  return out;
};

// -------------------------------------------------------------------------------------
// statements
// -------------------------------------------------------------------------------------

/**
 * The statements that create one table (the table, then its unique indexes).
 *
 * @example
 * ddl('sqlite', 'nova_api.request_specs')[0].startsWith('CREATE TABLE nova_api__request_specs')
 * @since 0.1.0
 */
export const ddl = (dialect: 'mysql' | 'sqlite', key: TableKey, o: DdlOptions = {}): string[] => {
  if (isReal(key, o)) return realDdlOf(dialect, key, o);
  const { cols, shadow, unique } = handWritten(key, o);
  const name = qualifiedName(dialect, key, o);
  const q = (s: string) => (dialect === 'mysql' ? `\`${s}\`` : `"${s}"`);
  const lines = cols.map((col) => {
    const type = dialect === 'mysql' ? mysqlType(col.type, shadow) : sqliteType(col.type, shadow);
    const isPk = col.type === 'id' || col.type === 'uuid_id';
    return [q(col.name), type, !isPk && col.notNull ? 'NOT NULL' : '', col.default === undefined ? '' : `DEFAULT ${col.default}`]
      .filter((s) => s !== '')
      .join(' ');
  });
  const tail = dialect === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' : '';
  const out = [`CREATE TABLE ${name} (\n  ${lines.join(',\n  ')}\n)${tail}`];
  const bare = key.replace('.', '__');
  unique.forEach((u, i) => {
    const idx = `uniq_${bare}_${i}`;
    out.push(dialect === 'mysql' ? `CREATE UNIQUE INDEX ${idx} ON ${name} (${u.map(q).join(', ')})` : `CREATE UNIQUE INDEX ${idx} ON ${name} (${u.map(q).join(', ')})`);
  });
  return out;
};

/**
 * The column names of a table (for builders and round-trip tests).
 *
 * @since 0.1.0
 */
export const columnNames = (key: TableKey, o: DdlOptions = {}): ReadonlyArray<string> =>
  isReal(key, o) ? realTables[key].columns.map((col) => col.name) : handWritten(key, o).cols.map((col) => col.name);
