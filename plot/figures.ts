/**
 * The figure list: every figure of a report, in file order, from the timeline rows. Pure, and
 * free of Node: the PNG/SVG renderer (`render.ts`, through `index.ts`) and the interactive page
 * (`browser/main.ts`, bundled into `report.html`) both call {@link figures}, so a figure added
 * here shows up in both.
 *
 * Figures (names exact):
 * - `<site>_legacy_facets`: for each site with legacy rows;
 * - `<site>_usage_stack`: for each site with rows of collector `new` (not a device site);
 * - `<site>_device_stack`: for each site with rows of value type `devices` (0.4.0, `devices.ts`);
 *   a device site (devices and no node capacity: CHI@Edge) has no usage stack, node-type,
 *   utilization figure nor place in the cross-site figure;
 * - `<site>_node_types` and `<site>_utilization`: for each site with utilization rows (nodes);
 * - `cross_site_usage`: when two or more sites have rows;
 * - `<site>_leadtime`: for each site with lead-time rows;
 * - `<site>_booking`, `<site>_projected_leadtime`: for each site with rows of the reservation book.
 *
 * @since 0.1.0
 */
import type { ValueType } from '../lib/Quantities';
import type { Report } from '../lib/Report';
import type { LeadTimeRow, UsageRow } from '../lib/UsageRow';
import { ALL, type UtilizationRow } from '../lib/Utilization';
import { bookingShare, projectedLeadTime } from './booking';
import { deviceStack, isDeviceSite } from './devices';
import { crossSite, legacyFacets, leadTime, usageStack, type Figure } from './configs';
import type { SiteCoverage, Window } from './series';
import { nodeTypes, utilizationFigure } from './utilization';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What {@link figures} needs. @category model @since 0.1.0 */
export interface FiguresRequest {
  /** The usage timeline rows (`Report.timeline.rows`). */
  readonly rows: ReadonlyArray<UsageRow>;
  /** The lead-time timeline rows, if computed. */
  readonly leadTimes?: ReadonlyArray<LeadTimeRow>;
  /** The reservation book (`Report.booking`), if computed. */
  readonly booking?: Pick<Report['booking'], 'rows' | 'projected'>;
  /** `Report.coverage`: shades the "no data" stretches. */
  readonly coverage: ReadonlyMap<string, SiteCoverage>;
  /** Sites in order (the cross-site stack, bottom first). */
  readonly sites: ReadonlyArray<string>;
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
// figures
// -------------------------------------------------------------------------------------

/**
 * The value type the figures of a request draw: the asked one, else `nodes` when the rows have
 * it, else the first value type in the rows.
 *
 * @example
 * figureValueType({ rows: [], coverage: new Map(), sites: [] }) // 'nodes'
 * @since 0.1.0
 */
export const figureValueType = (req: Pick<FiguresRequest, 'rows' | 'valueType'>): ValueType =>
  req.valueType ?? (req.rows.some((r) => r.value_type === 'nodes') ? 'nodes' : (req.rows[0]?.value_type ?? 'nodes'));

/**
 * Every figure of a request, in file order. Pure.
 *
 * @example
 * figures(req).map((f) => f.name) // ['chi_uc_legacy_facets', 'chi_uc_usage_stack', 'chi_uc_node_types', 'chi_uc_utilization', ..., 'cross_site_usage', 'chi_uc_leadtime']
 * @category constructors
 * @since 0.1.0
 */
export const figures = (req: FiguresRequest): ReadonlyArray<Figure> => {
  const valueType = figureValueType(req);
  const out: Figure[] = [];
  // a device site (CHI@Edge: devices, no node capacity) gets the device stack, not the host figures
  const deviceSites = req.sites.filter((s) => isDeviceSite(req.rows, s));
  const withNew = req.sites.filter((s) => !deviceSites.includes(s) && req.rows.some((r) => r.site === s && r.collector_type === 'new' && r.value_type === valueType));
  for (const site of req.sites) {
    const common = { site, valueType, ...(req.window === undefined ? {} : { window: req.window }), ...(req.siteNames?.[site] === undefined ? {} : { siteName: req.siteNames[site] }) };
    const coverage = req.coverage.get(site);
    if (req.rows.some((r) => r.site === site && r.collector_type === 'legacy' && r.value_type === valueType))
      out.push(legacyFacets(req.rows, { ...common, ...(coverage === undefined ? {} : { coverage }) }));
    if (withNew.includes(site)) out.push(usageStack(req.rows, coverage, common));
    if (req.rows.some((r) => r.site === site && r.collector_type === 'new' && r.value_type === 'devices')) {
      const { valueType: _vt, ...named } = common;
      out.push(deviceStack(req.rows, coverage, named));
    }
    if (deviceSites.includes(site)) continue;
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
  for (const site of req.sites) {
    const book = req.booking;
    // the book holds hosts only: a device site has none to draw
    if (book === undefined || deviceSites.includes(site) || !book.rows.some((r) => r.site === site)) continue;
    const common = { site, ...(req.window === undefined ? {} : { window: req.window }), ...(req.siteNames?.[site] === undefined ? {} : { siteName: req.siteNames[site] }) };
    out.push(bookingShare(book.rows, common));
    if (book.projected.some((r) => r.site === site)) out.push(projectedLeadTime(book.projected, common));
  }
  return out;
};

/**
 * The site a figure belongs to, from its name (`<site>_...`; the longest matching site wins),
 * or `undefined` for a figure of all sites (`cross_site_usage`).
 *
 * @example
 * siteOfFigure('chi_uc_usage_stack', ['chi_uc', 'chi_tacc']) // 'chi_uc'
 * siteOfFigure('cross_site_usage', ['chi_uc', 'chi_tacc']) // undefined
 * @since 0.1.0
 */
export const siteOfFigure = (name: string, sites: ReadonlyArray<string>): string | undefined => {
  let best: string | undefined;
  for (const s of sites) if (name.startsWith(`${s}_`) && (best === undefined || s.length > best.length)) best = s;
  return best;
};
