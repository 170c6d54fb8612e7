"""Chameleon's `openstack_audit` tables on the real services' schemas (issue 15).

Installs what chi-in-a-box's `roles/audit_tables` installs (openstack-audit.md: DDL section 2.1,
triggers section 4.1, backfill section 4.3, task order of @f994c99: create the table, backfill,
then the triggers), rendered here from the facts for the databases of one prefix:

  - the audit database is `P_openstack_audit` (production: `openstack_audit`);
  - each table `audit_<name>`: generic layout v3 (`audit_id INT AUTO_INCREMENT PRIMARY KEY`, `id`
    of the entry's id type, `audit_event_type ENUM`, `audit_event_time` and `audit_changed_at`
    `DATETIME DEFAULT CURRENT_TIMESTAMP`, `audit_changed_by VARCHAR(255)`, `data JSON`, indexes
    `idx_id_event_time`, `idx_id_event_type`, `idx_changed_at`);
  - triggers `<source db>.trg_<source table>_audit_{ins,upd,del}`, `CREATE OR REPLACE TRIGGER ...
    AFTER INSERT/UPDATE/DELETE ... FOR EACH ROW`, writing `(id, audit_event_type, audit_changed_by,
    data)` with `USER()` and `JSON_OBJECT` of the columns (NEW values, OLD for DELETE); the UPDATE
    trigger only when a watch column changed (`NOT (OLD.c <=> NEW.c)` ORed);
  - the backfill: an INSERT row at `created_at` (`'backfill'`, current values) for every source row
    without an INSERT row, a DELETE row at `deleted_at` for every soft-deleted row without a DELETE
    row when `deleted_at` is a column.
Not installed: the role's `GRANT INSERT ... TO '<service>'@'%'` (the suite's services connect as
root, and creating users on a shared server is not this suite's business).

Time: the triggers take both times from `CURRENT_TIMESTAMP`, the wall clock of the writing
session, not from `timeutils.set_time_override`. `clock()` installs a SQLAlchemy listener on every
engine that, while a time override is set, runs `SET time_zone = '+00:00'` and
`SET timestamp = <override>` in the session before each statement, so MariaDB's
`CURRENT_TIMESTAMP` inside the services' own sessions (Blazar's and Nova's engines alike) is the
scenario's clock, in UTC (docs/decisions.md, issue 15).

Tables (`TABLES`): `blazar_computehosts` and `nova_services` with the columns and watch lists of
the facts (section 3.1); `blazar_leases`, `blazar_reservations` and
`blazar_computehost_allocations`, whose definitions the facts do not know (section 3.3), with every
column of the source table and the watch lists the testbed uses (`start_date, end_date, deleted`;
`deleted`; `deleted`).
"""
import calendar

COMPUTEHOSTS = ['id', 'hypervisor_hostname', 'vcpus', 'memory_mb', 'local_gb', 'status', 'reservable', 'disabled', 'created_at', 'deleted_at']
SERVICES = ['created_at', 'updated_at', 'deleted_at', 'id', 'host', 'binary', 'topic', 'report_count', 'disabled', 'disabled_reason',
            'last_seen_up', 'forced_down', 'version', 'uuid']

INSTANCES = ['created_at', 'updated_at', 'deleted_at', 'id', 'internal_id', 'user_id', 'project_id', 'image_ref', 'kernel_id', 'ramdisk_id',
             'launch_index', 'key_name', 'power_state', 'vm_state', 'memory_mb', 'vcpus', 'hostname', 'host', 'reservation_id',
             'launched_at', 'terminated_at', 'display_name', 'display_description', 'availability_zone', 'locked', 'os_type',
             'launched_on', 'instance_type_id', 'vm_mode', 'uuid', 'architecture', 'root_device_name', 'access_ip_v4', 'access_ip_v6',
             'config_drive', 'task_state', 'default_ephemeral_device', 'default_swap_device', 'progress', 'auto_disk_config',
             'shutdown_terminate', 'disable_terminate', 'root_gb', 'ephemeral_gb', 'cell_name', 'node', 'deleted', 'locked_by',
             'cleaned', 'ephemeral_key_uuid', 'hidden']

# name, source db (logical), source table, id type, columns (None: every column), watch columns
TABLES = [
    ('blazar_computehosts', 'blazar', 'computehosts', 'VARCHAR(36)', COMPUTEHOSTS, ['status', 'reservable', 'disabled']),
    ('nova_services', 'nova', 'services', 'INT(11)', SERVICES, ['host', 'binary', 'topic', 'disabled', 'disabled_reason', 'forced_down', 'version']),
    ('blazar_leases', 'blazar', 'leases', 'VARCHAR(36)', None, ['start_date', 'end_date', 'deleted']),
    ('blazar_reservations', 'blazar', 'reservations', 'VARCHAR(36)', None, ['deleted']),
    ('blazar_computehost_allocations', 'blazar', 'computehost_allocations', 'VARCHAR(36)', None, ['deleted']),
]

# installed only when asked for by name (`install(services, tables=[...])`): the scenarios written
# before them do not expect their rows. `nova_instances`: the facts' columns and watch list
# (section 3.1); Zed's `instances` has every one of them (install keeps only the columns a table
# has, as a guard: the role's trigger would fail on a missing one)
OPTIONAL_TABLES = [
    ('nova_instances', 'nova', 'instances', 'INT(11)', INSTANCES,
     ['power_state', 'vm_state', 'task_state', 'host', 'node', 'launched_at', 'terminated_at', 'locked', 'locked_by',
      'availability_zone', 'instance_type_id', 'deleted', 'hidden']),
]


def audit_db(prefix):
    return '%s_openstack_audit' % prefix


def _json(cols, alias):
    return 'JSON_OBJECT(%s)' % ', '.join("'%s', %s.%s" % (c, alias, c) for c in cols)


def create_table_sql(adb, name, id_type):
    return """CREATE TABLE IF NOT EXISTS `%s`.audit_%s (
    audit_id INT AUTO_INCREMENT PRIMARY KEY,
    id %s,
    audit_event_type ENUM('INSERT', 'UPDATE', 'DELETE'),
    audit_event_time DATETIME DEFAULT CURRENT_TIMESTAMP,
    audit_changed_by VARCHAR(255),
    audit_changed_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    data JSON,
    INDEX idx_id_event_time (id, audit_event_time),
    INDEX idx_id_event_type (id, audit_event_type),
    INDEX idx_changed_at (audit_changed_at)
)""" % (adb, name, id_type)


def backfill_sql(adb, name, sdb, table, cols):
    """The backfill statements: INSERT rows, then DELETE rows when `deleted_at` is a column."""
    out = []
    kinds = [('INSERT', 'created_at', '')] + ([('DELETE', 'deleted_at', 'AND s.deleted_at IS NOT NULL')] if 'deleted_at' in cols else [])
    for kind, time_col, extra in kinds:
        out.append("""INSERT INTO `{adb}`.audit_{name} (id, audit_event_type, audit_event_time, audit_changed_by, data)
SELECT src.id, '{kind}', src.{time_col}, 'backfill', {data}
FROM `{sdb}`.{table} src
JOIN (SELECT s.id FROM `{sdb}`.{table} s
      WHERE NOT EXISTS (SELECT 1 FROM `{adb}`.audit_{name} a WHERE a.id = s.id AND a.audit_event_type = '{kind}') {extra}
) missing ON missing.id = src.id""".format(adb=adb, name=name, kind=kind, time_col=time_col, data=_json(cols, 'src'), sdb=sdb, table=table, extra=extra))
    return out


def trigger_sql(adb, name, sdb, table, cols, watch):
    ins = """CREATE OR REPLACE TRIGGER `{sdb}`.trg_{table}_audit_ins
AFTER INSERT ON `{sdb}`.{table} FOR EACH ROW
BEGIN
    INSERT INTO `{adb}`.audit_{name} (id, audit_event_type, audit_changed_by, data)
    VALUES (NEW.id, 'INSERT', USER(), {data});
END""".format(sdb=sdb, table=table, adb=adb, name=name, data=_json(cols, 'NEW'))
    upd = """CREATE OR REPLACE TRIGGER `{sdb}`.trg_{table}_audit_upd
AFTER UPDATE ON `{sdb}`.{table} FOR EACH ROW
BEGIN
    IF {cond} THEN
        INSERT INTO `{adb}`.audit_{name} (id, audit_event_type, audit_changed_by, data)
        VALUES (NEW.id, 'UPDATE', USER(), {data});
    END IF;
END""".format(sdb=sdb, table=table, adb=adb, name=name, data=_json(cols, 'NEW'),
              cond=' OR '.join('NOT (OLD.%s <=> NEW.%s)' % (c, c) for c in watch))
    dele = """CREATE OR REPLACE TRIGGER `{sdb}`.trg_{table}_audit_del
AFTER DELETE ON `{sdb}`.{table} FOR EACH ROW
BEGIN
    INSERT INTO `{adb}`.audit_{name} (id, audit_event_type, audit_changed_by, data)
    VALUES (OLD.id, 'DELETE', USER(), {data});
END""".format(sdb=sdb, table=table, adb=adb, name=name, data=_json(cols, 'OLD'))
    return [ins, upd, dele]


def _columns(services, sdb, table):
    rows = services.sql('', "SELECT column_name FROM information_schema.columns WHERE table_schema = '%s' AND table_name = '%s' "
                            "ORDER BY ordinal_position" % (sdb, table)).fetchall()
    return [r[0] for r in rows]


def install(services, tables=None):
    """The role's run: (re)creates `P_openstack_audit` (empty), then per table: the table, the
    backfill, the triggers. Runs in the driver's own session, at the scenario's clock."""
    p = services.prefix
    adb = audit_db(p)
    services.sql('', 'DROP DATABASE IF EXISTS `%s`' % adb)
    services.sql('', 'CREATE DATABASE `%s` CHARACTER SET utf8mb4' % adb)
    for name, db, table, id_type, cols, watch in TABLES if tables is None else [t for t in TABLES + OPTIONAL_TABLES if t[0] in tables]:
        sdb = '%s_%s' % (p, db)
        there = _columns(services, sdb, table)
        cols = [c for c in cols if c in there] if cols else there
        services.sql('', create_table_sql(adb, name, id_type))
        for stmt in backfill_sql(adb, name, sdb, table, cols):
            services.sql('', stmt)
        for stmt in trigger_sql(adb, name, sdb, table, cols, watch):
            services.sql('', stmt)


def uninstall(services):
    """Disables every table as the role does (`DROP TRIGGER IF EXISTS`); the audit rows stay."""
    p = services.prefix
    for name, db, table, _, _, _ in TABLES + OPTIONAL_TABLES:
        for kind in ('ins', 'upd', 'del'):
            services.sql('', 'DROP TRIGGER IF EXISTS `%s_%s`.trg_%s_audit_%s' % (p, db, table, kind))


_installed = []


def clock(services):
    """Makes MariaDB's CURRENT_TIMESTAMP follow `timeutils.set_time_override` in every session
    (installed once per process; a no-op while no override is set)."""
    if _installed:
        return
    sa = services.sa
    timeutils = services.timeutils

    def before(conn, cursor, statement, parameters, context, executemany):
        t = timeutils.utcnow.override_time
        info = conn.info
        if t is None or isinstance(t, list):
            if info.pop('audit_ts', None) is not None:
                cursor.execute('SET timestamp = DEFAULT')
            return
        ts = calendar.timegm(t.utctimetuple())
        if not info.get('audit_utc'):
            cursor.execute("SET time_zone = '+00:00'")
            info['audit_utc'] = True
        if info.get('audit_ts') != ts:
            cursor.execute('SET timestamp = %d' % ts)
            info['audit_ts'] = ts

    sa.event.listen(sa.engine.Engine, 'before_cursor_execute', before)
    _installed.append(True)
