/**
 * Reads one site: the context first (small dimension tables), then every registered adapter, then
 * the audit of instance action events that change nothing.
 *
 * The result holds everything the usage timeline needs: events, legacy records, rejections, one
 * report per source table (`rows_read = rows_folded + rows_rejected`) and the context warnings.
 * A missing table or grant is in the reports; a lost connection is a `QueryFailure`.
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import * as TE from 'fp-ts/TaskEither';
import type { Event } from '../lib/Event';
import type { QueryFailure } from '../lib/Failure';
import type { Rejection } from '../lib/Rejection';
import type { Context, LegacyRecord } from './Adapter';
import { loadContext } from './context';
import { eventAdapters, legacyAdapters } from './registry';
import { auditActionEvents } from './instanceActions';
import { runAdapter, type SourceReport } from './runner';
import type { Source } from './Source';

/** @category model @since 0.1.0 */
export interface SiteRead {
  readonly site: string;
  readonly context: Context;
  readonly events: ReadonlyArray<Event>;
  readonly legacy: ReadonlyArray<LegacyRecord>;
  /** Row rejections of every source, and action events that change nothing. */
  readonly rejections: ReadonlyArray<Rejection>;
  readonly reports: ReadonlyArray<SourceReport>;
  readonly warnings: ReadonlyArray<string>;
}

/**
 * Reads every source of a site.
 *
 * @example
 * const read = await readSite(src)()
 * @since 0.1.0
 */
export const readSite = (src: Source): TE.TaskEither<QueryFailure, SiteRead> => async () => {
  let loaded: Awaited<ReturnType<typeof loadContext>>;
  try {
    loaded = await loadContext(src);
  } catch (e) {
    return Ei.left({ _tag: 'QueryFailure', source: `${src.site.site} context`, message: e instanceof Error ? e.message : String(e) });
  }
  const events: Event[] = [];
  const legacy: LegacyRecord[] = [];
  const rejections: Rejection[] = [];
  const reports: SourceReport[] = [];
  for (const a of eventAdapters) {
    const r = await runAdapter(a, src, loaded.context)();
    if (Ei.isLeft(r)) return r;
    for (const e of r.right.outputs) events.push(e);
    for (const x of r.right.rejections) rejections.push(x);
    reports.push(r.right.report);
  }
  for (const a of legacyAdapters) {
    const r = await runAdapter(a, src, loaded.context)();
    if (Ei.isLeft(r)) return r;
    for (const e of r.right.outputs) legacy.push(e);
    for (const x of r.right.rejections) rejections.push(x);
    reports.push(r.right.report);
  }
  const actionAudit = await auditActionEvents(src)();
  if (Ei.isLeft(actionAudit)) return actionAudit;
  for (const x of actionAudit.right) rejections.push(x);
  return Ei.right({ site: src.site.site, context: loaded.context, events, legacy, rejections, reports, warnings: loaded.warnings });
};
