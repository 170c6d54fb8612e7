"""A purged instance (issue 15, hard deletes): with `audit_nova_instances` installed (table,
backfill, triggers), a bare-metal instance runs, is deleted, archived to shadow_instances by
nova-manage (the archive's DELETE fires the trigger) and purged from the shadow tables by
`nova-manage db purge --all`. It is gone from Nova; its audit rows still say when it ran. An
instance archived and purged before the install leaves nothing (not counted: unknown, as the
rules say), one still live is counted from its source row (not twice)."""
import audit
from truth import Truth


def play(w):
    audit.clock(w.s)
    w.at('2024-03-01 00:00')
    w.bare_metal('bm-1')
    w.bare_metal('bm-2')
    w.bare_metal('bm-3')
    flavor = w.flavor('baremetal')
    # before the install: an instance that runs, is deleted, archived and purged
    w.at('2024-03-01 02:00')
    early = w.boot(flavor)
    w.build(early, 'bm-3')
    w.at('2024-03-01 06:00')
    w.delete(early)
    w.at('2024-03-01 08:00')
    w.archive()
    w.purge()
    # the audit role runs for nova.instances
    w.at('2024-03-01 12:00')
    audit.install(w.s, tables=['nova_instances'])
    w.at('2024-03-02 02:00')
    vm = w.boot(flavor)
    w.build(vm, 'bm-1')
    w.at('2024-03-02 04:00')
    live = w.boot(flavor)
    w.build(live, 'bm-2')
    w.at('2024-03-03 12:00')
    w.delete(vm)
    w.at('2024-03-05 00:00')
    w.archive()
    w.at('2024-03-06 00:00')
    w.purge()
    audit.uninstall(w.s)

    t = Truth('2024-03-01', '2024-03-08', audit=True)
    for _ in range(3):
        t.interval('total', '2024-03-01', None)
        t.interval('reservable', '2024-03-01', None)
    # gone from instances and shadow_instances: counted from its audit rows, on-demand (its request
    # spec went with the archive); its action events are purged too, so it ends at terminated_at
    # (12:01, when nova-compute finished the delete), not at the terminate event's start (12:00)
    # as it would from its source rows (rules section 5)
    t.interval('occupied_ondemand', '2024-03-02 02:00', '2024-03-03 12:01')
    # the live one: its source row, with its request spec (no reservation: on-demand)
    t.interval('occupied_ondemand', '2024-03-02 04:00', None)
    t.rows(nova__compute_nodes=3, nova__instances=1, blazar__computehosts=3,
           # the triggers' rows of the two instances (no backfill row: none was live at the install)
           openstack_audit__audit_nova_instances=9)
    return t
