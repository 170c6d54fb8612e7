/**
 * The four figures as pure data: timeline rows -> a fresh Chart.js configuration and its size.
 *
 * Every call builds every object anew (house style 12): the renderer mutates the configuration it
 * is given (`options.responsive`, `options.animation`, and Chart.js itself writes into datasets),
 * so a configuration is never shared or reused.
 *
 * Common to all figures:
 * - x is a `linear` axis of epoch milliseconds over the report window with UTC ticks from
 *   d3-scale (`scales.ts`); no date adapter;
 * - step data are drawn as steps (`stepped: 'before'`: a value holds from its timestamp to the
 *   next one), never interpolated; unknown stretches break the lines (`y: null`) and are shaded
 *   and labelled "no data" by the `gaps` plugin (never drawn as zero);
 * - a title with the site and a subtitle with the date range; axis titles with units; a legend.
 *
 * Rows are filtered to one value type (default `nodes`) and summed over group columns
 * (`node_type`, `hypervisor_hostname`) when the timeline is grouped.
 *
 * @since 0.1.0
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { CountType } from '../lib/CountType';
import { intersect } from '../lib/Coverage';
import type { ValueType } from '../lib/Quantities';
import * as T from '../lib/Time';
import type { LeadTimeRow, UsageRow } from '../lib/UsageRow';
import { GAP_COLOR, gapsPlugin, type GapRegion } from './gaps';
import { collectorColors, nodeTypeColors, siteShades, stackColors, withAlpha } from './palette';
import { dateRange, niceMax, utcTicks } from './scales';
import * as S from './series';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A line-type configuration with `{ x, y }` points. @category model @since 0.1.0 */
export type LineConfig = ChartConfiguration<'line', S.Point[]>;

/** A scatter configuration with `{ x, y }` points. @category model @since 0.1.0 */
export type ScatterConfig = ChartConfiguration<'scatter', S.Point[]>;

/**
 * A figure: its file name without extension, its size in pixels and its configuration.
 *
 * @category model
 * @since 0.1.0
 */
export interface Figure {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly config: LineConfig | ScatterConfig;
}

/** The options of one axis, as a configuration takes them. @category model @since 0.1.0 */
export type AxisOptions = NonNullable<NonNullable<LineConfig['options']>['scales']>[string];

/** Options shared by the per-site figures. @category model @since 0.1.0 */
export interface SiteOptions {
  readonly site: string;
  /** Display name for titles (`CHI@TACC`); default: {@link displayName}. */
  readonly siteName?: string;
  /** `[start, end)` epoch ms; default: from the coverage, else from the rows. */
  readonly window?: S.Window;
  /** Default `nodes`. */
  readonly valueType?: ValueType;
}

/** The facet count types, top to bottom. @category model @since 0.1.0 */
export const facetCountTypes = ['total', 'reservable', 'committed', 'occupied', 'available', 'idle', 'maintenance'] as const satisfies ReadonlyArray<CountType>;

/** The size of a one-panel figure, pixels. @since 0.3.0 */
export const WIDTH = 1200;
/** @since 0.3.0 */
export const HEIGHT = 620;
const FACET_HEIGHT = 130;
/**
 * The label of a stretch without data.
 *
 * @category model
 * @since 0.4.0
 */
export const NO_DATA = 'no data';

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const knownNames: Readonly<Record<string, string>> = { chi_uc: 'CHI@UC', chi_tacc: 'CHI@TACC', kvm_tacc: 'KVM@TACC', chi_edge: 'CHI@Edge' };

/**
 * The display name of a site: the Chameleon names for the three known sites, else the id.
 *
 * @example
 * displayName('chi_tacc') // 'CHI@TACC'
 * @since 0.1.0
 */
export const displayName = (site: string): string => knownNames[site] ?? site;

type Key = `${string}\u0000${string}`;

/** One series per group of a count type: rows of one site, value type and collector. */
const groupsOf = (rows: ReadonlyArray<UsageRow>, ct: CountType): ReadonlyArray<ReadonlyArray<UsageRow>> => {
  const by = new Map<Key, UsageRow[]>();
  for (const r of rows) {
    if (r.count_type !== ct) continue;
    const k: Key = `${r.node_type ?? ''}\u0000${r.hypervisor_hostname ?? ''}`;
    const list = by.get(k);
    if (list === undefined) by.set(k, [r]);
    else list.push(r);
  }
  return [...by.values()];
};

/** The series of a count type of collector `new`, summed over groups, held until its next gap. */
const newSeries = (rows: ReadonlyArray<UsageRow>, ct: CountType, window: S.Window, cov: S.SiteCoverage | undefined): S.Steps => {
  const gaps = cov === undefined ? [] : S.uncovered(window, S.coveredOf(cov, [ct]));
  const hold = S.holdUntilGap(window, gaps);
  const groups = groupsOf(rows, ct);
  return groups.length === 0 ? [] : S.sumGroups(groups.map((g) => S.fromRows(g, hold)));
};

/** The series of a count type of collector `legacy` (daily values), summed over node types. */
const legacySeries = (rows: ReadonlyArray<UsageRow>, ct: CountType): S.Steps => {
  const groups = groupsOf(rows, ct);
  return groups.length === 0 ? [] : S.sumGroups(groups.map((g) => S.fromRows(g, (t) => t + T.DAY)));
};

const pick = (rows: ReadonlyArray<UsageRow>, site: string, valueType: ValueType, collector: UsageRow['collector_type']): ReadonlyArray<UsageRow> =>
  rows.filter((r) => r.site === site && r.value_type === valueType && r.collector_type === collector);

/**
 * The window of a figure: given, else the coverage's, else the rows' (to the end of the last day).
 *
 * @since 0.3.0
 */
export const windowOf = (given: S.Window | undefined, covs: ReadonlyArray<S.SiteCoverage | undefined>, times: ReadonlyArray<number>): S.Window => {
  if (given !== undefined) return given;
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of covs) {
    const w = c === undefined ? undefined : S.windowOfCoverage(c);
    if (w === undefined) continue;
    lo = Math.min(lo, w[0]);
    hi = Math.max(hi, w[1]);
  }
  if (lo < hi) return [lo, hi];
  for (const t of times) {
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  if (!(lo <= hi)) return [0, T.DAY];
  return [Math.floor(lo / T.DAY) * T.DAY, (Math.floor(hi / T.DAY) + 1) * T.DAY];
};

/**
 * The shaded regions of spans, labelled (`NO_DATA` by default), on one y axis's band or the whole chart.
 *
 * @category constructors
 * @since 0.4.0
 */
export const regionsOf = (spans: ReadonlyArray<S.Window>, label: string = NO_DATA, yAxisID?: string): GapRegion[] =>
  spans.map(([start, end]) => (yAxisID === undefined ? { start, end, label } : { start, end, label, yAxisID }));

/**
 * A fresh x axis over the window with UTC ticks. The ticks are computed from the axis's current
 * range each time it is laid out: in a PNG that is the window; in the interactive page it follows
 * zoom and pan. Each axis keeps the labels of its last ticks (the configuration is never shared).
 *
 * @since 0.3.0
 */
export const timeAxis = (window: S.Window, ticks: number): AxisOptions => {
  let labels = new Map<number, string>();
  return {
    type: 'linear',
    position: 'bottom',
    min: window[0],
    max: window[1],
    title: { display: true, text: 'time (UTC)' },
    afterBuildTicks: (axis) => {
      const t = utcTicks([axis.min, axis.max], ticks);
      labels = new Map(t.map((x) => [x.value, x.label]));
      axis.ticks = t.map((x) => ({ value: x.value }));
    },
    ticks: { autoSkip: false, maxRotation: 0, callback: (v) => labels.get(Number(v)) ?? '' },
  } as AxisOptions;
};

/** A fresh linear y axis with a title. @since 0.3.0 */
/**
 * A fresh linear y axis on the left with a title and a range.
 *
 * @since 0.3.0
 */
export const countAxis = (title: string, min: number, max: number): AxisOptions =>
  ({ type: 'linear', position: 'left', min, max, title: { display: true, text: title }, ticks: { maxTicksLimit: 6 } }) as AxisOptions;

const yRange = (series: ReadonlyArray<S.Steps>): readonly [number, number] => {
  let lo = 0;
  for (const s of series) for (const p of s) if (p.v !== null && p.v < lo) lo = p.v;
  return [lo < 0 ? -niceMax(-lo) : 0, niceMax(S.maxOf(series))];
};

/**
 * A stepped line dataset (filled when `style.fill` says so) of steps over the window.
 *
 * @since 0.3.0
 */
export const line = (label: string, steps: S.Steps, window: S.Window, style: Partial<ChartDataset<'line', S.Point[]>>): ChartDataset<'line', S.Point[]> => ({
  label,
  data: S.toPoints(steps, window),
  stepped: 'before',
  pointRadius: 0,
  borderWidth: 1.5,
  fill: false,
  spanGaps: false,
  pointStyle: style.fill === undefined || style.fill === false ? 'line' : 'rect',
  ...style,
});

/** The legend entry of the shaded "no data" regions. @since 0.3.0 */
export const noDataEntry = (): ChartDataset<'line', S.Point[]> => ({
  label: NO_DATA,
  data: [],
  backgroundColor: GAP_COLOR,
  borderColor: 'rgba(0, 0, 0, 0)',
  borderWidth: 0,
  pointRadius: 0,
  pointStyle: 'rect',
  fill: false,
});

/** A title and a subtitle with the date range (and a note). @since 0.3.0 */
/**
 * The title and the date-range subtitle (with an optional note) of a figure.
 *
 * @since 0.3.0
 */
export const titles = (title: string, window: S.Window, note?: string) => ({
  title: { display: true, text: title, font: { size: 16 } },
  subtitle: { display: true, text: note === undefined ? dateRange(window) : `${dateRange(window)}; ${note}`, padding: { bottom: 8 } },
});

// -------------------------------------------------------------------------------------
// 1. legacy vs new, one facet per count type
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export interface FacetsOptions extends SiteOptions {
  /** This site's coverage, to shade the gaps of each count type. */
  readonly coverage?: S.SiteCoverage;
}

/**
 * Legacy vs new, one facet per count type (total, reservable, committed, occupied, available,
 * idle, maintenance) on a shared time axis: one chart whose y axes are stacked (`stack:
 * 'facets'`), each facet with its two lines and its own "no data" regions. The legend shows the
 * two collectors once.
 *
 * @example
 * legacyFacets(rows, { site: 'chi_tacc', coverage }).name // 'chi_tacc_legacy_facets'
 * @category constructors
 * @since 0.1.0
 */
export const legacyFacets = (rows: ReadonlyArray<UsageRow>, opts: FacetsOptions): Figure => {
  const vt = opts.valueType ?? 'nodes';
  const fresh = pick(rows, opts.site, vt, 'new');
  const legacy = pick(rows, opts.site, vt, 'legacy');
  const window = windowOf(opts.window, [opts.coverage], [...fresh, ...legacy].map((r) => S.rowMillis(r.timestamp)));
  const datasets: Array<ChartDataset<'line', S.Point[]>> = [];
  const scales: Record<string, AxisOptions> = { x: timeAxis(window, 10) };
  const regions: GapRegion[] = [];
  // Stacked axes are laid out bottom first: add them from the last facet up.
  const ids = facetCountTypes.map((ct) => `y_${ct}`);
  for (let i = facetCountTypes.length - 1; i >= 0; i--) {
    const ct = facetCountTypes[i];
    const n = S.dailyMeans(newSeries(fresh, ct, window, opts.coverage), window);
    const l = legacySeries(legacy, ct);
    const [min, max] = yRange([n, l]);
    scales[ids[i]] = {
      ...countAxis(`${ct} (${vt})`, min, max),
      stack: 'facets',
      stackWeight: 1,
      offset: false,
      // The top label of a facet would sit on the bottom label of the facet above.
      ticks: { maxTicksLimit: 5, callback: (v: number | string) => (i > 0 && Number(v) === max ? '' : String(v)) },
    } as AxisOptions;
    if (opts.coverage !== undefined) regions.push(...regionsOf(S.uncovered(window, S.coveredOf(opts.coverage, [ct])), `${NO_DATA} (new)`, ids[i]));
  }
  for (let i = 0; i < facetCountTypes.length; i++) {
    const ct = facetCountTypes[i];
    datasets.push(line('new collector (this tool), daily mean', S.dailyMeans(newSeries(fresh, ct, window, opts.coverage), window), window, { yAxisID: ids[i], borderColor: collectorColors.new, backgroundColor: collectorColors.new }));
    datasets.push(
      line('legacy collector (chameleon_usage)', legacySeries(legacy, ct), window, { yAxisID: ids[i], borderColor: collectorColors.legacy, backgroundColor: collectorColors.legacy, borderDash: [5, 3] }),
    );
  }
  const legendCount = 2;
  if (regions.length > 0) datasets.push({ ...noDataEntry(), yAxisID: ids[0] });
  const noDataIndex = regions.length > 0 ? datasets.length - 1 : -1;
  const name = opts.siteName ?? displayName(opts.site);
  return {
    name: `${opts.site}_legacy_facets`,
    width: WIDTH,
    height: 130 + FACET_HEIGHT * facetCountTypes.length,
    config: {
      type: 'line',
      data: { datasets },
      plugins: [gapsPlugin],
      options: {
        scales,
        plugins: {
          ...titles(`${name}: legacy vs new collector, per count type (${vt})`, window),
          legend: { position: 'top', labels: { usePointStyle: true, filter: (item) => item.datasetIndex !== undefined && (item.datasetIndex < legendCount || item.datasetIndex === noDataIndex) } },
          gaps: { regions },
        },
      },
    },
  };
};

// -------------------------------------------------------------------------------------
// 2. stacked usage of one site
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export interface UsageStackOptions extends SiteOptions {
  /** Draw on-demand use as its own area; default: when the site has any. */
  readonly onDemand?: boolean;
}

/** The areas of the usage stack, bottom first (each drawn when it applies). @category model @since 0.1.0 */
export const stackLayers = ['used', 'used_stopped', 'idle', 'available', 'ondemand', 'ondemand_stopped', 'ondemand_free', 'unusable', 'maintenance'] as const;

/** One area of the usage stack. @category model @since 0.3.0 */
export type StackLayer = (typeof stackLayers)[number];

const layerLabels: Readonly<Record<StackLayer, string>> = {
  used: 'used (occupied by reserved instances)',
  used_stopped: 'used, stopped (host held)',
  ondemand: 'on-demand use',
  ondemand_stopped: 'on-demand use, stopped',
  ondemand_free: 'on-demand pool, free',
  idle: 'idle (reserved, not occupied)',
  available: 'available (reservable, not reserved)',
  unusable: 'unusable (free, host out of service)',
  maintenance: 'maintenance / not reservable',
};

/** The label of the stretches where the usable split is not known (section 15). */
const SPLIT_UNKNOWN = 'usable split unknown (no audit rows)';

/**
 * Stacked usage of one site: areas used (occupied_reserved), idle, available, on-demand use
 * (when shown) and maintenance, bottom to top, whose sum is the total capacity; lines for total
 * capacity (black), reservable capacity (dashed) and legacy reservable capacity (dotted).
 *
 * - With the power history (rows of `stopped_*`, section 11), each use is drawn as its running
 *   part (occupied minus stopped) and its stopped part (`stopped_*`) above it, in a lighter shade.
 * - On a site with an on-demand pool (rows of `ondemand_capacity`, section 12), the pool is
 *   drawn as on-demand use and its free part (`available_ondemand`), and maintenance is the
 *   operator holds alone (`maintenance (operator holds)`).
 * - Elsewhere, on-demand use (when shown) comes out of the maintenance / not-reservable area
 *   (where on-demand instances run), floored at zero.
 * - With the host state of the audit tables (rows of `unusable`, section 15), free capacity on
 *   hosts disabled or not reservable is its own band (`unusable`) out of maintenance, and the
 *   stretches where the split is not known (before the audit tables) are marked by a shaded strip
 *   along the top with its own label (the stack under it is known).
 *
 * The stack is unknown wherever any layer is.
 *
 * @example
 * usageStack(rows, coverage, { site: 'kvm_tacc' }).name // 'kvm_tacc_usage_stack'
 * @category constructors
 * @since 0.1.0
 */
export const usageStack = (rows: ReadonlyArray<UsageRow>, coverage: S.SiteCoverage | undefined, opts: UsageStackOptions): Figure => {
  const vt = opts.valueType ?? 'nodes';
  const fresh = pick(rows, opts.site, vt, 'new');
  const legacy = pick(rows, opts.site, vt, 'legacy');
  const window = windowOf(opts.window, [coverage], fresh.map((r) => S.rowMillis(r.timestamp)));
  const series = (ct: CountType) => newSeries(fresh, ct, window, coverage);
  const minus = (a: S.Steps, b: S.Steps) => S.zipAll([a, b], S.strict(([x, y]) => x - y));
  const pool = fresh.some((r) => r.count_type === 'ondemand_capacity');
  const power = fresh.some((r) => r.count_type === 'stopped_reserved' || r.count_type === 'stopped_ondemand');
  const ondemand = series('occupied_ondemand');
  const showOnDemand = pool || (opts.onDemand ?? ondemand.some((p) => p.v !== null && p.v > 0));
  const maintenance = series('maintenance');
  const reserved = series('occupied_reserved');
  const stoppedReserved = power ? series('stopped_reserved') : [];
  const stoppedOndemand = power ? series('stopped_ondemand') : [];
  const layers: Record<StackLayer, S.Steps> = {
    used: power ? minus(reserved, stoppedReserved) : reserved,
    used_stopped: stoppedReserved,
    idle: series('idle'),
    available: series('available'),
    ondemand: power ? minus(ondemand, stoppedOndemand) : ondemand,
    ondemand_stopped: stoppedOndemand,
    ondemand_free: pool ? series('available_ondemand') : [],
    maintenance: showOnDemand && !pool ? S.zipAll([maintenance, ondemand], S.strict(([m, o]) => Math.max(0, m - o))) : maintenance,
    unusable: [],
  };
  // section 15: where the audit tables give the host state, the free capacity on unusable hosts
  // (part of maintenance there) is its own band; elsewhere it is unknown and counts as nothing
  const split = fresh.some((r) => r.count_type === 'unusable');
  if (split) {
    const unusable = series('unusable');
    const base = layers.maintenance;
    layers.unusable = S.zipAll([base, unusable], ([m, u]) => (m === null ? null : (u ?? 0)));
    layers.maintenance = S.zipAll([base, unusable], ([m, u]) => (m === null ? null : u === null ? m : Math.max(0, m - u)));
  }
  const shown = stackLayers.filter(
    (l) =>
      ((l !== 'ondemand' && l !== 'ondemand_stopped') || showOnDemand) &&
      ((l !== 'used_stopped' && l !== 'ondemand_stopped') || power) &&
      (l !== 'ondemand_free' || pool) &&
      (l !== 'unusable' || split),
  );
  const labelOf = (l: StackLayer): string =>
    l === 'maintenance' && pool ? 'maintenance (operator holds)' : power && l === 'used' ? 'used, running (reserved instances)' : power && l === 'ondemand' ? 'on-demand use, running' : layerLabels[l];
  const stacked = S.stack(
    shown.map((l) => layers[l]),
    'all',
  );
  const total = series('total');
  const reservable = series('reservable');
  const legacyReservable = legacySeries(legacy, 'reservable');
  const datasets: Array<ChartDataset<'line', S.Point[]>> = [
    line('total capacity', total, window, { borderColor: stackColors.total, backgroundColor: stackColors.total, borderWidth: 2 }),
    line('reservable capacity (dashed)', reservable, window, { borderColor: stackColors.reservable, backgroundColor: stackColors.reservable, borderDash: [6, 4] }),
  ];
  if (legacyReservable.length > 0)
    datasets.push(line('legacy reservable capacity (dotted)', legacyReservable, window, { borderColor: stackColors.legacyReservable, backgroundColor: stackColors.legacyReservable, borderDash: [2, 3], borderWidth: 2 }));
  // Areas top first, each filled down to the next one; the bottom one to zero.
  for (let i = shown.length - 1; i >= 0; i--) {
    const color = stackColors[shown[i]];
    datasets.push(line(labelOf(shown[i]), stacked[i], window, { borderColor: color, backgroundColor: color, borderWidth: 0.5, fill: i === 0 ? 'origin' : '+1' }));
  }
  const drawn: CountType[] = ['total', 'reservable', 'committed', 'ops', 'occupied_reserved', 'occupied_ondemand', ...(power ? (['stopped_reserved', 'stopped_ondemand'] as const) : [])];
  const gaps = coverage === undefined ? [] : S.uncovered(window, S.coveredOf(coverage, drawn));
  const regions = regionsOf(gaps, NO_DATA);
  if (regions.length > 0) datasets.push(noDataEntry());
  if (split && coverage !== undefined) {
    // where the stack is known but the host state is not: shaded with its own label
    const unknown = intersect(S.uncovered(window, S.coveredOf(coverage, ['unusable'])), S.coveredOf(coverage, drawn));
    // a strip along the top, not a wash over the stack: only the split is unknown there
    regions.push(...regionsOf(unknown, SPLIT_UNKNOWN).map((r) => ({ ...r, strip: true })));
  }
  const [min, max] = yRange([total, reservable, legacyReservable, ...stacked]);
  const name = opts.siteName ?? displayName(opts.site);
  return {
    name: `${opts.site}_usage_stack`,
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'line',
      data: { datasets },
      plugins: [gapsPlugin],
      options: {
        scales: { x: timeAxis(window, 10), y: countAxis(`capacity (${vt})`, min, max) },
        plugins: { ...titles(`${name}: capacity and usage (${vt})`, window), legend: { position: 'right', labels: { usePointStyle: true } }, gaps: { regions } },
      },
    },
  };
};

// -------------------------------------------------------------------------------------
// 3. cross-site utilization
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export interface CrossSiteOptions {
  /** Sites, bottom of the stack first. */
  readonly sites: ReadonlyArray<string>;
  readonly coverage?: ReadonlyMap<string, S.SiteCoverage>;
  readonly siteNames?: Readonly<Record<string, string>>;
  readonly window?: S.Window;
  readonly valueType?: ValueType;
}

/** Elementary spans where the set of sites without data is constant, merged, labelled. */
const missingSites = (window: S.Window, gapsBySite: ReadonlyArray<readonly [string, ReadonlyArray<S.Window>]>): GapRegion[] => {
  const cuts = [...new Set([window[0], window[1], ...gapsBySite.flatMap(([, gs]) => gs.flatMap(([s, e]) => [s, e]))])].sort((a, b) => a - b);
  const out: GapRegion[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [s, e] = [cuts[i], cuts[i + 1]];
    const names = gapsBySite.filter(([, gs]) => gs.some(([gs0, ge]) => gs0 <= s && e <= ge)).map(([n]) => n);
    if (names.length === 0) continue;
    const label = [`${NO_DATA}:`, ...names].join('\n');
    const last = out[out.length - 1];
    if (last !== undefined && last.end === s && last.label === label) out[out.length - 1] = { ...last, end: e };
    else out.push({ start: s, end: e, label });
  }
  return out;
};

/**
 * Cross-site utilization: per site a dark area of used capacity (committed plus on-demand use)
 * and a light area of available capacity, stacked by site in the order given; a black line for
 * the total capacity of all sites, unknown wherever a site is. A site without data leaves its
 * layers out (not zero) and its stretches are shaded "no data: <site>".
 *
 * @example
 * crossSite(rows, { sites: ['chi_uc', 'chi_tacc', 'kvm_tacc'], coverage }).name // 'cross_site_usage'
 * @category constructors
 * @since 0.1.0
 */
export const crossSite = (rows: ReadonlyArray<UsageRow>, opts: CrossSiteOptions): Figure => {
  const vt = opts.valueType ?? 'nodes';
  const covOf = (site: string) => opts.coverage?.get(site);
  const window = windowOf(
    opts.window,
    opts.sites.map(covOf),
    rows.filter((r) => opts.sites.includes(r.site)).map((r) => S.rowMillis(r.timestamp)),
  );
  const shades = siteShades(opts.sites);
  const nameOf = (site: string) => opts.siteNames?.[site] ?? displayName(site);
  const layers: S.Steps[] = [];
  const totals: S.Steps[] = [];
  const gapsBySite: Array<readonly [string, ReadonlyArray<S.Window>]> = [];
  for (const site of opts.sites) {
    const fresh = pick(rows, site, vt, 'new');
    const cov = covOf(site);
    const series = (ct: CountType) => newSeries(fresh, ct, window, cov);
    layers.push(S.zipAll([series('committed'), series('occupied_ondemand')], S.strict(([c, o]) => c + o)), series('available'));
    totals.push(series('total'));
    const gaps = cov === undefined ? [] : S.uncovered(window, S.coveredOf(cov, ['total', 'reservable', 'committed', 'ops', 'occupied_ondemand']));
    gapsBySite.push([nameOf(site), gaps]);
  }
  const stacked = S.stack(layers, 'own');
  const total = totals.length === 0 ? [] : S.zipAll(totals, S.strict((vs) => vs.reduce((a, v) => a + v, 0)));
  const datasets: Array<ChartDataset<'line', S.Point[]>> = [
    line('total capacity, all sites', total, window, { borderColor: '#000000', backgroundColor: '#000000', borderWidth: 2 }),
  ];
  for (let i = stacked.length - 1; i >= 0; i--) {
    const site = opts.sites[Math.floor(i / 2)];
    const shade = shades.get(site) ?? { dark: '#555', light: '#ccc' };
    const used = i % 2 === 0;
    const color = used ? shade.dark : shade.light;
    const label = `${nameOf(site)}: ${used ? 'used' : 'available'}`;
    datasets.push(line(label, stacked[i], window, { borderColor: color, backgroundColor: color, borderWidth: 0.5, fill: i === 0 ? 'origin' : '+1' }));
  }
  const regions = missingSites(window, gapsBySite);
  if (regions.length > 0) datasets.push(noDataEntry());
  const [min, max] = yRange([total, ...stacked]);
  return {
    name: 'cross_site_usage',
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'line',
      data: { datasets },
      plugins: [gapsPlugin],
      options: {
        scales: { x: timeAxis(window, 10), y: countAxis(`capacity (${vt})`, min, max) },
        plugins: {
          ...titles(`All sites (${opts.sites.map(nameOf).join(', ')}): used and available capacity (${vt})`, window, 'used = committed + on-demand use; available = reservable - committed - operator holds'),
          legend: { position: 'right', labels: { usePointStyle: true } },
          gaps: { regions },
        },
      },
    },
  };
};

// -------------------------------------------------------------------------------------
// 4. lead time
// -------------------------------------------------------------------------------------

/** The smallest lead time drawn, in hours (one minute); smaller ones are drawn on it. @since 0.1.0 */
export const LEADTIME_FLOOR_HOURS = 1 / 60;

const durationTicks: ReadonlyArray<readonly [number, string]> = [
  [1 / 60, '1 min'],
  [1 / 6, '10 min'],
  [1, '1 h'],
  [6, '6 h'],
  [24, '1 d'],
  [168, '1 wk'],
  [720, '30 d'],
  [8760, '1 yr'],
];

/**
 * Lead time of one site: points at (lease created_at, lead time in hours) on a log scale, one
 * color per node type; requested (left) and effective (right) side by side on stacked x axes
 * sharing the y axis. Lead times under one minute (including negative ones: a lease created
 * with start "now") are drawn at one minute, and the subtitle says how many.
 *
 * @example
 * leadTime(rows, { site: 'chi_uc' }).name // 'chi_uc_leadtime'
 * @category constructors
 * @since 0.1.0
 */
export const leadTime = (rows: ReadonlyArray<LeadTimeRow>, opts: Omit<SiteOptions, 'valueType'>): Figure => {
  const mine = rows.filter((r) => r.site === opts.site);
  const window = windowOf(opts.window, [], mine.map((r) => S.rowMillis(r.timestamp)));
  const colors = nodeTypeColors(mine.map((r) => r.node_type ?? 'all'));
  const kinds = ['requested', 'effective'] as const;
  const datasets: Array<ChartDataset<'scatter', S.Point[]>> = [];
  let floored = 0;
  let max = 1;
  for (const kind of kinds) {
    for (const [nt, color] of colors) {
      const data: S.Point[] = [];
      for (const r of mine) {
        if (r.leadtime_type !== kind || (r.node_type ?? 'all') !== nt) continue;
        if (r.value < LEADTIME_FLOOR_HOURS) floored++;
        max = Math.max(max, r.value);
        data.push({ x: S.rowMillis(r.timestamp), y: Math.max(LEADTIME_FLOOR_HOURS, r.value) });
      }
      if (data.length === 0) continue;
      datasets.push({ label: nt, data, xAxisID: `x_${kind}`, pointStyle: 'circle', pointRadius: 2.5, borderWidth: 0, backgroundColor: withAlpha(color, 0.6), borderColor: color });
    }
  }
  const top = durationTicks.find(([h]) => h >= max * 1.2)?.[0] ?? max * 2;
  const yTicks = durationTicks.filter(([h]) => h <= top);
  const yLabels = new Map(yTicks.map(([h, l]) => [h, l]));
  const xAxis = (kind: (typeof kinds)[number]) =>
    ({ ...timeAxis(window, 6), stack: 'panels', stackWeight: 1, offset: true, title: { display: true, text: `${kind} lead time, by lease created_at (UTC)` } }) as AxisOptions;
  const name = opts.siteName ?? displayName(opts.site);
  const note = floored > 0 ? `${floored} lead times under 1 min (or negative) drawn at 1 min` : undefined;
  // One legend entry per node type: the first dataset of each label.
  const firstOfLabel = new Map<string, number>();
  datasets.forEach((d, i) => (firstOfLabel.has(d.label ?? '') ? undefined : firstOfLabel.set(d.label ?? '', i)));
  const legendIndexes = new Set(firstOfLabel.values());
  return {
    name: `${opts.site}_leadtime`,
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'scatter',
      data: { datasets },
      options: {
        scales: {
          x_requested: xAxis('requested'),
          x_effective: xAxis('effective'),
          y: {
            type: 'logarithmic',
            position: 'left',
            min: LEADTIME_FLOOR_HOURS,
            max: top,
            title: { display: true, text: 'lead time (hours, log scale)' },
            afterBuildTicks: (axis) => {
              axis.ticks = yTicks.map(([h]) => ({ value: h }));
            },
            ticks: { autoSkip: false, callback: (v) => yLabels.get(Number(v)) ?? '' },
          },
        },
        plugins: {
          ...titles(`${name}: reservation lead time (created to start), by node type`, window, note),
          legend: { position: 'right', labels: { usePointStyle: true, filter: (item) => item.datasetIndex !== undefined && legendIndexes.has(item.datasetIndex) } },
        },
      },
    },
  };
};
