"""The audit tables (issue 15): installed mid-scenario on the real Blazar and Nova schemas (table,
backfill, triggers), rows changed through the services' own APIs (blazar.db.api host_update,
host_destroy, leases; Nova Service.save), MariaDB's triggers write the audit rows at the
scenario's clock; a host disabled before the install is seen only through the backfill's state,
one made non-reservable after it under a user lease (committed_unusable), an operator lease on a
disabled host (unusable ops), an operator lease purged and a retired host physically deleted
(only in the audit tables), and a KVM hypervisor whose Nova service is disabled, then forced down
(total_unusable)."""
import audit
from truth import Truth

INSTALL = '2026-04-03 00:00'


def play(w):
    audit.clock(w.s)
    w.at('2026-04-01 00:00')
    _, h1 = w.bare_metal('bm-1')
    _, h2 = w.bare_metal('bm-2')
    _, h3 = w.bare_metal('bm-3')
    w.kvm('kvm-1', vcpus=32, memory_mb=131072, local_gb=512)
    svc = w.o.Service(context=w.ctx(), host='kvm-1', binary='nova-compute', topic='compute', report_count=0)
    svc.create()
    # before the install: bm-2 disabled, an operator lease booked on it, kvm-1's service disabled
    w.at('2026-04-02 00:00')
    w.db.host_update(h2, {'disabled': True})
    w.at('2026-04-02 06:00')
    l3 = w.lease('maintenance-bm-2', '2026-04-03 06:00', '2026-04-03 18:00', hosts=[h2], project_id='p-ops')
    w.at('2026-04-02 12:00')
    svc.disabled, svc.disabled_reason = True, 'disk replacement'
    svc.save()
    # the audit role runs: tables, backfill, triggers
    w.at(INSTALL)
    audit.install(w.s)
    w.at('2026-04-03 01:00')
    l2 = w.lease('maintenance-bm-3', '2026-04-03 02:00', '2026-04-03 06:00', hosts=[h3], project_id='p-ops')
    w.start_lease(l2)
    w.end_lease(l2)
    w.start_lease(l3)
    w.at('2026-04-03 12:00')
    svc.disabled, svc.disabled_reason = False, None
    svc.save()
    w.end_lease(l3)
    w.at('2026-04-04 00:00')
    w.db.host_update(h2, {'disabled': False})
    l1 = w.lease('experiment', '2026-04-04 12:00', '2026-04-05 12:00', hosts=[h1])
    w.start_lease(l1)
    w.at('2026-04-05 00:00')
    w.db.host_update(h1, {'reservable': False})
    # an operator purges the ended maintenance lease by hand
    w.at('2026-04-05 00:30')
    for stmt in ("DELETE FROM {db}.events WHERE lease_id = '%s'" % l2.id,
                 "DELETE FROM {db}.computehost_allocations WHERE reservation_id = '%s'" % l2.reservation_id,
                 "DELETE FROM {db}.computehost_reservations WHERE reservation_id = '%s'" % l2.reservation_id,
                 "DELETE FROM {db}.reservations WHERE lease_id = '%s'" % l2.id,
                 "DELETE FROM {db}.leases WHERE id = '%s'" % l2.id):
        w.s.sql('blazar', stmt)
    w.end_lease(l1)
    w.at('2026-04-06 00:00')
    w.db.host_update(h1, {'reservable': True})
    w.at('2026-04-07 00:00')
    w.remove_host(h3)
    # ... and physically deletes the retired host
    w.at('2026-04-08 00:00')
    w.s.sql('blazar', "DELETE FROM {db}.computehost_extra_capabilities WHERE computehost_id = '%s'" % h3)
    w.s.sql('blazar', "DELETE FROM {db}.computehosts WHERE id = '%s'" % h3)
    svc.forced_down = True
    svc.save()
    w.at('2026-04-09 00:00')
    svc.forced_down = False
    svc.save()
    audit.uninstall(w.s)

    t = Truth('2026-04-01', '2026-04-10', operator_projects=['p-ops'], audit=True)
    for _ in range(3):
        t.interval('total', '2026-04-01', None)
    t.interval('total', '2026-04-01', None, vcpus=32, memory_mb=131072, disk_gb=512)
    t.interval('reservable', '2026-04-01', None)  # bm-1
    t.interval('reservable', '2026-04-01', None)  # bm-2
    # bm-3: gone from blazar.computehosts, known from its audit rows, ends at data.deleted_at
    t.interval('reservable', '2026-04-01', '2026-04-07')
    t.interval('ops', '2026-04-03 06:00', '2026-04-03 18:00')  # on bm-2, disabled
    t.interval('ops', '2026-04-03 02:00', '2026-04-03 06:00')  # purged: audit rows only
    t.interval('committed', '2026-04-04 12:00', '2026-04-05 12:00')
    # the split, from the install (the audit table's earliest audit_changed_at)
    t.interval('reservable_usable', INSTALL, '2026-04-05 00:00')  # bm-1
    t.interval('reservable_unusable', '2026-04-05 00:00', '2026-04-06 00:00')
    t.interval('reservable_usable', '2026-04-06 00:00', None)
    t.interval('reservable_unusable', INSTALL, '2026-04-04 00:00')  # bm-2, backfilled as disabled
    t.interval('reservable_usable', '2026-04-04 00:00', None)
    t.interval('reservable_usable', INSTALL, '2026-04-07 00:00')  # bm-3
    t.interval('ops_unusable', '2026-04-03 06:00', '2026-04-03 18:00')
    t.interval('committed_usable', '2026-04-04 12:00', '2026-04-05 00:00')
    t.interval('committed_unusable', '2026-04-05 00:00', '2026-04-05 12:00')
    # kvm-1's Nova service: disabled (backfilled) until 12:00, forced down a day
    t.interval('total_unusable', INSTALL, '2026-04-03 12:00', vcpus=32, memory_mb=131072, disk_gb=512)
    t.interval('total_unusable', '2026-04-08 00:00', '2026-04-09 00:00', vcpus=32, memory_mb=131072, disk_gb=512)
    # the user lease: start_lease done at 12:00:06
    t.lead('2026-04-04 00:00', 12 * 3600, 12 * 3600 + 6)
    return t.rows(nova__compute_nodes=4, blazar__computehosts=2, blazar__computehost_allocations=2, blazar__leases=2,
                  openstack_audit__audit_blazar_computehosts=7, openstack_audit__audit_nova_services=4,
                  openstack_audit__audit_blazar_leases=4, openstack_audit__audit_blazar_reservations=4,
                  openstack_audit__audit_blazar_computehost_allocations=7)
