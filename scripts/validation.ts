/**
 * Measures the ground-truth recovery error table of docs/validation.md on the default testbed
 * (or another seed/scale): generates it, reconstructs every site, and prints markdown. The
 * CHI@Edge site `chi_edge` is compared in devices (its "node-hours" columns are device-hours).
 *
 * Run: npx tsc -p tsconfig.json --outDir /tmp/cu && node /tmp/cu/scripts/validation.js [seed] [scale]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate, knownSites, plan, DEFAULT_SEED } from '../testbed';
import { compareBooking, trueBooking } from '../testbed/bookings';
import { recover } from '../testbed/recover';
import { truthTypes } from '../testbed/truth';

const main = async () => {
  const seed = Number(process.argv[2] ?? DEFAULT_SEED);
  const scale = Number(process.argv[3] ?? 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-validation-'));
  try {
    // every known site: the three host sites and the CHI@Edge device site (compared in devices)
    const g = await generate({ plan: plan({ seed, scale, sites: knownSites.map((s) => s.site) }), target: { kind: 'sqlite', dir }, keep: true });
    console.log(`seed ${seed}, scale ${scale}: generated in ${g.seconds.toFixed(1)} s`);
    for (const s of g.sites) console.log(`- ${s.site}: ${s.world.hosts} hosts, ${s.world.leases} leases, ${s.world.instances} instances, ${s.totalRows} rows, ${s.truthIntervals} true intervals`);
    const rec = await recover(g);
    for (const r of rec) console.log(`- ${r.site}: ${r.events} events read and reconstructed in ${r.seconds.toFixed(1)} s`);
    console.log('');
    console.log('| site | count type | months compared | days compared | partial days | uncovered days | days differing | truth node-hours | reconstructed node-hours | max monthly error | overall error |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rec) {
      for (const ct of truthTypes) {
        const ms = r.months.filter((m) => m.count_type === ct);
        // the on-demand pool's count types exist on a pool site only
        if (ms.length === 0) continue;
        const cmp = ms.filter((m) => m.days > 0);
        const sum = (f: (m: (typeof ms)[number]) => number) => ms.reduce((n, m) => n + f(m), 0);
        const truth = sum((m) => m.truth_node_hours);
        const recon = sum((m) => m.recon_node_hours);
        const maxErr = Math.max(0, ...cmp.map((m) => m.error));
        const overall = Math.abs(recon - truth) < 1e-6 ? 0 : Math.abs(recon - truth) / Math.abs(truth);
        console.log(`| ${r.site} | ${ct} | ${cmp.length} | ${sum((m) => m.days)} | ${sum((m) => m.partial_days)} | ${sum((m) => m.uncovered_days)} | ${sum((m) => m.differing_days)} | ${truth.toFixed(1)} | ${recon.toFixed(1)} | ${(100 * maxErr).toFixed(4)}% | ${(100 * overall).toFixed(6)}% |`);
      }
    }
    console.log('');
    console.log('| site | days compared | book rows | days differing (book) | projected lead-time rows | days differing (lead time) |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rec) {
      const b = r.booking;
      console.log(`| ${r.site} | ${b.days} | ${b.book_rows} | ${b.book_differing_days} | ${b.leadtime_rows} | ${b.leadtime_differing_days} |`);
      for (const e of b.examples) console.log(`  - ${e}`);
    }
    console.log('');
    console.log('| site | days where the book really seen (ends before extensions) differs from the final-dates book | booked node-days overstated, 1 / 7 / 30 days ahead | days where the projected lead time differs |');
    console.log('|---|---|---|---|');
    for (const [i, r] of rec.entries()) {
      if (g.plan.sites[i].kind === 'edge') continue; // the book holds hosts only
      const seen = compareBooking(
        trueBooking(g.plan, (g.worlds as NonNullable<typeof g.worlds>)[i].world, { asSeen: true }),
        r.bookRows,
        r.leadRows,
      );
      const pct = (h: number) => `${((100 * (seen.booked_abs_diff[h] ?? 0)) / Math.max(1e-9, seen.booked_sum[h] ?? 0)).toFixed(2)}%`;
      console.log(`| ${r.site} | ${seen.book_differing_days} of ${seen.days} | ${pct(1)} / ${pct(7)} / ${pct(30)} | ${seen.leadtime_differing_days} of ${seen.days} |`);
    }
    console.log('');
    for (const r of rec) {
      const clamp = r.audit.clamping.filter((c) => c.action !== 'none').map((c) => `${c.count_type} ${c.action}: ${c.rows} rows, ${c.node_hours.toFixed(1)} node-hours`);
      const rej = r.audit.sources.filter((s) => s.rows_rejected > 0).map((s) => `${s.source} ${JSON.stringify(s.rejected_by_reason)}`);
      console.log(`- ${r.site}: clamping: ${clamp.join('; ')}; rejections: ${rej.join('; ')}; invariant spans: ${r.audit.invariants.length}`);
      for (const p of r.audit.power) console.log(`  power: ${JSON.stringify(p)}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

void main();
