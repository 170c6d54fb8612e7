/// <reference lib="dom" />
/**
 * The script of the interactive page (`report.html`), bundled with Chart.js, chartjs-plugin-zoom
 * and hammerjs by `plot/page.ts`. It reads the embedded {@link PageData}, calls the same
 * {@link figures} as the PNG renderer and draws each figure on a canvas, adding only what a
 * screen needs: zoom and pan of the time axes (wheel, drag, shift-drag for a range, a reset
 * button), legend entries that toggle every dataset of their label, tooltips with the values in
 * force at the hovered UTC time, and a node-type selector that rebuilds the figures from one node
 * type's rows.
 *
 * A site without figures, a figure without a single known value, and a figure that cannot be
 * built get an explicit message, never a blank space. `window.chameleonReport` exposes the charts
 * to the browser tests.
 *
 * @since 0.1.0
 */
import {
  Chart,
  Interaction,
  Tooltip,
  registerables,
  type ChartConfiguration,
  type ChartEvent,
  type ChartType,
  type InteractionItem,
  type InteractionModeFunction,
  type LegendItem,
  type TooltipItem,
  type TooltipPositionerFunction,
} from 'chart.js';
import { getRelativePosition } from 'chart.js/helpers';
import zoomPlugin from 'chartjs-plugin-zoom';
import * as T from '../../lib/Time';
import { displayName, type Figure } from '../configs';
import { figures, siteOfFigure } from '../figures';
import { toFiguresRequest, type PageData } from '../pageData';
import { dateRange } from '../scales';
import type { Point } from '../series';

declare module 'chart.js' {
  interface InteractionModeMap {
    /** Every visible dataset's step in force at the cursor's x, in the hovered y band. */
    stepX: InteractionModeFunction;
  }
  interface TooltipPositionerMap {
    /** The cursor. */
    cursor: TooltipPositionerFunction<ChartType>;
  }
}

declare global {
  interface Window {
    /** What the browser tests read. */
    chameleonReport?: {
      readonly charts: Map<string, Chart>;
      readonly errors: string[];
      ready: boolean;
      nodeType: string;
    };
  }
}

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
};

const utc = (ms: number, precision: 'day' | 'minute'): string => {
  const s = T.toIso(T.unsafeMillis(Math.round(ms)));
  return precision === 'day' ? `${s.slice(0, 10)} UTC` : `${s.slice(0, 10)} ${s.slice(11, 16)} UTC`;
};

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 1));

/** The index of the last point with `x <= at` (-1 when none). */
const lastAtOrBefore = (data: ReadonlyArray<Point>, at: number): number => {
  let lo = 0;
  let hi = data.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (data[mid].x <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
};

const stepValue = (data: ReadonlyArray<Point>, at: number): number | null => {
  const i = lastAtOrBefore(data, at);
  return i < 0 ? null : data[i].y;
};

const hoveredX = new WeakMap<Chart, number>();

// -------------------------------------------------------------------------------------
// interaction
// -------------------------------------------------------------------------------------

const stepX: InteractionModeFunction = (chart, e, _options, useFinalPosition) => {
  const pos = getRelativePosition(e as ChartEvent, chart as Chart);
  const items: InteractionItem[] = [];
  chart.data.datasets.forEach((ds, di) => {
    if (!chart.isDatasetVisible(di)) return;
    const meta = chart.getDatasetMeta(di);
    const xs = chart.scales[meta.xAxisID ?? 'x'];
    const ys = chart.scales[meta.yAxisID ?? 'y'];
    if (xs === undefined || ys === undefined || pos.x < xs.left || pos.x > xs.right || pos.y < ys.top || pos.y > ys.bottom) return;
    const at = xs.getValueForPixel(pos.x);
    if (at === undefined) return;
    hoveredX.set(chart as Chart, at);
    const data = ds.data as unknown as ReadonlyArray<Point>;
    const i = lastAtOrBefore(data, at);
    if (i < 0 || data[i].y === null || i + 1 >= data.length) return; // past the last point: the line has ended
    const element = meta.data[i];
    if (element !== undefined) items.push({ element, datasetIndex: di, index: i });
  });
  void useFinalPosition;
  return items;
};

const cursor: TooltipPositionerFunction<ChartType> = (items, eventPosition) => (items.length === 0 ? false : eventPosition);

// -------------------------------------------------------------------------------------
// figures made interactive
// -------------------------------------------------------------------------------------

const toggleLabel = (_e: ChartEvent, item: LegendItem, legend: { chart: Chart }): void => {
  const chart = legend.chart;
  const first = item.datasetIndex ?? 0;
  const show = !chart.isDatasetVisible(first);
  chart.data.datasets.forEach((d, i) => {
    if (d.label === item.text) chart.setDatasetVisibility(i, show);
  });
  chart.update();
};

const interactive = (fig: Figure, resolution: PageData['resolution']): ChartConfiguration => {
  const cfg = fig.config as unknown as ChartConfiguration;
  const o = (cfg.options ??= {});
  o.responsive = true;
  o.maintainAspectRatio = true;
  o.aspectRatio = fig.width / fig.height;
  o.animation = false;
  const plugins = (o.plugins ??= {});
  const xIds = Object.keys(o.scales ?? {}).filter((id) => id.startsWith('x'));
  plugins.zoom = {
    pan: { enabled: true, mode: 'x' },
    zoom: { wheel: { enabled: true }, pinch: { enabled: true }, drag: { enabled: true, modifierKey: 'shift' }, mode: 'x' },
    limits: Object.fromEntries(xIds.map((id) => [id, { min: 'original', max: 'original', minRange: 2 * T.DAY }])),
  };
  plugins.legend = { ...plugins.legend, onClick: toggleLabel as never };
  if (cfg.type === 'scatter') {
    o.interaction = { mode: 'nearest', intersect: true };
    plugins.tooltip = {
      callbacks: {
        title: (items: TooltipItem<ChartType>[]) => (items.length === 0 ? '' : `lease created ${utc(items[0].parsed.x ?? 0, 'minute')}`),
        label: (item: TooltipItem<ChartType>) => {
          const kind = (item.dataset as { xAxisID?: string }).xAxisID === 'x_effective' ? 'effective' : 'requested';
          const h = item.parsed.y ?? 0;
          return `${item.dataset.label ?? ''}, ${kind}: ${h >= 48 ? `${fmt(h / 24)} d` : h >= 1 ? `${fmt(h)} h` : `${fmt(h * 60)} min`}`;
        },
      },
    };
  } else {
    o.interaction = { mode: 'stepX', intersect: false };
    plugins.tooltip = {
      position: 'cursor',
      callbacks: {
        title: (items: TooltipItem<ChartType>[]) => {
          const at = items.length === 0 ? undefined : hoveredX.get(items[0].chart);
          if (at === undefined) return '';
          return resolution === 'week' ? `week of ${utc(Math.floor((at - 4 * T.DAY) / (7 * T.DAY)) * 7 * T.DAY + 4 * T.DAY, 'day')}` : utc(Math.floor(at / T.DAY) * T.DAY, 'day');
        },
        label: (item: TooltipItem<ChartType>) => {
          const ds = item.chart.data.datasets;
          const d = ds[item.datasetIndex];
          const y = (d.data[item.dataIndex] as unknown as Point).y ?? 0;
          // a stacked area's own value: its top minus the top of the area it is filled down to
          const below = (d as { fill?: unknown }).fill === '+1' ? stepValue(ds[item.datasetIndex + 1]?.data as unknown as ReadonlyArray<Point>, hoveredX.get(item.chart) ?? 0) : null;
          return `${d.label ?? ''}: ${fmt(below === null ? y : y - below)}`;
        },
      },
    };
  }
  return cfg;
};

const hasData = (fig: Figure): boolean => fig.config.data.datasets.some((d) => (d.data as ReadonlyArray<Point>).some((p) => p.y !== null));

// -------------------------------------------------------------------------------------
// the page
// -------------------------------------------------------------------------------------

const main = (): void => {
  const state = { charts: new Map<string, Chart>(), errors: [] as string[], ready: false, nodeType: '' };
  window.chameleonReport = state;
  Chart.register(...registerables, zoomPlugin);
  Interaction.modes.stepX = stepX;
  Tooltip.positioners.cursor = cursor;
  Chart.defaults.font.family = 'DejaVu Sans, Helvetica, Arial, sans-serif';
  Chart.defaults.color = '#333';

  const root = document.getElementById('report');
  const source = document.getElementById('report-data');
  if (root === null || source === null) throw new Error('report.html: the page has no #report or #report-data');
  const data = JSON.parse(source.textContent ?? '') as PageData;
  const nameOf = (s: string) => data.siteNames[s] ?? displayName(s);
  const all = '';

  const select = el('select', { id: 'node-type' }, el('option', { value: all }, 'all node types'), ...data.nodeTypes.map((n) => el('option', { value: n }, n)));
  if (data.nodeTypes.length === 0) select.disabled = true;
  const nav = el('nav', {}, ...data.sites.map((s) => el('a', { href: `#site-${s}` }, nameOf(s))), el('a', { href: '#all-sites' }, 'all sites'));
  root.append(
    el('header', {},
      el('h1', {}, data.title),
      el('p', { class: 'meta' }, `${dateRange(data.window)}; ${data.valueType}; ${data.resolution === 'day' ? 'daily means' : 'weekly means (ISO weeks)'}; ${data.sites.length} site(s)`),
      el('p', { class: 'controls' }, el('label', { for: 'node-type' }, 'node type: '), select, el('span', { class: 'hint' }, 'wheel: zoom time; drag: pan; shift-drag: zoom to a range; legend: show or hide a series; hover: values at that UTC day')),
      nav,
    ),
  );
  const sections = new Map<string, HTMLElement>();
  const headings = new Map<string, HTMLElement>();
  const figureBoxes = new Map<string, HTMLElement>();
  for (const s of [...data.sites, all]) {
    const id = s === all ? 'all-sites' : `site-${s}`;
    const box = el('div', { class: 'figures' });
    const heading = el('h2', {}, s === all ? 'All sites' : nameOf(s));
    headings.set(s, heading);
    const sec = el('section', { id }, heading, box);
    if (s !== all) {
      for (const t of data.audit) {
        const rows = t.rows.filter((r) => r[0] === s);
        const table = el('table', {}, el('thead', {}, el('tr', {}, ...t.columns.slice(1).map((c) => el('th', {}, c)))));
        const body = el('tbody');
        for (const r of rows) body.append(el('tr', {}, ...r.slice(1).map((c) => el('td', typeof c === 'number' ? { class: 'num' } : {}, String(c)))));
        if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: String(t.columns.length - 1), class: 'none' }, 'none')));
        table.append(body);
        sec.append(el('h3', {}, `audit: ${t.title}`), table);
      }
    }
    sections.set(s, sec);
    figureBoxes.set(s, box);
    root.append(sec);
  }

  const draw = (nodeType: string): void => {
    for (const c of state.charts.values()) c.destroy();
    state.charts.clear();
    for (const b of figureBoxes.values()) b.replaceChildren();
    const which = nodeType === all ? '' : ` for node type ${nodeType}`;
    // the builders' titles do not name the node type: the section headings do
    for (const [s, h] of headings) h.textContent = `${s === all ? 'All sites' : nameOf(s)}${nodeType === all ? '' : `: node type ${nodeType} only`}`;
    let figs: ReadonlyArray<Figure> = [];
    try {
      figs = figures(toFiguresRequest(data, nodeType === all ? undefined : nodeType));
    } catch (e) {
      const m = `the figures could not be built${which}: ${e instanceof Error ? e.message : String(e)}`;
      state.errors.push(m);
      for (const b of figureBoxes.values()) b.append(el('p', { class: 'error' }, m));
    }
    const bySite = new Map<string, Figure[]>();
    for (const f of figs) {
      const s = siteOfFigure(f.name, data.sites) ?? all;
      bySite.set(s, [...(bySite.get(s) ?? []), f]);
    }
    for (const [s, box] of figureBoxes) {
      const mine = bySite.get(s) ?? [];
      if (mine.length === 0) {
        const text =
          s === all
            ? `No cross-site figure${which}: it needs two or more sites with data in the window.`
            : `No data for ${nameOf(s)}${which} in ${dateRange(data.window)}: no figure to draw.`;
        box.append(el('p', { class: 'nodata', 'data-site': s }, text));
        continue;
      }
      for (const f of mine) {
        const canvas = el('canvas', { 'data-figure': f.name, role: 'img', 'aria-label': f.name });
        const reset = el('button', { type: 'button', class: 'reset' }, 'reset zoom');
        const card = el('figure', { 'data-figure': f.name }, el('div', { class: 'toolbar' }, reset), el('div', { class: 'chart', style: `max-width: ${f.width}px` }, canvas));
        if (!hasData(f)) card.prepend(el('p', { class: 'nodata' }, `No known value in this figure${which}: every stretch of the window is "no data".`));
        box.append(card);
        try {
          const chart = new Chart(canvas, interactive(f, data.resolution));
          state.charts.set(f.name, chart);
          reset.addEventListener('click', () => chart.resetZoom());
        } catch (e) {
          const m = `${f.name}: could not be drawn: ${e instanceof Error ? e.message : String(e)}`;
          state.errors.push(m);
          card.append(el('p', { class: 'error' }, m));
        }
      }
    }
    state.nodeType = nodeType;
  };

  select.addEventListener('change', () => draw(select.value));
  draw(all);
  state.ready = true;
};

main();
