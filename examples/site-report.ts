/**
 * One site's report, the way another tool would build it on the package: read a site snapshot
 * with the adapters, reconstruct with the core, and print a monthly table of node counts and
 * utilization.
 *
 * Run (after `npx chameleon-usage demo` and `npm run build`):
 *   node dist/examples/site-report.js output/demo/chi_tacc.sqlite
 */
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { readSiteAt, Source, toSiteInput } from '../adapters';
import { Report, Time } from '../lib';

/** Nova hosts before 2018 and Blazar hosts before 2020 were lost (the plan's known gaps). */
const gaps = (): ReadonlyArray<Source.KnownGap> => [
  { countTypes: ['total'], start: Time.unsafeMillis(Date.UTC(2015, 0, 1)), end: Time.unsafeMillis(Date.UTC(2018, 0, 1)), note: 'Nova hosts before 2018 were lost' },
  { countTypes: ['reservable'], start: Time.unsafeMillis(Date.UTC(2015, 0, 1)), end: Time.unsafeMillis(Date.UTC(2020, 0, 1)), note: 'Blazar hosts before 2020 were lost' },
];

export interface MonthRow {
  readonly month: string;
  readonly total: number | null;
  readonly reservable: number | null;
  readonly committed: number | null;
  readonly occupied: number | null;
}

/** Reads one site snapshot (its key is the file name, e.g. `chi_uc.sqlite`) and returns its monthly means. */
export const run = async (dbPath: string, site = path.basename(dbPath, '.sqlite')): Promise<{ site: string; months: ReadonlyArray<MonthRow> }> => {
  const config = Source.siteConfig(site, {
    coverageStart: { total: Time.unsafeMillis(Date.UTC(2018, 0, 1)), reservable: Time.unsafeMillis(Date.UTC(2020, 0, 1)) },
    knownGaps: gaps(),
  });
  const read = await readSiteAt(`sqlite:${dbPath}`, config)();
  if (Ei.isLeft(read)) throw new Error(read.left.message);
  const r = read.right;
  const rep = Report.report({
    start: Time.unsafeMillis(Date.UTC(2016, 0, 1)),
    end: Time.unsafeMillis(Date.UTC(2026, 0, 1)),
    groupBy: [],
    valueTypes: ['nodes'],
    resample: O.some({ bucket: '1mo', method: 'mean' }),
  })([toSiteInput(config)(r)]);
  const byMonth = new Map<string, Record<string, number>>();
  for (const row of rep.timeline.rows) {
    if (row.collector_type !== 'new') continue;
    const m = row.timestamp.slice(0, 7);
    byMonth.set(m, { ...byMonth.get(m), [row.count_type]: row.value });
  }
  const months = [...byMonth.keys()].sort().map((month) => {
    const v = byMonth.get(month) ?? {};
    return { month, total: v.total ?? null, reservable: v.reservable ?? null, committed: v.committed ?? null, occupied: v.occupied ?? null };
  });
  return { site, months };
};

const fmt = (x: number | null): string => (x === null ? '-' : x.toFixed(1)).padStart(10);

if (require.main === module) {
  const file = process.argv[2] ?? 'output/demo/chi_tacc.sqlite';
  void run(file).then(({ site, months }) => {
    console.log(`${site}: monthly mean nodes (- = not covered)`);
    console.log(`${'month'.padEnd(8)}${'total'.padStart(10)}${'reservable'.padStart(11)}${'committed'.padStart(10)}${'occupied'.padStart(10)}  utilization`);
    for (const m of months) {
      const util = m.reservable !== null && m.reservable > 0 && m.committed !== null ? `${((100 * m.committed) / m.reservable).toFixed(0)}%` : '-';
      console.log(`${m.month.padEnd(8)}${fmt(m.total)} ${fmt(m.reservable)}${fmt(m.committed)}${fmt(m.occupied)}  ${util}`);
    }
  });
}
