#!/usr/bin/env python3
"""The real services' schemas on the local MariaDB, built by the services' own migrations.

    schemas.py create --prefix P [--url mysql://root@127.0.0.1:3306] [--only nova|blazar]
    schemas.py clone  --from T --prefix P [--url ...]
    schemas.py drop   --prefix P [--url ...]
    schemas.py dump   --prefix P [--url ...] [--out testbed/realDdl.generated.ts]

`create` makes fresh databases `P_nova`, `P_nova_api` and `P_blazar` (dropping them first if they
exist) and syncs them with the real code paths:
  - Nova (Debian's python3-nova, 26.x Zed): nova-manage's own code, `from nova.cmd import manage`,
    `api_db sync` and `db sync --local_cell` (the cell database only; cell0 is not needed), with a
    generated nova.conf whose [api_database] and [database] point at the two databases;
  - Chameleon's Blazar fork (unpacked by scripts/real-services/setup.sh into .real-services/):
    `blazar.db.migration.cli upgrade head` with a generated blazar.conf.
`--only nova|blazar` syncs one service's schemas (the other's databases are created empty).
It prints one JSON line: the database names and the seconds each step took.

`clone` copies the synced schemas of prefix T into fresh databases of prefix P (`SHOW CREATE TABLE`
replayed, which keeps every column, index, default and foreign key, plus the migration version
rows): seconds of work instead of the migrations' minute or two, for tests that want one fresh
set of databases each.

`drop` drops the three databases, and `P_openstack_audit` when a scenario made it (issue 15).

`dump` writes the columns, primary keys and indexes of the tables the tool reads
(`DUMP_TABLES`), from information_schema of P's databases, as the generated TypeScript module
`testbed/realDdl.generated.ts` that `testbed/ddl.ts` renders for MySQL and SQLite (regenerate it
with `bash scripts/real-services/dump-ddl.sh`).

Nova and Blazar both configure oslo.config's global CONF, so each sync runs in its own
subprocess (`schemas.py _nova ARGS...` / `schemas.py _blazar ARGS...`).

Run it with the system python3 that has python3-nova (/usr/bin/python3): it needs SQLAlchemy 1.4,
alembic, oslo.db and PyMySQL as Debian ships them.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BLAZAR_DIR = os.environ.get('BLAZAR_SRC', os.path.join(ROOT, '.real-services', 'blazar-chameleon-2023.1'))
DEFAULT_URL = 'mysql://root@127.0.0.1:3306'
LOGICAL = ('nova', 'nova_api', 'blazar')


def database_names(prefix):
    """The real database name per logical database."""
    return {db: '%s_%s' % (prefix, db) for db in LOGICAL}


def _server(url):
    u = urlparse(url)
    return {
        'host': u.hostname or '127.0.0.1',
        'port': u.port or 3306,
        'user': u.username or 'root',
        'password': u.password or '',
    }


def sqlalchemy_url(url, database):
    s = _server(url)
    auth = s['user'] + (':' + s['password'] if s['password'] else '')
    return 'mysql+pymysql://%s@%s:%d/%s?charset=utf8' % (auth, s['host'], s['port'], database)


def _connect(url):
    import pymysql
    s = _server(url)
    return pymysql.connect(host=s['host'], port=s['port'], user=s['user'], password=s['password'], autocommit=True)


def _check_prefix(prefix):
    if not prefix.replace('_', '').isalnum():
        raise SystemExit('schemas.py: the prefix must be letters, digits and _ (got %r)' % prefix)


def drop(url, prefix):
    _check_prefix(prefix)
    conn = _connect(url)
    try:
        with conn.cursor() as cur:
            # P_openstack_audit: the audit tables a scenario installs (issue 15, s19)
            for name in list(database_names(prefix).values()) + ['%s_openstack_audit' % prefix]:
                cur.execute('DROP DATABASE IF EXISTS `%s`' % name)
    finally:
        conn.close()


def _run_sub(kind, conf_path, args):
    env = dict(os.environ)
    if kind == '_blazar':
        env['PYTHONPATH'] = BLAZAR_DIR + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
    cmd = [sys.executable, os.path.abspath(__file__), kind, '--config-file', conf_path] + args
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise SystemExit('schemas.py: %s failed (exit %d):\n%s' % (' '.join(cmd[2:]), p.returncode, p.stdout[-4000:]))


def create(url, prefix, only=None):
    """Builds the schemas; `only` ('nova' or 'blazar') builds one service's (the other's databases
    are still created, empty)."""
    _check_prefix(prefix)
    if not os.path.isdir(os.path.join(BLAZAR_DIR, 'blazar')):
        raise SystemExit('schemas.py: Blazar not found in %s (run scripts/real-services/setup.sh)' % BLAZAR_DIR)
    names = database_names(prefix)
    timings = {}
    t0 = time.monotonic()
    drop(url, prefix)
    conn = _connect(url)
    try:
        with conn.cursor() as cur:
            for name in names.values():
                cur.execute('CREATE DATABASE `%s` CHARACTER SET utf8 COLLATE utf8_general_ci' % name)
    finally:
        conn.close()
    with tempfile.TemporaryDirectory(prefix='real-services-') as tmp:
        nova_conf = os.path.join(tmp, 'nova.conf')
        with open(nova_conf, 'w') as f:
            f.write('[DEFAULT]\nlog_dir =\nuse_stderr = true\n'
                    '[api_database]\nconnection = %s\n'
                    '[database]\nconnection = %s\n' % (sqlalchemy_url(url, names['nova_api']), sqlalchemy_url(url, names['nova'])))
        blazar_conf = os.path.join(tmp, 'blazar.conf')
        with open(blazar_conf, 'w') as f:
            f.write('[database]\nconnection = %s\n' % sqlalchemy_url(url, names['blazar']))
        if only in (None, 'nova'):
            t = time.monotonic()
            _run_sub('_nova', nova_conf, ['api_db', 'sync'])
            timings['nova_api'] = round(time.monotonic() - t, 2)
            t = time.monotonic()
            _run_sub('_nova', nova_conf, ['db', 'sync', '--local_cell'])
            timings['nova'] = round(time.monotonic() - t, 2)
        if only in (None, 'blazar'):
            t = time.monotonic()
            _run_sub('_blazar', blazar_conf, ['upgrade', 'head'])
            timings['blazar'] = round(time.monotonic() - t, 2)
    timings['total'] = round(time.monotonic() - t0, 2)
    return {'databases': names, 'seconds': timings}


def clone(url, source, prefix):
    _check_prefix(source)
    _check_prefix(prefix)
    t0 = time.monotonic()
    src, dst = database_names(source), database_names(prefix)
    drop(url, prefix)
    conn = _connect(url)
    try:
        with conn.cursor() as cur:
            for db in LOGICAL:
                cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name", (src[db],))
                tables = [r[0] for r in cur.fetchall()]
                if not tables:
                    raise SystemExit('schemas.py: %s has no tables (run: schemas.py create --prefix %s)' % (src[db], source))
                cur.execute('CREATE DATABASE `%s` CHARACTER SET utf8 COLLATE utf8_general_ci' % dst[db])
                cur.execute('USE `%s`' % dst[db])
                cur.execute('SET SESSION foreign_key_checks = 0')
                for t in tables:
                    cur.execute('SHOW CREATE TABLE `%s`.`%s`' % (src[db], t))
                    create_sql = re.sub(r' AUTO_INCREMENT=\d+', '', cur.fetchone()[1])
                    cur.execute(create_sql)
                for t in ('alembic_version', 'migrate_version'):
                    if t in tables:
                        cur.execute('INSERT INTO `%s`.`%s` SELECT * FROM `%s`.`%s`' % (dst[db], t, src[db], t))
    finally:
        conn.close()
    return {'databases': dst, 'seconds': {'total': round(time.monotonic() - t0, 2)}}


# The tables of the real services the tool reads, as `logical db.table` (testbed/ddl.ts tableKeys).
DUMP_TABLES = (
    'nova.compute_nodes', 'nova.shadow_compute_nodes',
    'nova.instances', 'nova.shadow_instances',
    'nova.instance_actions', 'nova.shadow_instance_actions',
    'nova.instance_actions_events', 'nova.shadow_instance_actions_events',
    'nova.instance_extra',
    'nova_api.request_specs',
    'blazar.leases', 'blazar.reservations', 'blazar.events',
    'blazar.computehosts', 'blazar.computehost_allocations', 'blazar.computehost_reservations',
    'blazar.instance_reservations', 'blazar.computehost_extra_capabilities', 'blazar.resource_properties',
    'blazar.devices', 'blazar.device_allocations', 'blazar.device_reservations', 'blazar.device_extra_capabilities',
)


def _versions(cur, names):
    out = {}
    for db in LOGICAL:
        cur.execute('SELECT version_num FROM `%s`.alembic_version ORDER BY version_num' % names[db])
        out[db] = [r[0] for r in cur.fetchall()]
    return out


def describe(url, prefix):
    """The columns and indexes of DUMP_TABLES in P's databases, and the migration versions."""
    names = database_names(prefix)
    conn = _connect(url)
    tables = {}
    try:
        with conn.cursor() as cur:
            versions = _versions(cur, names)
            for key in DUMP_TABLES:
                db, table = key.split('.')
                cur.execute(
                    'SELECT column_name, column_type, is_nullable, column_default, extra FROM information_schema.columns '
                    'WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position', (names[db], table))
                cols = []
                for name, ctype, nullable, default, extra in cur.fetchall():
                    # MariaDB >= 10.2.7 quotes string defaults and spells a NULL default 'NULL'
                    if default == 'NULL':
                        default = None
                    cols.append({'name': name, 'type': ctype, 'nullable': nullable == 'YES', 'default': default,
                                 'autoIncrement': 'auto_increment' in (extra or '')})
                if not cols:
                    raise SystemExit('schemas.py: %s.%s does not exist' % (names[db], table))
                cur.execute(
                    'SELECT index_name, non_unique, column_name FROM information_schema.statistics '
                    'WHERE table_schema = %s AND table_name = %s ORDER BY index_name, seq_in_index', (names[db], table))
                idx = {}
                for name, non_unique, col in cur.fetchall():
                    idx.setdefault(name, {'name': name, 'unique': int(non_unique) == 0, 'columns': []})['columns'].append(col)
                primary = idx.pop('PRIMARY', {'columns': []})['columns']
                tables[key] = {'columns': cols, 'primaryKey': primary, 'indexes': sorted(idx.values(), key=lambda i: i['name'])}
    finally:
        conn.close()
    return {'versions': versions, 'tables': tables}


def _nova_version():
    p = subprocess.run([sys.executable, '-c', 'import nova.version as v; print(v.version_string())'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return p.stdout.strip() or 'unknown'


def dump(url, prefix, out):
    d = describe(url, prefix)
    d['nova'] = _nova_version()
    d['blazar'] = os.path.basename(BLAZAR_DIR) + ' bbd20e84'
    one = lambda v: json.dumps(v, sort_keys=True)
    lines = ['{', '  "blazar": %s,' % one(d['blazar']), '  "nova": %s,' % one(d['nova']), '  "versions": %s,' % one(d['versions']), '  "tables": {']
    for i, key in enumerate(sorted(d['tables'])):
        t = d['tables'][key]
        lines.append('    %s: {' % one(key))
        lines.append('      "columns": [')
        lines.extend('        %s%s' % (one(c), ',' if j < len(t['columns']) - 1 else '') for j, c in enumerate(t['columns']))
        lines.append('      ],')
        lines.append('      "primaryKey": %s,' % one(t['primaryKey']))
        lines.append('      "indexes": [')
        lines.extend('        %s%s' % (one(x), ',' if j < len(t['indexes']) - 1 else '') for j, x in enumerate(t['indexes']))
        lines.append('      ]')
        lines.append('    }%s' % (',' if i < len(d['tables']) - 1 else ''))
    lines += ['  }', '}']
    body = '\n'.join(lines)
    with open(out, 'w') as f:
        f.write('// GENERATED by `bash scripts/real-services/dump-ddl.sh` (scripts/real-services/schemas.py dump)\n'
                '// from the schemas Nova and Chameleon Blazar build with their own migrations: do not edit.\n'
                '// The columns, primary keys and indexes of the tables the tool reads (foreign keys are left\n'
                '// out). testbed/ddl.ts renders them for MySQL and SQLite.\n'
                'export const realDdl = ' + body + ' as const;\n')
    return {'out': out, 'tables': len(d['tables']), 'versions': d['versions']}


def _nova(argv):
    from nova.cmd import manage
    sys.argv = ['nova-manage'] + argv
    return manage.main()


def _blazar(argv):
    from blazar.db.migration import cli
    sys.argv = ['blazar-db-manage'] + argv
    return cli.main()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == '_nova':
        sys.exit(_nova(argv[1:]))
    if argv and argv[0] == '_blazar':
        sys.exit(_blazar(argv[1:]))
    parser = argparse.ArgumentParser(prog='schemas.py', description=__doc__.split('\n\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    for name in ('create', 'clone', 'drop', 'dump'):
        p = sub.add_parser(name)
        if name == 'clone':
            p.add_argument('--from', dest='source', required=True, help='prefix of databases made by create')
        if name == 'create':
            p.add_argument('--only', choices=('nova', 'blazar'), help="build one service's schemas only")
        if name == 'dump':
            p.add_argument('--out', default=os.path.join(ROOT, 'testbed', 'realDdl.generated.ts'), help='generated module (default %(default)s)')
        p.add_argument('--prefix', required=True, help='database name prefix: P_nova, P_nova_api, P_blazar')
        p.add_argument('--url', default=os.environ.get('CHAMELEON_TEST_MYSQL_URL', DEFAULT_URL), help='MariaDB server URL (default %(default)s)')
    args = parser.parse_args(argv)
    if args.command == 'create':
        print(json.dumps(create(args.url, args.prefix, args.only), sort_keys=True))
    elif args.command == 'dump':
        print(json.dumps(dump(args.url, args.prefix, args.out), sort_keys=True))
    elif args.command == 'clone':
        print(json.dumps(clone(args.url, args.source, args.prefix), sort_keys=True))
    else:
        drop(args.url, args.prefix)
        print(json.dumps({'dropped': database_names(args.prefix)}, sort_keys=True))


if __name__ == '__main__':
    main()
