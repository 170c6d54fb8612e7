/**
 * The examples run against a generated testbed (a small one: scale 0.02, the whole window), the
 * way CI runs them against the demo database.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as crossSite } from '../examples/cross-site';
import { run as leadTimes } from '../examples/lead-times';
import { run as siteReport } from '../examples/site-report';
import { generate, plan } from '../testbed';

jest.setTimeout(180_000);

let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-examples-'));
  await generate({ plan: plan({ seed: 99, scale: 0.02 }), target: { kind: 'sqlite', dir } });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the examples on a generated testbed', () => {
  it('site-report gives 120 months, with no total before 2018 (a known gap) and a total after', async () => {
    const { site, months } = await siteReport(path.join(dir, 'chi_uc.sqlite'));
    expect(site).toBe('chi_uc');
    expect(months).toHaveLength(120);
    expect(months.find((m) => m.month === '2017-06')?.total).toBeNull();
    expect(months.find((m) => m.month === '2019-06')?.total).toBeGreaterThan(0);
    for (const m of months) if (m.committed !== null && m.reservable !== null) expect(m.committed).toBeLessThanOrEqual(m.reservable + 1e-6);
  });

  it('cross-site compares the three sites year by year, reserved use never above what was committed', async () => {
    const rows = await crossSite(dir);
    expect([...new Set(rows.map((r) => r.site))]).toEqual(['chi_tacc', 'chi_uc', 'kvm_tacc']);
    for (const r of rows) if (r.used_share !== null) expect(r.used_share >= 0 && r.used_share <= 1 + 1e-9).toBe(true);
    expect(rows.filter((r) => r.site === 'chi_tacc')).toHaveLength(10);
  });

  it('lead-times shows most leases starting at once and a tail booked days ahead', async () => {
    const { years } = await leadTimes(path.join(dir, 'chi_tacc.sqlite'));
    expect(years.map((y) => y.year)).toEqual(['2016', '2017', '2018', '2019', '2020', '2021', '2022', '2023', '2024', '2025']);
    const all = years.reduce((n, y) => n + y.leases, 0);
    const now = years.reduce((n, y) => n + y.within_1h * y.leases, 0);
    expect(now / all).toBeGreaterThan(0.55);
    expect(now / all).toBeLessThan(0.8);
    expect(Math.max(...years.map((y) => y.p90_ahead_hours ?? 0))).toBeGreaterThan(48);
  });
});
