/**
 * The synthetic testbed is deterministic (same seed, same databases and truth) and its building
 * blocks keep their invariants.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { generate, plan } from '../testbed';
import { HostCalendar, VcpuCalendar } from '../testbed/calendar';
import { random } from '../testbed/random';
import { periods } from '../testbed/world';

jest.setTimeout(120_000);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A digest of every table of every site snapshot in `dir`, row by row. */
const digest = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.sqlite')).sort()) {
    const db = new Database(path.join(dir, f), { readonly: true });
    const tables = db.prepare("select name from sqlite_master where type = 'table' order by name").all() as Array<{ name: string }>;
    for (const { name } of tables) {
      const h = createHash('sha256');
      for (const row of db.prepare(`select * from "${name}" order by rowid`).iterate()) h.update(JSON.stringify(row));
      out[`${f}/${name}`] = h.digest('hex');
    }
    db.close();
  }
  return out;
};

const small = (seed: number) => plan({ seed, scale: 0.05, start: '2019-06-01', end: '2020-06-01' });

const make = async (seed: number) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-testbed-'));
  dirs.push(dir);
  const g = await generate({ plan: small(seed), target: { kind: 'sqlite', dir }, keep: true });
  return { dir, g };
};

describe('testbed determinism', () => {
  it('gives identical tables and truth for the same seed, and different ones for another seed', async () => {
    const a = await make(7);
    const b = await make(7);
    const c = await make(8);
    const da = digest(a.dir);
    expect(Object.keys(da).length).toBeGreaterThan(60);
    expect(digest(b.dir)).toEqual(da);
    expect(b.g.worlds?.map((w) => w.truth)).toEqual(a.g.worlds?.map((w) => w.truth));
    const dc = digest(c.dir);
    expect(dc['chi_tacc.sqlite/blazar__leases']).not.toEqual(da['chi_tacc.sqlite/blazar__leases']);
    expect(dc['chi_tacc.sqlite/truth__usage_timeline']).not.toEqual(da['chi_tacc.sqlite/truth__usage_timeline']);
  });

  it('writes every source table, the legacy caches of bare-metal sites and the truth', async () => {
    const { dir, g } = await make(11);
    for (const s of g.sites) {
      const db = new Database(path.join(dir, `${s.site}.sqlite`), { readonly: true });
      const count = (t: string) => (db.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n;
      expect(count('nova__compute_nodes')).toBeGreaterThan(0);
      expect(count('blazar__leases')).toBeGreaterThan(0);
      expect(count('nova__instances')).toBeGreaterThan(0);
      expect(count('truth__usage_timeline')).toBe(s.truthRows);
      expect(count('chameleon_usage__node_usage_report_cache') > 0).toBe(s.site !== 'kvm_tacc');
      db.close();
    }
  });
});

describe('the random stream', () => {
  it('repeats for a seed and label, and a fork does not depend on the parent draws', () => {
    const a = random(1, 'x');
    const b = random(1, 'x');
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    const forkBefore = random(1, 'x').fork('f').next();
    const p = random(1, 'x');
    p.next();
    expect(p.fork('f').next()).toBe(forkBefore);
    expect(random(2, 'x').next()).not.toBe(xs[0]);
  });

  it('gives uuid-shaped ids and integers within bounds', () => {
    const r = random(3);
    for (let i = 0; i < 100; i++) {
      expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const n = r.int(2, 4);
      expect(n >= 2 && n <= 4).toBe(true);
    }
  });
});

describe('the booking calendars', () => {
  it('a host calendar treats touching windows as free and overlapping ones as busy', () => {
    const c = new HostCalendar();
    c.book(10, 20);
    expect(c.isFree(20, 30)).toBe(true);
    expect(c.isFree(0, 10)).toBe(true);
    expect(c.isFree(19, 21)).toBe(false);
    c.setEnd(10, 15);
    expect(c.isFree(15, 30)).toBe(true);
    c.setEnd(10, 10);
    expect(c.isFree(0, 100)).toBe(true);
  });

  it('a vCPU calendar refuses a booking that would exceed the capacity at some instant', () => {
    const c = new VcpuCalendar(48);
    c.book(0, 10, 32);
    expect(c.fits(5, 15, 16)).toBe(true);
    expect(c.fits(5, 15, 17)).toBe(false);
    expect(c.fits(10, 15, 48)).toBe(true);
  });
});

describe('instance periods', () => {
  it('close at a shelve, reopen at an unshelve and end at the delete', () => {
    const steps = [
      { kind: 'shelve', t: 10 },
      { kind: 'unshelve', t: 20 },
      { kind: 'delete', t: 30 },
    ] as const;
    expect(periods({ launched: true, createdAt: 0, steps })).toEqual([
      [0, 10],
      [20, 30],
    ]);
    expect(periods({ launched: false, createdAt: 0, steps })).toEqual([]);
    expect(periods({ launched: true, createdAt: 0, steps: [] })).toEqual([[0, null]]);
  });
});
