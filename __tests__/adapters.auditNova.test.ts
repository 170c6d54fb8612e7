/**
 * `total_unusable` from `audit_nova_services` and `audit_ironic_nodes` (section 15): states per
 * service host / node uuid, mapped to hypervisor_hostnames, with their own coverage.
 */
import * as Ei from 'fp-ts/Either';
import { ironicState } from '../adapters/auditIronic';
import { serviceState, totalUnusableEvents } from '../adapters/auditNova';
import { readSite, toSiteInput } from '../adapters/readSite';
import { siteConfig } from '../adapters/Source';
import type { StateRow } from '../lib/HostState';
import { report } from '../lib/Report';
import * as T from '../lib/Time';
import { createAudit, january, valueAt } from './fixtures/audit';
import { describeBoth, openFixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';

const ms = (s: string): T.Millis => T.unsafeMillis(Date.parse(`${s.replace(' ', 'T')}Z`));

describe('service and node states', () => {
  it('holds a nova-compute service out of service when disabled or forced down; other binaries hold nothing', () => {
    expect(serviceState({ host: 'kvm-1', binary: 'nova-compute', disabled: false, forced_down: false })).toEqual({ key: 'kvm-1', usable: true, status: 'enabled' });
    expect(serviceState({ host: 'kvm-1', binary: 'nova-compute', disabled: false, forced_down: true }).usable).toBe(false);
    expect(serviceState({ host: 'ctl-1', binary: 'nova-scheduler', disabled: true, forced_down: false }).key).toBe('');
  });

  it('holds an Ironic node out of service in maintenance or retired', () => {
    expect(ironicState({ uuid: 'u1', maintenance: false, retired: null, provision_state: 'active' }).usable).toBe(true);
    expect(ironicState({ uuid: 'u1', maintenance: false, retired: true, provision_state: 'active' })).toEqual({ key: 'u1', usable: false, status: 'retired' });
  });

  it('maps a service to its nodes, joins both sides per hostname and clips at the coverage start', () => {
    const row = (auditId: number, id: string, key: string, time: string, usable: boolean): StateRow => ({ auditId, id, key, kind: 'UPDATE', time: ms(time), usable, status: '', deletedAt: null });
    const node = { id: '1', hypervisor_hostname: 'x', hypervisor_type: 'QEMU', created_at: ms('2024-01-01 00:00:00'), vcpus: 48, memory_mb: 1000, local_gb: 100 };
    const ctx = {
      site: siteConfig('s'),
      computeNodes: new Map([
        ['kvm-1.example', [{ ...node, hypervisor_hostname: 'kvm-1.example' }]],
        ['u1', [{ ...node, hypervisor_hostname: 'u1' }]],
      ]),
      nodesByService: new Map([['kvm-1', ['kvm-1.example']]]),
      hostsByHostname: new Map(),
    };
    const events = totalUnusableEvents(ctx, {
      services: [row(1, '5', 'kvm-1', '2024-01-02 00:00:00', false), row(2, '5', 'kvm-1', '2024-01-06 00:00:00', true)],
      ironic: [row(1, '7', 'u1', '2024-01-04 00:00:00', false), row(2, '7', 'u1', '2024-01-05 00:00:00', false), row(3, '7', 'u1', '2024-01-09 00:00:00', true), row(4, '8', 'ghost', '2024-01-04 00:00:00', false)],
      table: 't',
      coverageStart: ms('2024-01-03 00:00:00'),
    });
    expect(events.map((e) => [e.entityId, e._tag, T.toIso(e.time), e.quantities.vcpus])).toEqual([
      ['kvm-1.example', 'Create', '2024-01-03T00:00:00Z', 48],
      ['kvm-1.example', 'Delete', '2024-01-06T00:00:00Z', 48],
      ['u1', 'Create', '2024-01-04T00:00:00Z', 48],
      ['u1', 'Delete', '2024-01-09T00:00:00Z', 48],
    ]);
  });
});

describeBoth('total_unusable on a database', (dialect) => {
  it('counts node-a in Ironic maintenance Jan 7 -> Jan 9, from the table\'s first row on, and nothing without the tables', async () => {
    const fx = await openFixture(dialect);
    try {
      await populate(fx);
      const before = await readSite(fx.src)();
      if (Ei.isLeft(before)) throw new Error(before.left.message);
      const plain = report(january)([toSiteInput(fx.src.site)(before.right)]);
      expect(plain.timeline.rows.filter((r) => r.count_type === 'total_unusable')).toEqual([]);
      const name = await createAudit(fx, 'ironic_nodes');
      const at = (n: number, kind: string, time: string, changed: string, maintenance: number) => ({
        audit_id: n,
        id: 1,
        audit_event_type: kind,
        audit_event_time: time,
        audit_changed_at: changed,
        audit_changed_by: n === 1 ? 'backfill' : 'ironic',
        data: JSON.stringify({ id: 1, uuid: 'node-a', maintenance, retired: 0, provision_state: 'active' }),
      });
      await fx.src.knex.insert([at(1, 'INSERT', '2023-12-01 00:00:00', '2024-01-03 00:00:00', 0), at(2, 'UPDATE', '2024-01-07 00:00:00', '2024-01-07 00:00:00', 1), at(3, 'UPDATE', '2024-01-09 00:00:00', '2024-01-09 00:00:00', 0)]).into(name);
      const read = await readSite(fx.src)();
      if (Ei.isLeft(read)) throw new Error(read.left.message);
      const rep = report(january)([toSiteInput(fx.src.site)(read.right)]);
      const rows = rep.timeline.rows;
      expect(rows.filter((r) => r.count_type === 'total_unusable' && r.timestamp < '2024-01-03T00:00:00Z')).toEqual([]);
      expect(valueAt(rows, 'total_unusable', '2024-01-05T00:00:00Z')).toBe(0);
      expect(valueAt(rows, 'total_unusable', '2024-01-08T00:00:00Z')).toBe(1);
      expect(valueAt(rows, 'total_unusable', '2024-01-10T00:00:00Z')).toBe(0);
      // the blazar split is not covered: no rows, available as before
      expect(rows.filter((r) => r.count_type === 'reservable_unusable')).toEqual([]);
      expect(valueAt(rows, 'available', '2024-01-08T00:00:00Z')).toBe(valueAt(plain.timeline.rows, 'available', '2024-01-08T00:00:00Z'));
      expect(read.right.reports.find((r) => r.source.endsWith('audit_ironic_nodes'))).toMatchObject({ status: 'read', rows_read: 3, rows_folded: 3, rows_rejected: 0 });
      expect(read.right.reports.find((r) => r.source.endsWith('audit_nova_services'))?.status).toBe('missing_table');
    } finally {
      await fx.drop();
    }
  });
});

describeBoth('hard-deleted compute nodes on a database', (dialect) => {
  it('counts a compute node known only from audit_nova_compute_nodes in total, from created_at to deleted_at', async () => {
    const fx = await openFixture(dialect);
    try {
      await populate(fx);
      const name = await createAudit(fx, 'nova_compute_nodes');
      const snap = (id: number, host: string, extra: Record<string, unknown>) => JSON.stringify({ id, hypervisor_hostname: host, vcpus: 48, memory_mb: 1000, local_gb: 100, created_at: '2024-01-03 00:00:00', deleted_at: null, ...extra });
      const at = (n: number, id: number, kind: string, time: string, data: string) => ({ audit_id: n, id, audit_event_type: kind, audit_event_time: time, audit_changed_at: time, audit_changed_by: 'nova', data });
      await fx.src.knex
        .insert([
          at(1, 99, 'INSERT', '2024-01-03 00:00:00', snap(99, 'node-z', {})),
          at(2, 99, 'DELETE', '2024-01-06 00:00:00', snap(99, 'node-z', { deleted_at: '2024-01-05 00:00:00' })),
          // a node the source has: the source wins
          at(3, 2, 'UPDATE', '2024-01-04 00:00:00', snap(2, 'node-a', { vcpus: 96 })),
          // gone, with no end: rejected
          at(4, 98, 'INSERT', '2024-01-04 00:00:00', snap(98, 'node-y', {})),
          at(5, 97, 'INSERT', '2024-01-04 00:00:00', '{"hypervisor_hostname": [1]}'),
        ])
        .into(name);
      const read = await readSite(fx.src)();
      if (Ei.isLeft(read)) throw new Error(read.left.message);
      const rows = report(january)([toSiteInput(fx.src.site)(read.right)]).timeline.rows;
      expect(valueAt(rows, 'total', '2024-01-04T00:00:00Z')).toBe(3);
      expect(valueAt(rows, 'total', '2024-01-05T12:00:00Z')).toBe(2);
      const entry = read.right.reports.find((r) => r.source.endsWith('audit_nova_compute_nodes'));
      expect(entry).toMatchObject({ status: 'read', rows_read: 5, rows_folded: 3, rows_rejected: 2, rejected_by_reason: { no_end: 1, decode_error: 1 } });
      expect(entry?.detail).toMatch(/1 compute node\(s\) only in the audit table/);
    } finally {
      await fx.drop();
    }
  });
});
