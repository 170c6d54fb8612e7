"""A scenario's declared truth, and the simple independent model that turns it into what the
report must print.

A scenario declares, next to the script that plays it:
  - the true intervals of each base count type (total, reservable, committed, ops,
    occupied_reserved, occupied_ondemand, and the powered-off parts stopped_reserved,
    stopped_ondemand: none declared means always powered on) with their quantities and node type;
  - the coverage start of each primary table when it is not the earliest `created_at` the driver
    finds in the databases (rules section 8);
  - each user lease's lead times in seconds (requested; effective, or None when it never started);
  - the rows each source holds (`rows_read` in the audit) and the rejections by reason.

`build` gives, per (count type, value type[, node type]), the step function the usage timeline must
hold over the window: a row at the coverage start (or the window start) and one at every change,
derived count types by the rules' formulas where all their inputs are covered. Nothing here reads
the project's TypeScript; it is a second implementation of the rules for these small cases.
"""
import datetime as dt

from driver import iso, parse_time

VALUE_TYPES = ('nodes', 'vcpus', 'memory_mb', 'disk_gb', 'gpus')
BASE = ('total', 'reservable', 'committed', 'ops', 'occupied_reserved', 'occupied_ondemand',
        'stopped_reserved', 'stopped_ondemand',
        # issue 15 (rules section 15): declared from the audit tables' coverage start only;
        # ops_unusable: operator holds on unusable hosts (an input of unusable)
        'reservable_usable', 'reservable_unusable', 'committed_usable', 'committed_unusable', 'ops_unusable',
        'total_unusable')
# the split's count types: covered from their audit table's earliest audit_changed_at; without
# the table, no rows at all (unknown, not zero)
SPLIT = ('reservable_usable', 'reservable_unusable', 'committed_usable', 'committed_unusable', 'ops_unusable', 'total_unusable', 'unusable')
AUDIT_OF = {'total_unusable': 'audit_nova_services'}
# the primary table each base count type's coverage starts from (rules section 8)
COVERAGE_OF = {'total': 'total', 'reservable': 'reservable', 'committed': 'committed', 'ops': 'committed',
               'occupied_reserved': 'occupied', 'occupied_ondemand': 'occupied',
               'stopped_reserved': 'occupied', 'stopped_ondemand': 'occupied'}
PRIMARY = {'total': ('nova', ['compute_nodes', 'shadow_compute_nodes']), 'reservable': ('blazar', ['computehosts']),
           'committed': ('blazar', ['leases']), 'occupied': ('nova', ['instances', 'shadow_instances'])}
DERIVED = {
    'occupied': (('occupied_reserved', 1), ('occupied_ondemand', 1)),
    # rules section 15: where the state is covered, unusable free capacity moves from available to
    # maintenance (its inputs are declared from the coverage start only, so zero before it)
    'available': (('reservable', 1), ('committed', -1), ('ops', -1), ('reservable_unusable', -1), ('committed_unusable', 1), ('ops_unusable', 1)),
    'idle': (('committed', 1), ('occupied_reserved', -1)),
    'maintenance': (('total', 1), ('reservable', -1), ('ops', 1), ('reservable_unusable', 1), ('committed_unusable', -1), ('ops_unusable', -1)),
    'unusable': (('reservable_unusable', 1), ('committed_unusable', -1), ('ops_unusable', -1)),
    # rules section 11: the powered-off parts of occupied periods (declared as stopped_* intervals;
    # none declared: every occupied period is powered on from start to end)
    'active': (('occupied_reserved', 1), ('occupied_ondemand', 1), ('stopped_reserved', -1), ('stopped_ondemand', -1)),
    'stopped': (('stopped_reserved', 1), ('stopped_ondemand', 1)),
}


def _t(x):
    if x is None:
        return None
    return parse_time(x) if isinstance(x, str) else x


class Truth(object):
    def __init__(self, start, end, group_by=None, operator_projects=(), site_config=None, audit=False):
        self.start = _t(start)
        self.end = _t(end)
        self.group_by = group_by
        self.operator_projects = list(operator_projects)
        self.site_config = dict(site_config or {})
        # the site's openstack_audit database is mapped in the config (issue 15)
        self.audit = audit
        self.intervals = []
        self.coverage_override = {}
        self.leads = []
        self.rows_read = {}
        self.rejections = {}

    def interval(self, count_type, start, end, node_type='unknown', nodes=1, vcpus=0, memory_mb=0, disk_gb=0, gpus=0):
        assert count_type in BASE, count_type
        q = {'nodes': nodes, 'vcpus': vcpus, 'memory_mb': memory_mb, 'disk_gb': disk_gb, 'gpus': gpus}
        self.intervals.append((count_type, _t(start), _t(end), node_type, q))
        return self

    def coverage(self, primary, t):
        self.coverage_override[primary] = _t(t)
        return self

    def lead(self, created_at, requested_s, effective_s=None):
        """A user lease created at `created_at` (its creation second), lead times in seconds."""
        self.leads.append((_t(created_at), requested_s, effective_s))
        return self

    def rows(self, **by_source):
        """rows_read per source, `nova__compute_nodes=3` for nova.compute_nodes."""
        for k, v in by_source.items():
            self.rows_read[k.replace('__', '.')] = v
        return self

    def rejected(self, source, **by_reason):
        self.rejections.setdefault(source, {}).update(by_reason)
        return self


def _value(intervals, t, vt):
    return sum(q[vt] for (s, e, q) in intervals if s <= t and (e is None or t < e))


def build(mod, truth, world):
    s = world.s
    # Coverage starts: the earliest created_at of each primary table (live and shadow rows).
    cov = {}
    for key, (db, tables) in PRIMARY.items():
        if key in truth.coverage_override:
            cov[key] = truth.coverage_override[key]
            continue
        found = [r[0] for t in tables for r in s.sql(db, 'SELECT MIN(created_at) FROM {db}.%s' % t).fetchall() if r[0] is not None]
        cov[key] = min(found) if found else None
    # The split's coverage: the earliest audit_changed_at of its audit table, if it exists.
    audit_db = '%s_openstack_audit' % s.prefix
    for table in ('audit_blazar_computehosts', 'audit_nova_services'):
        there = s.sql('', "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '%s' AND table_name = '%s'" % (audit_db, table)).scalar()
        cov[table] = s.sql('', 'SELECT MIN(audit_changed_at) FROM `%s`.%s' % (audit_db, table)).scalar() if there else None
    # The declared row counts must be what the databases hold (a wrong declaration fails here).
    for source, n in truth.rows_read.items():
        got = s.count_rows(source)
        if got != n:
            raise AssertionError('%s declares %d rows of %s, the database holds %d' % (mod.NAME, n, source, got))

    groups = sorted({iv[3] for iv in truth.intervals}) if truth.group_by == 'node_type' else [None]
    start, end = truth.start, truth.end

    def covered_from(ct):
        if ct in SPLIT:
            c = cov[AUDIT_OF.get(ct, 'audit_blazar_computehosts')]
            return None if c is None else max(c, start)
        if ct in DERIVED:
            starts = [covered_from(i) for i, _ in DERIVED[ct] if i not in SPLIT]
            return max(starts)
        # an empty table was read: nothing happened, zero is known from the window start
        c = cov[COVERAGE_OF[ct]]
        return start if c is None else max(c, start)

    steps = {}
    for g in groups:
        ivs = {ct: [(a, b, q) for (c, a, b, n, q) in truth.intervals if c == ct and (g is None or n == g)] for ct in BASE}
        for ct in list(BASE) + list(DERIVED):
            c0 = covered_from(ct)
            if c0 is None or c0 >= end:
                continue
            inputs = [(i, sign) for i, sign in DERIVED[ct]] if ct in DERIVED else [(ct, 1)]
            points = {c0}
            for i, _ in inputs:
                ci = covered_from(i)
                if ci is not None and c0 < ci < end:
                    points.add(ci)
                for (a, b, q) in ivs[i]:
                    for p in (a, b):
                        if p is not None and c0 < p < end:
                            points.add(p)
            for vt in VALUE_TYPES:
                rows, prev = [], None
                for p in sorted(points):
                    v = sum(sign * _value(ivs[i], p, vt) for i, sign in inputs)
                    v = float(v)
                    if prev is None or v != prev:
                        rows.append([iso(p).replace('.000Z', 'Z'), v])
                    prev = v
                key = '%s|%s' % (ct, vt) + ('' if g is None else '|' + g)
                steps[key] = rows

    leads = []
    for created, req, eff in sorted(truth.leads, key=lambda x: x[0]):
        ts = iso(created).replace('.000Z', 'Z')
        leads.append({'timestamp': ts, 'leadtime_type': 'requested', 'seconds': req})
        if eff is not None:
            leads.append({'timestamp': ts, 'leadtime_type': 'effective', 'seconds': eff})

    return {
        'name': mod.NAME,
        'doc': (mod.__doc__ or '').strip().split('\n')[0],
        'window': {'start': start.strftime('%Y-%m-%d'), 'end': end.strftime('%Y-%m-%d')},
        'group_by': truth.group_by,
        'operator_projects': truth.operator_projects,
        'site_config': truth.site_config,
        'audit': truth.audit,
        'steps': steps,
        'lead_times': leads,
        'rows_read': truth.rows_read,
        'rejected': truth.rejections,
    }
