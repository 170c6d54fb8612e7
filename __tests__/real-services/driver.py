#!/usr/bin/python3
"""Scenario driver: plays scenarios through the real services' own code paths.

Rows are written by Debian's python3-nova (Zed, 26.x: `nova.objects`, `nova.compute.utils.EventReporter`,
`nova.cmd.manage` for archiving) and by Chameleon's Blazar fork (`blazar.db.api`, commit bbd20e84),
into databases whose schemas the services' own migrations built (scripts/real-services/schemas.py).
Time is played with `oslo_utils.timeutils.set_time_override`: both services stamp created_at,
updated_at and deleted_at through `timeutils.utcnow()`.

Usage (run with /usr/bin/python3, where python3-nova lives):
  driver.py serve --prefix P --blazar DIR     one JSON request a line on stdin, one answer a line
                                              on stdout: {"play": "name"} -> {"ok": true, "truth": {..}}
  driver.py play NAME --prefix P --blazar DIR plays one scenario, prints its truth
  driver.py list                              the scenario names

The databases are P_nova, P_nova_api and P_blazar on the server of --url (default
mysql+pymysql://root@127.0.0.1:3306). Every scenario starts from empty tables (`reset`).
"""
import argparse
import datetime as dt
import importlib
import io
import json
import os
import pkgutil
import sys
import traceback
import uuid as uuidlib

HERE = os.path.dirname(os.path.abspath(__file__))
# nova.cmd (imported to archive as nova-manage does) would monkey-patch threading with eventlet
# under SQLAlchemy's already created pools; the driver is plain threads.
os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')


def parse_time(s):
    """'2024-03-01', '2024-03-01 12:00' or '2024-03-01 12:00:05' (naive UTC) -> datetime."""
    for fmt in ('%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d'):
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            pass
    raise ValueError('bad time %r' % s)


def iso(t):
    return t.strftime('%Y-%m-%dT%H:%M:%S.000Z')


class Services(object):
    """The two services' libraries, configured on the three databases of one prefix."""

    def __init__(self, prefix, blazar_dir, url):
        sys.path.insert(0, blazar_dir)
        self.prefix = prefix
        self.url = url.rstrip('/')
        from oslo_config import cfg
        import nova.conf
        nova.conf.CONF([], project='nova', default_config_files=[], default_config_dirs=[])
        # Blazar's legacy engine facade reads [database]/connection; Nova's context managers are
        # configured directly, so the same process writes all three databases.
        cfg.CONF.set_override('connection', self.db_url('blazar'), group='database')
        # Notifications (flavor create, instance updates) go to oslo.messaging's no-op driver.
        import oslo_messaging as messaging
        from nova import rpc
        transport = messaging.get_notification_transport(cfg.CONF, url='fake:/')
        serializer = rpc.RequestContextSerializer(rpc.JsonPayloadSerializer())
        rpc.LEGACY_NOTIFIER = messaging.Notifier(transport, serializer=serializer, driver='noop')
        rpc.NOTIFIER = messaging.Notifier(transport, serializer=serializer, driver='noop', topics=['versioned_notifications'])
        from nova import objects
        objects.register_all()
        from nova.db.main import api as main_api
        from nova.db.api import api as api_api
        main_api.context_manager.configure(connection=self.db_url('nova'))
        api_api.context_manager.configure(connection=self.db_url('nova_api'))
        from blazar.db import api as blazar_api
        from oslo_utils import timeutils
        import sqlalchemy
        self.objects = objects
        self.blazar = blazar_api
        self.timeutils = timeutils
        self.engine = sqlalchemy.create_engine(self.db_url(''), isolation_level='AUTOCOMMIT')
        self.sa = sqlalchemy

    def db_url(self, db):
        if db == '':
            return '%s/?charset=utf8' % self.url
        return '%s/%s_%s?charset=utf8' % (self.url, self.prefix, db)

    def reset(self):
        """Empties every table of the three databases (schemas stay), auto-increments from 1."""
        text = self.sa.text
        with self.engine.connect() as c:
            dbs = ['%s_%s' % (self.prefix, d) for d in ('nova', 'nova_api', 'blazar')]
            rows = c.execute(text(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema IN (%s) AND table_type = 'BASE TABLE' "
                "AND table_name <> 'alembic_version' AND table_name <> 'migrate_version'" % ','.join("'%s'" % d for d in dbs))).fetchall()
            counts = c.execute(text(' UNION ALL '.join(
                "SELECT '%s', '%s', EXISTS(SELECT 1 FROM `%s`.`%s`)" % (s, t, s, t) for s, t in rows))).fetchall()
            c.execute(text('SET FOREIGN_KEY_CHECKS = 0'))
            for s, t, used in counts:
                if used:
                    c.execute(text('TRUNCATE TABLE `%s`.`%s`' % (s, t)))
            c.execute(text('SET FOREIGN_KEY_CHECKS = 1'))

    def count_rows(self, table):
        """Rows of `db.table` (db = nova, nova_api or blazar)."""
        db, t = table.split('.')
        with self.engine.connect() as c:
            return c.execute(self.sa.text('SELECT COUNT(*) FROM `%s_%s`.`%s`' % (self.prefix, db, t))).scalar()

    def sql(self, db, statement):
        with self.engine.connect() as c:
            return c.execute(self.sa.text(statement.replace('{db}', '`%s_%s`' % (self.prefix, db))))


def load_scenarios():
    pkg_dir = os.path.join(HERE, 'scenarios')
    sys.path.insert(0, HERE)
    out = {}
    for m in sorted(pkgutil.iter_modules([pkg_dir]), key=lambda m: m.name):
        if m.name.startswith('_'):
            continue
        mod = importlib.import_module('scenarios.' + m.name)
        mod.NAME = m.name
        out[m.name] = mod
    return out


def play(services, mod):
    from world import World
    import truth as truth_model
    services.reset()
    w = World(services, seed=getattr(mod, 'SEED', 1))
    declared = mod.play(w)
    services.timeutils.clear_time_override()
    return truth_model.build(mod, declared, w)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('command', choices=['serve', 'play', 'list'])
    p.add_argument('name', nargs='?')
    p.add_argument('--prefix')
    p.add_argument('--blazar', default=os.environ.get('BLAZAR_SRC', os.path.join(HERE, '..', '..', '.real-services', 'blazar-chameleon-2023.1')))
    p.add_argument('--url', default=os.environ.get('REAL_SERVICES_SA_URL', 'mysql+pymysql://root@127.0.0.1:3306'))
    a = p.parse_args(argv)
    sys.path.insert(0, HERE)
    scenarios = load_scenarios()
    if a.command == 'list':
        for name in scenarios:
            print(name)
        return 0
    # Nova and Blazar log to stderr; stdout carries only the answers.
    import logging
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    services = Services(a.prefix, a.blazar, a.url)
    if a.command == 'play':
        print(json.dumps(play(services, scenarios[a.name]), sort_keys=True))
        return 0
    out = sys.stdout
    sys.stdout = sys.stderr  # anything the services print goes to stderr
    out.write(json.dumps({'ready': True, 'scenarios': list(scenarios)}) + '\n')
    out.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        try:
            answer = {'ok': True, 'truth': play(services, scenarios[req['play']])}
        except Exception:
            answer = {'ok': False, 'error': traceback.format_exc()}
        out.write(json.dumps(answer, sort_keys=True) + '\n')
        out.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
