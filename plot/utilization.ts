/**
 * The utilization figures (reconstruction rules, section 13), from `Report.utilization` rows:
 *
 * - `<site>_node_types`: small multiples, one panel per node type (stacked y axes, shared time
 *   axis): reservable, committed and occupied as daily means (nodes, left axis) and the monthly
 *   percentages committed / reservable and occupied_reserved / reservable (right axis, 0-100 %);
 * - `<site>_utilization`: the plan's "% used over time": committed / reservable and
 *   occupied / reservable per month, for all node types and for the GPU node types apart (node
 *   types whose name contains `gpu`), and on a site with an on-demand pool its use
 *   (occupied_ondemand / ondemand_capacity).
 *
 * A value holds over its day or month; a day or month without a value (not covered, or a
 * denominator of 0) breaks the line: unknown is never drawn as zero. The GPU lines are ratios of
 * the summed monthly means of the GPU node types (coverage is per site, so every node type's
 * mean is over the same hours).
 *
 * @since 0.3.0
 */
import type { ChartDataset } from 'chart.js';
import type { UtilizationRow } from '../lib/Utilization';
import { ALL } from '../lib/Utilization';
import { countAxis, displayName, line, timeAxis, titles, windowOf, type AxisOptions, type Figure } from './configs';
import { nodeTypeColors, withAlpha } from './palette';
import { niceMax } from './scales';
import * as S from './series';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The site, its display name and the window of a utilization figure. @category model @since 0.3.0 */
export interface UtilizationFigureOptions {
  readonly site: string;
  readonly siteName?: string;
  readonly window?: S.Window;
}

const WIDTH = 1200;
const PANEL = 150;

/**
 * Whether a node type counts as a GPU node type (its name says `gpu`, as Chameleon's do).
 *
 * @example
 * isGpuNodeType('gpu_a100') // true
 * @since 0.3.0
 */
export const isGpuNodeType = (nodeType: string): boolean => /gpu/i.test(nodeType);

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const startOf = (period: string): number => Date.parse(period.length === 7 ? `${period}-01T00:00:00Z` : `${period}T00:00:00Z`);

const nextStart = (period: string): number => {
  const d = new Date(startOf(period));
  return period.length === 7 ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) : d.getTime() + 86_400_000;
};

/** Steps of per-period values: each held over its period, unknown between periods without a value. */
const periodSteps = (rows: ReadonlyArray<UtilizationRow>, get: (r: UtilizationRow) => number | null | undefined): S.Steps => {
  const sorted = [...rows].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
  const out: Array<{ t: number; v: number | null }> = [];
  for (let i = 0; i < sorted.length; i++) {
    const v = get(sorted[i]);
    out.push({ t: startOf(sorted[i].period), v: v === undefined ? null : v });
    const end = nextStart(sorted[i].period);
    if (i + 1 === sorted.length || startOf(sorted[i + 1].period) !== end) out.push({ t: end, v: null });
  }
  return out;
};

const pctAxis = (title: string, max: number): AxisOptions =>
  ({ type: 'linear', position: 'right', min: 0, max, title: { display: true, text: title }, ticks: { maxTicksLimit: 5 }, grid: { drawOnChartArea: false } }) as AxisOptions;

const ofSite = (rows: ReadonlyArray<UtilizationRow>, site: string): ReadonlyArray<UtilizationRow> => rows.filter((r) => r.site === site && r.value_type === 'nodes');

const series = { reservable: '#000000', committed: withAlpha('#f28e2b', 0.7), occupied: withAlpha('#2f7d32', 0.8) } as const;

// -------------------------------------------------------------------------------------
// figures
// -------------------------------------------------------------------------------------

/**
 * Small multiples of one site, one panel per node type (rules in the module header); the
 * `daily` and `monthly` rows are `Report.utilization`'s.
 *
 * @example
 * nodeTypes(rep.utilization.daily, rep.utilization.monthly, { site: 'chi_tacc' }).name // 'chi_tacc_node_types'
 * @category constructors
 * @since 0.3.0
 */
export const nodeTypes = (daily: ReadonlyArray<UtilizationRow>, monthly: ReadonlyArray<UtilizationRow>, opts: UtilizationFigureOptions): Figure => {
  const days = ofSite(daily, opts.site).filter((r) => r.node_type !== ALL);
  const months = ofSite(monthly, opts.site).filter((r) => r.node_type !== ALL);
  const types = [...new Set(days.map((r) => r.node_type))].sort((a, b) => (a === 'unknown' ? 1 : b === 'unknown' ? -1 : a < b ? -1 : a > b ? 1 : 0));
  const window = windowOf(opts.window, [], days.map((r) => startOf(r.period)).concat(days.map((r) => nextStart(r.period) - 1)));
  const colors = nodeTypeColors(types);
  const scales: Record<string, AxisOptions> = { x: timeAxis(window, 10) };
  const datasets: Array<ChartDataset<'line', S.Point[]>> = [];
  // stacked axes are laid out bottom first: the first node type's panel on top
  for (let i = types.length - 1; i >= 0; i--) {
    const nt = types[i];
    const mine = days.filter((r) => r.node_type === nt);
    const max = niceMax(Math.max(1, ...mine.map((r) => Math.max(r.reservable ?? 0, r.committed ?? 0, r.occupied ?? 0))));
    scales[`y${i}`] = {
      ...countAxis(nt, 0, max),
      title: { display: true, text: nt, font: { size: 11 } },
      stack: 'counts',
      stackWeight: 1,
      offset: false,
      ticks: { maxTicksLimit: 4, callback: (v: number | string) => (i > 0 && Number(v) === max ? '' : String(v)) },
    } as AxisOptions;
  }
  // right-hand stacked axes are laid out top first (Chart.js places the boxes of each side from
  // the chart area outwards in opposite orders): add them from the first panel down
  for (let i = 0; i < types.length; i++) {
    // the unit in the tick labels: a rotated title per panel would sit on them
    scales[`p${i}`] = {
      ...pctAxis('%', 100),
      title: { display: false },
      stack: 'pcts',
      stackWeight: 1,
      offset: false,
      ticks: { maxTicksLimit: 3, callback: (v: number | string) => (i > 0 && Number(v) === 100 ? '' : `${String(v)} %`) },
    } as AxisOptions;
  }
  types.forEach((nt, i) => {
    const mine = days.filter((r) => r.node_type === nt);
    const month = months.filter((r) => r.node_type === nt);
    const c = colors.get(nt) ?? '#555555';
    datasets.push(line('reservable (daily mean)', periodSteps(mine, (r) => r.reservable), window, { yAxisID: `y${i}`, borderColor: series.reservable, backgroundColor: series.reservable, borderWidth: 1 }));
    datasets.push(line('committed (daily mean)', periodSteps(mine, (r) => r.committed), window, { yAxisID: `y${i}`, borderColor: series.committed, backgroundColor: series.committed, borderWidth: 1 }));
    datasets.push(line('occupied (daily mean)', periodSteps(mine, (r) => r.occupied), window, { yAxisID: `y${i}`, borderColor: series.occupied, backgroundColor: series.occupied, borderWidth: 1 }));
    datasets.push(line('committed / reservable (monthly %)', periodSteps(month, (r) => r.committed_pct), window, { yAxisID: `p${i}`, borderColor: c, backgroundColor: c, borderDash: [6, 3], borderWidth: 2.5 }));
    datasets.push(line('occupied / reservable (monthly %)', periodSteps(month, (r) => r.occupied_pct), window, { yAxisID: `p${i}`, borderColor: c, backgroundColor: c, borderDash: [2, 2], borderWidth: 2.5 }));
  });
  const name = opts.siteName ?? displayName(opts.site);
  return {
    name: `${opts.site}_node_types`,
    width: WIDTH,
    height: 140 + PANEL * Math.max(1, types.length),
    config: {
      type: 'line',
      data: { datasets },
      options: {
        scales,
        plugins: {
          ...titles(`${name}: reservable, committed and occupied per node type (nodes)`, window, 'lines: daily means (left axis); dashed: monthly % of reservable (right axis, the panel color)'),
          // the five series once (the panels repeat them)
          legend: { position: 'top', labels: { usePointStyle: true, filter: (item) => item.datasetIndex !== undefined && item.datasetIndex < 5 } },
        },
      },
    },
  };
};

/**
 * Monthly % used of one site (rules in the module header).
 *
 * @example
 * utilizationFigure(rep.utilization.monthly, { site: 'kvm_tacc' }).name // 'kvm_tacc_utilization'
 * @category constructors
 * @since 0.3.0
 */
export const utilizationFigure = (monthly: ReadonlyArray<UtilizationRow>, opts: UtilizationFigureOptions): Figure => {
  const rows = ofSite(monthly, opts.site);
  const all = rows.filter((r) => r.node_type === ALL);
  const window = windowOf(opts.window, [], all.map((r) => startOf(r.period)).concat(all.map((r) => nextStart(r.period) - 1)));
  // GPU node types summed per month: committed / reservable and occupied / reservable of the sums
  const gpu = new Map<string, { reservable: number; committed: number; occupiedReserved: number; any: boolean }>();
  for (const r of rows) {
    if (r.node_type === ALL || !isGpuNodeType(r.node_type)) continue;
    const g = gpu.get(r.period) ?? { reservable: 0, committed: 0, occupiedReserved: 0, any: false };
    if (r.reservable !== null && r.committed !== null && r.occupied_pct !== null) {
      g.reservable += r.reservable;
      g.committed += r.committed;
      // occupied_pct is of occupied_reserved: back to its mean
      g.occupiedReserved += (r.occupied_pct / 100) * r.reservable;
      g.any = true;
    }
    gpu.set(r.period, g);
  }
  const gpuRows: UtilizationRow[] = [...gpu.entries()].map(([period, g]) => ({
    site: opts.site,
    period,
    node_type: 'gpu',
    value_type: 'nodes',
    reservable: g.reservable,
    committed: g.committed,
    occupied: null,
    active: null,
    committed_pct: g.any && g.reservable > 0 ? (100 * g.committed) / g.reservable : null,
    occupied_pct: g.any && g.reservable > 0 ? (100 * g.occupiedReserved) / g.reservable : null,
    active_pct: null,
  }));
  const datasets: Array<ChartDataset<'line', S.Point[]>> = [
    line('all node types: committed / reservable', periodSteps(all, (r) => r.committed_pct), window, { borderColor: '#1f77b4', backgroundColor: '#1f77b4', borderWidth: 2 }),
    line('all node types: occupied / reservable', periodSteps(all, (r) => r.occupied_pct), window, { borderColor: '#7fb8e0', backgroundColor: '#7fb8e0', borderWidth: 2, borderDash: [4, 3] }),
  ];
  if (gpuRows.some((r) => r.committed_pct !== null)) {
    datasets.push(line('GPU node types: committed / reservable', periodSteps(gpuRows, (r) => r.committed_pct), window, { borderColor: '#d62728', backgroundColor: '#d62728', borderWidth: 2 }));
    datasets.push(line('GPU node types: occupied / reservable', periodSteps(gpuRows, (r) => r.occupied_pct), window, { borderColor: '#f08a8b', backgroundColor: '#f08a8b', borderWidth: 2, borderDash: [4, 3] }));
  }
  if (all.some((r) => r.ondemand_pct !== undefined))
    datasets.push(line('on-demand pool: occupied / capacity', periodSteps(all, (r) => r.ondemand_pct ?? null), window, { borderColor: '#59a14f', backgroundColor: '#59a14f', borderWidth: 2 }));
  let top = 0;
  for (const d of datasets) for (const p of d.data) if (p.y !== null && p.y > top) top = p.y;
  const name = opts.siteName ?? displayName(opts.site);
  return {
    name: `${opts.site}_utilization`,
    width: WIDTH,
    height: 560,
    config: {
      type: 'line',
      data: { datasets },
      options: {
        scales: { x: timeAxis(window, 10), y: countAxis('% of reservable capacity (monthly, hours-weighted)', 0, Math.max(100, niceMax(top))) },
        plugins: {
          ...titles(`${name}: % used per month`, window, 'occupied = by reserved instances; months without data are gaps'),
          legend: { position: 'right', labels: { usePointStyle: true } },
        },
      },
    },
  };
};
