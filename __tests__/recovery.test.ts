/**
 * Ground-truth recovery: a small synthetic testbed (every site, the whole 2016-2025 window, scale
 * 0.04: Chameleon's real load at a 25th of its size) is generated, read back through the adapters and reconstructed; the daily timeline must
 * match the generator's truth exactly wherever the stored data is complete, and every stretch
 * that is not compared must be a coverage gap the audit explains.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate, plan, type Generated } from '../testbed';
import type { SiteRecovery } from '../testbed/recover';
import { recover } from '../testbed/recover';

jest.setTimeout(240_000);

let dir: string;
let g: Generated;
let recovered: ReadonlyArray<SiteRecovery>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-recovery-'));
  g = await generate({ plan: plan({ seed: 4242, scale: 0.04 }), target: { kind: 'sqlite', dir }, keep: true });
  recovered = await recover(g);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ground truth recovery on a small testbed', () => {
  it('reads all three sites, each with thousands of events', () => {
    expect(recovered.map((r) => r.site)).toEqual(['chi_tacc', 'chi_uc', 'kvm_tacc']);
    for (const r of recovered) expect(r.events).toBeGreaterThan(1000);
  });

  it('matches the truth exactly on every fully covered day, for every site, count type and month', () => {
    const differing = recovered.flatMap((r) => r.months.filter((m) => m.differing_days > 0));
    expect(differing).toEqual([]);
  });

  it('matches the true reservation book and projected lead times on every covered day (section 14)', () => {
    for (const r of recovered) {
      expect({ site: r.site, book: r.booking.book_differing_days, lead: r.booking.leadtime_differing_days, examples: r.booking.examples }).toEqual({ site: r.site, book: 0, lead: 0, examples: [] });
      // from the Blazar cut (2020) on, on days with a host in the pool (KVM's reservable hosts come later)
      expect(r.booking.days).toBeGreaterThan(700);
      expect(r.booking.days).toBeLessThanOrEqual(2192);
      expect(r.booking.book_rows).toBeGreaterThan(0);
      expect(r.booking.leadtime_rows).toBeGreaterThan(0);
    }
  });

  it('is within 0.5% node-hours per site, count type and month wherever a month is compared', () => {
    const worst = recovered.flatMap((r) => r.months.filter((m) => m.days > 0 && m.error > 0.005));
    expect(worst).toEqual([]);
  });

  it('compares most of the window: total from 2018, reservable from 2020, the others from their first row', () => {
    for (const r of recovered) {
      const days = (ct: string) => r.months.filter((m) => m.count_type === ct).reduce((n, m) => n + m.days + m.partial_days, 0);
      expect(days('total')).toBe(2922);
      expect(days('reservable')).toBe(2192);
      expect(days('occupied')).toBeGreaterThan(2500);
    }
  });

  it('explains every day it does not compare with a coverage gap of the audit', () => {
    const inputs: Record<string, ReadonlyArray<string>> = {
      occupied: ['occupied_reserved', 'occupied_ondemand'],
      available: ['reservable', 'committed', 'ops'],
      idle: ['committed', 'occupied_reserved'],
      maintenance: ['total', 'reservable', 'ops'],
      stopped: ['stopped_reserved', 'stopped_ondemand'],
      active: ['occupied_reserved', 'occupied_ondemand', 'stopped_reserved', 'stopped_ondemand'],
      ondemand_capacity: ['total', 'reservable'],
      available_ondemand: ['total', 'reservable', 'occupied_ondemand'],
      // issue 15: the split's derived count type
      unusable: ['reservable_unusable', 'committed_unusable', 'ops_unusable'],
    };
    const DAY = 86_400_000;
    for (const r of recovered) {
      for (const m of r.months.filter((x) => x.uncovered_days > 0)) {
        const gaps = r.audit.coverage
          .filter((c) => (inputs[m.count_type] ?? [m.count_type]).includes(c.count_type))
          .flatMap((c) => c.gaps.map((x) => [Date.parse(x.start), Date.parse(x.end)] as const));
        const first = Date.parse(`${m.month}-01T00:00:00Z`);
        let inGap = 0;
        for (let d = first; new Date(d).toISOString().slice(0, 7) === m.month; d += DAY) if (gaps.some(([s, e]) => s <= d && d + DAY <= e)) inGap += 1;
        expect({ site: r.site, month: m.month, count_type: m.count_type, uncovered: m.uncovered_days }).toEqual({ site: r.site, month: m.month, count_type: m.count_type, uncovered: inGap });
      }
    }
  });

  it('compares active, stopped and (on KVM only) the on-demand pool, with instances really stopped', () => {
    for (const r of recovered) {
      const hours = (ct: string) => r.months.filter((m) => m.count_type === ct).reduce((n, m) => n + m.truth_node_hours, 0);
      const compared = (ct: string) => r.months.filter((m) => m.count_type === ct).reduce((n, m) => n + m.days, 0);
      expect(compared('active')).toBeGreaterThan(2500);
      expect(compared('stopped')).toBeGreaterThan(2500);
      expect(hours('stopped')).toBeGreaterThan(0);
      expect(hours('active')).toBeLessThan(hours('occupied'));
      expect(compared('ondemand_capacity') > 0).toBe(r.site === 'kvm_tacc');
      const power = r.audit.power.find((p) => p.site === r.site);
      expect(power?.active_covered).toBe(true);
      expect(power?.instances_with_repeated_switches).toBeGreaterThan(0);
      expect(power?.power_state_mismatch).toEqual({ on_by_history: 0, off_by_history: 0 });
    }
  });

  it('names the lost history as known gaps: Nova hosts before 2018, Blazar hosts before 2020', () => {
    for (const r of recovered) {
      const reasons = (ct: string) => r.audit.coverage.filter((c) => c.count_type === ct).flatMap((c) => c.gaps.map((x) => x.reason));
      expect(reasons('total')).toEqual(['known gap: Nova hosts before 2018 were lost']);
      expect(reasons('reservable')).toEqual(['known gap: Blazar hosts before 2020 were lost']);
    }
  });

  it('needs the clamping rules only where the parent is not covered, never to remove node-hours', () => {
    for (const r of recovered) {
      const removed = r.audit.clamping.filter((c) => (c.action === 'orphan' || c.action === 'clipped') && c.node_hours > 1e-6);
      expect(removed).toEqual([]);
    }
  });
});
