/**
 * The cross-site comparison: every site snapshot of a folder (one `<site>.sqlite` per site, as the
 * demo writes them) reconstructed with the same options, then compared per year: mean committed
 * and occupied nodes, and which share of the committed capacity actually ran an instance.
 *
 * Run (after `npx chameleon-usage demo` and `npm run build`):
 *   node dist/examples/cross-site.js output/demo
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { readSiteAt, Source, toSiteInput } from '../adapters';
import { Report, Time } from '../lib';

export interface YearRow {
  readonly site: string;
  readonly year: string;
  readonly committed: number;
  readonly occupied: number;
  /** occupied_reserved / committed: how much of the reserved capacity ran something. */
  readonly used_share: number | null;
}

/** Reads every `*.sqlite` in `dir` (or the one file given) and returns yearly means per site. */
export const run = async (dirOrFile: string): Promise<ReadonlyArray<YearRow>> => {
  const files = fs.statSync(dirOrFile).isDirectory()
    ? fs.readdirSync(dirOrFile).filter((f) => f.endsWith('.sqlite')).sort().map((f) => path.join(dirOrFile, f))
    : [dirOrFile];
  const inputs: Report.SiteInput[] = [];
  for (const file of files) {
    const config = Source.siteConfig(path.basename(file, '.sqlite'));
    const read = await readSiteAt(`sqlite:${file}`, config)();
    if (Ei.isLeft(read)) throw new Error(read.left.message);
    inputs.push(toSiteInput(config)(read.right));
  }
  const rep = Report.report({
    start: Time.unsafeMillis(Date.UTC(2016, 0, 1)),
    end: Time.unsafeMillis(Date.UTC(2026, 0, 1)),
    groupBy: [],
    valueTypes: ['nodes'],
    resample: O.some({ bucket: '1mo', method: 'mean' }),
  })(inputs);
  // yearly mean of the monthly means, weighted by the days of each month
  const acc = new Map<string, { days: number; committed: number; occupied: number; reserved: number }>();
  for (const r of rep.timeline.rows) {
    if (r.collector_type !== 'new' || !['committed', 'occupied', 'occupied_reserved'].includes(r.count_type)) continue;
    const start = Date.parse(r.timestamp);
    const d = new Date(start);
    const days = (Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - start) / 86_400_000;
    const k = `${r.site}/${r.timestamp.slice(0, 4)}`;
    const a = acc.get(k) ?? { days: 0, committed: 0, occupied: 0, reserved: 0 };
    if (r.count_type === 'committed') {
      a.committed += r.value * days;
      a.days += days;
    } else if (r.count_type === 'occupied') a.occupied += r.value * days;
    else a.reserved += r.value * days;
    acc.set(k, a);
  }
  return [...acc.keys()].sort().map((k) => {
    const [site, year] = k.split('/');
    const a = acc.get(k) as { days: number; committed: number; occupied: number; reserved: number };
    return {
      site,
      year,
      committed: a.days === 0 ? 0 : a.committed / a.days,
      occupied: a.days === 0 ? 0 : a.occupied / a.days,
      used_share: a.committed === 0 ? null : a.reserved / a.committed,
    };
  });
};

if (require.main === module) {
  void run(process.argv[2] ?? 'output/demo').then((rows) => {
    console.log(`${'site'.padEnd(10)}${'year'.padEnd(6)}${'committed'.padStart(10)}${'occupied'.padStart(10)}${'used'.padStart(7)}`);
    for (const r of rows) {
      const used = r.used_share === null ? '-' : `${(100 * r.used_share).toFixed(0)}%`;
      console.log(`${r.site.padEnd(10)}${r.year.padEnd(6)}${r.committed.toFixed(1).padStart(10)}${r.occupied.toFixed(1).padStart(10)}${used.padStart(7)}`);
    }
  });
}
