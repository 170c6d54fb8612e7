/**
 * Ground-truth recovery of a generated testbed: reads each site back through the adapters,
 * reconstructs its daily usage timeline (`lib/Report`, daily means, ungrouped, nodes) and compares
 * it with the truth (`compare.ts`). Used by `__tests__/recovery.test.ts` and to measure the error
 * table of docs/validation.md (`scripts/validation.ts`).
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { readSiteAt, toSiteInput } from '../adapters/readSite';
import { report, type Audit } from '../lib/Report';
import * as T from '../lib/Time';
import { compareSite, type MonthError } from './compare';
import type { Generated } from './index';
import { siteConfigs } from './index';
import { compareBooking, trueBooking, type BookComparison, type BookValue, type LeadTimeValue } from './bookings';
import { dailyHours } from './truth';
import { edgeTruthTypes } from './edge';

/** The book of a site without one (the edge site: the book holds hosts only). */
const noBook: BookComparison = { days: 0, book_rows: 0, leadtime_rows: 0, book_differing_days: 0, leadtime_differing_days: 0, booked_abs_diff: {}, booked_sum: {}, examples: [] };

/** One site's recovery. @category model @since 0.1.0 */
export interface SiteRecovery {
  readonly site: string;
  readonly months: ReadonlyArray<MonthError>;
  readonly audit: Audit;
  readonly events: number;
  readonly seconds: number;
  /** The reservation book and projected lead times against their truth. */
  readonly booking: BookComparison;
  /** The reconstructed book rows (value type nodes) and projected lead times compared. */
  readonly bookRows: ReadonlyArray<BookValue>;
  readonly leadRows: ReadonlyArray<LeadTimeValue>;
}

/**
 * Reconstructs every site of a generated testbed (generated with `keep: true`) and compares it
 * with the truth.
 *
 * @since 0.1.0
 */
export const recover = async (g: Generated): Promise<ReadonlyArray<SiteRecovery>> => {
  if (g.worlds === undefined) throw new Error('recover: generate the testbed with keep: true');
  const out: SiteRecovery[] = [];
  const configs = siteConfigs(g);
  for (let i = 0; i < configs.length; i++) {
    const t0 = Date.now();
    const { site, url } = configs[i];
    const read = await readSiteAt(url, site)();
    if (Ei.isLeft(read)) throw new Error(read.left.message);
    const r = read.right;
    // the CHI@Edge site is compared in devices, on its own count types, without a book (hosts only)
    const edge = g.plan.sites[i].kind === 'edge';
    const vt = edge ? 'devices' : 'nodes';
    const rep = report({ start: g.plan.start, end: g.plan.end, groupBy: [], valueTypes: [vt], resample: O.some({ bucket: '1d', method: 'mean' }) })([
      toSiteInput(site)(r),
    ]);
    const truth = dailyHours(g.worlds[i].truth, g.plan.start, g.plan.end);
    const coverageStarts: number[] = [];
    for (const c of rep.audit.coverage) if (c.site === r.site && c.start !== null) coverageStarts.push(O.getOrElse(() => 0)(T.fromIso(c.start)));
    const months = compareSite({
      site: r.site,
      start: g.plan.start,
      end: g.plan.end,
      truth,
      recon: rep.timeline.rows.filter((x) => x.collector_type === 'new' && x.value_type === vt),
      coverageStarts,
      pool: site.ondemandPool,
      ...(edge ? { types: edgeTruthTypes } : {}),
    });
    const seconds = (Date.now() - t0) / 1000;
    const bookRows = edge ? [] : rep.booking.rows.filter((x) => x.site === r.site && x.value_type === 'nodes');
    const leadRows = edge ? [] : rep.booking.projected.filter((x) => x.site === r.site);
    const booking = edge ? noBook : compareBooking(trueBooking(g.plan, g.worlds[i].world), bookRows, leadRows);
    out.push({ site: r.site, months, audit: rep.audit, events: r.events.length, seconds, booking, bookRows, leadRows });
  }
  return out;
};
