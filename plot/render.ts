/**
 * Rendering, an effect: a {@link Figure} -> PNG or SVG bytes through chartjs-node-canvas.
 *
 * - Every figure is one Chart.js chart (facets are stacked y axes of one chart, the lead-time
 *   panels stacked x axes), so PNG and SVG come out of the same configuration with no image
 *   composition.
 * - The canvas is painted white first (a PNG with a transparent background is unreadable on a
 *   dark page); not with the renderer's `backgroundColour`, whose `destination-over` composite
 *   makes cairo embed the whole SVG as one bitmap.
 * - cairo writes the SVG size in points (`width="1200pt"`); it is rewritten to pixels so the SVG
 *   shows at the size of the PNG.
 * - A renderer keeps one `ChartJSNodeCanvas` per (width, height, format): creating one loads a
 *   fresh Chart.js.
 *
 * Failures (a throwing plugin, a canvas error) are `RenderFailure`s naming the figure.
 *
 * @since 0.1.0
 */
import type { ChartConfiguration, Plugin } from 'chart.js';
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import * as E from 'fp-ts/Either';
import type { RenderFailure } from '../lib/Failure';
import type { Figure } from './configs';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** An output format. @category model @since 0.1.0 */
export type Format = 'png' | 'svg';

/** The formats, in the order files are written. @category model @since 0.1.0 */
export const formats: ReadonlyArray<Format> = ['png', 'svg'];

/** Renders a figure to bytes. @category model @since 0.1.0 */
export type Render = (figure: Figure, format: Format) => E.Either<RenderFailure, Buffer>;

// -------------------------------------------------------------------------------------
// rendering
// -------------------------------------------------------------------------------------

const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw: (chart) => {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'source-over';
    ctx.fillStyle = 'white';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/**
 * An SVG whose root size is in pixels rather than points.
 *
 * @example
 * svgInPixels('<svg width="10pt" height="5pt">') // '<svg width="10" height="5">'
 * @since 0.1.0
 */
export const svgInPixels = (svg: string): string =>
  svg.replace(/<svg\b[^>]*>/, (tag) => tag.replace(/\b(width|height)="([\d.]+)pt"/g, '$1="$2"'));

/**
 * A renderer with its own canvas cache.
 *
 * @example
 * const render = renderer()
 * render(usageStack(rows, coverage, { site: 'chi_uc' }), 'png') // right(<Buffer 89 50 4e 47 ...>)
 * @category constructors
 * @since 0.1.0
 */
export const renderer = (): Render => {
  const canvases = new Map<string, ChartJSNodeCanvas>();
  const canvasFor = (width: number, height: number, format: Format): ChartJSNodeCanvas => {
    const key = `${width}x${height}:${format}`;
    let c = canvases.get(key);
    if (c === undefined) {
      c = new ChartJSNodeCanvas({
        width,
        height,
        ...(format === 'svg' ? { type: 'svg' as const } : {}),
        chartCallback: (chartJs) => {
          chartJs.register(whiteBackground);
          chartJs.defaults.font.family = 'DejaVu Sans, Helvetica, Arial, sans-serif';
          chartJs.defaults.color = '#333';
        },
      });
      canvases.set(key, c);
    }
    return c;
  };
  return (figure, format) => {
    try {
      const canvas = canvasFor(figure.width, figure.height, format);
      // The library is typed against chart.js/auto; the configuration is the same type.
      const config = figure.config as unknown as ChartConfiguration;
      if (format === 'png') return E.right(canvas.renderToBufferSync(config, 'image/png'));
      const svg = canvas.renderToBufferSync(config, 'image/svg+xml').toString('utf8');
      return E.right(Buffer.from(svgInPixels(svg), 'utf8'));
    } catch (e) {
      return E.left({ _tag: 'RenderFailure', figure: `${figure.name}.${format}`, message: e instanceof Error ? e.message : String(e) });
    }
  };
};
