/**
 * The real DDL: the source tables as the real services create them (Nova and Nova API
 * initial migrations, Chameleon Blazar models and migrations, the legacy `chameleon_usage`
 * collector), rendered for MySQL/MariaDB and for SQLite.
 *
 * One column list per table, rendered twice, so both dialects always have the same columns:
 * - Nova: `deleted` INT, 0 while live and the row's own id once soft-deleted; `shadow_*` tables
 *   have the same columns without AUTO_INCREMENT (archiving copies the ids);
 * - Chameleon Blazar: `deleted` VARCHAR(36) NULL while live, the row's uuid once soft-deleted,
 *   plus `deleted_at`; `blazar: 'upstream'` leaves both out (upstream Blazar hard-deletes);
 * - the Blazar host capabilities in the three layouts `node_type` has lived in
 *   (openstack-schemas.md section 3): `resource_properties` (upstream >= 9.0.0, Chameleon 2024+),
 *   `extra_capabilities` (Chameleon 2020-04 to 2024) and `capability_name` (the original).
 *
 * Table names follow `adapters/Source.ts`: MySQL `<real db>.<table>`, SQLite
 * `<logical db>__<table>`.
 *
 * @since 0.1.0
 */
import type { LogicalDb } from '../adapters/Source';

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
  'chameleon_usage.node_count_cache',
  'chameleon_usage.node_usage_report_cache',
] as const;

/** @since 0.1.0 */
export type TableKey = (typeof tableKeys)[number];

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

/** oslo.db TimestampMixin + SoftDeleteMixin, as Nova uses them. */
const novaStamps: ReadonlyArray<Col> = [c('created_at', 'datetime'), c('updated_at', 'datetime'), c('deleted_at', 'datetime'), c('deleted', 'int', { default: '0' })];

const computeNodes: ReadonlyArray<Col> = [
  ...novaStamps,
  nn('id', 'id'),
  c('service_id', 'int'),
  c('host', 'varchar(255)'),
  c('uuid', 'varchar(36)'),
  nn('vcpus', 'int'),
  nn('memory_mb', 'int'),
  nn('local_gb', 'int'),
  nn('vcpus_used', 'int'),
  nn('memory_mb_used', 'int'),
  nn('local_gb_used', 'int'),
  nn('hypervisor_type', 'mediumtext'),
  nn('hypervisor_version', 'int'),
  nn('cpu_info', 'mediumtext'),
  c('disk_available_least', 'int'),
  c('free_ram_mb', 'int'),
  c('free_disk_gb', 'int'),
  c('current_workload', 'int'),
  c('running_vms', 'int'),
  c('hypervisor_hostname', 'varchar(255)'),
  c('host_ip', 'varchar(39)'),
  c('supported_instances', 'text'),
  c('pci_stats', 'text'),
  c('metrics', 'text'),
  c('extra_resources', 'text'),
  c('stats', 'text'),
  c('numa_topology', 'text'),
  c('ram_allocation_ratio', 'float'),
  c('cpu_allocation_ratio', 'float'),
  c('disk_allocation_ratio', 'float'),
  c('mapped', 'int', { default: '0' }),
];

const instances: ReadonlyArray<Col> = [
  ...novaStamps,
  nn('id', 'id'),
  c('internal_id', 'int'),
  c('user_id', 'varchar(255)'),
  c('project_id', 'varchar(255)'),
  c('image_ref', 'varchar(255)'),
  c('kernel_id', 'varchar(255)'),
  c('ramdisk_id', 'varchar(255)'),
  c('launch_index', 'int'),
  c('key_name', 'varchar(255)'),
  c('key_data', 'mediumtext'),
  c('power_state', 'int'),
  c('vm_state', 'varchar(255)'),
  c('memory_mb', 'int'),
  c('vcpus', 'int'),
  c('hostname', 'varchar(255)'),
  c('host', 'varchar(255)'),
  c('user_data', 'mediumtext'),
  c('reservation_id', 'varchar(255)'),
  c('launched_at', 'datetime'),
  c('terminated_at', 'datetime'),
  c('display_name', 'varchar(255)'),
  c('display_description', 'varchar(255)'),
  c('availability_zone', 'varchar(255)'),
  c('locked', 'bool'),
  c('os_type', 'varchar(255)'),
  c('launched_on', 'mediumtext'),
  c('instance_type_id', 'int'),
  c('vm_mode', 'varchar(255)'),
  nn('uuid', 'varchar(36)'),
  c('architecture', 'varchar(255)'),
  c('root_device_name', 'varchar(255)'),
  c('access_ip_v4', 'varchar(39)'),
  c('access_ip_v6', 'varchar(39)'),
  c('config_drive', 'varchar(255)'),
  c('task_state', 'varchar(255)'),
  c('default_ephemeral_device', 'varchar(255)'),
  c('default_swap_device', 'varchar(255)'),
  c('progress', 'int'),
  c('auto_disk_config', 'bool'),
  c('shutdown_terminate', 'bool'),
  c('disable_terminate', 'bool'),
  c('root_gb', 'int'),
  c('ephemeral_gb', 'int'),
  c('cell_name', 'varchar(255)'),
  c('node', 'varchar(255)'),
  c('locked_by', 'varchar(5)'),
  c('cleaned', 'int', { default: '0' }),
  c('ephemeral_key_uuid', 'varchar(36)'),
  c('hidden', 'bool', { default: '0' }),
  c('compute_id', 'bigint'),
];

const instanceActions: ReadonlyArray<Col> = [
  ...novaStamps,
  nn('id', 'id'),
  c('action', 'varchar(255)'),
  c('instance_uuid', 'varchar(36)'),
  c('request_id', 'varchar(255)'),
  c('user_id', 'varchar(255)'),
  c('project_id', 'varchar(255)'),
  c('start_time', 'datetime'),
  c('finish_time', 'datetime'),
  c('message', 'varchar(255)'),
];

const instanceActionsEvents: ReadonlyArray<Col> = [
  ...novaStamps,
  nn('id', 'id'),
  c('event', 'varchar(255)'),
  nn('action_id', 'int'),
  c('start_time', 'datetime'),
  c('finish_time', 'datetime'),
  c('result', 'varchar(255)'),
  c('traceback', 'text'),
  c('host', 'varchar(255)'),
  c('details', 'text'),
];

const instanceExtra: ReadonlyArray<Col> = [
  ...novaStamps,
  nn('id', 'id'),
  nn('instance_uuid', 'varchar(36)'),
  c('device_metadata', 'mediumtext'),
  c('numa_topology', 'mediumtext'),
  c('pci_requests', 'mediumtext'),
  c('flavor', 'mediumtext'),
  c('vcpu_model', 'mediumtext'),
  c('migration_context', 'mediumtext'),
  c('keypairs', 'mediumtext'),
  c('trusted_certs', 'mediumtext'),
  c('vpmems', 'mediumtext'),
  c('resources', 'mediumtext'),
];

const requestSpecs: ReadonlyArray<Col> = [
  c('created_at', 'datetime'),
  c('updated_at', 'datetime'),
  nn('id', 'id'),
  nn('instance_uuid', 'varchar(36)'),
  nn('spec', 'mediumtext'),
];

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

/** The columns of a table, with `shadow` true for Nova archive tables. */
const columns = (key: TableKey, o: DdlOptions): { cols: ReadonlyArray<Col>; shadow: boolean; unique: ReadonlyArray<ReadonlyArray<string>> } => {
  const layout = o.capabilityLayout ?? 'resource_properties';
  switch (key) {
    case 'nova.compute_nodes':
      return { cols: computeNodes, shadow: false, unique: [['host', 'hypervisor_hostname', 'deleted'], ['uuid']] };
    case 'nova.shadow_compute_nodes':
      return { cols: computeNodes, shadow: true, unique: [] };
    case 'nova.instances':
      return { cols: instances, shadow: false, unique: [['uuid']] };
    case 'nova.shadow_instances':
      return { cols: instances, shadow: true, unique: [] };
    case 'nova.instance_actions':
      return { cols: instanceActions, shadow: false, unique: [] };
    case 'nova.shadow_instance_actions':
      return { cols: instanceActions, shadow: true, unique: [] };
    case 'nova.instance_actions_events':
      return { cols: instanceActionsEvents, shadow: false, unique: [] };
    case 'nova.shadow_instance_actions_events':
      return { cols: instanceActionsEvents, shadow: true, unique: [] };
    case 'nova.instance_extra':
      return { cols: instanceExtra, shadow: false, unique: [] };
    case 'nova_api.request_specs':
      return { cols: requestSpecs, shadow: false, unique: [['instance_uuid']] };
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

/**
 * The statements that create one table (the table, then its unique indexes).
 *
 * @example
 * ddl('sqlite', 'nova_api.request_specs')[0].startsWith('CREATE TABLE nova_api__request_specs')
 * @since 0.1.0
 */
export const ddl = (dialect: 'mysql' | 'sqlite', key: TableKey, o: DdlOptions = {}): string[] => {
  const { cols, shadow, unique } = columns(key, o);
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
export const columnNames = (key: TableKey, o: DdlOptions = {}): ReadonlyArray<string> => columns(key, o).cols.map((col) => col.name);
