"""A month of a small bare-metal site from a seeded random plan: 33 hosts of three node types (one
added and one retired mid-month), 100 user leases (some created "now", some deleted before their
start, some failing to start, some deleted early, some extended), operator leases, and more than
300 instances (some failing to build, some outliving their lease). The truth is computed from the
plan by the simple model below, not from the databases."""
import datetime as dt

from truth import Truth

SEED = 20240401
HEAVY = True     # played by a second driver, in parallel with the other scenarios
START = dt.datetime(2024, 4, 1)
END = dt.datetime(2024, 5, 1)
TYPES = (('compute_skylake', 20, 0), ('compute_cascadelake', 8, 0), ('gpu_rtx_6000', 4, 4))
USER_LEASES = int(__import__("os").environ.get("S15_USER_LEASES", "100"))
OPS_LEASES = 3
MIN = dt.timedelta(minutes=1)


class Plan(object):
    """Every action at its own minute, so nothing the services do inside an action (at most a few
    seconds) overlaps the next one, and the model knows every instant exactly."""

    def __init__(self, rng):
        self.rng = rng
        self.taken = set()
        self.actions = []

    def slot(self, t):
        t = t.replace(second=0, microsecond=0)
        while t in self.taken:
            t += MIN
        self.taken.add(t)
        return t

    def do(self, t, fn, *args):
        self.actions.append((t, len(self.actions), fn, args))


def minute_between(rng, a, b):
    span = int((b - a).total_seconds() // 60)
    return a + dt.timedelta(minutes=rng.randrange(max(1, span)))


def play(w):
    rng = w.rng
    rng.seed(SEED)
    plan = Plan(rng)
    t = Truth(START, END, group_by='node_type', operator_projects=['p-ops'])
    hosts = []      # dict(name, type, gpus, nova=[created, deleted], blazar=[enrolled, removed], busy=[(a, b)])
    setup = dt.datetime(2024, 3, 25)
    for node_type, n, gpus in TYPES:
        for i in range(n):
            hosts.append({'name': '%s-%02d' % (node_type, i), 'type': node_type, 'gpus': gpus,
                          'nova': [setup, None], 'blazar': [setup, None], 'busy': []})
    added = {'name': 'compute_skylake-20', 'type': 'compute_skylake', 'gpus': 0,
             'nova': [dt.datetime(2024, 4, 10, 9), None], 'blazar': [dt.datetime(2024, 4, 10, 11), None], 'busy': []}
    hosts.append(added)
    retired = hosts[3]
    retired['blazar'][1] = dt.datetime(2024, 4, 15, 12)
    retired['nova'][1] = dt.datetime(2024, 4, 15, 13)
    for h in hosts:
        for when in (h['nova'][0], h['blazar'][0]) + tuple(x for x in (h['blazar'][1], h['nova'][1]) if x):
            plan.taken.add(when)

    def free(h, a, b):
        if a < h['blazar'][0] or (h['blazar'][1] is not None and b > h['blazar'][1]):
            return False
        return all(b <= x or y <= a for x, y in h['busy'])

    leases = []
    made = 0
    while made < USER_LEASES + OPS_LEASES:
        ops = made >= USER_LEASES
        created = plan_created = minute_between(rng, dt.datetime(2024, 3, 28), dt.datetime(2024, 4, 28))
        node_type = rng.choice(['compute_skylake'] * 5 + ['compute_cascadelake'] * 3 + ['gpu_rtx_6000'] * 2)
        count = 1 if node_type == 'gpu_rtx_6000' else rng.choice([1, 1, 1, 2, 3])
        now_lease = rng.random() < 0.2
        start = plan_created if now_lease else plan_created + dt.timedelta(hours=rng.randrange(1, 97))
        end = start + dt.timedelta(hours=rng.randrange(2, 73))
        fate = 'normal' if ops else rng.choices(['normal', 'deleted_before_start', 'error', 'deleted_early', 'extended'], [65, 8, 5, 10, 12])[0]
        final_end = end + dt.timedelta(hours=rng.randrange(6, 49)) if fate == 'extended' else end
        if final_end >= END + dt.timedelta(days=3):
            continue
        cands = [h for h in hosts if h['type'] == node_type and free(h, start, final_end)]
        if len(cands) < count:
            continue
        chosen = rng.sample(cands, count)
        created = plan.slot(created)
        seconds = rng.randrange(0, 50)
        created_at = created + dt.timedelta(seconds=seconds)
        if now_lease:
            start = created          # blazar truncates "now" to the minute
        lease = {'name': ('ops-' if ops else 'lease-') + str(made), 'created_at': created_at, 'start': start,
                 'end': end, 'final_end': final_end, 'fate': fate, 'hosts': chosen,
                 'project': 'p-ops' if ops else 'p-user-%d' % rng.randrange(12), 'instances': [], 'now': now_lease}
        made += 1
        plan.do(created_at, 'create_lease', lease)
        if fate == 'deleted_before_start':
            lease['deleted_at'] = plan.slot(minute_between(rng, created + MIN, start)) if start - created > 2 * MIN else None
            if lease['deleted_at'] is None:
                lease['fate'] = fate = 'normal'
            else:
                plan.do(lease['deleted_at'], 'delete_lease', lease)
                leases.append(lease)
                continue
        lease['start_exec'] = plan.slot(start)
        plan.do(lease['start_exec'], 'start_lease', lease)
        if fate == 'error':
            leases.append(lease)
            continue
        stop = final_end
        if fate == 'deleted_early':
            lease['deleted_at'] = plan.slot(minute_between(rng, lease['start_exec'] + 10 * MIN, end))
            stop = lease['deleted_at']
            plan.do(lease['deleted_at'], 'delete_lease', lease)
        else:
            if fate == 'extended':
                plan.do(plan.slot(minute_between(rng, lease['start_exec'] + MIN, end - 10 * MIN)), 'extend_lease', lease)
            lease['end_exec'] = plan.slot(final_end)
            plan.do(lease['end_exec'], 'end_lease', lease)
        for h in chosen:
            h['busy'].append((start, final_end))
        # the lease's instances: booted after the start, deleted before the end (a few outlive it)
        if not ops:
            for _ in range(rng.choice([3, 3, 4, 4, 5])):
                h = rng.choice(chosen)
                boot = plan.slot(minute_between(rng, lease['start_exec'] + MIN, stop - 5 * MIN))
                ok = rng.random() > 0.05
                outlive = fate != 'deleted_early' and rng.random() < 0.1
                gone = plan.slot(stop + dt.timedelta(minutes=rng.randrange(5, 600)) if outlive else minute_between(rng, boot + 2 * MIN, stop))
                vm = {'host': h, 'boot': boot, 'ok': ok, 'deleted_at': gone}
                lease['instances'].append(vm)
                plan.do(boot, 'boot', lease, vm)
                plan.do(gone, 'delete_vm', vm)
        leases.append(lease)

    # ------------------------------------------------------------------ play the plan
    flavor_holder = {}
    for h in hosts:
        plan.do(h['nova'][0], 'add_nova', h)
        plan.do(h['blazar'][0], 'add_blazar', h)
        if h['blazar'][1]:
            plan.do(h['blazar'][1], 'remove_blazar', h)
            plan.do(h['nova'][1], 'remove_nova', h)

    def run(kind, *args):
        if kind == 'add_nova':
            args[0]['cn'] = w.compute_node(args[0]['name'])
            if 'flavor' not in flavor_holder:
                flavor_holder['flavor'] = w.flavor('baremetal')
        elif kind == 'add_blazar':
            h = args[0]
            h['id'] = w.blazar_host(h['cn'], node_type=h['type'], gpus=h['gpus'])
        elif kind == 'remove_blazar':
            w.remove_host(args[0]['id'])
        elif kind == 'remove_nova':
            w.destroy_compute_node(args[0]['cn'])
        elif kind == 'create_lease':
            l = args[0]
            l['obj'] = w.lease(l['name'], None if l['now'] else l['start'],
                               l['end'], hosts=[h['id'] for h in l['hosts']], project_id=l['project'])
        elif kind == 'start_lease':
            l = args[0]
            w.start_lease(l['obj'], ok=l['fate'] != 'error')
        elif kind == 'end_lease':
            w.end_lease(args[0]['obj'])
        elif kind == 'extend_lease':
            w.update_lease(args[0]['obj'], end=args[0]['final_end'])
        elif kind == 'delete_lease':
            w.delete_lease(args[0]['obj'])
        elif kind == 'boot':
            l, vm = args
            vm['obj'] = w.boot(flavor_holder['flavor'], project_id=l['project'], reservation=l['obj'].reservation_id)
            w.build(vm['obj'], vm['host']['name'], minutes=0.5, ok=vm['ok'])
        elif kind == 'delete_vm':
            w.delete(args[0]['obj'], minutes=0.25)

    for when, _, kind, args in sorted(plan.actions, key=lambda a: (a[0], a[1])):
        w.at(when)
        run(kind, *args)

    # ------------------------------------------------------------------ the model
    for h in hosts:
        t.interval('total', h['nova'][0], h['nova'][1], node_type=h['type'], gpus=h['gpus'])
        t.interval('reservable', h['blazar'][0], h['blazar'][1], node_type=h['type'], gpus=h['gpus'])
    never, dbs, err, allocations, instances = 0, 0, 0, 0, 0
    for l in leases:
        allocations += len(l['hosts'])
        if l['fate'] == 'deleted_before_start':
            dbs += len(l['hosts'])
        if l['fate'] == 'error':
            err += len(l['hosts'])
        if l['project'] != 'p-ops' and START <= l['created_at'] < END:
            requested = int((l['start'] - l['created_at']).total_seconds())
            effective = None
            if l['fate'] in ('normal', 'extended'):
                effective = int((l['start_exec'] + dt.timedelta(seconds=6) - l['created_at']).total_seconds())
            elif l['fate'] == 'deleted_early':
                # the delete overwrote the DONE event's updated_at: its scheduled time (rules 9, v2)
                effective = requested
            t.lead(l['created_at'], requested, effective)
        if l['fate'] in ('deleted_before_start', 'error'):
            continue
        a = max(l['start'], l['created_at'])
        b = l['deleted_at'] if l['fate'] == 'deleted_early' else l['final_end']
        for h in l['hosts']:
            t.interval('ops' if l['project'] == 'p-ops' else 'committed', a, b, node_type=h['type'], gpus=h['gpus'])
        for vm in l['instances']:
            instances += 1
            if not vm['ok']:
                never += 1
                continue
            # occupied from created_at (BUILD on), clipped to the lease's window on its host
            t.interval('occupied_reserved', vm['boot'], min(vm['deleted_at'], b), node_type=vm['host']['type'])
    t.rows(nova__compute_nodes=len(hosts), blazar__computehosts=len(hosts), blazar__leases=len(leases),
           blazar__computehost_allocations=allocations, nova__instances=instances)
    rejected = {k: v for k, v in (('deleted_before_start', dbs), ('lease_error', err)) if v}
    if rejected:
        t.rejected('blazar.computehost_allocations', **rejected)
    if never:
        t.rejected('nova.instances', never_launched=never)
    assert USER_LEASES < 100 or len(hosts) >= 30 and len([l for l in leases if l['project'] != 'p-ops']) >= 100 and instances >= 300, (len(hosts), len(leases), instances)
    return t
