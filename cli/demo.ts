/**
 * `chameleon-usage demo` and `chameleon-usage generate`.
 *
 * - `demo [--out DIR] [--seed N] [--scale X]`: generates the synthetic testbed (default scale
 *   `DEMO_SCALE`, a quarter of Chameleon's real scale) into
 *   `DIR/demo/<site>.sqlite` (one snapshot per site, the embedded default: no database server),
 *   runs `report` on the four sites (the three host sites and the CHI@Edge device site
 *   `chi_edge`; daily means, per node type, value types nodes and devices) into `DIR/data/` with the
 *   figures in `DIR/plots/` (unless `--no-plots`) and the interactive page `DIR/report.html`
 *   (unless `--no-html`), and prints
 *   where everything is. A progress bar on stderr for each long step.
 * - `generate --out DIR [--mysql URL [--prefix P]] [--seed N] [--scale X] [--site KEY]`: only the
 *   testbed, for benchmarks and tests; SQLite files in `DIR`, or MySQL databases
 *   `<prefix><site>_<db>`.
 *
 * @since 0.1.0
 */
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { connect, knexConfig, siteConfig } from '../adapters/Source';
import type { Failure } from '../lib/Failure';
import * as T from '../lib/Time';
import { generate, knownSites, plan, siteConfigs, DEFAULT_SEED, type Generated, type Target } from '../testbed';
import { onInterrupt } from './interrupt';
import { checkTarget, probeOutput } from './outputDir';
import { progressBar } from './progress';
import { runReport } from './report';
import { defaultJobs } from './sitePool';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Options of both commands, as parsed. @category model @since 0.1.0 */
export interface TestbedArgs {
  readonly out?: string;
  readonly seed?: string;
  readonly scale?: string;
  readonly mysql?: string;
  readonly prefix?: string;
  readonly site?: ReadonlyArray<string>;
  readonly quiet?: boolean;
  /** demo: skip the figures. */
  readonly 'no-plots'?: boolean;
  /** demo: skip the interactive page `report.html`. */
  readonly 'no-html'?: boolean;
}

/**
 * The demo's default scale: a quarter of Chameleon's real scale (`--scale 1`, `generate`'s
 * default), so the demo runs in about two minutes (docs/testbed.md).
 *
 * @category constructors
 * @since 0.4.0
 */
export const DEMO_SCALE = 0.25;

const configFailure = (message: string): Failure => ({ _tag: 'ConfigFailure', message });

const parsePlan = (a: TestbedArgs): Ei.Either<Failure, ReturnType<typeof plan>> => {
  const seed = a.seed === undefined ? DEFAULT_SEED : Number(a.seed);
  if (!Number.isSafeInteger(seed)) return Ei.left(configFailure(`--seed ${a.seed}: expected an integer`));
  const scale = a.scale === undefined ? 1 : Number(a.scale);
  if (!(scale > 0) || !Number.isFinite(scale) || scale > 1000) return Ei.left(configFailure(`--scale ${a.scale}: expected a number in (0, 1000]`));
  try {
    return Ei.right(plan({ seed, scale, ...(a.site === undefined || a.site.length === 0 ? {} : { sites: a.site }) }));
  } catch (e) {
    return Ei.left(configFailure((e as Error).message));
  }
};

const runGeneration = async (a: TestbedArgs, target: Target, title: string): Promise<Ei.Either<Failure, Generated>> => {
  const p = parsePlan(a);
  if (Ei.isLeft(p)) return p;
  const bar = progressBar(title, { quiet: a.quiet });
  // an interrupt removes the snapshot being written (testbed/write.ts names it <file>.tmp-<pid>)
  const forget = onInterrupt(() => {
    if (target.kind === 'sqlite') for (const s of p.right.sites) rmSync(path.join(target.dir, `${s.site}.sqlite.tmp-${process.pid}`), { force: true });
  });
  try {
    const g = await generate({ plan: p.right, target, progress: (label, f) => bar.update(label, f) });
    bar.done();
    return Ei.right(g);
  } catch (e) {
    bar.done();
    const message = e instanceof Error ? e.message : String(e);
    return Ei.left(
      target.kind === 'mysql'
        ? { _tag: 'QueryFailure', source: 'testbed', message }
        : { _tag: 'WriteFailure', path: target.kind === 'sqlite' ? target.dir : '', message },
    );
  } finally {
    forget();
  }
};

/** The demo's sites: the default three and the CHI@Edge device site. */
const demoSites: ReadonlyArray<string> = knownSites.map((s) => s.site);

/** The snapshots of a plan in `dir` must be files or absent (a folder in the way fails at once). */
const checkSnapshots = async (dir: string, p: ReturnType<typeof plan>): Promise<Ei.Either<Failure, void>> => {
  for (const s of p.sites) {
    const t = await checkTarget(path.join(dir, `${s.site}.sqlite`))();
    if (Ei.isLeft(t)) return t;
  }
  return Ei.right(undefined);
};

/** A MySQL URL for generate: a mysql:// URL of a server that answers (exit code 3 if not). */
const checkMysql = async (url: string): Promise<Ei.Either<Failure, void>> => {
  const c = await knexConfig(url)();
  if (Ei.isLeft(c)) return Ei.left(configFailure(`--mysql: ${c.left.message}`));
  if (c.right.dialect !== 'mysql') return Ei.left(configFailure('--mysql needs a mysql:// URL'));
  const src = await connect(url, siteConfig('testbed'))();
  if (Ei.isLeft(src)) return src;
  await src.right.knex.destroy();
  return Ei.right(undefined);
};

/** Runs `f` once `dirs` are proved creatable and writable. */
const withOutput = async <A>(dirs: ReadonlyArray<string>, f: () => Promise<Ei.Either<Failure, A>>): Promise<Ei.Either<Failure, A>> => {
  const ready: Ei.Either<Failure, void> = await probeOutput(dirs)();
  return Ei.isLeft(ready) ? ready : f();
};

const shown = (f: string): string => {
  const r = path.relative(process.cwd(), f);
  return r.startsWith('..') ? f : r;
};

const summaryLines = (g: Generated): ReadonlyArray<string> => [
  ...g.sites.map(
    (s) =>
      `  ${s.site}: ${s.world.hosts} hosts, ${s.world.leases} leases, ${s.world.instances} instances -> ${s.totalRows} rows (${s.truthIntervals} true intervals)  ${s.url === '' ? '' : s.url.startsWith('sqlite:') ? shown(s.url.slice(7)) : `${Object.values(s.databases ?? {}).join(', ')}`}`,
  ),
  `  seed ${g.plan.seed}, scale ${g.plan.scale}, ${g.seconds.toFixed(1)} s`,
];

// -------------------------------------------------------------------------------------
// commands
// -------------------------------------------------------------------------------------

/**
 * `generate`: writes the testbed and prints what it wrote (stdout).
 *
 * @since 0.1.0
 */
export const runGenerate = async (a: TestbedArgs, print: (line: string) => void): Promise<Ei.Either<Failure, number>> => {
  if (a.mysql === undefined && a.out === undefined) return Ei.left(configFailure('generate: give --out DIR (SQLite files) or --mysql URL'));
  if (a.mysql !== undefined && a.out !== undefined) return Ei.left(configFailure('generate: give --out or --mysql, not both'));
  if (a.prefix !== undefined && !/^[A-Za-z0-9_]*$/.test(a.prefix)) return Ei.left(configFailure(`--prefix ${a.prefix}: letters, digits and _ only`));
  const target: Target = a.mysql !== undefined ? { kind: 'mysql', url: a.mysql, prefix: a.prefix ?? 'testbed_' } : { kind: 'sqlite', dir: a.out as string };
  const p = parsePlan(a);
  if (Ei.isLeft(p)) return p;
  if (target.kind === 'mysql') {
    const reachable = await checkMysql(target.url);
    if (Ei.isLeft(reachable)) return reachable;
  }
  const g = await withOutput(target.kind === 'sqlite' ? [target.dir] : [], async () => {
    if (target.kind === 'sqlite') {
      const free = await checkSnapshots(target.dir, p.right);
      if (Ei.isLeft(free)) return free;
    }
    return runGeneration(a, target, 'generating');
  });
  if (Ei.isLeft(g)) return g;
  print('testbed generated:');
  for (const l of summaryLines(g.right)) print(l);
  return Ei.right(0);
};

/**
 * `demo`: generate, report on the four sites, print where everything is (stdout).
 *
 * @since 0.1.0
 */
export const runDemo = async (given: TestbedArgs, print: (line: string) => void): Promise<Ei.Either<Failure, number>> => {
  // scale 1 is Chameleon's real scale (issue 19): too slow for a demo, which has its own default
  const a: TestbedArgs = { ...given, scale: given.scale ?? String(DEMO_SCALE) };
  const out = a.out ?? 'output';
  const p = parsePlan({ ...a, site: demoSites });
  if (Ei.isLeft(p)) return p;
  const dir = path.join(out, 'demo');
  return withOutput([dir, path.join(out, 'data'), ...(a['no-plots'] === true ? [] : [path.join(out, 'plots')])], async () => {
    const free = await checkSnapshots(dir, p.right);
    return Ei.isLeft(free) ? free : demo(a, out, dir, print);
  });
};

const demo = async (a: TestbedArgs, out: string, dir: string, print: (line: string) => void): Promise<Ei.Either<Failure, number>> => {
  const g = await runGeneration({ ...a, site: demoSites }, { kind: 'sqlite', dir }, 'generating testbed');
  if (Ei.isLeft(g)) return g;
  const targets = siteConfigs(g.right);
  const bar = progressBar('reconstructing', { quiet: a.quiet });
  let read = 0;
  bar.update('reading', 0);
  const r = await runReport({
    targets,
    out,
    start: T.unsafeMillis(g.right.plan.start),
    end: T.unsafeMillis(g.right.plan.end),
    groupBy: ['node_type'],
    // devices: the CHI@Edge site's (a site without devices has no device rows)
    valueTypes: ['nodes', 'devices'],
    resample: O.some({ bucket: '1d', method: 'mean' }),
    facts: false,
    jobs: defaultJobs(targets.length),
    ...(a['no-plots'] === true ? {} : { plots: ['png'] as const }),
    html: a['no-html'] !== true,
    log: (line) => {
      const m = /^(\S+): reading /.exec(line);
      if (m !== null) {
        bar.update(`reading ${m[1]}`, read / targets.length);
        read += 1;
      } else if (line.startsWith('drawing figures')) bar.update('drawing figures', 0.85);
      else if (line.startsWith('building report.html')) bar.update('building report.html', 0.95);
      else if (line.startsWith('usage timeline:')) bar.update('written', 1);
    },
  })();
  bar.done();
  if (Ei.isLeft(r)) return r;
  const rep = r.right.report;
  print('');
  print('chameleon-usage demo: a synthetic Chameleon testbed (2016-2025), reconstructed');
  print('');
  print(`testbed (seed ${g.right.plan.seed}, scale ${g.right.plan.scale}, generated in ${g.right.seconds.toFixed(1)} s):`);
  for (const l of summaryLines(g.right).slice(0, -1)) print(l);
  print('  each snapshot also holds the true usage timeline: table truth__usage_timeline');
  print('');
  print('reconstruction (daily means per node type):');
  for (const line of [...new Set(rep.audit.sources.map((s) => s.site))].map((site) => {
    const srcs = rep.audit.sources.filter((s) => s.site === site && s.status === 'read');
    const rows = srcs.reduce((n, s) => n + s.rows_read, 0);
    const rejected = srcs.reduce((n, s) => n + s.rows_rejected, 0);
    const gaps = rep.audit.coverage.filter((c) => c.site === site && c.gaps.length > 0).map((c) => `${c.count_type} from ${c.start?.slice(0, 10) ?? 'never'}`);
    return `  ${site}: ${rows} rows read, ${rejected} rejected with a reason; covered: ${gaps.join(', ')}`;
  }))
    print(line);
  print(`  ${rep.timeline.rows.length} timeline rows, ${rep.audit.invariants.length} invariant violations`);
  print('');
  print('outputs:');
  for (const f of r.right.files) print(`  ${shown(f)}`);
  const page = r.right.files.find((f) => path.basename(f) === 'report.html');
  if (page !== undefined) {
    print('');
    print(`interactive report (open in a browser; no network needed): ${shown(page)}`);
  }
  print('');
  print('next:');
  print(`  npx chameleon-usage report --db sqlite:${shown(path.join(dir, 'chi_uc.sqlite'))} --site chi_uc --resample 1mo`);
  print(`  node dist/examples/site-report.js ${shown(path.join(dir, 'chi_tacc.sqlite'))}`);
  return Ei.right(0);
};
