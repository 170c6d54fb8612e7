/**
 * Report per site: `siteReport` parts joined by `assemble` are `report`, and a part that keeps no
 * per-lease facts (what the CLI asks for) differs from a full one in those facts only.
 */
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { readSite, toSiteInput } from '../adapters/readSite';
import { assemble, report, siteReport } from '../lib/Report';
import type { TimelineOptions } from '../lib/Timeline';
import * as T from '../lib/Time';
import { openFixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';

const options: TimelineOptions = {
  start: T.unsafeMillis(Date.UTC(2023, 11, 1)),
  end: T.unsafeMillis(Date.UTC(2024, 1, 1)),
  groupBy: ['node_type'],
  valueTypes: ['nodes', 'vcpus'],
  resample: O.none,
};

const inputOf = async () => {
  const fx = await openFixture('sqlite');
  try {
    await populate(fx);
    const r = await readSite(fx.src)();
    if (Ei.isLeft(r)) throw new Error(r.left.message);
    return toSiteInput(fx.src.site)(r.right);
  } finally {
    await fx.drop();
  }
};

describe('siteReport', () => {
  it('without the per-lease facts keeps everything else a full part has', async () => {
    const input = await inputOf();
    const full = siteReport(options)(input);
    const lean = siteReport(options, { leases: false })(input);
    expect(full.leadTime?.leases.length).toBeGreaterThan(0);
    expect(lean.leadTime?.leases).toEqual([]);
    expect(lean.leadTime?.rows.length).toBeGreaterThan(0);
    expect({ ...lean, leadTime: { ...lean.leadTime, leases: full.leadTime?.leases } }).toEqual(full);
    const a = assemble(options)([lean]);
    const b = report(options)([input]);
    expect(a.timeline).toEqual(b.timeline);
    expect(a.leadTime.rows).toEqual(b.leadTime.rows);
    expect(a.leadTime.stats).toEqual(b.leadTime.stats);
    expect(a.audit).toEqual(b.audit);
    expect(b.leadTime.leases).toEqual(full.leadTime?.leases);
  });
});

describe('siteReport: active, stopped and the on-demand pool (rules 11, 12)', () => {
  const countTypes = (rows: ReadonlyArray<{ count_type: string; collector_type: string }>) => [...new Set(rows.filter((r) => r.collector_type === 'new').map((r) => r.count_type))].sort();

  it('writes active and stopped where the action tables were read, and the pool only for a site that has one', async () => {
    const input = await inputOf();
    const plain = report(options)([input]);
    const cts = countTypes(plain.timeline.rows);
    expect(cts).toEqual(expect.arrayContaining(['active', 'stopped_ondemand', 'stopped_reserved', 'stopped']));
    expect(cts).not.toContain('ondemand_capacity');
    expect(cts).not.toContain('available_ondemand');
    expect(plain.audit.power).toEqual([expect.objectContaining({ site: input.site, active_covered: true })]);
    const pool = report(options)([{ ...input, ondemandPool: true }]);
    expect(countTypes(pool.timeline.rows)).toEqual(expect.arrayContaining(['ondemand_capacity', 'available_ondemand']));
    // maintenance is the operator holds alone: equal to ops wherever both are written
    const value = (rows: typeof pool.timeline.rows, ct: string) => new Map(rows.filter((r) => r.count_type === ct && r.value_type === 'nodes').map((r) => [`${r.timestamp}|${r.node_type}`, r.value]));
    const ops = value(pool.timeline.rows, 'ops');
    const maintenance = value(pool.timeline.rows, 'maintenance');
    expect(maintenance.size).toBeGreaterThan(0);
    for (const [k, v] of maintenance) if (ops.has(k)) expect(v).toBe(ops.get(k));
  });

  it('never writes active = occupied by default: without the action tables active and stopped have no rows', async () => {
    const input = await inputOf();
    const sources = input.sources.map((s) => (/instances$/.test(s.source) ? { ...s, optional_missing: ['nova.instance_actions', 'nova.instance_actions_events'] } : s));
    const rep = report(options)([{ ...input, sources }]);
    const cts = countTypes(rep.timeline.rows);
    expect(cts).toContain('occupied');
    for (const ct of ['active', 'stopped', 'stopped_reserved', 'stopped_ondemand']) expect(cts).not.toContain(ct);
    expect(rep.audit.power[0].active_covered).toBe(false);
    expect(rep.audit.coverage.find((c) => c.count_type === 'stopped_reserved')?.gaps.map((g) => g.reason)).toEqual(['instance action tables not read']);
  });

  it('keeps active within occupied and stopped = occupied - active at every row', async () => {
    // daily means: a row per series and day, so the three meet at every timestamp
    const rep = report({ ...options, resample: O.some({ bucket: '1d', method: 'mean' }) })([await inputOf()]);
    const at = new Map<string, Record<string, number>>();
    for (const r of rep.timeline.rows) {
      const k = `${r.timestamp}|${r.value_type}|${r.node_type}`;
      const m = at.get(k) ?? {};
      m[r.count_type] = r.value;
      at.set(k, m);
    }
    let checked = 0;
    for (const m of at.values()) {
      if (m.active === undefined || m.occupied === undefined) continue;
      expect(m.active).toBeLessThanOrEqual(m.occupied + 1e-9);
      expect(m.stopped).toBeCloseTo(m.occupied - m.active, 9);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    expect(rep.audit.invariants.filter((v) => v.check === 'stopped<=occupied')).toEqual([]);
  });
});
