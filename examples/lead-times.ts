/**
 * Lead times: how far ahead people book, per site and year, from the leases the adapters read
 * (reconstruction rules, section 9): the share of leases that start within an hour of booking and
 * the median and 90th percentile of the requested lead time of the others.
 *
 * Run (after `npx chameleon-usage demo` and `npm run build`):
 *   node dist/examples/lead-times.js output/demo/chi_tacc.sqlite
 */
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import { readSiteAt, Source } from '../adapters';
import { LeadTime, Time } from '../lib';

export interface YearLeadTimes {
  readonly year: string;
  readonly leases: number;
  readonly within_1h: number;
  /** Of the leases booked more than an hour ahead. */
  readonly median_ahead_hours: number | null;
  readonly p90_ahead_hours: number | null;
}

const quantile = (sorted: ReadonlyArray<number>, q: number): number | null => {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
};

/** Reads one site snapshot and returns its requested lead times per year. */
export const run = async (dbPath: string, site = path.basename(dbPath, '.sqlite')): Promise<{ site: string; years: ReadonlyArray<YearLeadTimes> }> => {
  const read = await readSiteAt(`sqlite:${dbPath}`, Source.siteConfig(site))();
  if (Ei.isLeft(read)) throw new Error(read.left.message);
  const lt = LeadTime.leadTimes({ start: Time.unsafeMillis(Date.UTC(2016, 0, 1)), end: Time.unsafeMillis(Date.UTC(2026, 0, 1)), groupBy: [] })(read.right.leases);
  const byYear = new Map<string, number[]>();
  for (const l of lt.leases) {
    const y = new Date(l.created_at).toISOString().slice(0, 4);
    const list = byYear.get(y) ?? [];
    list.push(l.requested_hours);
    byYear.set(y, list);
  }
  const years = [...byYear.keys()].sort().map((year) => {
    const hs = byYear.get(year) ?? [];
    const ahead = hs.filter((h) => h > 1).sort((a, b) => a - b);
    return { year, leases: hs.length, within_1h: (hs.length - ahead.length) / hs.length, median_ahead_hours: quantile(ahead, 0.5), p90_ahead_hours: quantile(ahead, 0.9) };
  });
  return { site, years };
};

if (require.main === module) {
  void run(process.argv[2] ?? 'output/demo/chi_tacc.sqlite').then(({ site, years }) => {
    console.log(`${site}: requested lead time (hours) of leases booked more than an hour ahead`);
    for (const y of years) {
      const h = (x: number | null) => (x === null ? '-' : x.toFixed(1)).padStart(8);
      console.log(`${y.year}  ${String(y.leases).padStart(6)} leases  ${(100 * y.within_1h).toFixed(0).padStart(3)}% within 1 h  median${h(y.median_ahead_hours)}  p90${h(y.p90_ahead_hours)}`);
    }
  });
}
