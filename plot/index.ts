/**
 * The plotting layer's entry point: build every figure of a report, render each in the asked
 * formats and write them under `<out>/plots/`, atomically (all files or none, `cli/write.ts`).
 *
 * Figures and files (names exact, one file per format):
 * - `<site>_legacy_facets`: for each site with legacy rows;
 * - `<site>_usage_stack`: for each site with rows of collector `new`;
 * - `<site>_node_types` and `<site>_utilization`: for each site with utilization rows (nodes);
 * - `cross_site_usage`: when two or more sites have rows;
 * - `<site>_leadtime`: for each site with lead-time rows.
 *
 * Building is pure (`configs.ts`); rendering and writing are the only effects.
 *
 * @since 0.1.0
 */
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import type * as TE from 'fp-ts/TaskEither';
import type { RenderFailure, WriteFailure } from '../lib/Failure';
import type { ValueType } from '../lib/Quantities';
import type { LeadTimeRow, UsageRow } from '../lib/UsageRow';
import { writeAllAtomic, type OutputFile } from '../cli/write';
import { ALL, type UtilizationRow } from '../lib/Utilization';
import { crossSite, legacyFacets, leadTime, usageStack, type Figure } from './configs';
import { nodeTypes, utilizationFigure } from './utilization';
import { renderer, type Format, type Render } from './render';
import type { SiteCoverage, Window } from './series';

export * from './configs';
export { isGpuNodeType, nodeTypes, utilizationFigure, type UtilizationFigureOptions } from './utilization';
export { renderer, svgInPixels, formats, type Format, type Render } from './render';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What `drawAll` needs. @category model @since 0.1.0 */
export interface DrawRequest {
  /** The usage timeline rows (`Report.timeline.rows`). */
  readonly rows: ReadonlyArray<UsageRow>;
  /** The lead-time timeline rows, if computed. */
  readonly leadTimes?: ReadonlyArray<LeadTimeRow>;
  /** `Report.coverage`: shades the "no data" stretches. */
  readonly coverage: ReadonlyMap<string, SiteCoverage>;
  /** Sites in order (the cross-site stack, bottom first). */
  readonly sites: ReadonlyArray<string>;
  /** Output folder; figures go to `<out>/plots/`. */
  readonly out: string;
  /** Default `['png']`. */
  readonly formats?: ReadonlyArray<Format>;
  /** Display names for titles (`{ chi_tacc: 'CHI@TACC' }`); default: the known Chameleon names. */
  readonly siteNames?: Readonly<Record<string, string>>;
  /** The report window `[start, end)` epoch ms; default: from the coverage. */
  readonly window?: Window;
  /** Default `nodes` when the rows have it, else the first value type in the rows. */
  readonly valueType?: ValueType;
  /** `Report.utilization`: the node-type and utilization figures (nodes), when given. */
  readonly utilization?: { readonly monthly: ReadonlyArray<UtilizationRow>; readonly daily: ReadonlyArray<UtilizationRow> };
}

// -------------------------------------------------------------------------------------
// figures (pure)
// -------------------------------------------------------------------------------------

/**
 * Every figure of a request, in file order. Pure.
 *
 * @example
 * figures(req).map((f) => f.name) // ['chi_uc_legacy_facets', 'chi_uc_usage_stack', 'chi_uc_node_types', 'chi_uc_utilization', ..., 'cross_site_usage', 'chi_uc_leadtime']
 * @category constructors
 * @since 0.1.0
 */
export const figures = (req: Omit<DrawRequest, 'out' | 'formats'>): ReadonlyArray<Figure> => {
  const valueType = req.valueType ?? (req.rows.some((r) => r.value_type === 'nodes') ? 'nodes' : (req.rows[0]?.value_type ?? 'nodes'));
  const out: Figure[] = [];
  const withNew = req.sites.filter((s) => req.rows.some((r) => r.site === s && r.collector_type === 'new' && r.value_type === valueType));
  for (const site of req.sites) {
    const common = { site, valueType, ...(req.window === undefined ? {} : { window: req.window }), ...(req.siteNames?.[site] === undefined ? {} : { siteName: req.siteNames[site] }) };
    const coverage = req.coverage.get(site);
    if (req.rows.some((r) => r.site === site && r.collector_type === 'legacy' && r.value_type === valueType))
      out.push(legacyFacets(req.rows, { ...common, ...(coverage === undefined ? {} : { coverage }) }));
    if (withNew.includes(site)) out.push(usageStack(req.rows, coverage, common));
    const u = req.utilization;
    const named = { site, ...(req.window === undefined ? {} : { window: req.window }), ...(req.siteNames?.[site] === undefined ? {} : { siteName: req.siteNames[site] }) };
    if (u !== undefined && u.daily.some((r) => r.site === site && r.node_type !== ALL)) out.push(nodeTypes(u.daily, u.monthly, named));
    if (u !== undefined && u.monthly.some((r) => r.site === site && r.value_type === 'nodes' && r.node_type === ALL)) out.push(utilizationFigure(u.monthly, named));
  }
  if (withNew.length >= 2)
    out.push(
      crossSite(req.rows, {
        sites: withNew,
        coverage: req.coverage,
        valueType,
        ...(req.window === undefined ? {} : { window: req.window }),
        ...(req.siteNames === undefined ? {} : { siteNames: req.siteNames }),
      }),
    );
  for (const site of req.sites) {
    const lt = req.leadTimes ?? [];
    if (!lt.some((r) => r.site === site)) continue;
    out.push(leadTime(lt, { site, ...(req.siteNames?.[site] === undefined ? {} : { siteName: req.siteNames[site] }) }));
  }
  return out;
};

// -------------------------------------------------------------------------------------
// effects
// -------------------------------------------------------------------------------------

/**
 * Renders figures into output files (`<dir>/<name>.<format>`); the first failure stops.
 *
 * @since 0.1.0
 */
export const renderAll = (render: Render, dir: string, figs: ReadonlyArray<Figure>, fmts: ReadonlyArray<Format>): E.Either<RenderFailure, ReadonlyArray<OutputFile>> => {
  const files: OutputFile[] = [];
  for (const f of figs) {
    for (const fmt of fmts) {
      const bytes = render(f, fmt);
      if (E.isLeft(bytes)) return bytes;
      files.push({ path: path.join(dir, `${f.name}.${fmt}`), contents: bytes.right });
    }
  }
  return E.right(files);
};

/**
 * Draws every figure and writes them under `<out>/plots/` atomically; returns the paths written.
 *
 * @example
 * await drawAll({ rows: rep.timeline.rows, coverage: rep.coverage, sites: ['chi_uc', 'chi_tacc'], out: 'output', formats: ['png', 'svg'] })()
 * // right(['output/plots/chi_uc_legacy_facets.png', 'output/plots/chi_uc_legacy_facets.svg', ...])
 * @category effects
 * @since 0.1.0
 */
export const drawAll =
  (req: DrawRequest): TE.TaskEither<RenderFailure | WriteFailure, ReadonlyArray<string>> =>
  async () => {
    // Rendering is synchronous; it runs when the task runs, not when it is built.
    const files = renderAll(renderer(), path.join(req.out, 'plots'), figures(req), [...new Set<Format>(req.formats ?? ['png'])]);
    if (E.isLeft(files)) return files;
    const written = await writeAllAtomic(files.right)();
    return E.isLeft(written) ? written : E.right(files.right.map((f) => f.path));
  };
