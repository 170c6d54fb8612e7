/**
 * `report --summary`: the KPI summary of the small site (fixtures/smallSite.ts), whose answers are
 * worked out by hand. Weeks of the window 2024-01-01 .. 2024-01-15: W01 (Jan 1-7) and W02 (Jan 8-14).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openFixture, type Fixture } from './fixtures/db';
import { capture } from './fixtures/cli';
import { populate } from './fixtures/smallSite';

let fx: Fixture;
let dir: string;
beforeAll(async () => {
  fx = await openFixture('sqlite');
  await populate(fx);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-summary-'));
});
afterAll(async () => {
  await fx?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (out: string, ...more: string[]) =>
  capture(['report', '--db', fx.url, '--site', 'small', '--out', out, '--start', '2024-01-01', '--end', '2024-01-15', '--group-by', 'node_type', '--no-plots', ...more]);

describe('report --summary', () => {
  it('writes the weekly KPI summary: node-hours, shares, leases and lead times, with the change', async () => {
    const out = path.join(dir, 'week');
    const r = await run(out, '--summary', 'week');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/summary: 2024-W02 against 2024-W01/);
    const s = JSON.parse(fs.readFileSync(path.join(out, 'data', 'summary.json'), 'utf8'));
    expect(s.current).toEqual({ label: '2024-W02', start: '2024-01-08T00:00:00Z', end: '2024-01-15T00:00:00Z', last_day: '2024-01-14' });
    expect(s.previous.label).toBe('2024-W01');
    expect(s.rows.map((x: { node_type: string }) => x.node_type)).toEqual(['all', 'compute_skylake']);
    const [all] = s.rows;
    // W02: both hosts reservable all week (2 x 168), lease L1 commits both until Jan 10 (2 x 48)
    expect(all.current.node_hours.reservable).toBe(336);
    expect(all.current.node_hours.committed).toBe(96);
    expect(all.current.committed_pct).toBeCloseTo((100 * 96) / 336, 5);
    expect(all.current.node_hours.occupied).toBe(0);
    expect(all.current.leases_created).toBe(0);
    // W01: L2 created Jan 3 (never started), L1 created Jan 4 12:00 and started Jan 5 00:00:07;
    // instance i1 ran 24 h on node-a
    expect(all.previous.leases_created).toBe(2);
    expect(all.previous.leases_started).toBe(1);
    expect(all.previous.median_requested_hours).toBe((12 + 72) / 2);
    expect(all.previous.median_effective_hours).toBeCloseTo(12 + 7 / 3600, 6);
    expect(all.previous.node_hours.occupied).toBe(24);
    expect(all.change.node_hours.occupied).toBe(-24);
    expect(all.change.leases_created).toBe(-2);
    const md = fs.readFileSync(path.join(out, 'data', 'summary.md'), 'utf8');
    expect(md).toMatch(/^# Usage summary, week 2024-W02 \(2024-01-08 to 2024-01-14\)/);
    expect(md).toMatch(/\| all \| 336 \(\+\d+\) \| 96 \([+-]\d+\) \| 28\.6% \(/);
    expect(md).toMatch(/\| no leases \| no leases \|/);
    // the report's own files are still all there, the summary beside them
    expect(fs.readdirSync(path.join(out, 'data'))).toEqual(expect.arrayContaining(['summary.json', 'summary.md', 'usage_timeline.csv', 'leadtime_stats.json']));
  });

  it('says the window holds no full month instead of writing zeros', async () => {
    const out = path.join(dir, 'month');
    const r = await run(out, '--summary', 'month');
    expect(r.code).toBe(0);
    const s = JSON.parse(fs.readFileSync(path.join(out, 'data', 'summary.json'), 'utf8'));
    expect(s).toMatchObject({ kind: 'month', current: null, previous: null, rows: [] });
    expect(fs.readFileSync(path.join(out, 'data', 'summary.md'), 'utf8')).toMatch(/holds no full calendar month: nothing to summarize/);
  });

  it('rejects an unknown period and a summary without node counts (exit code 2)', async () => {
    expect((await run(path.join(dir, 'x'), '--summary', 'day')).code).toBe(2);
    const r = await run(path.join(dir, 'x'), '--summary', 'week', '--value-types', 'vcpus');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/include nodes/);
  });
});
