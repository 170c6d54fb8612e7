/**
 * The interactive page, `report.html`: one self-contained file that opens from `file://` with no
 * network at all (a Content-Security-Policy forbids every request). It holds:
 * - the report's data ({@link PageData}, JSON in a `<script type="application/json">`);
 * - one script: `browser/main.ts` bundled by esbuild with Chart.js, chartjs-plugin-zoom and
 *   hammerjs from `node_modules` and the figure builders themselves (`figures.ts`,
 *   `configs.ts`, ...), so the page draws the very configurations the PNGs are rendered from.
 *
 * The data is at daily resolution, or weekly when the window is over five years and the daily
 * page would pass {@link MAX_BYTES}. Same input, same bytes: the bundle is deterministic and
 * the data has no clock in it.
 *
 * @since 0.1.0
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import * as E from 'fp-ts/Either';
import type { RenderFailure } from '../lib/Failure';
import * as T from '../lib/Time';
import { pageData, type PageData, type PageInput, type Resolution } from './pageData';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The size above which a long window falls back to weekly data (20 MB). @since 0.1.0 */
export const MAX_BYTES = 20_000_000;

/** A window longer than this (5 years of 365.25 days) may fall back to weekly data. @since 0.1.0 */
export const LONG_WINDOW_MS = 5 * 365.25 * T.DAY;

/** The page and what it holds. @category model @since 0.1.0 */
export interface Page {
  readonly html: string;
  readonly resolution: Resolution;
  /** UTF-8 size of `html`. */
  readonly bytes: number;
}

// -------------------------------------------------------------------------------------
// the script
// -------------------------------------------------------------------------------------

let bundled: string | undefined;

/** The entry point: the TypeScript source when run from it (tests), else the compiled file. */
const entry = (): string => {
  const ts = path.join(__dirname, 'browser', 'main.ts');
  return fs.existsSync(ts) ? ts : path.join(__dirname, 'browser', 'main.js');
};

/**
 * The page's script: `browser/main` and everything it imports in one minified IIFE, built once
 * per process. An effect (reads `node_modules`); throws when esbuild fails.
 *
 * @since 0.1.0
 */
export const pageScript = (): string => {
  if (bundled !== undefined) return bundled;
  const out = buildSync({
    entryPoints: [entry()],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'inline',
    charset: 'utf8',
    logLevel: 'silent',
    absWorkingDir: path.resolve(__dirname, '..'),
  });
  // `</script` would end the inline script early.
  bundled = out.outputFiles[0].text.replace(/<\/(script)/gi, '<\\/$1');
  return bundled;
};

// -------------------------------------------------------------------------------------
// the page
// -------------------------------------------------------------------------------------

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON that is safe inside `<script>`: no `<`, and no line separators. */
const scriptJson = (data: PageData): string => JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const STYLE = `
body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #333; margin: 0 auto; padding: 0 16px 48px; max-width: 1240px; background: #fff; }
header { border-bottom: 1px solid #ddd; padding: 8px 0; }
h1 { font-size: 20px; margin: 4px 0; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #333; } h3 { font-size: 14px; margin: 16px 0 4px; }
.meta, .hint { color: #666; font-size: 13px; } .hint { margin-left: 16px; } .controls { margin: 6px 0; font-size: 14px; }
nav a { margin-right: 14px; font-size: 14px; }
figure { margin: 12px 0 20px; } .chart { position: relative; } .toolbar { text-align: right; } .toolbar button { font-size: 12px; }
.nodata { background: #f3f3f3; border: 1px dashed #999; padding: 12px; color: #444; }
.error { background: #fde8e8; border: 1px solid #d62728; padding: 12px; }
table { border-collapse: collapse; font-size: 12px; margin-bottom: 8px; } th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; } td.num { text-align: right; } td.none { color: #888; }
`;

/**
 * The HTML of page data. An effect only through {@link pageScript}.
 *
 * @since 0.1.0
 */
export const pageHtml = (data: PageData): string =>
  [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // nothing leaves the page: no request of any kind
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main id="report"><noscript>This report draws its figures with JavaScript; the same figures are PNG files in plots/.</noscript></main>',
    `<script type="application/json" id="report-data">${scriptJson(data)}</script>`,
    `<script>${pageScript()}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');

/**
 * The page of a report: daily data, or weekly when the window is over five years and the daily
 * page is over `maxBytes` (default {@link MAX_BYTES}). A `RenderFailure` when the script cannot
 * be bundled.
 *
 * @example
 * reportPage({ rows, leadTimes, coverage, sites, window, audit }) // right({ html: '<!doctype html>...', resolution: 'day', bytes: 8_400_000 })
 * @category constructors
 * @since 0.1.0
 */
export const reportPage = (input: PageInput, maxBytes: number = MAX_BYTES): E.Either<RenderFailure, Page> => {
  try {
    const make = (r: Resolution): Page => {
      const html = pageHtml(pageData(input, r));
      return { html, resolution: r, bytes: Buffer.byteLength(html, 'utf8') };
    };
    const daily = make('day');
    if (daily.bytes <= maxBytes || input.window[1] - input.window[0] <= LONG_WINDOW_MS) return E.right(daily);
    return E.right(make('week'));
  } catch (e) {
    return E.left({ _tag: 'RenderFailure', figure: 'report.html', message: e instanceof Error ? e.message : String(e) });
  }
};
