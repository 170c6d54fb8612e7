#!/usr/bin/env node
/**
 * The `chameleon-usage` command line. Composition only: parsing, effects and printing live here;
 * the work is done by the pure core (lib/) and the adapters.
 *
 * Exit codes: 0 success, 2 usage or configuration error, 3 connection error, 4 query error,
 * 5 data error (output failed validation), 6 write error (docs/operations.md).
 *
 * @since 0.1.0
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { connect, redact } from '../adapters/Source';
import { groupColumns, type GroupColumn } from '../lib/Counts';
import { exitCode, show, type Failure } from '../lib/Failure';
import { isValueType, valueTypes as allValueTypes, type ValueType } from '../lib/Quantities';
import { methods, parseBucket, type Method } from '../lib/Resample';
import { periodKinds, type PeriodKind } from '../lib/Summary';
import * as T from '../lib/Time';
import { readConfig, resolveUrl, selectSites, siteFromKey, type SiteEntry } from './config';
import { handleSignals } from './interrupt';
import { checkTarget, probeOutput } from './outputDir';
import { formats as plotFormats, type Format } from '../plot';
import type { SiteTarget } from './report';

/** The package's own package.json, found upward from this file (works from source and dist). */
const pkg = ((): { version: string } => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const p = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (p.name === 'chameleon-usage') return p;
    } catch {
      // not here: keep walking up
    }
    if (path.dirname(dir) === dir) return { version: 'unknown' };
  }
})();

const HELP = `chameleon-usage ${pkg.version}
Reconstruct the capacity and utilization history of an OpenStack testbed (Chameleon Cloud)
from its Nova and Blazar databases, with an audit of every source row.

Usage:
  chameleon-usage <command> [options]

Commands:
  report    Read one or more sites and write the usage timeline, the daily table and the audit.
  grants    Print the SQL that creates a read-only user with SELECT on exactly the tables read.
  extract   Copy exactly those tables from MySQL into a one-file SQLite snapshot.
  example   Fold a tiny built-in site (no database) and print its node counts.
  demo      Generate the synthetic testbed (four sites, 2016-2025) into DIR/demo/*.sqlite,
            reconstruct it with report (daily, per node type) and print where everything is.
  generate  Only generate the synthetic testbed (SQLite files or MySQL), for benchmarks.

Sites (report, grants, extract):
  --db URL             mysql://user:pass@host:port or sqlite:path/to/snapshot.sqlite
                       (else the config's db, else env DATABASE_URL). Passwords are never printed.
  --site KEY           A site key (e.g. chi_tacc); repeat to pick several sites of a config.
  --config FILE        sites.yaml: per site display name, db, database names, operator
                       projects, GPU capability, coverage starts and known gaps (docs/usage.md).

report options:
  --start DATE         Window start, UTC (default 2016-01-01).
  --end DATE           Window end, exclusive, UTC (default 2026-01-01).
  --resample B         Bucket: 1h, 1d, 7d (ISO weeks) or 1mo; default none (one row per change).
  --resample-method M  mean (time-weighted, default) or point (value at the bucket start).
  --group-by COLS      node_type and/or hypervisor_hostname, comma-separated.
  --value-types VTS    nodes, vcpus, memory_mb, disk_gb, gpus, devices or all (default nodes).
  --out DIR            Output folder (default output); tables go to DIR/data/, figures to
                       DIR/plots/, the interactive page to DIR/report.html.
  --facts              Also write the facts timeline (every event) to DIR/data/facts_timeline.csv.
  --export-db URL      Also replace the report's tables in this database (usage_timeline,
                       usage_daily, leadtime_timeline, leadtime_stats, booking_timeline,
                       projected_leadtime, utilization_monthly, coverage_gaps), for
                       dashboards (docs/grafana.md): mysql://user:pass@host:port/DATABASE or
                       sqlite:path.
  --summary P          Also write DIR/data/summary.md and summary.json (P: week or month): for
                       the last full ISO week (Mon-Sun UTC) or calendar month of the window and
                       the one before, per site (and node type with --group-by node_type):
                       reservable, committed, occupied node-hours and %, leases created and
                       started, median lead times, and the change. Needs value type nodes.
  --plot-format FMTS   Figures in DIR/plots/: png, svg or png,svg (default png).
  --no-plots           Skip the figures.
  --no-html            Skip DIR/report.html: one self-contained page (opens from file://, no
                       network) with every figure zoomable, per node type, and the audit tables.
  --query-timeout S    Stop when one MySQL statement runs longer than S seconds (exit code 4).
  --jobs N             Read and reduce up to N sites at once, each in its own thread (default:
                       one per core, at most one per site); memory grows with N. Same outputs.
  -q, --quiet          No progress or summary on stderr.

grants options:
  --user NAME          The account to create (required).
  --host HOST          Its host part (default %).

extract options:
  --out FILE           The SQLite snapshot to write (default snapshot.sqlite).

demo and generate options:
  --out DIR            demo: output folder (default output); generate: folder of the SQLite files.
  --seed N             Seed of the simulation (default 20160101): same seed, same testbed.
  --scale X            Multiplies hosts and leases: 1 is Chameleon's real scale and load (generate's
                       default); demo's default is 0.25, so that it runs in about two minutes.
  --mysql URL          generate: write into MySQL databases <prefix><site>_<db> instead.
  --prefix P           generate --mysql: database name prefix (default testbed_).
  --site KEY           generate: only these sites (chi_tacc, chi_uc, kvm_tacc).
  --no-plots, --no-html  demo: skip the figures, the interactive page DIR/report.html.

Other:
  -h, --help           Show this help.
  -v, --version        Print the version.
  --verbose            Print stack traces of unexpected errors.

Examples:
  npx chameleon-usage demo
  npx chameleon-usage generate --out bench --scale 3
  npx chameleon-usage report --db sqlite:chi_uc.sqlite --site chi_uc --resample 1d
  npx chameleon-usage report --config sites.yaml --site chi_tacc --site chi_uc --group-by node_type
  npx chameleon-usage report --config sites.yaml --group-by node_type --summary week --no-plots
  npx chameleon-usage grants --user usage_reader --config sites.yaml | mysql -u root --force
  npx chameleon-usage extract --db mysql://usage_reader@db:3306 --site chi_uc --out chi_uc.sqlite
`;

const options = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  verbose: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  db: { type: 'string' },
  site: { type: 'string', multiple: true },
  config: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  resample: { type: 'string' },
  'resample-method': { type: 'string' },
  'group-by': { type: 'string', multiple: true },
  'value-types': { type: 'string', multiple: true },
  out: { type: 'string' },
  facts: { type: 'boolean' },
  'export-db': { type: 'string' },
  summary: { type: 'string' },
  'no-plots': { type: 'boolean' },
  'no-html': { type: 'boolean' },
  'plot-format': { type: 'string', multiple: true },
  'query-timeout': { type: 'string' },
  jobs: { type: 'string' },
  user: { type: 'string' },
  host: { type: 'string' },
  seed: { type: 'string' },
  scale: { type: 'string' },
  mysql: { type: 'string' },
  prefix: { type: 'string' },
} as const;

const commands = ['report', 'grants', 'extract', 'example', 'demo', 'generate'] as const;
type Command = (typeof commands)[number];

/**
 * The commands each option belongs to (-h, -v, --verbose and --quiet belong to all). An option
 * given to a command it does not belong to is an error, not silently ignored. An option missing
 * here is accepted by every command.
 */
const owners: Readonly<Partial<Record<keyof typeof options, ReadonlyArray<Command>>>> = {
  db: ['report', 'grants', 'extract'],
  site: ['report', 'grants', 'extract', 'generate'],
  config: ['report', 'grants', 'extract'],
  start: ['report'],
  end: ['report'],
  resample: ['report'],
  'resample-method': ['report'],
  'group-by': ['report'],
  'value-types': ['report'],
  out: ['report', 'extract', 'demo', 'generate'],
  facts: ['report'],
  'export-db': ['report'],
  'no-plots': ['report', 'demo'],
  'no-html': ['report', 'demo'],
  summary: ['report'],
  'plot-format': ['report'],
  'query-timeout': ['report'],
  jobs: ['report'],
  user: ['grants'],
  host: ['grants'],
  seed: ['demo', 'generate'],
  scale: ['demo', 'generate'],
  mysql: ['generate'],
  prefix: ['generate'],
};

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

const configFailure = (message: string): Failure => ({ _tag: 'ConfigFailure', message });

/** No stray argument, no option of another command, no empty value. */
const checkUse = (command: Command, v: Values, positionals: ReadonlyArray<string>): Ei.Either<Failure, void> => {
  if (positionals.length > 1) return Ei.left(configFailure(`unexpected argument '${positionals[1]}' (options start with --)`));
  for (const [name, value] of Object.entries(v)) {
    const own = owners[name as keyof typeof options];
    if (own !== undefined && !own.includes(command)) {
      return Ei.left(configFailure(`--${name} is not an option of ${command} (it is one of ${own.join(', ')})`));
    }
    const values: ReadonlyArray<unknown> = Array.isArray(value) ? value : [value];
    if (values.some((x) => typeof x === 'string' && x.trim() === '')) return Ei.left(configFailure(`--${name} is empty: give a value`));
  }
  return Ei.right(undefined);
};

const list = (xs: ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  (xs ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');

const date = (name: string, s: string | undefined, fallback: string): Ei.Either<Failure, T.Millis> =>
  O.match(
    () => Ei.left(configFailure(`--${name} ${JSON.stringify(s)}: expected a UTC date like 2024-01-01 or 2024-01-01T06:00:00Z`)),
    (t: T.Millis) => Ei.right(t),
  )(T.fromIso(s ?? fallback));

/** The sites the options name, with their URLs. */
const targets = async (v: Values, needUrl: boolean): Promise<Ei.Either<Failure, ReadonlyArray<SiteTarget>>> => {
  let entries: ReadonlyArray<SiteEntry>;
  const keys = v.site ?? [];
  if (v.config !== undefined) {
    const c = await readConfig(v.config)();
    if (Ei.isLeft(c)) return c;
    const picked = selectSites(c.right, keys);
    if (Ei.isLeft(picked)) return picked;
    entries = picked.right;
  } else {
    if (keys.length === 0) return Ei.left(configFailure('give --site KEY (with --db URL), or --config sites.yaml'));
    const made: SiteEntry[] = [];
    for (const k of keys) {
      const e = siteFromKey(k);
      if (Ei.isLeft(e)) return e;
      made.push(e.right);
    }
    entries = made;
  }
  if (!needUrl) return Ei.right(entries.map((e) => ({ site: e.site, url: '' })));
  const out: SiteTarget[] = [];
  for (const e of entries) {
    const url = resolveUrl(e, v.db, process.env);
    if (Ei.isLeft(url)) return url;
    out.push({ site: e.site, url: url.right });
  }
  if (v.db !== undefined && out.length > 1 && v.db.startsWith('sqlite:')) {
    return Ei.left(configFailure('one SQLite snapshot holds one site: give one --site with --db sqlite:...'));
  }
  return Ei.right(out);
};

const report = async (v: Values, log: (l: string) => void): Promise<Ei.Either<Failure, number>> => {
  const start = date('start', v.start, '2016-01-01');
  if (Ei.isLeft(start)) return start;
  const end = date('end', v.end, '2026-01-01');
  if (Ei.isLeft(end)) return end;
  if (end.right <= start.right) return Ei.left(configFailure('--end must be after --start'));
  let resample: O.Option<{ bucket: ReturnType<typeof parseBucket> extends Ei.Either<string, infer B> ? B : never; method: Method }> = O.none;
  if (v['resample-method'] !== undefined && v.resample === undefined) return Ei.left(configFailure('--resample-method needs --resample (a bucket to resample into)'));
  if (v['no-plots'] === true && v['plot-format'] !== undefined) return Ei.left(configFailure('--plot-format and --no-plots contradict each other: give one'));
  const method = v['resample-method'] ?? 'mean';
  if (!(methods as ReadonlyArray<string>).includes(method)) return Ei.left(configFailure(`--resample-method ${method}: use mean or point`));
  if (v.resample !== undefined) {
    const b = parseBucket(v.resample);
    if (Ei.isLeft(b)) return Ei.left(configFailure(`--resample: ${b.left}`));
    resample = O.some({ bucket: b.right, method: method as Method });
  }
  const groupBy = list(v['group-by']);
  const badGroup = groupBy.filter((g) => !(groupColumns as ReadonlyArray<string>).includes(g));
  if (badGroup.length > 0) return Ei.left(configFailure(`--group-by ${badGroup.join(',')}: use node_type and/or hypervisor_hostname`));
  const vtsRaw = list(v['value-types']);
  const vts = vtsRaw.length === 0 ? ['nodes'] : vtsRaw.includes('all') ? [...allValueTypes] : vtsRaw;
  const badVt = vts.filter((x) => !isValueType(x));
  if (badVt.length > 0) return Ei.left(configFailure(`--value-types ${badVt.join(',')}: use ${allValueTypes.join(', ')} or all`));
  const fmts = list(v['plot-format']);
  const badFmt = fmts.filter((f) => !(plotFormats as ReadonlyArray<string>).includes(f));
  if (badFmt.length > 0) return Ei.left(configFailure(`--plot-format ${badFmt.join(',')}: use png and/or svg`));
  const summary = v.summary;
  if (summary !== undefined && !(periodKinds as ReadonlyArray<string>).includes(summary)) return Ei.left(configFailure(`--summary ${summary}: use week or month`));
  if (summary !== undefined && !vts.includes('nodes')) return Ei.left(configFailure('--summary counts node-hours: include nodes in --value-types'));
  let queryTimeoutMs: number | undefined;
  if (v['query-timeout'] !== undefined) {
    const sec = Number(v['query-timeout']);
    if (!Number.isFinite(sec) || sec <= 0) return Ei.left(configFailure(`--query-timeout ${v['query-timeout']}: give a number of seconds above 0`));
    queryTimeoutMs = sec * 1000;
  }
  let jobs: number | undefined;
  if (v.jobs !== undefined) {
    jobs = Number(v.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) return Ei.left(configFailure(`--jobs ${v.jobs}: give a whole number of sites, 1 or more`));
  }
  const ts = await targets(v, true);
  if (Ei.isLeft(ts)) return ts;
  const out = v.out ?? 'output';
  const { defaultJobs } = await import('./sitePool');
  const { runReport } = await import('./report'); // loaded on first use: --help and usage errors do not pay for it
  const r = await runReport({
    targets: ts.right,
    out,
    start: start.right,
    end: end.right,
    groupBy: [...new Set(groupBy)] as GroupColumn[],
    valueTypes: vts as ValueType[],
    resample,
    facts: v.facts === true,
    exportDb: v['export-db'],
    summary: summary as PeriodKind | undefined,
    plots: v['no-plots'] === true ? undefined : fmts.length === 0 ? ['png'] : ([...new Set(fmts)] as Format[]),
    html: v['no-html'] !== true,
    queryTimeoutMs,
    jobs: jobs ?? defaultJobs(ts.right.length),
    log,
  })();
  if (Ei.isLeft(r)) return r;
  const shown = (f: string) => (path.relative(process.cwd(), f).startsWith('..') ? f : path.relative(process.cwd(), f));
  log(`wrote ${r.right.files.map(shown).join(', ')}`);
  return Ei.right(0);
};

const grants = async (v: Values): Promise<Ei.Either<Failure, number>> => {
  if (v.user === undefined) return Ei.left(configFailure('grants: give --user NAME'));
  const ts = await targets({ ...v, site: v.site ?? (v.config === undefined ? ['default'] : undefined) }, false);
  if (Ei.isLeft(ts)) return ts;
  const { grantsSql } = await import('./grants');
  const sql = grantsSql({ user: v.user, host: v.host, sites: ts.right.map((t) => t.site) });
  if (Ei.isLeft(sql)) return sql;
  process.stdout.write(sql.right);
  return Ei.right(0);
};

const runExtract = async (v: Values, log: (l: string) => void): Promise<Ei.Either<Failure, number>> => {
  const ts = await targets(v, true);
  if (Ei.isLeft(ts)) return ts;
  if (ts.right.length !== 1) return Ei.left(configFailure('extract: give exactly one --site (one snapshot per site)'));
  const [t] = ts.right;
  const out = v.out ?? 'snapshot.sqlite';
  // the snapshot's place first: a folder that cannot be written fails before the database is read
  const target = await checkTarget(out)();
  if (Ei.isLeft(target)) return target;
  const ready = await probeOutput([path.dirname(path.resolve(out))])();
  if (Ei.isLeft(ready)) return ready;
  const src = await connect(t.url, t.site)();
  if (Ei.isLeft(src)) return src;
  try {
    log(`${t.site.site}: copying from ${redact(t.url)} to ${out}`);
    const { extract } = await import('./extract');
    const r = await extract({ src: src.right, out })();
    if (Ei.isLeft(r)) return r;
    for (const c of r.right.tables) log(`  ${c.table}: ${c.status}${c.status === 'copied' ? ` (${c.rows} rows)` : ''}`);
    return Ei.right(0);
  } finally {
    await src.right.knex.destroy();
  }
};

/**
 * Runs the CLI with the given arguments and resolves to the exit code.
 *
 * @since 0.1.0
 */
export const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options });
  } catch (e) {
    process.stderr.write(`chameleon-usage: ${(e as Error).message}\nTry 'chameleon-usage --help'.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version === true) {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (values.help === true || positionals.length === 0) {
    process.stdout.write(HELP);
    return 0;
  }
  const command = positionals[0];
  if (!(commands as ReadonlyArray<string>).includes(command)) {
    process.stderr.write(`chameleon-usage: unknown command '${command}'\nTry 'chameleon-usage --help'.\n`);
    return 2;
  }
  const misuse = checkUse(command as Command, values, positionals);
  if (Ei.isLeft(misuse)) {
    process.stderr.write(`chameleon-usage: ${redactAll(show(misuse.left), values.db, values.mysql, values['export-db'])}\nTry 'chameleon-usage --help'.\n`);
    return 2;
  }
  const log = values.quiet === true ? () => undefined : (l: string) => void process.stderr.write(`${l}\n`);
  let result: Ei.Either<Failure, number>;
  try {
    switch (command) {
      case 'example':
        return (await import('./example')).runExample((s) => void process.stdout.write(s));
      case 'report':
        result = await report(values, log);
        break;
      case 'grants':
        result = await grants(values);
        break;
      case 'extract':
        result = await runExtract(values, log);
        break;
      case 'demo':
        result = await (await import('./demo')).runDemo(values, (l) => void process.stdout.write(`${l}\n`));
        break;
      case 'generate':
        result = await (await import('./demo')).runGenerate(values, (l) => void process.stdout.write(`${l}\n`));
        break;
      default:
        return 2; // every command is a case above
    }
  } catch (e) {
    // a broken invariant: say so plainly, with the stack only when asked
    const text = e instanceof Error ? (values.verbose === true ? (e.stack ?? e.message) : e.message) : String(e);
    process.stderr.write(`chameleon-usage: unexpected error: ${redactAll(text, values.db, values.mysql)}\n`);
    return 1;
  }
  if (Ei.isLeft(result)) {
    process.stderr.write(`chameleon-usage: ${redactAll(show(result.left), values.db, values.mysql, values['export-db'])}\n`);
    return exitCode(result.left);
  }
  return result.right;
};

/** Removes a given URL's password wherever it appears in a message. */
const redactAll = (text: string, ...urls: ReadonlyArray<string | undefined>): string => {
  const fromEnv = process.env.DATABASE_URL;
  let out = text;
  for (const u of [...urls, fromEnv]) if (u !== undefined && u !== '') out = out.split(u).join(redact(u));
  return out;
};

if (require.main === module) {
  handleSignals();
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
