/**
 * A tiny inline Chart.js plugin that shades the stretches of a figure without data and labels
 * them ("no data"), so a reader never takes a missing stretch for zero.
 *
 * The plugin object is a constant without state; what to shade is data in the configuration,
 * `options.plugins.gaps.regions`, so the builders stay pure and tests read the regions directly.
 * A region spans `[start, end)` on the x axis (epoch ms) and the full height of the chart area,
 * or of one y axis when `yAxisID` is set (one facet of a faceted figure). The shading is drawn
 * under the datasets; the label (lines separated by `\n`) over them, centred on a light
 * backdrop, turned vertical when the region is too narrow for it, and left out when it fits
 * neither way (it never spills into a neighbouring region).
 *
 * @since 0.1.0
 */
import type { Chart, ChartType, Plugin } from 'chart.js';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One shaded stretch. @category model @since 0.1.0 */
export interface GapRegion {
  readonly start: number;
  readonly end: number;
  readonly label: string;
  /** Shade only this y axis's band (a facet); the whole chart area otherwise. */
  readonly yAxisID?: string;
  /**
   * Shade only a strip along the top of the band, holding the label: for a stretch where one
   * detail of the figure is unknown but the rest is drawn (the stack stays readable under it).
   *
   * @since 0.4.0
   */
  readonly strip?: boolean;
}

/** The plugin's options. @category model @since 0.1.0 */
export interface GapsOptions {
  readonly regions: ReadonlyArray<GapRegion>;
  readonly color?: string;
  readonly textColor?: string;
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- must match the declaration
  interface PluginOptionsByType<TType extends ChartType> {
    /** Shaded "no data" regions (plot/gaps.ts). */
    gaps?: GapsOptions;
  }
}

/** The shade of a region. @since 0.1.0 */
export const GAP_COLOR = 'rgba(120, 120, 120, 0.18)';

// -------------------------------------------------------------------------------------
// plugin
// -------------------------------------------------------------------------------------

const LINE = 14;

/** The pixel box of a region, or undefined when it is off the chart. */
const boxOf = (chart: Chart, r: GapRegion) => {
  const x = chart.scales.x;
  if (x === undefined) return undefined;
  const { chartArea } = chart;
  const y = r.yAxisID === undefined ? undefined : chart.scales[r.yAxisID];
  const left = Math.max(chartArea.left, x.getPixelForValue(r.start));
  const right = Math.min(chartArea.right, x.getPixelForValue(r.end));
  const top = y?.top ?? chartArea.top;
  const bottom = r.strip === true ? Math.min(top + LINE + 4, y?.bottom ?? chartArea.bottom) : (y?.bottom ?? chartArea.bottom);
  return right > left ? { left, right, top, bottom } : undefined;
};

const shade = (chart: Chart, o: GapsOptions): void => {
  const { ctx } = chart;
  ctx.save();
  ctx.fillStyle = o.color ?? GAP_COLOR;
  for (const r of o.regions) {
    const b = boxOf(chart, r);
    if (b !== undefined) ctx.fillRect(b.left, b.top, b.right - b.left, b.bottom - b.top);
  }
  ctx.restore();
};

// Labels go over the datasets (a site's area may cover another site's gap), on a light
// backdrop; lines of a label (`\n`) are stacked. A label is written across when it fits, else
// turned vertical when it fits so, else left out: it never spills into a neighbour.
const label = (chart: Chart, o: GapsOptions): void => {
  const { ctx } = chart;
  ctx.save();
  ctx.font = '12px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const r of o.regions) {
    const b = boxOf(chart, r);
    if (b === undefined) continue;
    const lines = r.label.split('\n');
    const w = Math.max(...lines.map((l) => ctx.measureText(l).width)) + 6;
    const h = lines.length * LINE + 2;
    const across = w <= b.right - b.left && h <= b.bottom - b.top;
    const down = !across && h <= b.right - b.left - 2 && w <= b.bottom - b.top;
    if (!across && !down) continue;
    ctx.save();
    ctx.translate((b.left + b.right) / 2, (b.top + b.bottom) / 2);
    if (down) ctx.rotate(-Math.PI / 2);
    ctx.fillStyle = 'rgba(255, 255, 255, 0.8)';
    ctx.fillRect(-w / 2, -h / 2, w, h);
    ctx.fillStyle = o.textColor ?? '#444';
    lines.forEach((l, k) => ctx.fillText(l, 0, -h / 2 + 1 + LINE * (k + 0.5)));
    ctx.restore();
  }
  ctx.restore();
};

/**
 * The plugin; list it in a configuration's `plugins` and set `options.plugins.gaps`.
 *
 * @example
 * { type: 'line', data, plugins: [gapsPlugin], options: { plugins: { gaps: { regions: [{ start, end, label: 'no data' }] } } } }
 * @since 0.1.0
 */
export const gapsPlugin: Plugin = {
  id: 'gaps',
  beforeDatasetsDraw: (chart, _args, options) => shade(chart, options as unknown as GapsOptions),
  afterDatasetsDraw: (chart, _args, options) => label(chart, options as unknown as GapsOptions),
};
