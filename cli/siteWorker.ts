/**
 * The worker thread of `cli/sitePool.ts`: reads one site and reduces it, and posts its part (or
 * the failure) to the thread that started it. Progress lines go there too.
 *
 * @since 0.5.0
 */
import * as Ei from 'fp-ts/Either';
import { parentPort, workerData } from 'node:worker_threads';
import { readSiteAt, toSiteInput } from '../adapters/readSite';
import { redact } from '../adapters/Source';
import { siteReport } from '../lib/Report';
import type { SiteJob, SiteMessage } from './sitePool';

const post = (m: SiteMessage): void => parentPort?.postMessage(m);

const main = async (job: SiteJob): Promise<void> => {
  const t = job.target;
  post({ kind: 'log', line: `${t.site.site}: reading ${redact(t.url)}` });
  const r = await readSiteAt(t.url, t.site, { queryTimeoutMs: job.queryTimeoutMs })();
  if (Ei.isLeft(r)) return post({ kind: 'failed', failure: r.left });
  post({ kind: 'done', part: siteReport(job.options, job.keep)(toSiteInput(t.site)(r.right)) });
};

void main(workerData as SiteJob).catch((e: unknown) =>
  post({ kind: 'failed', failure: { _tag: 'QueryFailure', source: (workerData as SiteJob).target.site.site, message: e instanceof Error ? e.message : String(e) } }),
);
