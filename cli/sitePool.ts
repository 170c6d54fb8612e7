/**
 * The sites of a report read and reduced side by side, one worker thread per site, at most
 * `jobs` at a time. Each worker connects to its site itself, reads it (`adapters/readSite`) and
 * reduces it (`lib/Report.siteReport`), and sends back the site's part; the parts are returned in
 * the order of the targets, so the joined report (and every output file) is byte-identical to a
 * run that reads the sites one after the other (`__tests__/cli.jobs.test.ts`).
 *
 * Why threads and not one loop: a site's read and reduction are synchronous stretches (SQLite
 * steps on the calling thread, the fold is pure CPU), so sites overlap only on other cores. A
 * part is plain data (arrays, records, numbers), copied once by the structured clone; the events
 * never leave their worker. Memory: each running site holds its own events, so peak memory grows
 * with `jobs` (docs/decisions.md); `--jobs 1` reads one site at a time in this thread, as before.
 *
 * Runs from the built files only (the worker is `siteWorker.js` beside this file); under a
 * TypeScript runner (the tests) the sites are read in this thread.
 *
 * @since 0.5.0
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Failure } from '../lib/Failure';
import type { SiteReport, SiteReportKeep } from '../lib/Report';
import type { TimelineOptions } from '../lib/Timeline';
import type { SiteTarget } from './report';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What a worker is given. @category model @since 0.5.0 */
export interface SiteJob {
  readonly target: SiteTarget;
  readonly options: TimelineOptions;
  readonly keep: SiteReportKeep;
  readonly queryTimeoutMs?: number;
}

/** What a worker says: a progress line, its part, or the failure that stopped it. @category model @since 0.5.0 */
export type SiteMessage =
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'done'; readonly part: SiteReport }
  | { readonly kind: 'failed'; readonly failure: Failure };

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

const workerFile = path.join(__dirname, 'siteWorker.js');

/**
 * Whether sites can run in worker threads here (the built worker file exists beside this one).
 *
 * @since 0.5.0
 */
export const canRunWorkers = (): boolean => __filename.endsWith('.js') && fs.existsSync(workerFile);

/**
 * The CLI's default: one site per core, never more workers than sites.
 *
 * @example
 * defaultJobs(3) // 2 on a machine with 2 cores
 * @since 0.5.0
 */
export const defaultJobs = (sites: number): number => Math.max(1, Math.min(os.availableParallelism(), sites));

const runOne = (job: SiteJob, log: (line: string) => void): Promise<{ part: SiteReport } | { failure: Failure }> =>
  new Promise((resolve) => {
    const w = new Worker(workerFile, { workerData: job });
    let settled = false;
    const settle = (r: { part: SiteReport } | { failure: Failure }) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    // a worker that has said its last word is stopped, and its result taken only once it is gone,
    // so its heap (the site's garbage, hundreds of MB) is freed before the next site starts or the
    // parts are joined, not whenever it winds down by itself
    const last = (r: { part: SiteReport } | { failure: Failure }) => {
      w.removeAllListeners('exit');
      w.terminate().then(
        () => settle(r),
        () => settle(r),
      );
    };
    w.on('message', (m: SiteMessage) => {
      if (m.kind === 'log') log(m.line);
      else if (m.kind === 'done') last({ part: m.part });
      else last({ failure: m.failure });
    });
    // a worker that dies without a word (out of memory, a bug) fails its site, never hangs the run
    w.on('error', (e) => settle({ failure: { _tag: 'QueryFailure', source: job.target.site.site, message: `the worker reading this site failed: ${e.message}` } }));
    w.on('exit', (code) => settle({ failure: { _tag: 'QueryFailure', source: job.target.site.site, message: `the worker reading this site exited (code ${code}) without its result` } }));
  });

/**
 * Every job's part, in the jobs' order, with at most `jobs` workers at a time; the first failure
 * (in the jobs' order) stops the run: no new site starts, the running ones are left to finish and
 * their parts dropped.
 *
 * @example
 * const parts = await runSites(jobs, 2, console.error)
 * @since 0.5.0
 */
export const runSites = async (
  jobs: ReadonlyArray<SiteJob>,
  parallel: number,
  log: (line: string) => void,
): Promise<{ readonly parts: ReadonlyArray<SiteReport> } | { readonly failure: Failure }> => {
  const results: Array<{ part: SiteReport } | { failure: Failure } | undefined> = jobs.map(() => undefined);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < jobs.length) {
      const i = next++;
      const r = await runOne(jobs[i], log);
      results[i] = r;
      if ('failure' in r) failed = true;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, jobs.length)) }, lane));
  const parts: SiteReport[] = [];
  for (const r of results) {
    if (r === undefined) continue;
    if ('failure' in r) return { failure: r.failure };
    parts.push(r.part);
  }
  return { parts };
};
