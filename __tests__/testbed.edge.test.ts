/**
 * The synthetic CHI@Edge site `chi_edge` (devices only, no Nova), small: generated, read back
 * through the adapters and reconstructed in the value type `devices`; the daily timeline must
 * match the truth exactly on every compared day, total must be not covered (no rows), and every
 * device row must be accounted for.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { generate, plan, type Generated } from '../testbed';
import { recover, type SiteRecovery } from '../testbed/recover';
import { mysqlDatabases, mysqlKnex } from '../testbed/write';
import { describeMysql, mysqlUrl } from './fixtures/db';

jest.setTimeout(120_000);

let dir: string;
let g: Generated;
let r: SiteRecovery;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-edge-'));
  g = await generate({ plan: plan({ seed: 4242, scale: 0.25, sites: ['chi_edge'] }), target: { kind: 'sqlite', dir }, keep: true });
  [r] = await recover(g);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('chi_edge, the synthetic CHI@Edge site', () => {
  it('is asked for by name: the default plan keeps its three sites', () => {
    expect(plan().sites.map((s) => s.site)).toEqual(['chi_tacc', 'chi_uc', 'kvm_tacc']);
    expect(g.sites.map((s) => s.site)).toEqual(['chi_edge']);
    expect(g.sites[0].world.hosts).toBeGreaterThan(8);
    expect(g.sites[0].world.leases).toBeGreaterThan(300);
    expect(g.sites[0].world.instances).toBe(0);
  });

  it('stores devices of several types, some retired, in the device tables and nothing in Nova', () => {
    const db = new Database(path.join(dir, 'chi_edge.sqlite'), { readonly: true });
    try {
      const tables = (db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>).map((x) => x.name);
      expect(tables.filter((t) => t.startsWith('nova'))).toEqual([]);
      const types = db.prepare('select capability_value as t, count(*) as n from blazar__device_extra_capabilities group by capability_value order by 1').all() as Array<{ t: string; n: number }>;
      expect(types.map((x) => x.t)).toEqual(['jetson-nano', 'nvidia-jetson-xavier', 'raspberrypi3-64', 'raspberrypi4-64']);
      expect((db.prepare('select count(*) as n from blazar__devices where deleted_at is not null').get() as { n: number }).n).toBeGreaterThan(0);
      expect((db.prepare("select count(*) as n from blazar__reservations where resource_type <> 'device'").get() as { n: number }).n).toBe(0);
      expect((db.prepare("select count(distinct value_type) as n, min(value_type) as v from truth__usage_timeline").get() as { n: number; v: string })).toEqual({ n: 1, v: 'devices' });
    } finally {
      db.close();
    }
  });

  it('matches the truth exactly on every compared day, in devices', () => {
    expect(r.months.filter((m) => m.differing_days > 0)).toEqual([]);
    const compared = (ct: string) => r.months.filter((m) => m.count_type === ct).reduce((n, m) => n + m.days, 0);
    const hours = (ct: string) => r.months.filter((m) => m.count_type === ct).reduce((n, m) => n + m.truth_node_hours, 0);
    // devices from mid-2022 to the end of 2025
    for (const ct of ['reservable', 'committed', 'available']) expect(compared(ct)).toBeGreaterThan(1200);
    expect(hours('committed')).toBeGreaterThan(0);
    expect(hours('ops')).toBeGreaterThan(0);
    expect([...new Set(r.months.map((m) => m.count_type))].sort()).toEqual(['available', 'committed', 'ops', 'reservable']);
  });

  it('reports total as not covered (no Nova), never as 0, and audits every row', () => {
    const total = r.audit.coverage.find((c) => c.count_type === 'total');
    expect(total).toMatchObject({ start: null, start_from: 'source_missing' });
    for (const s of r.audit.sources) expect(s.rows_read).toBe(s.rows_folded + s.rows_rejected);
    const dev = r.audit.sources.find((s) => s.source.endsWith('.devices'));
    const alloc = r.audit.sources.find((s) => s.source.endsWith('.device_allocations'));
    expect(dev).toMatchObject({ status: 'read', rows_rejected: 0 });
    expect(alloc?.status).toBe('read');
    // failed starts, leases deleted before their start, re-allocation rows merged: nothing else
    expect(Object.keys(alloc?.rejected_by_reason ?? {}).sort()).toEqual(expect.arrayContaining(['lease_error']));
    for (const k of Object.keys(alloc?.rejected_by_reason ?? {})) expect(['lease_error', 'deleted_before_start', 'merged_duplicate']).toContain(k);
    expect(r.audit.clamping.filter((c) => (c.action === 'orphan' || c.action === 'clipped') && c.rows > 0)).toEqual([]);
  });
});

describeMysql('chi_edge written to MySQL (the real DDL of the device tables)', () => {
  it('reads back through the adapters with the same result as the SQLite snapshot', async () => {
    const url = mysqlUrl() as string;
    const prefix = `i15edge${process.pid}_`;
    const m = await generate({ plan: plan({ seed: 4242, scale: 0.25, sites: ['chi_edge'] }), target: { kind: 'mysql', url, prefix }, keep: true });
    try {
      const [back] = await recover(m);
      expect(back.months.filter((x) => x.differing_days > 0)).toEqual([]);
      expect(back.months).toEqual(r.months);
      expect(back.audit.sources.map((s) => [s.source.replace(`${prefix}chi_edge_`, ''), s.status, s.rows_read, s.rows_rejected])).toEqual(
        r.audit.sources.map((s) => [s.source, s.status, s.rows_read, s.rows_rejected]),
      );
    } finally {
      const k = await mysqlKnex(url);
      try {
        for (const db of Object.values(mysqlDatabases(prefix, 'chi_edge'))) await k.raw(`DROP DATABASE IF EXISTS \`${db}\``);
        await k.raw(`DROP DATABASE IF EXISTS \`${prefix}truth\``);
      } finally {
        await k.destroy();
      }
    }
  });
});
