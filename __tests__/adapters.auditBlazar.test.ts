/**
 * Blazar lease tables' audit (section 15): leases, reservations and allocations hard-deleted
 * from their source tables are counted from their audit rows (`extra.from = 'audit'`), the
 * source wins where both have an entity, and every audit row is accounted for.
 */
import * as Ei from 'fp-ts/Either';
import { fill, lastSnapshots, leaseColumnsOf, LeaseSnapshot, type BlazarAudit } from '../adapters/auditBlazar';
import { decodeAuditRow, utcZone, type AuditRow } from '../adapters/auditDecode';
import type { AllocationRow } from '../adapters/allocations';
import { readSite, toSiteInput } from '../adapters/readSite';
import { toEvents } from '../lib/EventTable';
import { report } from '../lib/Report';
import * as T from '../lib/Time';
import { createAudit, january, valueAt } from './fixtures/audit';
import { describeBoth, openFixture } from './fixtures/db';
import { L1, populate, R1 } from './fixtures/smallSite';

const TABLE = 'openstack_audit.audit_blazar_leases';
const row = (audit_id: number, id: string, kind: string, time: string, data: unknown): AuditRow => {
  const r = decodeAuditRow({ site: 's', table: TABLE, layout: 'generic', zone: utcZone })({ audit_id, id, audit_event_type: kind, audit_time: time, audit_changed_at: time, audit_changed_by: 'blazar', data: JSON.stringify(data) });
  if (Ei.isLeft(r)) throw new Error(r.left.detail);
  return r.right;
};

describe('lastSnapshots', () => {
  it('keeps the last snapshot of each id and its DELETE time, rejecting snapshots that do not decode', () => {
    const { last, rejections } = lastSnapshots(LeaseSnapshot, { site: 's', table: TABLE }, [
      row(1, 'l1', 'INSERT', '2024-01-01 00:00:00', { name: 'a', start_date: '2024-01-02 00:00:00', end_date: '2024-01-03 00:00:00' }),
      row(3, 'l1', 'DELETE', '2024-01-05 00:00:00', { name: 'b', start_date: '2024-01-02 00:00:00', end_date: '2024-01-04 00:00:00' }),
      row(2, 'l1', 'UPDATE', '2024-01-02 00:00:00', { name: 'b', start_date: '2024-01-02 00:00:00', end_date: '2024-01-04 00:00:00' }),
      row(4, 'l2', 'INSERT', '2024-01-01 00:00:00', { name: { first: 'x' } }),
    ]);
    expect(last.map((x) => [x.id, x.snap.name, x.deletedAt === null ? null : T.toIso(x.deletedAt)])).toEqual([['l1', 'b', '2024-01-05T00:00:00Z']]);
    expect(rejections.map((r) => [r.reason, r.detail.slice(0, 10)])).toEqual([['decode_error', 'data.name:']]);
  });

  it('ends a lease at data.deleted_at when set, else at its DELETE row', () => {
    const base = { name: 'x', start_date: T.unsafeMillis(0), end_date: T.unsafeMillis(10), created_at: T.unsafeMillis(0), project_id: 'p', tenant_id: undefined };
    expect(leaseColumnsOf('l', { ...base, deleted_at: T.unsafeMillis(5) }, T.unsafeMillis(8)).lease_deleted_at).toBe(5);
    expect(leaseColumnsOf('l', { ...base, deleted_at: null }, T.unsafeMillis(8)).lease_deleted_at).toBe(8);
  });
});

describe('fill', () => {
  const lease = leaseColumnsOf('L', { name: 'n', project_id: 'p', tenant_id: undefined, created_at: T.unsafeMillis(0), start_date: T.unsafeMillis(10), end_date: T.unsafeMillis(20), deleted_at: null }, null);
  const audit: BlazarAudit = { leases: new Map([['L', lease]]), reservations: new Map([['R', { lease_id: 'L', resource_type: 'physical:host' }]]), leaseOf: new Map([['R2', 'L']]) };
  const src = { id: 'a', reservation_id: 'R', compute_host_id: '1', r_id: null, resource_type: null, slot_vcpus: null, slot_memory_mb: null, slot_disk_gb: null, group_position: 1, group_size: 1, ...leaseColumnsOf('', { name: undefined, project_id: undefined, tenant_id: undefined, created_at: undefined, start_date: undefined, end_date: undefined, deleted_at: undefined }, null), lease_id: null } as AllocationRow;

  it('fills a reservation gone from the source, and its lease', () => {
    const f = fill(audit, src);
    expect(f.filled).toBe(true);
    expect([f.row.r_id, f.row.resource_type, f.row.lease_id, f.row.lease_start_date]).toEqual(['R', 'physical:host', 'L', 10]);
  });

  it('fills a lease gone from the source through its reservation', () => {
    const f = fill(audit, { ...src, reservation_id: 'R2', r_id: 'R2', resource_type: 'physical:host' });
    expect([f.filled, f.row.lease_id]).toEqual([true, 'L']);
  });

  it('changes nothing the source has, or the audit does not know', () => {
    expect(fill(audit, { ...src, reservation_id: 'other' }).filled).toBe(false);
    expect(fill(undefined, src)).toEqual({ row: src, filled: false });
    const whole = { ...src, r_id: 'R', ...lease };
    expect(fill(audit, whole)).toEqual({ row: whole, filled: false });
  });
});

describeBoth('hard-deleted Blazar leases on a database', (dialect) => {
  const L3 = 'aaaaaaaa-0000-4000-8000-000000000003';
  const R3 = 'bbbbbbbb-0000-4000-8000-000000000003';
  const run = async (o: { audit: boolean; dropR1: boolean }) => {
    const fx = await openFixture(dialect);
    try {
      await populate(fx);
      if (o.dropR1) await fx.src.knex.raw(`delete from ${fx.tableName('blazar.reservations')} where id = ?`, [R1]);
      if (o.audit) {
        const at = (n: number, id: string, kind: string, time: string, data: unknown) => ({ audit_id: n, id, audit_event_type: kind, audit_event_time: time, audit_changed_at: time, audit_changed_by: 'blazar', data: JSON.stringify(data) });
        const leases = await createAudit(fx, 'blazar_leases', 'VARCHAR(36)');
        await fx.src.knex.insert([
          at(1, L3, 'INSERT', '2024-01-11 00:00:00', { id: L3, name: 'gone', project_id: 'p', created_at: '2024-01-11 00:00:00', start_date: '2024-01-12 00:00:00', end_date: '2024-01-14 00:00:00', deleted_at: null }),
          at(2, L3, 'DELETE', '2024-01-20 00:00:00', { id: L3, name: 'gone', project_id: 'p', created_at: '2024-01-11 00:00:00', start_date: '2024-01-12 00:00:00', end_date: '2024-01-14 00:00:00', deleted_at: null }),
        ]).into(leases);
        const resv = await createAudit(fx, 'blazar_reservations', 'VARCHAR(36)');
        await fx.src.knex.insert([
          at(1, R3, 'INSERT', '2024-01-11 00:00:00', { id: R3, lease_id: L3, resource_type: 'physical:host' }),
          at(2, R1, 'INSERT', '2024-01-04 12:00:00', { id: R1, lease_id: L1, resource_type: 'physical:host' }),
        ]).into(resv);
        const allocs = await createAudit(fx, 'blazar_computehost_allocations', 'VARCHAR(36)');
        await fx.src.knex.insert([
          at(1, 'a3', 'INSERT', '2024-01-11 00:00:00', { id: 'a3', reservation_id: R3, compute_host_id: '2' }),
          // an allocation the source still has: the source wins
          at(2, 'a1', 'INSERT', '2024-01-04 12:00:00', { id: 'a1', reservation_id: R1, compute_host_id: '1' }),
          at(3, 'a9', 'INSERT', '2024-01-11 00:00:00', { id: 'a9', reservation_id: 'no-such', compute_host_id: '2' }),
        ]).into(allocs);
      }
      const read = await readSite(fx.src)();
      if (Ei.isLeft(read)) throw new Error(read.left.message);
      return { read: read.right, rep: report(january)([toSiteInput(fx.src.site)(read.right)]) };
    } finally {
      await fx.drop();
    }
  };

  it('counts a lease, reservation and allocation known only from the audit, marked from = audit', async () => {
    const before = await run({ audit: false, dropR1: false });
    const { read, rep } = await run({ audit: true, dropR1: false });
    expect(valueAt(before.rep.timeline.rows, 'committed', '2024-01-13T00:00:00Z')).toBe(0);
    expect(valueAt(rep.timeline.rows, 'committed', '2024-01-13T00:00:00Z')).toBe(1);
    const audited = toEvents(read.events).filter((e) => e.attributes.extra.from === 'audit' && e.countType === 'committed');
    expect(audited.map((e) => [e._tag, T.toIso(e.time), e.source.table.replace(/^.*\./, '')])).toEqual([
      ['Create', '2024-01-12T00:00:00Z', 'audit_blazar_computehost_allocations'],
      ['Delete', '2024-01-14T00:00:00Z', 'audit_blazar_computehost_allocations'],
    ]);
    const entry = read.reports.find((r) => r.source.endsWith('.audit_blazar_computehost_allocations'));
    expect(entry).toMatchObject({ status: 'read', rows_read: 3, rows_folded: 2, rows_rejected: 1, rejected_by_reason: { reservation_missing: 1 } });
    expect(entry?.detail).toMatch(/3 allocation\(s\) only in the audit table .*; 1 of them share \(reservation, host\) with a source allocation: the source wins/);
    expect(read.reports.find((r) => r.source.endsWith('.audit_blazar_leases'))?.detail).toMatch(/1 lease\(s\) only in the audit table/);
    expect(rep.timeline.violations).toEqual([]);
  });

  it('fills a reservation hard-deleted from the source: its allocations count as with the source row', async () => {
    const full = await run({ audit: false, dropR1: false });
    const lost = await run({ audit: false, dropR1: true });
    const filled = await run({ audit: true, dropR1: true });
    expect(valueAt(full.rep.timeline.rows, 'committed', '2024-01-06T00:00:00Z')).toBe(2);
    expect(valueAt(lost.rep.timeline.rows, 'committed', '2024-01-06T00:00:00Z')).toBe(0);
    expect(valueAt(filled.rep.timeline.rows, 'committed', '2024-01-06T00:00:00Z')).toBe(2);
    const fromAudit = toEvents(filled.read.events).filter((e) => e.countType === 'committed' && e.attributes.extra.reservation_id === R1);
    expect(fromAudit.length).toBeGreaterThan(0);
    expect(fromAudit.every((e) => e.attributes.extra.from === 'audit' && e.source.table.endsWith('.computehost_allocations'))).toBe(true);
  });

  it('reads a site without the lease audit tables as before (missing tables reported)', async () => {
    const { read } = await run({ audit: false, dropR1: false });
    for (const t of ['audit_blazar_leases', 'audit_blazar_reservations', 'audit_blazar_computehost_allocations']) {
      expect(read.reports.find((r) => r.source.endsWith(`openstack_audit.${t}`))?.status).toBe('missing_table');
    }
  });
});
