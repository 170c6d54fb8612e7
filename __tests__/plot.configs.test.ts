import { baseCountTypes, type BaseCountType, type CountType } from '../lib/CountType';
import { coverageOf, type CountCoverage } from '../lib/Coverage';
import * as T from '../lib/Time';
import type { LeadTimeRow, UsageRow } from '../lib/UsageRow';
import { crossSite, facetCountTypes, LEADTIME_FLOOR_HOURS, legacyFacets, leadTime, usageStack, type Figure } from '../plot/configs';
import type { GapRegion } from '../plot/gaps';
import { siteShades, stackColors } from '../plot/palette';
import { niceMax } from '../plot/scales';
import * as S from '../plot/series';
import { nodeTypes, utilizationFigure } from '../plot/utilization';
import { coverageFor, usageRows, utilizationRows } from './plot.fixture';

const day = (d: number) => Date.UTC(2024, 0, d);
const WINDOW: S.Window = [day(1), day(11)];

/** Coverage with a known gap of `total` from Jan 4 to Jan 6 (and of everything else on `gapAll`). */
const coverage = (gapAll?: readonly [number, number]): Readonly<Record<BaseCountType, CountCoverage>> => {
  const of = coverageOf({
    window: [T.unsafeMillis(WINDOW[0]), T.unsafeMillis(WINDOW[1])],
    earliest: {},
    sourceRead: Object.fromEntries(baseCountTypes.map((c) => [c, true])),
    configStart: {},
    knownGaps: [
      { countTypes: ['total'], start: T.unsafeMillis(day(4)), end: T.unsafeMillis(day(6)), note: 'lost' },
      ...(gapAll === undefined ? [] : [{ countTypes: [...baseCountTypes], start: T.unsafeMillis(gapAll[0]), end: T.unsafeMillis(gapAll[1]), note: 'down' }]),
    ],
  });
  return Object.fromEntries(baseCountTypes.map((c) => [c, of(c)])) as Record<BaseCountType, CountCoverage>;
};

const row = (site: string, d: number, ct: CountType, value: number, collector: UsageRow['collector_type'] = 'new'): UsageRow => ({
  site,
  timestamp: T.toIso(T.unsafeMillis(day(d))),
  collector_type: collector,
  count_type: ct,
  value_type: 'nodes',
  value,
});

/** A consistent small site: total 10 then 12 (unknown Jan 4-6), reservable 8, committed 2 then 5, 1 occupied. */
const siteRows = (site: string, ondemand = 0): UsageRow[] => [
  row(site, 1, 'total', 10),
  row(site, 6, 'total', 12),
  row(site, 1, 'reservable', 8),
  row(site, 1, 'committed', 2),
  row(site, 3, 'committed', 5),
  row(site, 1, 'ops', 0),
  row(site, 1, 'occupied_reserved', 1),
  row(site, 1, 'occupied_ondemand', ondemand),
  row(site, 1, 'occupied', 1 + ondemand),
  row(site, 1, 'available', 6),
  row(site, 3, 'available', 3),
  row(site, 1, 'idle', 1),
  row(site, 3, 'idle', 4),
  row(site, 1, 'maintenance', 2),
  row(site, 6, 'maintenance', 4),
  row(site, 2, 'reservable', 7.5, 'legacy'),
  row(site, 3, 'reservable', 7, 'legacy'),
];

const datasets = (f: Figure) => f.config.data.datasets;
const labels = (f: Figure) => datasets(f).map((d) => d.label);
const dataOf = (f: Figure, label: string) => (datasets(f).find((d) => d.label === label)?.data ?? []) as S.Point[];
const at = (pts: ReadonlyArray<S.Point>, x: number) => pts.filter((p) => p.x <= x).pop()?.y;
const regions = (f: Figure) => (f.config.options?.plugins?.gaps?.regions ?? []) as ReadonlyArray<GapRegion>;
const scale = (f: Figure, id: string) => (f.config.options?.scales as Record<string, Record<string, unknown>>)[id];
const title = (f: Figure) => [f.config.options?.plugins?.title?.text, f.config.options?.plugins?.subtitle?.text].join(' | ');

describe('series', () => {
  it('toPoints draws each value to the next breakpoint and breaks the line where the value is unknown', () => {
    expect(S.toPoints([{ t: 0, v: 1 }, { t: 5, v: null }, { t: 7, v: 2 }], [0, 10])).toEqual([
      { x: 0, y: 1 },
      { x: 5, y: 1 },
      { x: 5, y: null },
      { x: 7, y: 2 },
      { x: 10, y: 2 },
    ]);
  });

  it('a new-collector value holds until the next gap and a legacy value for one day', () => {
    const hold = S.holdUntilGap([0, 100], [[40, 60]]);
    expect(S.fromRows([row('s', 1, 'total', 3)], () => day(1) + 5)).toEqual([{ t: day(1), v: 3 }, { t: day(1) + 5, v: null }]);
    expect([hold(10), hold(60), hold(70)]).toEqual([40, 100, 100]);
  });

  it('dailyMeans averages each day over its known hours only', () => {
    const steps = [{ t: 0, v: 0 }, { t: 6 * T.HOUR, v: 4 }, { t: T.DAY + 12 * T.HOUR, v: null }];
    expect(S.dailyMeans(steps, [0, 3 * T.DAY])).toEqual([{ t: 0, v: 3 }, { t: T.DAY, v: 4 }, { t: 2 * T.DAY, v: null }]);
  });

  it('stack with unknown "own" lets an unknown layer count as nothing for the layers above', () => {
    const a = [{ t: 0, v: null }, { t: 5, v: 1 }];
    const b = [{ t: 0, v: 2 }];
    expect(S.stack([a, b], 'own')).toEqual([[{ t: 0, v: null }, { t: 5, v: 1 }], [{ t: 0, v: 2 }, { t: 5, v: 3 }]]);
    expect(S.stack([a, b], 'all')[1]).toEqual([{ t: 0, v: null }, { t: 5, v: 3 }]);
  });
});

describe('usageStack', () => {
  const fig = () => usageStack(siteRows('chi_uc'), coverage(), { site: 'chi_uc', window: WINDOW });

  it('is named <site>_usage_stack and titled with the site and the date range', () => {
    expect(fig().name).toBe('chi_uc_usage_stack');
    expect(title(fig())).toMatch(/CHI@UC.*nodes.*2024-01-01 to 2024-01-10 \(UTC\)/);
  });

  it('lists the lines first, then the areas from the top of the stack down, then the "no data" key', () => {
    expect(labels(fig())).toEqual([
      'total capacity',
      'reservable capacity (dashed)',
      'legacy reservable capacity (dotted)',
      'maintenance / not reservable',
      'available (reservable, not reserved)',
      'idle (reserved, not occupied)',
      'used (occupied by reserved instances)',
      'no data',
    ]);
  });

  it('fills each area down to the one below it and the bottom one to zero, in the stack colors', () => {
    const areas = datasets(fig()).slice(3, 7);
    expect(areas.map((d) => (d as { fill?: unknown }).fill)).toEqual(['+1', '+1', '+1', 'origin']);
    expect(areas.map((d) => d.backgroundColor)).toEqual([stackColors.maintenance, stackColors.available, stackColors.idle, stackColors.used]);
    expect(datasets(fig())[0].borderColor).toBe('#000000');
    expect((datasets(fig())[1] as { borderDash?: unknown }).borderDash).toEqual([6, 4]);
  });

  it('draws every series as steps, not interpolated', () => {
    for (const d of datasets(fig()).slice(0, 7)) expect((d as { stepped?: unknown }).stepped).toBe('before');
  });

  it('stacks cumulatively so the top of the stack is the total capacity', () => {
    const f = fig();
    expect(at(dataOf(f, 'used (occupied by reserved instances)'), day(2))).toBe(1);
    expect(at(dataOf(f, 'idle (reserved, not occupied)'), day(2))).toBe(2);
    expect(at(dataOf(f, 'available (reservable, not reserved)'), day(2))).toBe(8);
    expect(at(dataOf(f, 'maintenance / not reservable'), day(2))).toBe(10);
    expect(at(dataOf(f, 'maintenance / not reservable'), day(7))).toBe(12);
    expect(at(dataOf(f, 'total capacity'), day(7))).toBe(12);
  });

  it('shades the coverage gap as "no data" and leaves the stack and the total unknown there, not zero', () => {
    const f = fig();
    expect(regions(f)).toEqual([{ start: day(4), end: day(6), label: 'no data' }]);
    expect(at(dataOf(f, 'total capacity'), day(5))).toBeNull();
    expect(at(dataOf(f, 'maintenance / not reservable'), day(5))).toBeNull();
    // the value before the gap is drawn up to the gap
    expect(dataOf(f, 'total capacity')).toContainEqual({ x: day(4), y: 10 });
  });

  it('spans the window on x and starts y at zero with room above the largest value', () => {
    const f = fig();
    expect(scale(f, 'x')).toMatchObject({ type: 'linear', min: WINDOW[0], max: WINDOW[1] });
    expect(scale(f, 'y')).toMatchObject({ min: 0, max: niceMax(12) });
    expect(niceMax(12)).toBeGreaterThan(12);
  });

  it('adds on-demand use above the reservable areas only when the site has some', () => {
    expect(labels(fig())).not.toContain('on-demand use');
    const kvm = usageStack(siteRows('kvm_tacc', 1), coverage(), { site: 'kvm_tacc', window: WINDOW });
    expect(labels(kvm).slice(3, 8)).toEqual([
      'maintenance / not reservable',
      'on-demand use',
      'available (reservable, not reserved)',
      'idle (reserved, not occupied)',
      'used (occupied by reserved instances)',
    ]);
    // on-demand comes out of the non-reservable part: the top is still the total
    expect(at(dataOf(kvm, 'on-demand use'), day(2))).toBe(9);
    expect(at(dataOf(kvm, 'maintenance / not reservable'), day(2))).toBe(10);
  });

  it('builds a fresh configuration on every call: mutating one leaves the next untouched', () => {
    const rows = siteRows('chi_uc');
    const copy = JSON.parse(JSON.stringify(rows));
    const a = usageStack(rows, coverage(), { site: 'chi_uc', window: WINDOW });
    const b = usageStack(rows, coverage(), { site: 'chi_uc', window: WINDOW });
    expect(a.config).not.toBe(b.config);
    expect(a.config.data.datasets[0].data).not.toBe(b.config.data.datasets[0].data);
    (a.config.data.datasets[0].data as S.Point[])[0].y = 999;
    a.config.options = { responsive: false, animation: false };
    const c = usageStack(rows, coverage(), { site: 'chi_uc', window: WINDOW });
    expect(JSON.stringify(c.config)).toBe(JSON.stringify(b.config));
    expect(rows).toEqual(copy);
  });
});

describe('legacyFacets', () => {
  const fig = () => legacyFacets(siteRows('chi_tacc'), { site: 'chi_tacc', window: WINDOW, coverage: coverage() });

  it('is named <site>_legacy_facets and has one stacked y axis per count type, total at the top', () => {
    const f = fig();
    expect(f.name).toBe('chi_tacc_legacy_facets');
    const ids = Object.keys(f.config.options?.scales ?? {}).filter((k) => k !== 'x');
    // stacked axes are laid out bottom first
    expect(ids).toEqual(facetCountTypes.map((ct) => `y_${ct}`).reverse());
    for (const id of ids) expect(scale(f, id)).toMatchObject({ stack: 'facets', stackWeight: 1, min: 0 });
    expect(title(f)).toMatch(/CHI@TACC: legacy vs new.*2024-01-01 to 2024-01-10/);
  });

  it('draws two stepped lines per facet, new and legacy, on the facet axis', () => {
    const ds = datasets(fig()).filter((d) => d.label !== 'no data') as Array<{ label?: string; yAxisID?: string; stepped?: unknown; borderColor?: unknown }>;
    expect(ds).toHaveLength(2 * facetCountTypes.length);
    expect(ds.map((d) => d.yAxisID)).toEqual(facetCountTypes.flatMap((ct) => [`y_${ct}`, `y_${ct}`]));
    expect(new Set(ds.map((d) => d.stepped))).toEqual(new Set(['before']));
    expect(ds[0].label).toMatch(/^new collector/);
    expect(ds[1].label).toMatch(/^legacy collector/);
    expect(ds[0].borderColor).not.toBe(ds[1].borderColor);
  });

  it('compares like with like: the new collector as daily means, legacy values one day each', () => {
    const ds = datasets(fig());
    const reservableLegacy = ds[3].data as S.Point[];
    expect(reservableLegacy).toEqual([
      { x: day(2), y: 7.5 },
      { x: day(3), y: 7 },
      { x: day(4), y: 7 },
      { x: day(4), y: null },
    ]);
    const committedNew = ds[4].data as S.Point[];
    expect(at(committedNew, day(2))).toBe(2);
    expect(at(committedNew, day(3))).toBe(5);
  });

  it('shades the gaps of each facet in that facet only', () => {
    const r = regions(fig());
    expect(r.map((g) => g.yAxisID).sort()).toEqual(['y_maintenance', 'y_total']);
    expect(r[0]).toMatchObject({ start: day(4), end: day(6) });
  });
});

describe('crossSite', () => {
  const sites = ['chi_uc', 'chi_tacc'];
  const cov = new Map([
    ['chi_uc', coverage()],
    ['chi_tacc', coverage([day(8), day(9)])],
  ]);
  const fig = () => crossSite([...siteRows('chi_uc'), ...siteRows('chi_tacc', 1)], { sites, coverage: cov, window: WINDOW });

  it('stacks used (dark) under available (light) per site, the first site at the bottom, under the total line', () => {
    const f = fig();
    expect(f.name).toBe('cross_site_usage');
    expect(labels(f)).toEqual(['total capacity, all sites', 'CHI@TACC: available', 'CHI@TACC: used', 'CHI@UC: available', 'CHI@UC: used', 'no data']);
    const shades = siteShades(sites);
    expect(datasets(f).slice(1, 5).map((d) => d.backgroundColor)).toEqual([
      shades.get('chi_tacc')?.light,
      shades.get('chi_tacc')?.dark,
      shades.get('chi_uc')?.light,
      shades.get('chi_uc')?.dark,
    ]);
    expect(shades.get('chi_uc')?.dark).toBe('#2b8a3e');
  });

  it('counts used as committed plus on-demand use and stacks the sites', () => {
    const f = fig();
    expect(at(dataOf(f, 'CHI@UC: used'), day(2))).toBe(2);
    expect(at(dataOf(f, 'CHI@UC: available'), day(2))).toBe(8);
    expect(at(dataOf(f, 'CHI@TACC: used'), day(2))).toBe(8 + 3);
    expect(at(dataOf(f, 'CHI@TACC: available'), day(2))).toBe(8 + 3 + 6);
    expect(at(dataOf(f, 'total capacity, all sites'), day(7))).toBe(24);
  });

  it('leaves a site without data out (not zero), names it in the shaded region and drops the all-site total there', () => {
    const f = fig();
    expect(at(dataOf(f, 'CHI@TACC: used'), day(8) + 1)).toBeNull();
    expect(at(dataOf(f, 'CHI@UC: available'), day(8) + 1)).toBe(5 + 3);
    expect(at(dataOf(f, 'total capacity, all sites'), day(8) + 1)).toBeNull();
    expect(regions(f)).toEqual([
      { start: day(4), end: day(6), label: 'no data:\nCHI@UC\nCHI@TACC' },
      { start: day(8), end: day(9), label: 'no data:\nCHI@TACC' },
    ]);
  });
});

describe('leadTime', () => {
  const lt = (d: number, type: LeadTimeRow['leadtime_type'], value: number, node_type: string): LeadTimeRow => ({
    site: 'chi_uc',
    timestamp: T.toIso(T.unsafeMillis(day(d))),
    leadtime_type: type,
    value,
    node_type,
  });
  const rows = [lt(2, 'requested', 24, 'gpu'), lt(2, 'effective', 25, 'gpu'), lt(3, 'requested', -0.01, 'cpu'), lt(3, 'effective', 0.5, 'cpu'), lt(4, 'requested', 3, 'x'), { ...lt(4, 'requested', 3, 'x'), site: 'other' }];
  const fig = () => leadTime(rows, { site: 'chi_uc', window: WINDOW });

  it('puts requested and effective side by side on stacked x axes sharing a log y axis in hours', () => {
    const f = fig();
    expect(f.name).toBe('chi_uc_leadtime');
    expect(f.config.type).toBe('scatter');
    expect(scale(f, 'x_requested')).toMatchObject({ stack: 'panels', min: WINDOW[0], max: WINDOW[1] });
    expect(scale(f, 'x_effective')).toMatchObject({ stack: 'panels' });
    expect(scale(f, 'y')).toMatchObject({ type: 'logarithmic', min: LEADTIME_FLOOR_HOURS, title: { text: 'lead time (hours, log scale)' } });
    expect(datasets(f).map((d) => [(d as { xAxisID?: string }).xAxisID, d.label])).toEqual([
      ['x_requested', 'cpu'],
      ['x_requested', 'gpu'],
      ['x_requested', 'x'],
      ['x_effective', 'cpu'],
      ['x_effective', 'gpu'],
    ]);
  });

  it('colors by node type the same in both panels', () => {
    const ds = datasets(fig());
    expect(ds[0].backgroundColor).toBe(ds[3].backgroundColor);
    expect(ds[0].backgroundColor).not.toBe(ds[1].backgroundColor);
  });

  it('draws lead times under a minute at one minute and says how many in the subtitle', () => {
    const f = fig();
    expect(dataOf(f, 'cpu')[0]).toEqual({ x: day(3), y: LEADTIME_FLOOR_HOURS });
    expect(title(f)).toMatch(/1 lead times under 1 min/);
  });
});

describe('figures of realistic rows', () => {
  it('keep the top of the usage stack on the total capacity wherever both are known', () => {
    const rows = usageRows();
    for (const site of ['chi_tacc', 'kvm_tacc'] as const) {
      const f = usageStack(rows, coverageFor(site), { site });
      const top = dataOf(f, site === 'kvm_tacc' ? 'maintenance (operator holds)' : 'maintenance / not reservable');
      const total = dataOf(f, 'total capacity');
      let compared = 0;
      // at every change of any layer
      for (const { x } of dataOf(f, 'used, running (reserved instances)')) {
        const [y, t] = [at(top, x), at(total, x)];
        if (y === null || y === undefined || t === null || t === undefined) continue;
        expect(y).toBeCloseTo(t, 6);
        compared++;
      }
      expect(compared).toBeGreaterThan(100);
    }
  });

  it('draw the unusable band out of maintenance where the host state is known, and shade where it is not (section 15)', () => {
    const rows = usageRows();
    const tacc = usageStack(rows, coverageFor('chi_tacc'), { site: 'chi_tacc' });
    expect(labels(tacc)).toContain('unusable (free, host out of service)');
    const regions = (tacc.config.options?.plugins as { gaps: { regions: ReadonlyArray<GapRegion> } }).gaps.regions;
    const unknown = regions.filter((g) => g.label === 'usable split unknown (no audit rows)');
    expect(unknown.length).toBeGreaterThan(0);
    // the split is covered from 2023-10-01 on: nothing after it is shaded as unknown split
    expect(unknown.every((g) => g.end <= Date.UTC(2023, 9, 1))).toBe(true);
    // a site without the audit tables draws no such band and no such shade
    const uc = usageStack(rows, coverageFor('chi_uc'), { site: 'chi_uc' });
    expect(labels(uc)).not.toContain('unusable (free, host out of service)');
    expect((uc.config.options?.plugins as { gaps: { regions: ReadonlyArray<GapRegion> } }).gaps.regions.some((g) => g.label.startsWith('usable split'))).toBe(false);
  });

  it('draw occupied as running and stopped, and the KVM on-demand pool as its use and its free part, not maintenance', () => {
    const rows = usageRows();
    const uc = labels(usageStack(rows, coverageFor('chi_uc'), { site: 'chi_uc' }));
    expect(uc).toContain('used, running (reserved instances)');
    expect(uc).toContain('used, stopped (host held)');
    expect(uc).not.toContain('on-demand pool, free');
    const kvm = usageStack(rows, coverageFor('kvm_tacc'), { site: 'kvm_tacc' });
    expect(labels(kvm).slice(2, 10)).toEqual([
      'maintenance (operator holds)',
      'on-demand pool, free',
      'on-demand use, stopped',
      'on-demand use, running',
      'available (reservable, not reserved)',
      'idle (reserved, not occupied)',
      'used, stopped (host held)',
      'used, running (reserved instances)',
    ]);
    // stopped sits on running: the two make occupied_reserved
    const t = Date.UTC(2024, 5, 1, 12);
    const running = at(dataOf(kvm, 'used, running (reserved instances)'), t) ?? NaN;
    const withStopped = at(dataOf(kvm, 'used, stopped (host held)'), t) ?? NaN;
    const reserved = rows.filter((r) => r.site === 'kvm_tacc' && r.count_type === 'occupied_reserved' && Date.parse(r.timestamp) <= t).pop()?.value;
    expect(withStopped).toBeCloseTo(reserved ?? NaN, 6);
    expect(running).toBeLessThanOrEqual(withStopped);
  });
});

describe('nodeTypes and utilizationFigure', () => {
  const u = utilizationRows();

  it('draws one panel per node type (not `all`), the daily means on its left axis and the monthly % on its right one', () => {
    const f = nodeTypes(u.daily, u.monthly, { site: 'chi_uc' });
    expect(f.name).toBe('chi_uc_node_types');
    const axes = Object.keys(f.config.options?.scales ?? {});
    expect(axes.sort()).toEqual(['p0', 'p1', 'x', 'y0', 'y1']);
    expect(scale(f, 'y0')).toMatchObject({ stack: 'counts', title: { text: 'compute' } });
    expect(scale(f, 'y1')).toMatchObject({ stack: 'counts', title: { text: 'gpu_a100' } });
    expect(scale(f, 'p0')).toMatchObject({ stack: 'pcts', position: 'right', min: 0, max: 100 });
    const sets = datasets(f) as Array<{ label: string; yAxisID: string }>;
    expect(sets.filter((d) => d.yAxisID === 'y1').map((d) => d.label)).toEqual(['reservable (daily mean)', 'committed (daily mean)', 'occupied (daily mean)']);
    expect(sets.filter((d) => d.yAxisID === 'p1').map((d) => d.label)).toEqual(['committed / reservable (monthly %)', 'occupied / reservable (monthly %)']);
    // a month's % holds over the month
    const jan = u.monthly.find((r) => r.site === 'chi_uc' && r.node_type === 'gpu_a100' && r.period === '2023-03');
    const onAxis = (label: string, axis: string) => ((datasets(f) as Array<{ label: string; yAxisID: string; data: S.Point[] }>).find((d) => d.label === label && d.yAxisID === axis)?.data ?? []) as S.Point[];
    expect(at(onAxis('committed / reservable (monthly %)', 'p1'), Date.UTC(2023, 2, 20))).toBeCloseTo(jan?.committed_pct ?? NaN, 9);
  });

  it('draws % used per month for all node types, the GPU node types apart, and the on-demand pool on a pool site', () => {
    const uc = utilizationFigure(u.monthly, { site: 'chi_uc' });
    expect(uc.name).toBe('chi_uc_utilization');
    expect(labels(uc)).toEqual(['all node types: committed / reservable', 'all node types: occupied / reservable', 'GPU node types: committed / reservable', 'GPU node types: occupied / reservable']);
    const all = u.monthly.find((r) => r.site === 'chi_uc' && r.node_type === 'all' && r.period === '2023-05');
    expect(at(dataOf(uc, 'all node types: committed / reservable'), Date.UTC(2023, 4, 9))).toBeCloseTo(all?.committed_pct ?? NaN, 9);
    expect(at(dataOf(uc, 'GPU node types: committed / reservable'), Date.UTC(2023, 4, 9))).toBeCloseTo(all?.committed_pct ?? NaN, 9);
    const kvm = utilizationFigure(u.monthly, { site: 'kvm_tacc' });
    expect(labels(kvm)).toContain('on-demand pool: occupied / capacity');
  });
});
