/**
 * The device stack (`<site>_device_stack`, plot/devices.ts) of the synthetic CHI@Edge site, from
 * a real report (nodes and devices, per node type, daily): listed by `figures()` instead of the
 * host figures, its layers add up to the reservable devices, the stretch before the first
 * device is shaded "no data" (not drawn as 0), and the page carries it (round trip).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { readSiteAt, toSiteInput } from '../adapters/readSite';
import { report, type Report } from '../lib/Report';
import * as T from '../lib/Time';
import { isDeviceSite } from '../plot/devices';
import { figures, type FiguresRequest } from '../plot/figures';
import { pageData, toFiguresRequest } from '../plot/pageData';
import type { Point } from '../plot/series';
import { generate, plan, siteConfigs } from '../testbed';

jest.setTimeout(120_000);

let dir: string;
let rep: Report;
let req: FiguresRequest;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-devstack-'));
  const g = await generate({ plan: plan({ seed: 7, scale: 0.1, sites: ['chi_edge'], start: '2022-01-01' }), target: { kind: 'sqlite', dir } });
  const [{ site, url }] = siteConfigs(g);
  const read = await readSiteAt(url, site)();
  if (Ei.isLeft(read)) throw new Error(read.left.message);
  rep = report({ start: g.plan.start, end: g.plan.end, groupBy: ['node_type'], valueTypes: ['nodes', 'devices'], resample: O.some({ bucket: '1d', method: 'mean' }) })([
    toSiteInput(site)(read.right),
  ]);
  req = { rows: rep.timeline.rows, leadTimes: rep.leadTime.rows, coverage: rep.coverage, sites: ['chi_edge'], window: [g.plan.start, g.plan.end], utilization: rep.utilization };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const dataset = (fig: ReturnType<typeof figures>[number], label: string): ReadonlyArray<Point> => {
  const d = fig.config.data.datasets.find((x) => x.label === label);
  if (d === undefined) throw new Error(`no dataset ${label}`);
  return d.data as ReadonlyArray<Point>;
};
const at = (points: ReadonlyArray<Point>, x: number): number | null => {
  let v: number | null = null;
  for (const p of points) {
    if (p.x > x) break;
    v = p.y;
  }
  return v;
};

describe('the device stack', () => {
  it('replaces the host figures of a device site, and keeps its lead times', () => {
    expect(isDeviceSite(rep.timeline.rows, 'chi_edge')).toBe(true);
    expect(figures(req).map((f) => f.name)).toEqual(['chi_edge_device_stack', 'chi_edge_leadtime']);
  });

  it('stacks reserved, operator holds and available devices up to the reservable devices, per day', () => {
    const fig = figures(req)[0];
    const top = dataset(fig, 'available (reservable, not reserved)');
    const reservable = dataset(fig, 'reservable devices (dashed)');
    const rows = rep.timeline.rows.filter((r) => r.value_type === 'devices' && r.collector_type === 'new');
    const day = (iso: string, ct: string) => rows.filter((r) => r.timestamp.startsWith(iso) && r.count_type === ct).reduce((n, r) => n + r.value, 0);
    let checked = 0;
    for (const iso of ['2023-03-01', '2024-02-10', '2025-07-01']) {
      const x = Date.parse(`${iso}T12:00:00Z`);
      expect(at(top, x)).toBeCloseTo(day(iso, 'reservable'), 9);
      expect(at(reservable, x)).toBeCloseTo(day(iso, 'reservable'), 9);
      expect(day(iso, 'committed') + day(iso, 'ops') + day(iso, 'available')).toBeCloseTo(day(iso, 'reservable'), 9);
      if (day(iso, 'reservable') > 0) checked++;
    }
    expect(checked).toBe(3);
  });

  it('shades the months before the first device as no data, never 0', () => {
    const fig = figures(req)[0];
    const regions = (fig.config.options?.plugins as { gaps: { regions: Array<{ start: number; end: number }> } }).gaps.regions;
    expect(regions.length).toBeGreaterThan(0);
    expect(regions[0].start).toBe(Date.UTC(2022, 0, 1));
    expect(regions[0].end).toBeGreaterThan(Date.UTC(2022, 5, 1));
    expect(at(dataset(fig, 'available (reservable, not reserved)'), Date.UTC(2022, 1, 1))).toBeNull();
  });

  it('is on the page as in the PNGs (round trip through the page data)', () => {
    const data = pageData({ rows: rep.timeline.rows, leadTimes: rep.leadTime.rows, coverage: rep.coverage, sites: ['chi_edge'], window: req.window as [number, number], audit: rep.audit }, 'day');
    expect(data.valueType).toBe('nodes');
    expect(data.deviceSeries?.length).toBeGreaterThan(0);
    const back = figures(toFiguresRequest(data));
    expect(back.map((f) => f.name)).toEqual(['chi_edge_device_stack', 'chi_edge_leadtime']);
    const x = Date.parse('2024-02-10T12:00:00Z');
    expect(at(dataset(back[0], 'reservable devices (dashed)'), x)).toBeCloseTo(at(dataset(figures(req)[0], 'reservable devices (dashed)'), x) ?? NaN, 3);
    expect(T.toIso(T.unsafeMillis(data.window[0]))).toBe('2022-01-01T00:00:00Z');
  });
});
