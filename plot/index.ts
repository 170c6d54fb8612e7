/**
 * The plotting layer's entry point: build every figure of a report, render each in the asked
 * formats and write them under `<out>/plots/`, atomically (all files or none, `cli/write.ts`).
 *
 * Figures and files (names exact, one file per format):
 * - `<site>_legacy_facets`: for each site with legacy rows;
 * - `<site>_usage_stack`: for each site with rows of collector `new`;
 * - `<site>_node_types` and `<site>_utilization`: for each site with utilization rows (nodes);
 * - `cross_site_usage`: when two or more sites have rows;
 * - `<site>_leadtime`: for each site with lead-time rows;
 * - `<site>_booking` and `<site>_projected_leadtime`: for each site with reservation-book rows
 *   (`booking.ts`).
 *
 * Building is pure (`configs.ts`); rendering and writing are the only effects.
 *
 * @since 0.1.0
 */
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import type * as TE from 'fp-ts/TaskEither';
import type { RenderFailure, WriteFailure } from '../lib/Failure';
import { writeAllAtomic, type OutputFile } from '../cli/write';
import type { Figure } from './configs';
import { figures, type FiguresRequest } from './figures';
import { renderer, type Format, type Render } from './render';

export * from './configs';
export * from './figures';
export { bookingShare, projectedLeadTime } from './booking';
export { isGpuNodeType, nodeTypes, utilizationFigure, type UtilizationFigureOptions } from './utilization';
export { renderer, svgInPixels, formats, type Format, type Render } from './render';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What `drawAll` needs: the figures' request, where to write and in which formats. @category model @since 0.1.0 */
export interface DrawRequest extends FiguresRequest {
  /** Output folder; figures go to `<out>/plots/`. */
  readonly out: string;
  /** Default `['png']`. */
  readonly formats?: ReadonlyArray<Format>;
}

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
