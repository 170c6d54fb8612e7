/**
 * Shared by the benchmark's parent (`run.ts`) and its per-stage children (`child.ts`): where the
 * datasets live, how a dataset of N events is made from the base testbed, and the options of the
 * measured pipeline.
 *
 * Datasets: the testbed generator is run once at `BASE_SCALE` into MariaDB (databases
 * `bench_<site>_<db>`); a dataset of about N events is `k = round(N / baseEvents)` replicas of the
 * three base sites. Replica `i >= 1` is a copy of the base databases (`bench_r<i>_<site>_<db>`,
 * `INSERT ... SELECT`) read as site `<site>_r<i>`; in memory, replica `i` is the base events with
 * the site renamed. So the rows read end to end and the events the core folds are the same.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as O from 'fp-ts/Option';
import type { SiteConfig } from '../adapters/Source';
import { plan as makePlan, testbedSiteConfig } from '../testbed/plan';
import { mysqlDatabases } from '../testbed/write';
import type { TimelineOptions } from '../lib/Timeline';
import * as T from '../lib/Time';

/** Half of Chameleon's real scale and load (issue 19: scale 1 reads back 1.96M events): about 1M events. */
export const BASE_SCALE = Number(process.env.BENCH_BASE_SCALE ?? 0.5);
/**
 * The testbed's version in the datasets' names and done markers: bump it when the generator's
 * output changes, so a dataset of an older testbed is generated again rather than reused.
 */
export const TESTBED_TAG = 'tb15';
export const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const BASE_PREFIX = process.env.BENCH_PREFIX ?? 'bench_';
export const replicaPrefix = (i: number): string => (i === 0 ? BASE_PREFIX : `${BASE_PREFIX}r${i}_`);
export const replicaSite = (site: string, i: number): string => (i === 0 ? site : `${site}_r${i}`);

export const ROOT = process.env.BENCH_ROOT ?? path.resolve(__dirname, '..', '..');
export const CACHE = path.join(ROOT, 'bench', '.cache');
/**
 * The layout of the cached event tables: bump it when `EventTable` changes shape, so a cache of
 * an older layout is read again from MariaDB instead of being misread.
 */
export const CACHE_LAYOUT = 4;
export const baseEventsFile = path.join(CACHE, `base-${TESTBED_TAG}-scale${BASE_SCALE}-layout${CACHE_LAYOUT}.v8`);
export const queriesFile = (k: number): string => path.join(CACHE, `queries-${TESTBED_TAG}-scale${BASE_SCALE}-x${k}.jsonl`);
export const intervalsFile = (k: number): string => path.join(CACHE, `intervals-${TESTBED_TAG}-scale${BASE_SCALE}-x${k}.csv`);
export const checkFile = (k: number): string => path.join(CACHE, `check-${TESTBED_TAG}-scale${BASE_SCALE}-x${k}.json`);

/** The plan the base testbed was generated with (the CLI's `generate --scale BASE_SCALE`). */
export const basePlan = () => makePlan({ scale: BASE_SCALE });

/** Site configs of replica `i` (known gaps and coverage starts of the testbed). */
export const replicaTargets = (k: number): ReadonlyArray<{ site: SiteConfig; url: string }> => {
  const p = basePlan();
  const out: Array<{ site: SiteConfig; url: string }> = [];
  for (let i = 0; i < k; i++) {
    for (const s of p.sites) {
      const base = testbedSiteConfig(s, p.cuts);
      out.push({ site: { ...base, site: replicaSite(s.site, i), databases: mysqlDatabases(replicaPrefix(i), s.site) }, url: MYSQL_URL });
    }
  }
  return out;
};

/** The measured pipeline's options, the same for the core, DuckDB and end to end. */
export const timelineOptions: TimelineOptions = {
  start: T.unsafeMillis(Date.UTC(2016, 0, 1)),
  end: T.unsafeMillis(Date.UTC(2026, 0, 1)),
  groupBy: [],
  valueTypes: ['nodes'],
  resample: O.some({ bucket: '1d', method: 'mean' }),
};

/** Peak resident set size of this process, in MiB (Linux VmHWM). */
export const peakRssMb = (): number => {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m === null ? process.resourceUsage().maxRSS / 1024 : Number(m[1]) / 1024;
};

export const ensureCache = (): void => {
  fs.mkdirSync(CACHE, { recursive: true });
};
