/**
 * The testbed's calibration against Chameleon's real scale and load (issue 19): generates the
 * testbed (no database: the row counts and the worlds only), measures every target of
 * docs/testbed.md's calibration section and rewrites that section (a table, targets and measured
 * side by side) and its figure, docs/img/testbed_calibration.png.
 *
 * Run: npm run calibration [-- seed scale] (add --no-write to only print)
 * (scale 1 is the real one; other scales print the same table with the targets scaled).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import { generate, plan, DEFAULT_SEED } from '../testbed';
import { dailyHours, derivedHours } from '../testbed/truth';
import { periods } from '../testbed/world';
import type { SiteWorld } from '../testbed/world';
import type { RowStats } from '../testbed/rows';

const DAY = 86_400_000;

/** A target: a band [lo, hi] (a point target is lo = hi; pass: within 15 % of the band). */
interface Target {
  readonly site: string;
  readonly what: string;
  readonly lo: number;
  readonly hi: number;
  readonly unit: string;
  /** Scales with `--scale` (counts), or not (shares, lengths). */
  readonly scales: boolean;
  readonly source: string;
}

const SRC_TABLES = "Chameleon's tables (issue 19)";
const SRC_DOCS = "Chameleon's documentation and its pipeline's figures";

/** The real levels (issue 19). */
const targets: ReadonlyArray<Target> = [
  { site: 'chi_tacc', what: 'leases', lo: 223_503, hi: 223_503, unit: 'rows', scales: true, source: SRC_TABLES },
  { site: 'chi_tacc', what: 'instances', lo: 146_890, hi: 146_890, unit: 'rows', scales: true, source: SRC_TABLES },
  { site: 'chi_tacc', what: 'instance action events', lo: 603_885, hi: 603_885, unit: 'rows', scales: true, source: SRC_TABLES },
  { site: 'chi_tacc', what: 'host allocations', lo: 164_491, hi: 164_491, unit: 'rows', scales: true, source: SRC_TABLES },
  { site: 'chi_tacc', what: 'nodes 2018-2020 (mean)', lo: 330, hi: 380, unit: 'nodes', scales: true, source: SRC_DOCS },
  { site: 'chi_tacc', what: 'nodes 2021-2025 (mean)', lo: 220, hi: 300, unit: 'nodes', scales: true, source: SRC_DOCS },
  { site: 'chi_tacc', what: 'committed 2018-2025 (median day)', lo: 100, hi: 200, unit: 'nodes', scales: true, source: SRC_DOCS },
  { site: 'chi_tacc', what: 'idle 2018-2025 (median day)', lo: 10, hi: 50, unit: 'nodes', scales: true, source: SRC_DOCS },
  { site: 'chi_uc', what: 'leases', lo: 73_830, hi: 73_830, unit: 'rows', scales: true, source: SRC_TABLES },
  { site: 'chi_uc', what: 'instances', lo: 85_998, hi: 85_998, unit: 'rows', scales: true, source: SRC_TABLES },
  { site: 'chi_uc', what: 'instance action events', lo: 327_166, hi: 327_166, unit: 'rows', scales: true, source: SRC_TABLES },
  { site: 'chi_uc', what: 'host allocations', lo: 97_631, hi: 97_631, unit: 'rows', scales: true, source: SRC_TABLES },
  { site: 'chi_uc', what: 'nodes 2018-2020 (mean)', lo: 155, hi: 155, unit: 'nodes', scales: true, source: SRC_DOCS },
  { site: 'chi_uc', what: 'nodes 2021-2025 (mean)', lo: 110, hi: 135, unit: 'nodes', scales: true, source: SRC_DOCS },
  { site: 'kvm_tacc', what: 'leases', lo: 1_109, hi: 1_109, unit: 'rows', scales: true, source: SRC_TABLES },
  { site: 'kvm_tacc', what: 'instances', lo: 156_409, hi: 156_409, unit: 'rows', scales: true, source: SRC_TABLES },
  { site: 'kvm_tacc', what: 'instance action events', lo: 866_074, hi: 866_074, unit: 'rows', scales: true, source: SRC_TABLES },
  { site: 'kvm_tacc', what: 'host allocations', lo: 3_804, hi: 3_804, unit: 'rows', scales: true, source: SRC_TABLES },
];

const TOLERANCE = 0.15;

const pass = (t: Target, scale: number, v: number): boolean => {
  const k = t.scales ? scale : 1;
  return v >= t.lo * k * (1 - TOLERANCE) && v <= t.hi * k * (1 + TOLERANCE);
};

const rowsOf = (r: RowStats, ...keys: ReadonlyArray<keyof RowStats>): number => keys.reduce((n, k) => n + (r[k] ?? 0), 0);

const quantile = (xs: ReadonlyArray<number>, q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const max = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => Math.max(a, b), -Infinity);
const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Lease and instance behaviour of one site (shares, not targets of the issue's table). */
const behaviour = (w: SiteWorld, end: number) => {
  // refused requests (soft-deleted at their creation, no host) apart: the rest held hosts
  const refused = w.leases.filter((l) => !l.operator && l.deletedAt === l.createdAt && l.reservations.every((r) => r.hosts.length === 0));
  const refusedSet = new Set(refused);
  const user = w.leases.filter((l) => !l.operator && !refusedSet.has(l));
  const lengths = user.filter((l) => !l.error).map((l) => (l.endDate - Math.max(l.startDate, l.createdAt)) / DAY);
  const requested = user.filter((l) => !l.error).map((l) => (l.requestedEnd - Math.max(l.startDate, l.createdAt)) / DAY);
  const gpu = user.filter((l) => !l.error && l.reservations[0]?.nodeType.startsWith('gpu')).map((l) => (l.requestedEnd - Math.max(l.startDate, l.createdAt)) / DAY);
  const extended = user.filter((l) => l.extendedAt !== null).length;
  const early = user.filter((l) => l.deletedAt !== null && l.deletedAt < l.endDate).length;
  const launched = w.instances.filter((i) => i.launched);
  const has = (a: string) => launched.filter((i) => i.steps.some((s) => s.kind === 'power' && s.action === a && s.ok)).length;
  const shelved = launched.filter((i) => i.steps.some((s) => s.kind === 'shelve')).length;
  const pct = (n: number, d: number) => (d === 0 ? 0 : (100 * n) / d);
  return {
    refusedPct: pct(refused.length, refused.length + user.length),
    userLeases: user.length,
    medianDays: quantile(lengths, 0.5),
    p90Days: quantile(lengths, 0.9),
    maxRequestedDays: max(requested),
    maxDays: max(lengths),
    maxGpuDays: gpu.length === 0 ? NaN : max(gpu),
    extendedPct: pct(extended, user.length),
    earlyPct: pct(early, user.length),
    stoppedPct: pct(has('stop'), launched.length),
    restartedPct: pct(has('start'), launched.length),
    suspendedPct: pct(has('suspend'), launched.length),
    shelvedPct: pct(shelved, launched.length),
    still: launched.filter((i) => !i.steps.some((s) => s.kind === 'delete' && s.t < end)).length,
    periods: launched.reduce((n, i) => n + periods(i).length, 0),
  };
};

const fmtNum = (v: number, unit: string): string => (unit === 'rows' ? Math.round(v).toLocaleString('en-US') : v.toFixed(0));
const fmtBand = (t: Target, k: number): string =>
  t.lo === t.hi ? fmtNum(t.lo * k, t.unit) : `${fmtNum(t.lo * k, t.unit)}-${fmtNum(t.hi * k, t.unit)}`;

const BEGIN = '<!-- calibration:begin (scripts/calibration.ts writes this section) -->';
const END = '<!-- calibration:end -->';

const main = async () => {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const write = !process.argv.includes('--no-write');
  const seed = Number(args[0] ?? DEFAULT_SEED);
  const scale = Number(args[1] ?? 1);
  const p = plan({ seed, scale });
  const g = await generate({ plan: p, target: { kind: 'none' }, keep: true });
  const worlds = g.worlds ?? [];
  const measured = new Map<string, number>();
  const series = new Map<string, { days: number[]; total: number[]; committed: number[]; idle: number[] }>();
  const beh = new Map<string, ReturnType<typeof behaviour>>();
  for (const [i, s] of g.sites.entries()) {
    const { world, truth } = worlds[i];
    const r = s.rows;
    const set = (what: string, v: number) => measured.set(`${s.site}/${what}`, v);
    set('leases', rowsOf(r, 'blazar.leases'));
    set('instances', rowsOf(r, 'nova.instances', 'nova.shadow_instances'));
    set('instance action events', rowsOf(r, 'nova.instance_actions_events', 'nova.shadow_instance_actions_events'));
    set('host allocations', rowsOf(r, 'blazar.computehost_allocations'));
    const h = dailyHours(truth, p.start, p.end);
    const n = h.total.length;
    const day0 = new Date(p.start).getUTCFullYear();
    const yearOf = (d: number) => new Date(p.start + d * DAY).getUTCFullYear();
    const pick = (f: (d: number) => number, from: number, to: number) => {
      const out: number[] = [];
      for (let d = 0; d < n; d++) if (yearOf(d) >= from && yearOf(d) <= to) out.push(f(d) / 24);
      return out;
    };
    void day0;
    set('nodes 2018-2020 (mean)', mean(pick((d) => h.total[d], 2018, 2020)));
    set('nodes 2021-2025 (mean)', mean(pick((d) => h.total[d], 2021, 2025)));
    const committed = pick((d) => h.committed[d], 2018, 2025);
    const idle = pick((d) => derivedHours(h, 'idle', d), 2018, 2025);
    set('committed 2018-2025 (median day)', quantile(committed, 0.5));
    set('idle 2018-2025 (median day)', quantile(idle, 0.5));
    set('committed share in band', committed.filter((v) => v >= 100 * scale && v <= 200 * scale).length / Math.max(1, committed.length));
    set('idle share in band', idle.filter((v) => v >= 10 * scale && v <= 50 * scale).length / Math.max(1, idle.length));
    const days: number[] = [];
    const tot: number[] = [];
    const com: number[] = [];
    const idl: number[] = [];
    for (let d = 0; d < n; d += 7) {
      // weekly means, for the figure
      let a = 0;
      let b = 0;
      let c = 0;
      const m = Math.min(7, n - d);
      for (let k = d; k < d + m; k++) {
        a += h.total[k] / 24;
        b += h.committed[k] / 24;
        c += derivedHours(h, 'idle', k) / 24;
      }
      days.push(p.start + d * DAY);
      tot.push(a / m);
      com.push(b / m);
      idl.push(c / m);
    }
    series.set(s.site, { days, total: tot, committed: com, idle: idl });
    beh.set(s.site, behaviour(world, p.end));
  }

  const lines: string[] = [];
  lines.push(BEGIN);
  lines.push('');
  lines.push(`Measured on seed ${seed}, scale ${scale} (${g.seconds.toFixed(0)} s to simulate and derive the rows, no database), by`);
  lines.push('`npm run calibration`, which rewrites this section and the figure.');
  lines.push(`A level passes when it is within ${TOLERANCE * 100} % of the target (of the band's ends for a band).`);
  lines.push('Rows: the source table and its `shadow_` table (the 2017 archive). Nodes: the true `total` (Nova), daily');
  lines.push('mean over the era; committed and idle (`committed - occupied_reserved`): the median day of 2018-2025.');
  lines.push('');
  lines.push('| site | level | target | measured | within 15 % | source |');
  lines.push('|---|---|---|---|---|---|');
  let fails = 0;
  for (const t of targets) {
    const v = measured.get(`${t.site}/${t.what}`) ?? NaN;
    const ok = pass(t, scale, v);
    if (!ok) fails++;
    lines.push(`| ${t.site} | ${t.what} | ${fmtBand(t, t.scales ? scale : 1)} | ${fmtNum(v, t.unit)} | ${ok ? 'yes' : '**no**'} | ${t.source} |`);
  }
  const inBand = (k: string) => `${(100 * (measured.get(`chi_tacc/${k}`) ?? 0)).toFixed(0)} %`;
  lines.push('');
  lines.push(`"Most of the time" at CHI@TACC (2018-2025): committed within ${fmtBand({ ...targets[6] }, scale)} on ${inBand('committed share in band')} of the days,`);
  lines.push(`idle within ${fmtBand({ ...targets[7] }, scale)} on ${inBand('idle share in band')} of the days.`);
  lines.push('');
  lines.push('Behaviour (user leases; instances that ran):');
  lines.push('');
  lines.push('| site | refused at creation | user leases holding hosts | length median / p90 (days, with extensions) | longest asked / held (days) | longest GPU asked (days) | extended | deleted early | instances stopped / started again | suspended | shelved |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [site, b] of beh) {
    lines.push(
      `| ${site} | ${b.refusedPct.toFixed(1)} % | ${b.userLeases.toLocaleString('en-US')} | ${b.medianDays.toFixed(2)} / ${b.p90Days.toFixed(2)} | ${b.maxRequestedDays.toFixed(1)} / ${b.maxDays.toFixed(1)} | ${Number.isNaN(b.maxGpuDays) ? '-' : b.maxGpuDays.toFixed(1)} | ${b.extendedPct.toFixed(1)} % | ${b.earlyPct.toFixed(1)} % | ${b.stoppedPct.toFixed(1)} % / ${b.restartedPct.toFixed(1)} % | ${b.suspendedPct.toFixed(1)} % | ${b.shelvedPct.toFixed(1)} % |`,
    );
  }
  lines.push('');
  lines.push('![Targets and measured levels: weekly mean nodes, committed and idle per site; the bands of the targets shaded](img/testbed_calibration.png)');
  lines.push('');
  lines.push(END);
  const section = lines.join('\n');
  console.log(section);
  console.log(`\n${fails} of ${targets.length} levels outside 15 %`);

  if (write) {
    const doc = path.join(__dirname, '..', 'docs', 'testbed.md');
    const md = fs.readFileSync(doc, 'utf8');
    const a = md.indexOf(BEGIN);
    const b = md.indexOf(END);
    const next = a >= 0 && b > a ? md.slice(0, a) + section + md.slice(b + END.length) : `${md.trimEnd()}\n\n## Calibration against Chameleon (issue 19)\n\n${section}\n`;
    fs.writeFileSync(doc, next);
    await figure(series, scale, path.join(__dirname, '..', 'docs', 'img', 'testbed_calibration.png'));
  }
};

/** Weekly mean nodes, committed and idle per bare-metal site, with the target bands shaded. */
const figure = async (series: ReadonlyMap<string, { days: number[]; total: number[]; committed: number[]; idle: number[] }>, scale: number, file: string) => {
  const sites = [...series.keys()];
  const W = 1200;
  const H = 360;
  // bands: [site, from year, to year, lo, hi, colour]
  const bands: Array<[string, number, number, number, number, string]> = [
    ['chi_tacc', 2018, 2021, 330, 380, 'rgba(31,119,180,0.15)'],
    ['chi_tacc', 2021, 2026, 220, 300, 'rgba(31,119,180,0.15)'],
    ['chi_tacc', 2018, 2026, 100, 200, 'rgba(255,127,14,0.12)'],
    ['chi_tacc', 2018, 2026, 10, 50, 'rgba(44,160,44,0.15)'],
    ['chi_uc', 2018, 2021, 155 * 0.95, 155 * 1.05, 'rgba(31,119,180,0.15)'],
    ['chi_uc', 2021, 2026, 110, 135, 'rgba(31,119,180,0.15)'],
  ];
  const images: Buffer[] = [];
  for (const site of sites) {
    const s = series.get(site) as { days: number[]; total: number[]; committed: number[]; idle: number[] };
    const x = s.days.map((d) => 2016 + (d - Date.UTC(2016, 0, 1)) / (365.25 * DAY));
    const ds = (label: string, ys: number[], color: string) => ({ label, data: ys.map((y, i) => ({ x: x[i], y })), borderColor: color, borderWidth: 1.2, pointRadius: 0, fill: false });
    const boxes = bands
      .filter((b) => b[0] === site)
      .map((b) => ({ label: '', data: [{ x: b[1], y: b[4] * scale }, { x: b[2], y: b[4] * scale }], backgroundColor: b[5], borderWidth: 0, pointRadius: 0, fill: { target: { value: b[3] * scale } } }));
    const single = new ChartJSNodeCanvas({ width: W, height: H, backgroundColour: 'white' });
    images.push(
      await single.renderToBuffer({
        type: 'line',
        data: { datasets: [ds('nodes (total)', s.total, 'rgb(31,119,180)'), ds('committed', s.committed, 'rgb(255,127,14)'), ds('idle (committed - occupied reserved)', s.idle, 'rgb(44,160,44)'), ...boxes] as never },
        options: {
          animation: false,
          plugins: {
            title: { display: true, text: `${site} (scale ${scale}): weekly means; shaded: the targets` },
            legend: { labels: { filter: (item: { text: string }) => item.text !== '' } },
          },
          scales: { x: { type: 'linear', min: 2016, max: 2026, ticks: { stepSize: 1, callback: (v: number | string) => String(v) } }, y: { min: 0, title: { display: true, text: 'nodes' } } },
        } as never,
      }),
    );
  }
  // stack the panels vertically
  const { loadImage, createCanvas: cc } = await import('canvas');
  const out = cc(W, H * images.length);
  const ctx = out.getContext('2d');
  for (const [i, png] of images.entries()) ctx.drawImage(await loadImage(png), 0, i * H);
  fs.writeFileSync(file, out.toBuffer('image/png'));
};

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
