"""The scenarios' vocabulary: what an operator, a user, nova-compute and blazar-manager do, each
step written through the services' own code (Nova objects and EventReporter, Blazar's db api in
the order blazar-manager calls it), at the instant the clock says.

Every method acts at `w.now`; `w.at(t)` moves the clock (never backwards).
"""
import datetime as dt
import random
import uuid as uuidlib

from driver import parse_time

IRONIC_SERVICE = 'ironic-compute-1'


class Failed(Exception):
    """Raised inside an EventReporter to record a failed action event (result 'Error')."""


class Instance(object):
    def __init__(self, obj, project_id, user_id):
        self.obj = obj
        self.uuid = obj.uuid
        self.project_id = project_id
        self.user_id = user_id


class Lease(object):
    def __init__(self, row, reservation_ids):
        self.id = row['id']
        self.name = row['name']
        self.reservation_ids = reservation_ids

    @property
    def reservation_id(self):
        return self.reservation_ids[0]


class World(object):
    def __init__(self, services, seed=1):
        self.s = services
        self.o = services.objects
        self.db = services.blazar
        self.rng = random.Random(seed)
        self.now = None

    # ------------------------------------------------------------------ clock
    def at(self, t):
        t = parse_time(t) if isinstance(t, str) else t
        if self.now is not None and t < self.now:
            raise ValueError('the clock never goes back: %s < %s' % (t, self.now))
        self.now = t
        self.s.timeutils.set_time_override(t)
        return t

    def after(self, **delta):
        return self.at(self.now + dt.timedelta(**delta))

    def uuid(self):
        return str(uuidlib.UUID(int=self.rng.getrandbits(128), version=4))

    # ------------------------------------------------------------------ nova
    def ctx(self, project_id='admin', user_id='admin'):
        from nova import context
        # A new request (new request_id and timestamp = now), as every API call is.
        return context.RequestContext(user_id=user_id, project_id=project_id, is_admin=True)

    def compute_node(self, hostname, vcpus=0, memory_mb=0, local_gb=0, hypervisor_type='ironic',
                     host=IRONIC_SERVICE, uuid=None):
        """nova-compute's resource tracker registers a node (ComputeNode.create)."""
        cn = self.o.ComputeNode(
            context=self.ctx(), host=host, hypervisor_hostname=hostname, uuid=uuid or self.uuid(),
            vcpus=vcpus, memory_mb=memory_mb, local_gb=local_gb, vcpus_used=0, memory_mb_used=0,
            local_gb_used=0, hypervisor_type=hypervisor_type, hypervisor_version=1, cpu_info='{}',
            running_vms=0, free_ram_mb=memory_mb, free_disk_gb=local_gb, current_workload=0,
            disk_available_least=local_gb, cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0,
            disk_allocation_ratio=1.0)
        cn.create()
        return cn

    def update_compute_node(self, cn, **fields):
        for k, v in fields.items():
            setattr(cn, k, v)
        cn.save()

    def destroy_compute_node(self, cn):
        """The orphan sweep (or the operator) removes the node: a soft delete."""
        cn.destroy()

    def flavor(self, name, vcpus=0, memory_mb=0, root_gb=0, flavorid=None, is_public=True):
        f = self.o.Flavor(context=self.ctx(), name=name, flavorid=flavorid or name, vcpus=vcpus,
                          memory_mb=memory_mb, root_gb=root_gb, ephemeral_gb=0, swap=0,
                          rxtx_factor=1.0, vcpu_weight=0, disabled=False, is_public=is_public,
                          extra_specs={})
        f.create()
        return f

    def boot(self, flavor, project_id='p-user', user_id='u-user', reservation=None):
        """nova-api accepts a boot request: the instance row (BUILD), its request spec in the API
        database (scheduler hints as the API passes them) and the `create` action."""
        ctx = self.ctx(project_id, user_id)
        u = self.uuid()
        inst = self.o.Instance(
            context=ctx, uuid=u, project_id=project_id, user_id=user_id, vm_state='building',
            task_state='scheduling', power_state=0, flavor=flavor, instance_type_id=flavor.id,
            vcpus=flavor.vcpus, memory_mb=flavor.memory_mb, root_gb=flavor.root_gb, ephemeral_gb=0,
            display_name='vm-' + u[:8], reservation_id='r-' + u[:8], launch_index=0,
            availability_zone='nova', system_metadata={}, metadata={})
        inst.create()
        hints = {} if reservation is None else {'reservation': reservation}
        spec = self.o.RequestSpec.from_components(
            ctx, u, self.o.ImageMeta.from_dict({}), flavor, None, None,
            {'scheduler_hints': hints}, None, 'nova', project_id=project_id, user_id=user_id)
        spec.create()
        self.o.InstanceAction.action_start(ctx, u, 'create', want_result=False)
        i = Instance(inst, project_id, user_id)
        i.ctx = ctx
        return i

    def _event(self, ctx, inst, name, minutes, ok, host):
        from nova.compute import utils as compute_utils
        try:
            with compute_utils.EventReporter(ctx, name, host, inst.uuid):
                self.after(minutes=minutes)
                if not ok:
                    raise Failed(name)
        except Failed:
            pass

    def _action(self, inst, action, event, minutes, ok, host):
        ctx = self.ctx(inst.project_id, inst.user_id)
        self.o.InstanceAction.action_start(ctx, inst.uuid, action, want_result=False)
        self._event(ctx, inst, event, minutes, ok, host)
        return ctx

    def build(self, inst, node, minutes=10, ok=True, host=IRONIC_SERVICE):
        """Conductor picks `node`, nova-compute runs _do_build_and_run_instance for `minutes`."""
        o = inst.obj
        o.host, o.node, o.task_state = host, node, 'spawning'
        o.save()
        self._event(inst.ctx, inst, 'compute__do_build_and_run_instance', minutes, ok, host)
        if ok:
            o.vm_state, o.task_state, o.power_state, o.launched_at = 'active', None, 1, self.now
        else:
            # _nil_out_instance_obj_host_and_node, then the instance goes to ERROR
            o.host, o.node, o.vm_state, o.task_state = None, None, 'error', None
        o.save()

    def delete(self, inst, minutes=1, host=IRONIC_SERVICE, ok=True):
        """nova-api delete, then nova-compute _delete_instance: terminated_at, then soft delete."""
        o = inst.obj
        if o.host is None:
            # local delete in the API (never built, or shelved offloaded): no compute event
            self.o.InstanceAction.action_start(self.ctx(inst.project_id, inst.user_id), inst.uuid, 'delete', want_result=False)
        else:
            self._action(inst, 'delete', 'compute_terminate_instance', minutes, ok, host)
            if not ok:
                o.vm_state, o.task_state = 'error', None
                o.save()
                return
        o.vm_state, o.task_state, o.power_state, o.terminated_at = 'deleted', None, 0, self.now
        o.save()
        o.destroy()

    def stop(self, inst, ok=True, host=IRONIC_SERVICE):
        self._action(inst, 'stop', 'compute_stop_instance', 1, ok, host)
        if ok:
            inst.obj.vm_state, inst.obj.power_state = 'stopped', 4
            inst.obj.save()

    def start(self, inst, ok=True, host=IRONIC_SERVICE):
        self._action(inst, 'start', 'compute_start_instance', 1, ok, host)
        if ok:
            inst.obj.vm_state, inst.obj.power_state = 'active', 1
            inst.obj.save()

    def shelve(self, inst, offload=True, host=IRONIC_SERVICE):
        """compute shelve_instance, then (offload) shelve_offload_instance: host and node cleared."""
        ctx = self._action(inst, 'shelve', 'compute_shelve_instance', 2, True, host)
        o = inst.obj
        o.vm_state, o.power_state = 'shelved', 4
        o.save()
        if offload:
            self._event(ctx, inst, 'compute_shelve_offload_instance', 1, True, host)
            o.vm_state, o.host, o.node = 'shelved_offloaded', None, None
            o.save()

    def unshelve(self, inst, node, host=IRONIC_SERVICE, minutes=5):
        ctx = self.ctx(inst.project_id, inst.user_id)
        self.o.InstanceAction.action_start(ctx, inst.uuid, 'unshelve', want_result=False)
        o = inst.obj
        o.host, o.node = host, node
        o.save()
        self._event(ctx, inst, 'compute_unshelve_instance', minutes, True, host)
        o.vm_state, o.power_state, o.launched_at = 'active', 1, self.now
        o.save()

    def archive(self, before=None):
        """nova-manage db archive_deleted_rows --until-complete [--before]: soft-deleted rows move
        to shadow_* and the API database loses the request specs of archived instances."""
        from nova.cmd import manage
        import contextlib
        import io
        with contextlib.redirect_stdout(io.StringIO()):
            rc = manage.DbCommands().archive_deleted_rows(
                max_rows=1000, until_complete=True, before=before, verbose=False)
        if rc not in (0, 1):
            raise RuntimeError('archive_deleted_rows returned %s' % rc)

    def purge(self):
        """nova-manage db purge --all: the shadow tables are emptied (archived rows gone for good)."""
        from nova.cmd import manage
        import contextlib
        import io
        with contextlib.redirect_stdout(io.StringIO()):
            rc = manage.DbCommands().purge(purge_all=True, verbose=False)
        if rc not in (0, 3):
            raise RuntimeError('purge returned %s' % rc)

    # ------------------------------------------------------------------ blazar
    def blazar_host(self, cn, node_type=None, gpus=None, extra=None):
        """Operator enrolls a Nova node in Blazar (host plugin create_computehost): a host row with
        Nova's figures copied once, then its capabilities (resource_properties layout)."""
        row = self.db.host_create({
            'hypervisor_hostname': cn.hypervisor_hostname, 'service_name': cn.host,
            'vcpus': cn.vcpus, 'cpu_info': cn.cpu_info, 'hypervisor_type': cn.hypervisor_type,
            'hypervisor_version': cn.hypervisor_version, 'memory_mb': cn.memory_mb,
            'local_gb': cn.local_gb, 'availability_zone': '', 'trust_id': 'trust-admin'})
        caps = dict(extra or {})
        if node_type is not None:
            caps['node_type'] = node_type
        if gpus is not None:
            caps['gpu.gpu_count'] = str(gpus)
        for k in sorted(caps):
            self.db.host_extra_capability_create({'computehost_id': row['id'], 'property_name': k, 'capability_value': caps[k]})
        return row['id']

    def remove_host(self, host_id):
        self.db.host_destroy(host_id)

    def lease(self, name, start, end, hosts=(), project_id='p-user', user_id='u-user',
              instances=None, before_end=True):
        """blazar-manager create_lease: the lease (CREATING), its reservation and resources (host
        plugin: computehost_reservations + one allocation per host; instance plugin:
        instance_reservations + one allocation per slot), its events, then PENDING.
        `start` None is "now" (the minute, truncated). `instances`: dict(vcpus, memory_mb,
        disk_gb, amount, hosts=[one host id per slot])."""
        start = self.now.replace(second=0, microsecond=0) if start is None else (parse_time(start) if isinstance(start, str) else start)
        end = parse_time(end) if isinstance(end, str) else end
        lease = self.db.lease_create({
            'name': name, 'user_id': user_id, 'project_id': project_id, 'start_date': start,
            'end_date': end, 'trust_id': self.uuid(), 'status': 'CREATING'})
        if instances is None:
            rsv = self.db.reservation_create({'lease_id': lease['id'], 'resource_type': 'physical:host', 'status': 'pending'})
            hr = self.db.host_reservation_create({
                'reservation_id': rsv['id'], 'resource_properties': '', 'hypervisor_properties': '',
                'count_range': '%d-%d' % (len(hosts), len(hosts)), 'before_end': 'default', 'on_start': 'default'})
            self.db.reservation_update(rsv['id'], {'resource_id': hr['id']})
            for h in hosts:
                self.db.host_allocation_create({'compute_host_id': h, 'reservation_id': rsv['id']})
        else:
            rsv = self.db.reservation_create({'lease_id': lease['id'], 'resource_type': 'virtual:instance', 'status': 'pending'})
            ir = self.db.instance_reservation_create({
                'reservation_id': rsv['id'], 'vcpus': instances['vcpus'], 'memory_mb': instances['memory_mb'],
                'disk_gb': instances['disk_gb'], 'amount': instances['amount'], 'affinity': False,
                'resource_properties': ''})
            for h in instances['hosts']:
                self.db.host_allocation_create({'compute_host_id': h, 'reservation_id': rsv['id']})
            self.db.instance_reservation_update(ir['id'], {'flavor_id': rsv['id'], 'aggregate_id': 1})
            self.db.reservation_update(rsv['id'], {'resource_id': ir['id']})
        events = [('start_lease', start), ('end_lease', end)]
        if before_end:
            events.append(('before_end_lease', max(start, end - dt.timedelta(minutes=60))))
        for kind, t in events:
            self.db.event_create({'lease_id': lease['id'], 'event_type': kind, 'time': t, 'status': 'UNDONE'})
        self.db.lease_update(lease['id'], {'status': 'PENDING'})
        return Lease(lease, [rsv['id']])

    def _event_of(self, lease, kind):
        return self.db.event_get_first_sorted_by_filters('lease_id', 'asc', {'lease_id': lease.id, 'event_type': kind})

    def _run_event(self, lease, kind, transition, result, rsv_status, action, ok=True, delay_s=5):
        """_process_events + _exec_event: IN_PROGRESS, the lease's transitional status, the plugin
        action per reservation, then the event DONE or ERROR and the lease's final status."""
        ev = self._event_of(lease, kind)
        self.after(seconds=delay_s)
        self.db.event_update(ev['id'], {'status': 'IN_PROGRESS'})
        self.db.lease_update(lease.id, {'status': transition})
        for rid in lease.reservation_ids:
            if ok:
                action(rid)
                if rsv_status is not None:
                    self.db.reservation_update(rid, {'status': rsv_status})
            else:
                self.db.reservation_update(rid, {'status': 'error'})
        self.after(seconds=1)
        self.db.event_update(ev['id'], {'status': 'DONE' if ok else 'ERROR'})
        self.db.lease_update(lease.id, {'status': result if ok else 'ERROR'})

    def _on_end(self, rid):
        # host plugin on_end: the allocations of the reservation are (soft) deleted
        for a in self.db.host_allocation_get_all_by_values(reservation_id=rid):
            self.db.host_allocation_destroy(a['id'])

    def start_lease(self, lease, ok=True, delay_s=5):
        """The manager runs the start_lease event `delay_s` after its time (the clock is set to the
        event time first)."""
        ev = self._event_of(lease, 'start_lease')
        if self.now < ev['time']:
            self.at(ev['time'])
        self._run_event(lease, 'start_lease', 'STARTING', 'ACTIVE', 'active', lambda rid: None, ok, delay_s)

    def end_lease(self, lease, delay_s=5):
        ev = self._event_of(lease, 'end_lease')
        if self.now < ev['time']:
            self.at(ev['time'])
        self._run_event(lease, 'end_lease', 'TERMINATING', 'TERMINATED', 'deleted', self._on_end, True, delay_s)

    def update_lease(self, lease, start=None, end=None):
        """update_lease: events' times rewritten in place, then the lease's dates."""
        values = {}
        self.db.lease_update(lease.id, {'status': 'UPDATING'})
        if start is not None:
            values['start_date'] = parse_time(start) if isinstance(start, str) else start
            self.db.event_update(self._event_of(lease, 'start_lease')['id'], {'time': values['start_date']})
        if end is not None:
            values['end_date'] = parse_time(end) if isinstance(end, str) else end
            self.db.event_update(self._event_of(lease, 'end_lease')['id'], {'time': values['end_date']})
            be = self._event_of(lease, 'before_end_lease')
            if be is not None:
                self.db.event_update(be['id'], {'time': values['end_date'] - dt.timedelta(minutes=60)})
        values['status'] = 'PENDING' if self._event_of(lease, 'start_lease')['status'] == 'UNDONE' else 'ACTIVE'
        self.db.lease_update(lease.id, values)

    def delete_lease(self, lease):
        """delete_lease: DELETING; a running lease is ended first (on_end, end event DONE); then
        lease_destroy soft-deletes reservations, allocations, events and the lease."""
        self.db.lease_update(lease.id, {'status': 'DELETING'})
        start_ev = self._event_of(lease, 'start_lease')
        end_ev = self._event_of(lease, 'end_lease')
        started = start_ev['status'] != 'UNDONE'
        ended = end_ev['status'] != 'UNDONE'
        if started and not ended:
            self.db.event_update(end_ev['id'], {'status': 'IN_PROGRESS'})
        for rid in lease.reservation_ids:
            r = self.db.reservation_get(rid)
            if r['status'] != 'deleted':
                self._on_end(rid)
        if started and not ended:
            self.db.event_update(end_ev['id'], {'status': 'DONE'})
        self.db.lease_destroy(lease.id)

    # ------------------------------------------------------------------ shorthands
    def bare_metal(self, name, node_type=None, gpus=None, enroll=True):
        """An Ironic node known to Nova (zeros since Stein) and, with `enroll`, to Blazar."""
        cn = self.compute_node(name)
        return cn, (self.blazar_host(cn, node_type=node_type, gpus=gpus) if enroll else None)

    def kvm(self, name, vcpus=32, memory_mb=131072, local_gb=512, enroll=False):
        cn = self.compute_node(name, vcpus=vcpus, memory_mb=memory_mb, local_gb=local_gb, hypervisor_type='QEMU', host=name)
        return cn, (self.blazar_host(cn) if enroll else None)
