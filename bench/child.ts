/**
 * One measured stage in its own process, so its peak RSS is its own:
 * `node dist-bench/bench/child.js <stage> <k>` prints one JSON line `{ ms, rss_mb, ... }`.
 *
 * - `cache`: reads the base sites from MariaDB once and stores their events (v8 serialization).
 * - `core`: (a) fold -> clamp -> sweep -> daily mean timeline on events already in memory.
 * - `duckdb`: (b) the same counts and daily means by DuckDB window functions over the same
 *   (clamped) intervals, checked against the core's.
 * - `e2e`: (c) `report --no-plots` from MariaDB (read, reconstruct, validate, write the files).
 * - `select`: (d) the same SQL statements through bare mysql2, rows discarded as they arrive.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as v8 from 'node:v8';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { readSite, toSiteInput, type SiteRead } from '../adapters/readSite';
import { connect, knexConfig } from '../adapters/Source';
import { clampTable, standardRules } from '../lib/Clamp';
import { baseCountTypes, type BaseCountType } from '../lib/CountType';
import { coverageOf, subtract, type CountCoverage, type KnownGap, type Span } from '../lib/Coverage';
import { quantitiesOf, withSite, type EventTable } from '../lib/EventTable';
import { foldTable } from '../lib/Fold';
import type { IntervalTable } from '../lib/IntervalTable';
import { toUnits } from '../lib/Quantities';
import { resample } from '../lib/Resample';
import { assemble, primaryTable, siteReport, type SiteReport } from '../lib/Report';
import * as Scratch from '../lib/Scratch';
import { sweepTable } from '../lib/Sweep';
import * as T from '../lib/Time';
import { timeline } from '../lib/Timeline';
import { renderFiles } from '../cli/report';
import { writeAllAtomic } from '../cli/write';
import {
  baseEventsFile,
  checkFile,
  ensureCache,
  intervalsFile,
  MYSQL_URL,
  peakRssMb,
  queriesFile,
  replicaSite,
  replicaTargets,
  timelineOptions,
} from './common';

/** What the core needs of a base site, cached. */
interface BaseSite {
  readonly site: string;
  readonly events: EventTable;
  readonly earliest: Readonly<Partial<Record<BaseCountType, T.Millis>>>;
  readonly sourceRead: Readonly<Partial<Record<BaseCountType, boolean>>>;
}

const out = (x: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...x, rss_mb: Math.round(peakRssMb()) })}\n`);
};

// -------------------------------------------------------------------------------------
// cache
// -------------------------------------------------------------------------------------

const cacheStage = async (): Promise<void> => {
  ensureCache();
  const sites: BaseSite[] = [];
  for (const t of replicaTargets(1)) {
    const src = await connect(t.url, t.site)();
    if (Ei.isLeft(src)) throw new Error(JSON.stringify(src.left));
    const r = await readSite(src.right)();
    await src.right.knex.destroy();
    if (Ei.isLeft(r)) throw new Error(JSON.stringify(r.left));
    const sourceRead: Partial<Record<BaseCountType, boolean>> = {};
    for (const ct of baseCountTypes) {
      sourceRead[ct] = r.right.reports.some((x) => x.source.slice(x.source.lastIndexOf('.') + 1) === primaryTable[ct] && x.status === 'read');
    }
    sites.push({ site: t.site.site, events: r.right.events, earliest: r.right.earliest, sourceRead });
  }
  fs.writeFileSync(baseEventsFile, v8.serialize(sites));
  out({ events: sites.reduce((n, s) => n + s.events.length, 0) });
};

// -------------------------------------------------------------------------------------
// core (a)
// -------------------------------------------------------------------------------------

/** The base sites replicated k times (replica i: the site renamed), with their coverage. */
const loadReplicated = (k: number): ReadonlyArray<BaseSite & { coverage: Record<BaseCountType, CountCoverage>; config: ReturnType<typeof replicaTargets>[number]['site'] }> => {
  const base = v8.deserialize(fs.readFileSync(baseEventsFile)) as BaseSite[];
  const targets = replicaTargets(k);
  const sites = [];
  for (let i = 0; i < k; i++) {
    for (const b of base) {
      const site = replicaSite(b.site, i);
      const config = (targets.find((t) => t.site.site === site) as (typeof targets)[number]).site;
      // replica i: the same columns and dictionaries, read as another site
      const events = i === 0 ? b.events : withSite(b.events, site);
      const window = [timelineOptions.start, timelineOptions.end] as const;
      const coverage = Object.fromEntries(
        baseCountTypes.map((ct) => [
          ct,
          coverageOf({ window, earliest: b.earliest, sourceRead: b.sourceRead, configStart: config.coverageStart, knownGaps: config.knownGaps })(ct),
        ]),
      ) as Record<BaseCountType, CountCoverage>;
      sites.push({ site, events, earliest: b.earliest, sourceRead: b.sourceRead, coverage, config });
    }
  }
  return sites;
};

const clampCoverage = (c: CountCoverage, gaps: ReadonlyArray<KnownGap>): ReadonlyArray<Span> => {
  if (O.isNone(c.start)) return [];
  let spans: ReadonlyArray<Span> = [[c.start.value, T.unsafeMillis(Infinity)]];
  for (const g of gaps) spans = subtract(spans, [g.start, g.end]);
  return spans;
};

const coreStage = (k: number, writeCheck: boolean): void => {
  const sites = loadReplicated(k);
  const events = sites.reduce((n, s) => n + s.events.length, 0);
  if (global.gc !== undefined) global.gc();
  const ms = { fold: 0, clamp: 0, sweep: 0, resample: 0 };
  const t0 = performance.now();
  const siteCounts = [];
  const clampedAll: IntervalTable[] = [];
  for (const s of sites) {
    let t = performance.now();
    const folded = foldTable({ overlap: { total: 'union' } })(s.events);
    ms.fold += performance.now() - t;
    t = performance.now();
    const clamped = clampTable({
      rules: standardRules,
      covered: (_site, ct) => clampCoverage(s.coverage[ct], s.config.knownGaps.filter((g) => g.countTypes.includes(ct))),
      horizon: timelineOptions.end,
    })(folded.intervals);
    ms.clamp += performance.now() - t;
    t = performance.now();
    const counts = sweepTable({ groupBy: timelineOptions.groupBy, valueTypes: timelineOptions.valueTypes })(clamped.intervals);
    ms.sweep += performance.now() - t;
    siteCounts.push({ site: s.site, counts, coverage: s.coverage, legacy: [] });
    if (writeCheck) clampedAll.push(clamped.intervals);
  }
  const t = performance.now();
  const tl = timeline(timelineOptions)(siteCounts);
  ms.resample = performance.now() - t;
  const total = performance.now() - t0;
  const rss = Math.round(peakRssMb());
  if (writeCheck) {
    // the clamped intervals for DuckDB (units as the sweep adds them), and the core's numbers
    const fd = fs.openSync(intervalsFile(k), 'w');
    let buf: string[] = [];
    for (const iv of clampedAll) {
      const site = iv.dict.site;
      for (let i = 0; i < iv.length; i++) {
        const ct = baseCountTypes[iv.dict.entityCountType[iv.entity[i]]];
        buf.push(`${site},${ct},${iv.start[i]},${iv.end[i] === Infinity ? '' : iv.end[i]},${toUnits('nodes', quantitiesOf(iv.dict, iv.run[i]).nodes)}\n`);
        if (buf.length >= 100000) {
          fs.writeSync(fd, buf.join(''));
          buf = [];
        }
      }
    }
    fs.writeSync(fd, buf.join(''));
    fs.closeSync(fd);
    const check: Record<string, { points: number; sum: number; last: number; daySum: number; dayWeighted: number }> = {};
    for (const sc of siteCounts) {
      for (const s of sc.counts) {
        if (s.steps.times.length === 0) continue;
        let sum = 0;
        for (const v of s.steps.values) sum += v;
        const days = resample({ bucket: '1d', method: 'mean', start: timelineOptions.start, end: timelineOptions.end })(s.steps);
        let daySum = 0;
        let dayWeighted = 0;
        for (const [d, v] of days) {
          daySum += v;
          dayWeighted += v * ((d - timelineOptions.start) / T.DAY);
        }
        check[`${s.key.site}|${s.key.countType}|${s.key.valueType}`] = { points: s.steps.times.length, sum, last: s.steps.times[s.steps.times.length - 1], daySum, dayWeighted };
      }
    }
    fs.writeFileSync(checkFile(k), JSON.stringify(check));
  }
  out({ ms: total, stages: ms, events, rows: tl.rows.length, rss_mb_core: rss });
};

// -------------------------------------------------------------------------------------
// DuckDB (b)
// -------------------------------------------------------------------------------------

const duckStage = async (k: number): Promise<void> => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const duck = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
  const db = await duck.DuckDBInstance.create(':memory:', { threads: String(os.cpus().length) });
  const c = await db.connect();
  const file = intervalsFile(k).replace(/'/g, "''");
  let t = performance.now();
  await c.run(
    `CREATE TABLE iv AS SELECT * FROM read_csv('${file}', header = false, columns = {'site': 'VARCHAR', 'ct': 'VARCHAR', 's': 'BIGINT', 'e': 'BIGINT', 'q': 'BIGINT'})`,
  );
  const loadMs = performance.now() - t;
  const start = timelineOptions.start;
  const end = timelineOptions.end;
  const DAY = T.DAY;
  t = performance.now();
  // counts: +q at each start, -q at each end, summed per instant, running sum per series;
  // daily means: each step's span cut into UTC days, value x overlap / day
  await c.run(`
    CREATE TABLE steps AS
    WITH d AS (
      SELECT site, ct, s AS t, q AS d FROM iv WHERE q <> 0
      UNION ALL
      SELECT site, ct, e AS t, -q AS d FROM iv WHERE q <> 0 AND e IS NOT NULL
    ), g AS (
      SELECT site, ct, t, sum(d) AS d FROM d GROUP BY site, ct, t HAVING sum(d) <> 0
    )
    SELECT site, ct, t,
      sum(d) OVER (PARTITION BY site, ct ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS v,
      lead(t, 1, ${end}) OVER (PARTITION BY site, ct ORDER BY t) AS t2
    FROM g`);
  await c.run(`
    CREATE TABLE daily AS
    WITH seg AS (
      SELECT site, ct, greatest(t, ${start}) AS a, least(t2, ${end}) AS b, v FROM steps
      WHERE t2 > ${start} AND t < ${end}
    ), cut AS (
      SELECT site, ct, v, a, b, unnest(range(a // ${DAY}, (b - 1) // ${DAY} + 1)) AS day FROM seg WHERE b > a
    )
    SELECT site, ct, day,
      sum(v::DOUBLE * (least(b, (day + 1) * ${DAY}) - greatest(a, day * ${DAY}))) / ${DAY} / 1e6 AS mean
    FROM cut GROUP BY site, ct, day`);
  const ms = performance.now() - t;
  const rss = Math.round(peakRssMb());
  // the check against the core's numbers
  const core = JSON.parse(fs.readFileSync(checkFile(k), 'utf8')) as Record<string, { points: number; sum: number; last: number; daySum: number; dayWeighted: number }>;
  const a = await c.runAndReadAll(`SELECT site, ct, count(*)::DOUBLE, sum(v)::DOUBLE / 1e6, max(t)::DOUBLE FROM steps GROUP BY site, ct`);
  const b = await c.runAndReadAll(
    `SELECT site, ct, sum(mean)::DOUBLE, sum(mean * (day - ${start / DAY}))::DOUBLE FROM daily GROUP BY site, ct`,
  );
  const days = new Map(b.getRows().map((r) => [`${r[0]}|${r[1]}`, [Number(r[2]), Number(r[3])]]));
  const mismatches: string[] = [];
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
  const seen = new Set<string>();
  for (const r of a.getRows()) {
    const key = `${r[0]}|${r[1]}|nodes`;
    seen.add(key);
    const x = core[key];
    const dd = days.get(`${r[0]}|${r[1]}`) ?? [0, 0];
    if (x === undefined) mismatches.push(`${key}: only in DuckDB`);
    else if (x.points !== Number(r[2]) || !close(x.sum, Number(r[3])) || x.last !== Number(r[4]) || !close(x.daySum, dd[0]) || !close(x.dayWeighted, dd[1])) {
      mismatches.push(`${key}: core ${JSON.stringify(x)} duckdb ${JSON.stringify([r[2], r[3], r[4], dd])}`);
    }
  }
  for (const key of Object.keys(core)) if (!seen.has(key)) mismatches.push(`${key}: only in the core`);
  c.closeSync();
  out({ ms, load_ms: loadMs, series: seen.size, mismatches: mismatches.slice(0, 5), mismatch_count: mismatches.length, rss_mb_query: rss });
};

// -------------------------------------------------------------------------------------
// end to end (c)
// -------------------------------------------------------------------------------------

const e2eStage = async (k: number, capture: boolean): Promise<void> => {
  const targets = replicaTargets(k);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-e2e-'));
  // captured statements go to the file one JSON line each as they are sent (not held: at 10M
  // events their text is hundreds of MB, and holding it would add to this run's peak RSS)
  const qfd = capture ? fs.openSync(queriesFile(k), 'w') : -1;
  const t0 = performance.now();
  let readMs = 0;
  let events = 0;
  const req = { ...timelineOptions, out: outDir, facts: false };
  // as runReport does: each site reconstructed as soon as it is read, its events dropped; the
  // parts live only in this function, until they are joined
  const reconstruct = async () => {
    const parts: SiteReport[] = [];
    for (const t of targets) {
      const tr = performance.now();
      const src = await connect(t.url, t.site)();
      if (Ei.isLeft(src)) throw new Error(JSON.stringify(src.left));
      if (capture) {
        const kx = src.right.knex;
        kx.on('query', (q: { sql: string; bindings?: ReadonlyArray<unknown> }) => {
          fs.writeSync(qfd, `${JSON.stringify(kx.raw(q.sql, (q.bindings ?? []) as never).toQuery())}\n`);
        });
      }
      let read: SiteRead;
      try {
        const r = await readSite(src.right)();
        if (Ei.isLeft(r)) throw new Error(JSON.stringify(r.left));
        read = r.right;
      } finally {
        await src.right.knex.destroy();
      }
      readMs += performance.now() - tr;
      events += read.events.length;
      parts.push(siteReport(timelineOptions, { leases: false })(toSiteInput(t.site)(read)));
    }
    Scratch.release();
    const joined = assemble(req)(parts);
    Scratch.release();
    return joined;
  };
  const rep = await reconstruct();
  const files = renderFiles(req, rep, []);
  if (Ei.isLeft(files)) throw new Error(JSON.stringify(files.left));
  const w = await writeAllAtomic(files.right)();
  if (Ei.isLeft(w)) throw new Error(JSON.stringify(w.left));
  const ms = performance.now() - t0;
  fs.rmSync(outDir, { recursive: true, force: true });
  if (capture) fs.closeSync(qfd);
  out({ ms, read_ms: readMs, events, rows: rep.timeline.rows.length });
};

// -------------------------------------------------------------------------------------
// bare SELECT (d)
// -------------------------------------------------------------------------------------

/** The captured statements, one JSON string per line, read line by line (the whole file can be longer than a string may be). */
const readQueries = async (file: string): Promise<string[]> => {
  const queries: string[] = [];
  for await (const line of readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (line !== '') queries.push(JSON.parse(line) as string);
  }
  return queries;
};

const selectStage = async (k: number): Promise<void> => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql = require('mysql2') as typeof import('mysql2');
  const queries = await readQueries(queriesFile(k));
  // the connection options of the adapters (adapters/Source.ts), so the floor parses rows as (c) does
  const cfg = await knexConfig(MYSQL_URL)();
  if (Ei.isLeft(cfg)) throw new Error(cfg.left.message);
  const t0 = performance.now();
  const conn = mysql.createConnection(cfg.right.config.connection as import('mysql2').ConnectionOptions);
  let rows = 0;
  for (const sql of queries) {
    await new Promise<void>((resolve, reject) => {
      conn
        .query(sql)
        .on('result', () => {
          rows += 1;
        })
        .on('error', reject)
        .on('end', () => resolve());
    });
  }
  await new Promise<void>((resolve) => conn.end(() => resolve()));
  out({ ms: performance.now() - t0, queries: queries.length, rows });
};

const main = async (): Promise<void> => {
  const [stage, kArg, flag] = process.argv.slice(2);
  const k = Number(kArg ?? 1);
  if (stage === 'cache') await cacheStage();
  else if (stage === 'core') coreStage(k, flag === 'check');
  else if (stage === 'duckdb') await duckStage(k);
  else if (stage === 'e2e') await e2eStage(k, flag === 'capture');
  else if (stage === 'select') await selectStage(k);
  else throw new Error(`unknown stage ${stage}`);
};

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
