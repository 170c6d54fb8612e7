/**
 * The testbed's `openstack_audit` tables (issue 15): the generic v3 layout, the install's backfill,
 * trigger rows only for changes of watched columns, hard deletes present only in the audit tables,
 * and the truth's usable / unusable split (a partition of reservable and committed from the
 * install on, nothing before; the stack still adds up to total).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { generate, plan } from '../testbed';
import { AUDIT_INSTALL, auditColumns } from '../testbed/audit';
import { splitIntervals } from '../testbed/auditTruth';
import { dailyHours, derivedHours } from '../testbed/truth';
import { mysqlKnex } from '../testbed/write';
import { mysqlUrl } from './fixtures/db';

jest.setTimeout(180_000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-testbed-audit-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const INSTALL = '2025-06-01 00:00:00';
type AuditRow = { audit_id: number; id: string | number; audit_event_type: string; audit_event_time: string; audit_changed_by: string; audit_changed_at: string; data: string };

let g: Awaited<ReturnType<typeof generate>>;
beforeAll(async () => {
  g = await generate({ plan: plan({ seed: 11, scale: 0.1, start: '2024-01-01', end: '2026-01-01' }), target: { kind: 'sqlite', dir }, keep: true });
});

const open = (site: string) => new Database(path.join(dir, `${site}.sqlite`), { readonly: true });
const rowsOf = (db: Database.Database, name: string): AuditRow[] => db.prepare(`select * from "openstack_audit__audit_${name}" order by audit_id`).all() as AuditRow[];
const WATCH: Record<string, ReadonlyArray<string>> = {
  blazar_computehosts: ['status', 'reservable', 'disabled'],
  nova_services: ['host', 'binary', 'topic', 'disabled', 'disabled_reason', 'forced_down', 'version'],
  ironic_nodes: ['maintenance', 'maintenance_reason', 'retired', 'owner', 'lessee', 'fault', 'resource_class'],
  blazar_leases: ['start_date', 'end_date', 'deleted'],
  blazar_reservations: ['deleted'],
  blazar_computehost_allocations: ['deleted'],
};

describe('testbed audit tables', () => {
  it('has the generic v3 tables on every site, nova_services on the KVM site, ironic_nodes on the bare-metal ones', () => {
    for (const site of ['chi_tacc', 'chi_uc', 'kvm_tacc']) {
      const db = open(site);
      const names = (db.prepare("select name from sqlite_master where type = 'table' and name like 'openstack_audit__%' order by name").all() as Array<{ name: string }>).map((r) => r.name);
      const want = ['blazar_computehost_allocations', 'blazar_computehosts', 'blazar_leases', 'blazar_reservations', ...(site === 'kvm_tacc' ? ['nova_services'] : ['ironic_nodes'])]
        .sort()
        .map((n) => `openstack_audit__audit_${n}`);
      expect(names).toEqual(want);
      for (const n of names) {
        const cols = (db.prepare(`pragma table_info("${n}")`).all() as Array<{ name: string }>).map((c) => c.name);
        expect(cols).toEqual([...auditColumns]);
        const idx = (db.prepare(`pragma index_list("${n}")`).all() as Array<{ name: string }>).map((c) => c.name).sort();
        expect(idx).toEqual([`idx_${n}_changed_at`, `idx_${n}_id_event_time`, `idx_${n}_id_event_type`]);
      }
      db.close();
    }
  });

  it('starts every table at the install with the backfill; later rows are trigger rows with equal times', () => {
    expect(new Date(AUDIT_INSTALL).toISOString()).toBe('2025-06-01T00:00:00.000Z');
    for (const site of ['chi_tacc', 'chi_uc', 'kvm_tacc']) {
      const db = open(site);
      for (const name of Object.keys(WATCH)) {
        if ((name === 'nova_services') !== (site === 'kvm_tacc') && (name === 'nova_services' || name === 'ironic_nodes')) continue;
        const rows = rowsOf(db, name);
        expect(rows.length).toBeGreaterThan(0);
        expect(rows[0].audit_changed_at).toBe(INSTALL);
        for (const r of rows) {
          expect(r.audit_changed_at >= INSTALL).toBe(true);
          if (r.audit_changed_by === 'backfill') {
            expect(r.audit_changed_at).toBe(INSTALL);
            expect(['INSERT', 'DELETE']).toContain(r.audit_event_type);
            expect(r.audit_event_time <= INSTALL).toBe(true);
          } else {
            expect(r.audit_event_time).toBe(r.audit_changed_at);
            expect(r.audit_event_time > INSTALL).toBe(true);
          }
        }
        // audit_id follows the changed_at order
        for (let i = 1; i < rows.length; i++) expect(rows[i].audit_changed_at >= rows[i - 1].audit_changed_at).toBe(true);
        // a backfill INSERT per id at most, before anything else of that id
        const seen = new Map<string, AuditRow[]>();
        for (const r of rows) seen.set(String(r.id), [...(seen.get(String(r.id)) ?? []), r]);
        for (const [, rs] of seen) {
          expect(rs.filter((r) => r.audit_event_type === 'INSERT')).toHaveLength(1);
          expect(rs[0].audit_event_type).toBe('INSERT');
          // every UPDATE changes a watched column of the previous snapshot
          for (let i = 1; i < rs.length; i++) {
            if (rs[i].audit_event_type !== 'UPDATE') continue;
            const a = JSON.parse(rs[i - 1].data) as Record<string, unknown>;
            const b = JSON.parse(rs[i].data) as Record<string, unknown>;
            expect(WATCH[name].some((c) => a[c] !== b[c])).toBe(true);
          }
        }
      }
      db.close();
    }
  });

  it('writes data as MariaDB JSON_OBJECT does, with the computehosts keys of the facts', () => {
    const db = open('chi_tacc');
    const r = rowsOf(db, 'blazar_computehosts')[0];
    expect(Object.keys(JSON.parse(r.data) as object)).toEqual(['id', 'hypervisor_hostname', 'vcpus', 'memory_mb', 'local_gb', 'status', 'reservable', 'disabled', 'created_at', 'deleted_at']);
    expect(r.data).toMatch(/^\{"id": "[^"]+", "hypervisor_hostname": /);
    db.close();
  });

  it('keeps hard-deleted hosts and leases only in the audit tables', () => {
    const worlds = g.worlds ?? [];
    for (const { world } of worlds) {
      const a = world.audit;
      if (a === undefined) throw new Error('no audit world');
      const db = open(world.plan.site);
      // two operator leases purged per site; KVM@TACC at this scale has a single operator lease,
      // created before the install (the calibrated KVM site has ~1,100 leases in ten years)
      if (world.plan.kind !== 'kvm') expect(a.purgedLeases.length).toBe(2);
      for (const p of a.purgedLeases) {
        expect(db.prepare('select count(*) n from blazar__leases where id = ?').get(p.lease)).toEqual({ n: 0 });
        const rs = rowsOf(db, 'blazar_leases').filter((r) => r.id === p.lease);
        expect(rs[0].audit_event_type).toBe('INSERT');
        expect(rs[rs.length - 1].audit_event_type).toBe('DELETE');
        const resv = rowsOf(db, 'blazar_reservations').filter((r) => (JSON.parse(r.data) as { lease_id: string }).lease_id === p.lease);
        expect(resv.length).toBeGreaterThan(0);
        for (const r of resv) expect(db.prepare('select count(*) n from blazar__reservations where id = ?').get(r.id)).toEqual({ n: 0 });
      }
      if (world.plan.kind === 'baremetal') {
        expect(a.purgedHosts.length).toBe(1);
        const h = world.hosts[a.purgedHosts[0].host];
        expect(db.prepare('select count(*) n from blazar__computehosts where hypervisor_hostname = ?').get(h.hostname)).toEqual({ n: 0 });
        const rs = rowsOf(db, 'blazar_computehosts').filter((r) => (JSON.parse(r.data) as { hypervisor_hostname: string }).hypervisor_hostname === h.hostname);
        // backfill INSERT at created_at and DELETE at deleted_at (it was soft-deleted), then the purge's DELETE
        expect(rs.map((r) => [r.audit_event_type, r.audit_changed_by])).toEqual([
          ['INSERT', 'backfill'],
          ['DELETE', 'backfill'],
          ['DELETE', 'root@localhost'],
        ]);
      }
      db.close();
    }
  });

  it('has host state windows before and after the install, and the source rows carry the state at the snapshot', () => {
    for (const { world } of g.worlds ?? []) {
      const a = world.audit;
      if (a === undefined) throw new Error('no audit world');
      for (const ws of world.plan.kind === 'kvm' ? [a.serviceWindows] : [a.windows, a.nodeWindows]) {
        expect(ws.some((w) => (w.end ?? Infinity) <= a.install)).toBe(true);
        expect(ws.some((w) => w.start > a.install)).toBe(true);
        expect(ws.some((w) => w.start < a.install && (w.end ?? Infinity) > a.install)).toBe(true);
      }
      if (world.plan.kind !== 'baremetal') continue;
      // the last audit snapshot of each live host equals its source row
      const db = open(world.plan.site);
      const last = new Map<string, Record<string, unknown>>();
      for (const r of rowsOf(db, 'blazar_computehosts')) last.set(String(r.id), JSON.parse(r.data) as Record<string, unknown>);
      const src = db.prepare('select id, reservable, disabled, deleted_at from blazar__computehosts').all() as Array<{ id: string; reservable: number; disabled: number; deleted_at: string | null }>;
      for (const s of src) {
        const l = last.get(s.id) as Record<string, unknown>;
        expect([l.reservable, l.disabled]).toEqual([s.reservable, s.disabled]);
      }
      db.close();
    }
  });

  it('splits reservable and committed by usability from the install on, and the stack still adds up', () => {
    const start = Date.parse('2024-01-01T00:00:00Z');
    const end = Date.parse('2026-01-01T00:00:00Z');
    const d0 = Math.round((AUDIT_INSTALL - start) / 86_400_000);
    for (const [i, { world, truth }] of (g.worlds ?? []).entries()) {
      const b = dailyHours(truth, start, end);
      const pool = world.plan.kind === 'kvm';
      let unusableHours = 0;
      for (let d = 0; d < b.total.length; d++) {
        const near = (x: number, y: number) => expect(Math.abs(x - y)).toBeLessThan(1e-6);
        if (d < d0) {
          for (const ct of ['reservable_usable', 'reservable_unusable', 'committed_usable', 'committed_unusable', 'ops_unusable', 'total_unusable'] as const) expect(b[ct][d]).toBe(0);
          continue;
        }
        near(b.reservable_usable[d] + b.reservable_unusable[d], b.reservable[d]);
        near(b.committed_usable[d] + b.committed_unusable[d], b.committed[d]);
        const u = derivedHours(b, 'unusable', d, pool);
        expect(u).toBeGreaterThan(-1e-6);
        unusableHours += u;
        near(derivedHours(b, 'available', d, pool) + derivedHours(b, 'committed', d, pool) + derivedHours(b, 'maintenance', d, pool) + (pool ? derivedHours(b, 'ondemand_capacity', d, pool) : 0), b.total[d]);
      }
      if (!pool) expect(unusableHours).toBeGreaterThan(0);
      expect(b.total_unusable.reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
      expect(b.total_unusable.slice(0, d0).every((x) => x === 0)).toBe(true);
      // the timeline has split rows from the install on only
      const db = open(g.sites[i].site);
      const first = db.prepare("select min(timestamp) t from truth__usage_timeline where count_type in ('reservable_usable', 'reservable_unusable', 'committed_usable', 'committed_unusable', 'unusable')").get() as { t: string };
      expect(first.t).toBe('2025-06-01T00:00:00Z');
      db.close();
    }
  });

  it('writes no audit tables when the plan ends before the install', async () => {
    const d2 = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-testbed-noaudit-'));
    try {
      await generate({ plan: plan({ seed: 2, scale: 0.05, sites: ['chi_uc'], start: '2023-01-01', end: '2024-01-01' }), target: { kind: 'sqlite', dir: d2 } });
      const db = new Database(path.join(d2, 'chi_uc.sqlite'), { readonly: true });
      expect(db.prepare("select count(*) n from sqlite_master where name like 'openstack_audit__%'").get()).toEqual({ n: 0 });
      expect(db.prepare("select count(*) n from truth__usage_timeline where count_type like '%usable%'").get()).toEqual({ n: 0 });
      db.close();
    } finally {
      fs.rmSync(d2, { recursive: true, force: true });
    }
  });
});

const mysql = mysqlUrl();
const PFX = `cu_tba${process.pid}_`;
(mysql === undefined ? describe.skip : describe)('testbed audit tables on MySQL (generate --mysql)', () => {
  it('writes <prefix><site>_openstack_audit with the v3 DDL and the same rows as the SQLite snapshot', async () => {
    const p = plan({ seed: 5, scale: 0.05, sites: ['kvm_tacc'], start: '2025-01-01', end: '2026-01-01' });
    const made = await generate({ plan: p, target: { kind: 'mysql', url: mysql as string, prefix: PFX } });
    expect((made.sites[0].databases as Record<string, string>).openstack_audit).toBe(`${PFX}kvm_tacc_openstack_audit`);
    const d3 = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-testbed-audit-my-'));
    const k = await mysqlKnex(mysql as string);
    try {
      await generate({ plan: p, target: { kind: 'sqlite', dir: d3 } });
      const db = new Database(path.join(d3, 'kvm_tacc.sqlite'), { readonly: true });
      const [created] = (await k.raw(`SHOW CREATE TABLE \`${PFX}kvm_tacc_openstack_audit\`.\`audit_nova_services\``)) as [Array<Record<string, string>>];
      const ddl = created[0]['Create Table'];
      expect(ddl).toContain('`id` int(11)');
      expect(ddl).toContain("`audit_event_type` enum('INSERT','UPDATE','DELETE')");
      expect(ddl).toContain('`audit_event_time` datetime DEFAULT current_timestamp()');
      expect(ddl).toContain('`audit_changed_at` datetime DEFAULT current_timestamp()');
      expect(ddl).toContain('KEY `idx_id_event_time` (`id`,`audit_event_time`)');
      expect(ddl).toContain('KEY `idx_id_event_type` (`id`,`audit_event_type`)');
      expect(ddl).toContain('KEY `idx_changed_at` (`audit_changed_at`)');
      for (const name of ['blazar_computehosts', 'blazar_leases', 'nova_services']) {
        const [rows] = (await k.raw(
          `SELECT audit_id, id, audit_event_type, DATE_FORMAT(audit_event_time, '%Y-%m-%d %H:%i:%s') t, audit_changed_by, DATE_FORMAT(audit_changed_at, '%Y-%m-%d %H:%i:%s') c, CAST(data AS CHAR) data FROM \`${PFX}kvm_tacc_openstack_audit\`.\`audit_${name}\` ORDER BY audit_id`,
        )) as [Array<Record<string, unknown>>];
        const lite = db.prepare(`select * from "openstack_audit__audit_${name}" order by audit_id`).all() as AuditRow[];
        expect(rows.map((r) => [r.audit_id, String(r.id), r.audit_event_type, r.t, r.audit_changed_by, r.c, r.data])).toEqual(
          lite.map((r) => [r.audit_id, String(r.id), r.audit_event_type, r.audit_event_time, r.audit_changed_by, r.audit_changed_at, r.data]),
        );
      }
      db.close();
    } finally {
      await k.raw(`DROP DATABASE IF EXISTS \`${PFX}kvm_tacc_openstack_audit\``);
      for (const d of ['nova', 'nova_api', 'blazar', 'chameleon_usage']) await k.raw(`DROP DATABASE IF EXISTS \`${PFX}kvm_tacc_${d}\``);
      await k.raw(`DROP DATABASE IF EXISTS \`${PFX}truth\``);
      await k.destroy();
      fs.rmSync(d3, { recursive: true, force: true });
    }
  });
});

describe('the split of the truth (laws)', () => {
  const H = 3_600_000;
  /** Sorted, disjoint windows from gaps and lengths (hours), the last one possibly open. */
  const windowsArb = fc
    .tuple(fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 })), { maxLength: 6 }), fc.boolean())
    .map(([gl, open]) => {
      const out: Array<{ start: number; end: number | null }> = [];
      let t = 0;
      gl.forEach(([gap, len], i) => {
        const start = t + gap * H;
        const end = open && i === gl.length - 1 ? null : start + len * H;
        out.push({ start, end });
        t = end ?? Infinity;
      });
      return out;
    });
  const intervalArb = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.option(fc.integer({ min: 1, max: 300 }), { nil: null })).map(([s, len]) => ({ start: s * H, end: len === null ? null : (s + len) * H }));

  it('cuts each interval from the install on into usable and unusable pieces that tile it, unusable exactly inside the windows', () => {
    fc.assert(
      fc.property(windowsArb, intervalArb, fc.integer({ min: 0, max: 200 }), fc.constantFrom('baremetal' as const, 'kvm' as const), (ws, iv, t0h, kind) => {
        const install = t0h * H;
        const host = { index: 0, nodeType: 'x' } as unknown as import('../testbed/world').Host;
        const world = {
          plan: { kind },
          hosts: [host],
          leases: [],
          instances: [],
          audit: {
            install,
            windows: ws.map((w) => ({ host: 0, ...w, reservable: 0 as const, disabled: 1 as const })),
            serviceWindows: ws.map((w) => ({ host: 0, ...w, disabled: 1 as const, forcedDown: 0 as const })),
            nodeWindows: ws.map((w) => ({ host: 0, ...w, maintenance: 1 as const, retired: 0 as const })),
            purgedHosts: [],
            purgedLeases: [],
          },
        } as unknown as import('../testbed/world').SiteWorld;
        const out = splitIntervals(world, [
          { countType: 'reservable', host: 0, ...iv, nodes: 1 },
          { countType: 'total', host: 0, ...iv, nodes: 1 },
        ]);
        const horizon = 1_000 * H;
        const len = (s: number, e: number | null) => Math.max(0, Math.min(e ?? horizon, horizon) - Math.min(s, horizon));
        const inWindows = (s: number, e: number | null) => ws.reduce((n, w) => n + Math.max(0, Math.min(e ?? horizon, w.end ?? horizon, horizon) - Math.max(s, w.start)), 0);
        const s0 = Math.max(iv.start, install);
        const want = iv.end !== null && iv.end <= install ? 0 : len(s0, iv.end);
        const of = (ct: string) => out.filter((p) => p.countType === ct);
        const total = (ps: ReadonlyArray<{ start: number; end: number | null }>) => ps.reduce((n, p) => n + len(p.start, p.end), 0);
        // a partition of the covered part of the interval
        expect(total(of('reservable_usable')) + total(of('reservable_unusable'))).toBe(want);
        // unusable: exactly the part inside the windows
        expect(total(of('reservable_unusable'))).toBe(want === 0 ? 0 : inWindows(s0, iv.end));
        expect(total(of('total_unusable'))).toBe(total(of('reservable_unusable')));
        // nothing before the install, no empty piece
        for (const p of out) {
          expect(p.start >= install).toBe(true);
          expect(p.end === null || p.end > p.start).toBe(true);
        }
      }),
    );
  });
});
