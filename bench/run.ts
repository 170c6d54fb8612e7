/**
 * `npm run bench [-- --events 1000000[,10000000]] [--runs 3] [--prepare]`: the core against DuckDB and the
 * end-to-end report against the I/O floor, side by side in one run, each stage in its own child
 * process (separate peak RSS). Prints a table of medians and ratios and, as its last line, one
 * JSON object for scripts; writes the results section of docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import knex from 'knex';
import { generate } from '../testbed/index';
import { siteTables } from '../testbed/write';
import { logicalDbs } from '../adapters/Source';
import { qualifiedName, type DdlOptions } from '../testbed/ddl';
import { BASE_PREFIX, BASE_SCALE, basePlan, baseEventsFile, ensureCache, MYSQL_URL, replicaPrefix, ROOT, TESTBED_TAG } from './common';
import { mysqlDatabases } from '../testbed/write';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const sizes = arg('events', '1000000,10000000').split(',').map(Number);
const runsList = arg('runs', '3').split(',').map(Number);
const runsFor = (i: number): number => runsList[Math.min(i, runsList.length - 1)];
/** Stages to run (default all): `--stages core,duckdb` measures (a) and (b) only. */
const stages = arg('stages', 'core,duckdb,e2e,select').split(',') as ReadonlyArray<'core' | 'duckdb' | 'e2e' | 'select'>;
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

const child = (stage: string, k: number, flag = ''): Record<string, unknown> => {
  const stdout = execFileSync(
    process.execPath,
    ['--expose-gc', path.join(__dirname, 'child.js'), stage, String(k), flag],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
};

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// -------------------------------------------------------------------------------------
// datasets
// -------------------------------------------------------------------------------------

const metaDb = `${BASE_PREFIX}meta`;

const withKnex = async <A>(f: (k: ReturnType<typeof knex>) => Promise<A>): Promise<A> => {
  const u = new URL(MYSQL_URL);
  const k = knex({
    client: 'mysql2',
    connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) },
    pool: { min: 0, max: 1 },
  });
  try {
    return await f(k);
  } finally {
    await k.destroy();
  }
};

const done = async (k: ReturnType<typeof knex>, what: string): Promise<boolean> => {
  await k.raw(`CREATE DATABASE IF NOT EXISTS \`${metaDb}\``);
  await k.raw(`CREATE TABLE IF NOT EXISTS \`${metaDb}\`.done (what VARCHAR(200) PRIMARY KEY)`);
  const rows = (await k.raw(`SELECT what FROM \`${metaDb}\`.done WHERE what = ?`, [what]))[0] as unknown[];
  return rows.length > 0;
};
const markDone = (k: ReturnType<typeof knex>, what: string) => k.raw(`REPLACE INTO \`${metaDb}\`.done VALUES (?)`, [what]);

/** The base testbed in MariaDB, generated once. */
const ensureBase = (): Promise<void> =>
  withKnex(async (k) => {
    const what = `base ${TESTBED_TAG} scale ${BASE_SCALE}`;
    if (await done(k, what)) return;
    log(`generating the base testbed (scale ${BASE_SCALE}) into MariaDB (${BASE_PREFIX}*), once`);
    await generate({ plan: basePlan(), target: { kind: 'mysql', url: MYSQL_URL, prefix: BASE_PREFIX } });
    await markDone(k, what);
  });

/** Replicas 1..k-1: copies of the base databases. */
const ensureReplicas = (n: number): Promise<void> =>
  withKnex(async (k) => {
    const p = basePlan();
    for (let i = 1; i < n; i++) {
      const what = `replica ${i} of ${TESTBED_TAG} scale ${BASE_SCALE}`;
      if (await done(k, what)) continue;
      log(`copying the base databases to replica ${i} (${replicaPrefix(i)}*)`);
      for (const s of p.sites) {
        const from = mysqlDatabases(BASE_PREFIX, s.site);
        const to = mysqlDatabases(replicaPrefix(i), s.site);
        for (const db of logicalDbs) {
          await k.raw(`DROP DATABASE IF EXISTS \`${to[db]}\``);
          await k.raw(`CREATE DATABASE \`${to[db]}\` CHARACTER SET utf8mb4`);
        }
        const o = (databases: typeof from): DdlOptions => ({ capabilityLayout: s.capabilityLayout, blazar: 'chameleon', databases });
        for (const key of siteTables(s.capabilityLayout)) {
          const a = qualifiedName('mysql', key, o(from));
          const b = qualifiedName('mysql', key, o(to));
          await k.raw(`CREATE TABLE ${b} LIKE ${a}`);
          await k.raw(`INSERT INTO ${b} SELECT * FROM ${a}`);
        }
      }
      await markDone(k, what);
    }
  });

const baseEvents = (): number => {
  const metaFile = `${baseEventsFile}.json`;
  if (!fs.existsSync(baseEventsFile) || !fs.existsSync(metaFile)) {
    log('reading the base sites once into bench/.cache (events in memory for the core and DuckDB)');
    const r = child('cache', 1);
    fs.writeFileSync(metaFile, JSON.stringify({ events: r.events }));
  }
  return (JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { events: number }).events;
};

// -------------------------------------------------------------------------------------
// machine
// -------------------------------------------------------------------------------------

const machine = async (): Promise<string> => {
  const cpus = os.cpus();
  const maria = await withKnex(async (k) => ((await k.raw('SELECT VERSION() AS v'))[0] as Array<{ v: string }>)[0].v);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const duck = (require('@duckdb/node-api/package.json') as { version: string }).version;
  return `${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}, MariaDB ${maria}, DuckDB (@duckdb/node-api) ${duck}`;
};

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

interface Result {
  readonly events: number;
  readonly replicas: number;
  readonly runs: number;
  readonly core: number;
  readonly coreStages: Record<string, number>;
  readonly duck: number;
  readonly duckLoad: number;
  readonly e2e: number;
  readonly e2eRead: number;
  readonly select: number;
  readonly rss: { core: number; duck: number; e2e: number; select: number };
  readonly checked: string;
}

const measure = (target: number, base: number, runs: number): Result => {
  const k = Math.max(1, Math.round(target / base));
  log(`${target} events: ${k} replica(s) of the base (${base} events); checking the core against DuckDB first`);
  if (stages.includes('duckdb')) child('core', k, 'check');
  const cols: Record<string, Array<Record<string, unknown>>> = { core: [], duckdb: [], e2e: [], select: [] };
  if (stages.includes('e2e') || stages.includes('select')) {
    // one untimed run of (c) records the statements (d) replays, so no timed run carries the capture
    log(`capturing the statements of the end-to-end report (untimed): ${JSON.stringify(child('e2e', k, 'capture'))}`);
  }
  for (let r = 0; r < runs; r++) {
    for (const stage of stages) {
      const res = child(stage, k);
      log(`run ${r + 1}/${runs} ${stage}: ${JSON.stringify(res)}`);
      cols[stage].push(res);
    }
  }
  const med = (stage: string, key = 'ms') => (cols[stage].length === 0 ? NaN : median(cols[stage].map((x) => Number(x[key]))));
  const stageNames = Object.keys(cols.core[0].stages as Record<string, number>);
  const coreStages = Object.fromEntries(stageNames.map((s) => [s, median(cols.core.map((x) => (x.stages as Record<string, number>)[s]))]));
  const mismatches = cols.duckdb.map((x) => Number(x.mismatch_count));
  const events = Number(cols.core[0].events);
  if (cols.e2e.length > 0 && Number(cols.e2e[0].events) !== events) log(`warning: end to end read ${String(cols.e2e[0].events)} events, the core folded ${events}`);
  return {
    events,
    replicas: k,
    runs,
    core: med('core'),
    coreStages,
    duck: med('duckdb'),
    duckLoad: med('duckdb', 'load_ms'),
    e2e: med('e2e'),
    e2eRead: med('e2e', 'read_ms'),
    select: med('select'),
    rss: { core: med('core', 'rss_mb_core'), duck: med('duckdb', 'rss_mb_query'), e2e: med('e2e', 'rss_mb'), select: med('select', 'rss_mb') },
    checked: cols.duckdb.length === 0 ? 'not checked (DuckDB not run)' : mismatches.every((m) => m === 0)
      ? `same numbers (${String(cols.duckdb[0].series)} series: change points, values, last change, daily means)`
      : `MISMATCH in ${Math.max(...mismatches)} series: ${JSON.stringify(cols.duckdb[0].mismatches)}`,
  };
};

const r2 = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);

const table = (r: Result): string => {
  const rel = (x: number, unit: number) => (Number.isFinite(x) ? `${r2(x / unit)}` : 'not measured');
  return [
    `| stage | median time, relative to (a) | peak RSS (MiB) |`,
    `|---|---|---|`,
    `| (a) core: fold + clamp + sweep + daily means, in memory | 1 | ${r.rss.core} |`,
    ...Object.entries(r.coreStages).map(([s, ms]) => `| &nbsp;&nbsp;of which ${s} | ${rel(ms, r.core)} | |`),
    `| (b) DuckDB: counts + daily means by window functions over the same intervals | ${rel(r.duck, r.core)} | ${Number.isFinite(r.rss.duck) ? r.rss.duck : ''} |`,
    `| &nbsp;&nbsp;(DuckDB loading the intervals from CSV, not counted in (b)) | ${rel(r.duckLoad, r.core)} | |`,
    `| (c) end to end: report --no-plots from MariaDB | ${rel(r.e2e, r.core)} | ${Number.isFinite(r.rss.e2e) ? r.rss.e2e : ''} |`,
    `| &nbsp;&nbsp;of which reading (adapters, events in memory) | ${rel(r.e2eRead, r.core)} | |`,
    `| (d) bare SELECT of the same rows through mysql2 | ${rel(r.select, r.core)} | ${Number.isFinite(r.rss.select) ? r.rss.select : ''} |`,
    '',
    `| ratio | value | target |`,
    `|---|---|---|`,
    `| core_vs_duckdb = (b) / (a) | ${r2(r.duck / r.core)} | >= 2 at 10M events |`,
    `| e2e_vs_select = (c) / (d) | ${r2(r.e2e / r.select)} | <= 1.25 |`,
    `| peak RSS (a), (c) | ${r.rss.core} MiB, ${Number.isFinite(r.rss.e2e) ? `${r.rss.e2e} MiB` : 'not measured'} | <= 1024 MiB at 10M events |`,
    '',
    `Check: ${r.checked}.`,
  ].join('\n');
};

const writeDoc = (machineLine: string, r: Result): void => {
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\n<!-- results -->\n';
  const begin = `<!-- results ${r.events >= 5e6 ? '10M' : '1M'} -->`;
  const end = `<!-- /results ${r.events >= 5e6 ? '10M' : '1M'} -->`;
  const body = [
    begin,
    `### ${r.events.toLocaleString('en-US')} events (${r.replicas} x the scale-${BASE_SCALE} testbed), medians of ${r.runs} runs`,
    '',
    `Machine: ${machineLine}. Run on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    table(r),
    end,
  ].join('\n');
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) doc = doc.slice(0, i) + body + doc.slice(j + end.length);
  else if (doc.includes('<!-- results -->')) doc = doc.replace('<!-- results -->', `${body}\n\n<!-- results -->`);
  else doc += `\n${body}\n`;
  fs.writeFileSync(file, doc);
};

const main = async (): Promise<void> => {
  ensureCache();
  await ensureBase();
  const base = baseEvents();
  const m = await machine();
  let last: Result | undefined;
  for (const n of sizes) await ensureReplicas(Math.max(1, Math.round(n / base)));
  if (args.includes('--prepare')) return;
  for (const [i, n] of sizes.entries()) {
    const r = measure(n, base, runsFor(i));
    process.stdout.write(`\n${r.events} events, ${r.runs} runs (medians), ${m}\n${table(r)}\n`);
    writeDoc(m, r);
    last = r;
  }
  if (last !== undefined) {
    process.stdout.write(
      `${JSON.stringify({
        events: last.events,
        core_vs_duckdb: r2(last.duck / last.core),
        e2e_vs_select: r2(last.e2e / last.select),
        core_peak_rss_mb: last.rss.core,
        e2e_peak_rss_mb: Number.isFinite(last.rss.e2e) ? last.rss.e2e : null,
      })}\n`,
    );
  }
};

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
