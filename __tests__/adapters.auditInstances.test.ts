/**
 * Hard-deleted Nova instances from `audit_nova_instances` (section 15): an instance gone from
 * `nova.instances` and `nova.shadow_instances` is counted from its audit rows through the
 * instances adapter's own rules; the source wins by id; every audit row gets one verdict.
 */
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { auditOnlyInstances } from '../adapters/auditInstances';
import type { AuditRow } from '../adapters/auditDecode';
import { readSite, toSiteInput } from '../adapters/readSite';
import { siteConfig } from '../adapters/Source';
import { report } from '../lib/Report';
import * as T from '../lib/Time';
import { createAudit, january, valueAt } from './fixtures/audit';
import { describeBoth, openFixture } from './fixtures/db';
import { NODE_B, populate } from './fixtures/smallSite';

const ms = (s: string): T.Millis => T.unsafeMillis(Date.parse(`${s.replace(' ', 'T')}Z`));

const snap = (id: number, extra: Record<string, unknown>): string =>
  JSON.stringify({ id, uuid: `purged-${id}`, created_at: '2024-01-12 00:00:00', launched_at: null, terminated_at: null, deleted_at: null, node: NODE_B, vcpus: 48, memory_mb: 1000, root_gb: 10, project_id: 'p', power_state: 1, deleted: 0, ...extra });

describe('auditOnlyInstances', () => {
  const ironic = { id: '3', hypervisor_hostname: NODE_B, hypervisor_type: 'ironic', created_at: ms('2024-01-01 00:00:00'), vcpus: 48, memory_mb: 1000, local_gb: 100 };
  const ctx = {
    site: siteConfig('s'),
    hostsById: new Map(),
    hostsByHostname: new Map(),
    computeNodes: new Map([[NODE_B, [ironic]]]),
  };
  const row = (auditId: number, id: number, kind: AuditRow['kind'], time: string, data: string): AuditRow =>
    ({ auditId, id: String(id), kind, time: ms(time), changedAt: ms(time), backfill: false, data: JSON.parse(data) as Record<string, unknown> });

  it('counts a purged instance from created_at to terminated_at (the occupied rule of section 5), one bare-metal node, on-demand, from = audit', () => {
    const out = auditOnlyInstances(ctx, {
      table: 't',
      known: new Set(),
      rows: [
        row(1, 99, 'INSERT', '2024-01-12 00:00:00', snap(99, {})),
        row(2, 99, 'UPDATE', '2024-01-12 00:10:00', snap(99, { launched_at: '2024-01-12 00:10:00' })),
        row(3, 99, 'UPDATE', '2024-01-14 00:00:00', snap(99, { launched_at: '2024-01-12 00:10:00', terminated_at: '2024-01-14 00:00:00', deleted_at: '2024-01-14 00:00:00', deleted: 99 })),
        row(4, 99, 'DELETE', '2024-01-20 00:00:00', snap(99, { launched_at: '2024-01-12 00:10:00', terminated_at: '2024-01-14 00:00:00', deleted_at: '2024-01-14 00:00:00', deleted: 99 })),
      ],
    });
    expect(out.rejections).toEqual([]);
    expect(out.entities).toBe(1);
    expect(out.events.map((e) => [e._tag, e.countType, T.toIso(e.time), e.quantities.nodes, e.attributes.extra.from, e.entityId])).toEqual([
      ['Create', 'occupied_ondemand', '2024-01-12T00:00:00Z', 1, 'audit', 'purged-99'],
      ['Delete', 'occupied_ondemand', '2024-01-14T00:00:00Z', 1, 'audit', 'purged-99'],
    ]);
  });

  it('ends a row deleted by hand (no soft delete) at its DELETE row; leaves the source ids to the source', () => {
    const out = auditOnlyInstances(ctx, {
      table: 't',
      known: new Set(['5']),
      rows: [
        row(1, 98, 'INSERT', '2024-01-12 00:00:00', snap(98, { launched_at: '2024-01-12 00:05:00' })),
        row(2, 98, 'DELETE', '2024-01-13 00:00:00', snap(98, { launched_at: '2024-01-12 00:05:00' })),
        row(3, 5, 'UPDATE', '2024-01-12 00:00:00', snap(5, { launched_at: '2024-01-12 00:05:00' })),
      ],
    });
    expect(out.events.map((e) => [e.entityId, e._tag, T.toIso(e.time)])).toEqual([
      ['purged-98', 'Create', '2024-01-12T00:00:00Z'],
      ['purged-98', 'Delete', '2024-01-13T00:00:00Z'],
    ]);
  });

  it('rejects, with one verdict each: no end, never launched, a snapshot that does not decode', () => {
    const out = auditOnlyInstances(ctx, {
      table: 't',
      known: new Set(),
      rows: [
        row(1, 97, 'INSERT', '2024-01-12 00:00:00', snap(97, { launched_at: '2024-01-12 00:05:00' })),
        row(2, 96, 'INSERT', '2024-01-12 00:00:00', snap(96, {})),
        row(3, 96, 'DELETE', '2024-01-13 00:00:00', snap(96, { deleted_at: '2024-01-12 01:00:00' })),
        row(4, 95, 'INSERT', '2024-01-12 00:00:00', '{"uuid": [1]}'),
      ],
    });
    expect(out.events).toEqual([]);
    expect(out.rejections.map((r) => [O.getOrElse(() => '')(r.entityId), r.reason]).sort()).toEqual([
      ['95', 'decode_error'],
      ['purged-96', 'never_launched'],
      ['purged-97', 'no_end'],
    ]);
  });
});

describeBoth('hard-deleted instances on a database', (dialect) => {
  it('counts an instance known only from audit_nova_instances in occupied, and the source instance once', async () => {
    const fx = await openFixture(dialect);
    try {
      await populate(fx);
      const before = await readSite(fx.src)();
      if (Ei.isLeft(before)) throw new Error(before.left.message);
      const plain = report(january)([toSiteInput(fx.src.site)(before.right)]).timeline.rows;
      const name = await createAudit(fx, 'nova_instances');
      const ids = ((await fx.src.knex.select('id').from(fx.dialect === 'mysql' ? `${fx.src.site.databases.nova}.instances` : 'nova__instances')) as Array<{ id: number }>).map((r) => r.id);
      const at = (n: number, id: number, kind: string, time: string, data: string) => ({ audit_id: n, id, audit_event_type: kind, audit_event_time: time, audit_changed_at: time, audit_changed_by: 'nova', data });
      const done = { launched_at: '2024-01-12 00:10:00', terminated_at: '2024-01-14 00:00:00', deleted_at: '2024-01-14 00:00:00' };
      await fx.src.knex
        .insert([
          at(1, 99, 'INSERT', '2024-01-12 00:00:00', snap(99, {})),
          at(2, 99, 'UPDATE', '2024-01-14 00:00:00', snap(99, done)),
          at(3, 99, 'DELETE', '2024-01-20 00:00:00', snap(99, done)),
          // an instance the source has (i1): the source wins, not counted twice
          at(4, ids[0], 'UPDATE', '2024-01-05 06:10:00', snap(ids[0], { launched_at: '2024-01-05 06:10:00', node: 'node-a' })),
          at(5, 98, 'INSERT', '2024-01-12 00:00:00', '{"uuid": [1]}'),
        ])
        .into(name);
      const read = await readSite(fx.src)();
      if (Ei.isLeft(read)) throw new Error(read.left.message);
      const rows = report(january)([toSiteInput(fx.src.site)(read.right)]).timeline.rows;
      expect(valueAt(plain, 'occupied', '2024-01-13T00:00:00Z')).toBe(0);
      expect(valueAt(rows, 'occupied_ondemand', '2024-01-13T00:00:00Z')).toBe(1);
      expect(valueAt(rows, 'occupied_ondemand', '2024-01-14T00:00:00Z')).toBe(0);
      // i1 (reserved, Jan 5 06:10 -> Jan 6 06:00) as before
      expect(valueAt(rows, 'occupied_reserved', '2024-01-05T12:00:00Z')).toBe(valueAt(plain, 'occupied_reserved', '2024-01-05T12:00:00Z'));
      expect(valueAt(rows, 'occupied', '2024-01-05T12:00:00Z')).toBe(1);
      const entry = read.right.reports.find((r) => r.source.endsWith('audit_nova_instances'));
      expect(entry).toMatchObject({ status: 'read', rows_read: 5, rows_folded: 4, rows_rejected: 1 });
      expect(entry?.detail).toMatch(/1 instance\(s\) only in the audit table/);
    } finally {
      await fx.drop();
    }
  });
});
