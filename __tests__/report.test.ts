import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { runReport, type ReportRequest } from '../cli/report';
import * as T from '../lib/Time';
import type { UsageRow } from '../lib/UsageRow';
import { describeBoth, openFixture, type Fixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';

const at = (iso: string) => O.getOrElse((): T.Millis => T.unsafeMillis(NaN))(T.fromIso(iso));

const request = (fx: Fixture, out: string, over: Partial<ReportRequest> = {}): ReportRequest => ({
  targets: [{ site: { ...fx.src.site, site: 'small' }, url: fx.url }],
  out,
  start: at('2024-01-01'),
  end: at('2024-02-01'),
  groupBy: [],
  valueTypes: ['nodes', 'vcpus'],
  resample: O.none,
  facts: false,
  log: () => undefined,
  ...over,
});

const run = async (req: ReportRequest) => {
  const r = await runReport(req)();
  if (Ei.isLeft(r)) throw new Error(JSON.stringify(r.left));
  return r.right;
};

/** The rows of one series as [timestamp, value] pairs. */
const series = (rows: ReadonlyArray<UsageRow>, count_type: string, collector = 'new', value_type = 'nodes') =>
  rows.filter((r) => r.count_type === count_type && r.collector_type === collector && r.value_type === value_type).map((r) => [r.timestamp.slice(0, 13), r.value]);

describeBoth('report on a small site with known answers', (dialect) => {
  let fx: Fixture;
  let dir: string;
  beforeAll(async () => {
    fx = await openFixture(dialect, { site: 'small' });
    await populate(fx);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-report-'));
  });
  afterAll(async () => {
    await fx?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts Nova nodes, merging a recreated row, from the window start', async () => {
    const { report } = await run(request(fx, dir));
    expect(series(report.timeline.rows, 'total')).toEqual([
      ['2024-01-01T00', 2],
      ['2024-01-20T00', 1],
    ]);
  });

  it('clips a Blazar host to its Nova window and audits the cut node-hours', async () => {
    const { report } = await run(request(fx, dir));
    expect(series(report.timeline.rows, 'reservable')).toEqual([
      ['2024-01-02T00', 2],
      ['2024-01-20T00', 1],
    ]);
    expect(report.audit.clamping.filter((c) => c.count_type === 'reservable')).toEqual([
      { site: 'small', count_type: 'reservable', action: 'clipped', rows: 1, node_hours: 5 * 24 },
      { site: 'small', count_type: 'reservable', action: 'none', rows: 1, node_hours: expect.any(Number) },
    ]);
  });

  it('starts committed at the earliest lease and ignores a lease deleted before its start', async () => {
    const { report } = await run(request(fx, dir));
    expect(series(report.timeline.rows, 'committed')).toEqual([
      ['2024-01-03T00', 0],
      ['2024-01-05T00', 2],
      ['2024-01-10T00', 0],
    ]);
    const alloc = report.audit.sources.find((s) => s.source.endsWith('.computehost_allocations'));
    expect(alloc).toMatchObject({ rows_read: 3, rows_folded: 2, rows_rejected: 1, rejected_by_reason: { deleted_before_start: 1 } });
  });

  it('derives available, idle and maintenance where all inputs are covered', async () => {
    const { report } = await run(request(fx, dir));
    const rows = report.timeline.rows;
    expect(series(rows, 'occupied_reserved')).toEqual([
      ['2024-01-05T06', 1],
      ['2024-01-06T06', 0],
    ]);
    expect(series(rows, 'available')).toEqual([
      ['2024-01-03T00', 2],
      ['2024-01-05T00', 0],
      ['2024-01-10T00', 2],
      ['2024-01-20T00', 1],
    ]);
    expect(series(rows, 'idle')).toEqual([
      ['2024-01-05T06', 1],
      ['2024-01-06T06', 2],
      ['2024-01-10T00', 0],
    ]);
    expect(series(rows, 'maintenance')).toEqual([['2024-01-03T00', 0]]);
    expect(report.audit.invariants).toEqual([]);
  });

  it('gives daily means that conserve node-hours', async () => {
    const { report } = await run(request(fx, dir, { resample: O.some({ bucket: '1d', method: 'mean' }) }));
    const total = report.timeline.rows.filter((r) => r.count_type === 'total' && r.collector_type === 'new' && r.value_type === 'nodes');
    expect(total).toHaveLength(31);
    expect(total.reduce((s, r) => s + r.value * 24, 0)).toBeCloseTo(31 * 24 + 19 * 24, 6);
    const idle = report.timeline.rows.find((r) => r.count_type === 'idle' && r.timestamp === '2024-01-05T00:00:00Z' && r.value_type === 'nodes');
    // idle is covered from 06:00 on Jan 5: 1 node for the rest of the day
    expect(idle?.value).toBe(1);
  });

  it('maps the legacy caches beside the new collector', async () => {
    const { report } = await run(request(fx, dir));
    const legacy = report.timeline.rows.filter((r) => r.collector_type === 'legacy');
    expect(Object.fromEntries(legacy.map((r) => [r.count_type, r.value]))).toEqual({
      total: 2,
      reservable: 2,
      committed: 2,
      occupied: 1,
      idle: 1,
      available: 0,
      maintenance: 0,
    });
    expect(legacy.every((r) => r.timestamp === '2024-01-05T00:00:00Z' && r.value_type === 'nodes')).toBe(true);
  });

  it('writes the exact columns, one row per key, and the audit whose sources add up', async () => {
    await run(request(fx, dir, { groupBy: ['node_type'], facts: true }));
    const csv = fs.readFileSync(path.join(dir, 'data', 'usage_timeline.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('site,timestamp,collector_type,count_type,value_type,value,node_type');
    const keys = csv.slice(1, -1).map((l) => l.split(',').filter((_, i) => i !== 5).join(','));
    expect(new Set(keys).size).toBe(keys.length);
    const audit = JSON.parse(fs.readFileSync(path.join(dir, 'data', 'audit.json'), 'utf8'));
    for (const s of audit.sources) expect(s.rows_read).toBe(s.rows_folded + s.rows_rejected);
    expect(Object.keys(audit)).toEqual(expect.arrayContaining(['sources', 'clamping', 'coverage', 'invariants']));
    expect(fs.readFileSync(path.join(dir, 'data', 'facts_timeline.csv'), 'utf8').split('\n')[0]).toBe(
      'site,timestamp,source,entity_id,count_type,value_type,value,node_type,hypervisor_hostname',
    );
    const daily = fs.readFileSync(path.join(dir, 'data', 'usage_daily.csv'), 'utf8').split('\n');
    expect(daily[0]).toBe('timestamp,site,value_type,total,reservable,committed,occupied,occupied_reserved,occupied_ondemand,available,idle,maintenance,ops,active,stopped,stopped_reserved,stopped_ondemand,ondemand_capacity,available_ondemand,reservable_usable,reservable_unusable,committed_usable,committed_unusable,ops_unusable,unusable,total_unusable,node_type');
  });

  it('draws the figures with the data, in one atomic write', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-plots-'));
    try {
      const r = await run(request(fx, out, { plots: ['png', 'svg'] }));
      const plots = fs.readdirSync(path.join(out, 'plots')).sort();
      expect(plots).toEqual(expect.arrayContaining(['small_legacy_facets.png', 'small_usage_stack.png', 'small_usage_stack.svg', 'small_leadtime.png']));
      expect(r.files.filter((f) => f.includes(`${path.sep}plots${path.sep}`))).toHaveLength(plots.length);
      const png = fs.readFileSync(path.join(out, 'plots', 'small_usage_stack.png'));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('writes byte-identical files on a second run', async () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-det-'));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-det-'));
    try {
      await run(request(fx, a, { groupBy: ['node_type', 'hypervisor_hostname'] }));
      await run(request(fx, b, { groupBy: ['node_type', 'hypervisor_hostname'] }));
      for (const f of fs.readdirSync(path.join(a, 'data'))) {
        expect(fs.readFileSync(path.join(b, 'data', f))).toEqual(fs.readFileSync(path.join(a, 'data', f)));
      }
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
  });
});

describeBoth('report: the lead-time timeline of a small site', (dialect) => {
  let fx: Fixture;
  let dir: string;
  beforeAll(async () => {
    fx = await openFixture(dialect, { site: 'small' });
    await populate(fx);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-lead-'));
  });
  afterAll(async () => {
    await fx?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes leadtime_timeline.csv and .json with the same rows, per node type, beside the usage timeline', async () => {
    await run(request(fx, dir, { groupBy: ['node_type'] }));
    const csv = fs.readFileSync(path.join(dir, 'data', 'leadtime_timeline.csv'), 'utf8');
    // L2: created Jan 3, start Jan 6, deleted before its start; L1: created Jan 4 12:00, start Jan 5, started 7 s late
    expect(csv).toBe(
      [
        'site,timestamp,leadtime_type,value,node_type',
        'small,2024-01-03T00:00:00Z,requested,72,compute_skylake',
        'small,2024-01-04T12:00:00Z,requested,12,compute_skylake',
        'small,2024-01-04T12:00:00Z,effective,12.001944,compute_skylake',
        '',
      ].join('\n'),
    );
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'data', 'leadtime_timeline.json'), 'utf8'));
    expect(json.map((r: Record<string, unknown>) => Object.values(r).join(','))).toEqual(csv.split('\n').slice(1, -1));
    const stats = JSON.parse(fs.readFileSync(path.join(dir, 'data', 'leadtime_stats.json'), 'utf8'));
    expect(stats).toEqual([
      { site: 'small', month: '2024-01-01T00:00:00Z', leadtime_type: 'requested', count: 2, median_hours: 42, p90_hours: 66, share_within_1h: 0, node_type: 'compute_skylake' },
      { site: 'small', month: '2024-01-01T00:00:00Z', leadtime_type: 'effective', count: 1, median_hours: 12.001944, p90_hours: 12.001944, share_within_1h: 0, node_type: 'compute_skylake' },
    ]);
  });

  it('adds the lead-time section to the audit and the leases table to its sources', async () => {
    const { report } = await run({ ...request(fx, dir), leases: true });
    expect((await run(request(fx, dir))).report.leadTime.leases).toEqual([]);
    expect(report.audit.leadtime).toEqual([
      {
        site: 'small',
        leases_seen: 2,
        excluded: { operator: 0, outside_window: 0 },
        leases_reported: 2,
        with_effective: 1,
        effective_from_schedule: 0,
        missing_effective_by_reason: { deleted_before_start: 1 },
        negative_lead_time: { requested: 0, effective: 0 },
        timeline_rows: 3,
        merged_rows: 0,
      },
    ]);
    expect(report.audit.sources.find((s) => s.source.endsWith('.leases'))).toMatchObject({ status: 'read', rows_read: 2, rows_folded: 2, rows_rejected: 0 });
    expect(report.leadTime.leases.map((l) => [l.lease_id, l.node_types, l.missing_effective])).toEqual([
      ['aaaaaaaa-0000-4000-8000-000000000001', ['compute_skylake'], null],
      ['aaaaaaaa-0000-4000-8000-000000000002', ['compute_skylake'], 'deleted_before_start'],
    ]);
  });

  it('excludes and counts an operator lease, and leases created outside the window', async () => {
    const ops = { ...fx.src.site, site: 'small', operatorProjects: ['project-1'] };
    const { report } = await run(request(fx, dir, { targets: [{ site: ops, url: fx.url }] }));
    expect(report.audit.leadtime[0]).toMatchObject({ leases_seen: 2, excluded: { operator: 2, outside_window: 0 }, leases_reported: 0, timeline_rows: 0 });
    const late = await run(request(fx, dir, { start: at('2024-01-04') }));
    expect(late.report.audit.leadtime[0]).toMatchObject({ excluded: { operator: 0, outside_window: 1 }, leases_reported: 1 });
  });
});
