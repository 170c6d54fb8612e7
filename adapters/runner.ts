/**
 * The shared runner: reads any adapter's rows as a stream, decodes them, turns them into events
 * or rejections, and reports what happened per (site, source table).
 *
 * - A missing table, or a missing SELECT grant on it, is reported by name (`status`) and the run
 *   goes on without that source.
 * - A row that does not decode is a `decode_error` rejection naming the column and the reason.
 * - A connection lost mid-read is a `QueryFailure` (the run must stop: a partial table would be
 *   silently wrong).
 *
 * @since 0.1.0
 * @module
 */
import * as Ei from 'fp-ts/Either';
import * as TE from 'fp-ts/TaskEither';
import type * as t from 'io-ts';
import type { QueryFailure } from '../lib/Failure';
import { countByReason, rejection, type Rejection } from '../lib/Rejection';
import type { Adapter, Context } from './Adapter';
import { describeErrors, FAIL, failingColumn, type FastOwned } from './codecs';
import { auditName, probeTable, toQueryFailure, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * `read`: the source was read; `missing_table`: its table (named in `detail`) does not exist;
 * `no_select_grant`: the user may not read it.
 *
 * @category model
 * @since 0.1.0
 */
export type SourceStatus = 'read' | 'missing_table' | 'no_select_grant';

/**
 * What happened to one source table of one site (the audit's `sources` entries).
 *
 * @category model
 * @since 0.1.0
 */
export interface SourceReport {
  readonly site: string;
  /** `database.table`, real database name. */
  readonly source: string;
  readonly status: SourceStatus;
  readonly detail: string;
  readonly rows_read: number;
  readonly rows_folded: number;
  readonly rows_rejected: number;
  readonly rejected_by_reason: Readonly<Record<string, number>>;
  /** Optional tables that were absent (read without them). */
  readonly optional_missing: ReadonlyArray<string>;
}

/** @category model @since 0.1.0 */
export interface RunResult<B> {
  /** The outputs, unless a sink took them. */
  readonly outputs: ReadonlyArray<B>;
  readonly rejections: ReadonlyArray<Rejection>;
  readonly report: SourceReport;
}

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

const ACCESS_DENIED = new Set(['ER_TABLEACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR']);
const NO_TABLE = new Set(['ER_NO_SUCH_TABLE', 'ER_BAD_DB_ERROR']);

const skipped = <B>(src: Source, table: string, status: SourceStatus, detail: string): RunResult<B> => ({
  outputs: [],
  rejections: [],
  report: {
    site: src.site.site,
    source: table,
    status,
    detail,
    rows_read: 0,
    rows_folded: 0,
    rows_rejected: 0,
    rejected_by_reason: {},
    optional_missing: [],
  },
});

/**
 * The state of each table an adapter reads (required first, then optional ones).
 *
 * @since 0.1.0
 */
export const probeTables = async (
  src: Source,
  adapter: Pick<Adapter<unknown, unknown>, 'reads' | 'optional'>,
): Promise<ReadonlyArray<{ readonly ref: TableRef; readonly optional: boolean; readonly state: 'ok' | 'missing' | 'denied' }>> => {
  const optional = adapter.optional ?? [];
  const same = (a: TableRef) => (b: TableRef) => a.db === b.db && a.table === b.table;
  const all = [...adapter.reads.filter((r) => !optional.some(same(r))), ...optional];
  const out = [];
  for (const ref of all) out.push({ ref, optional: optional.some(same(ref)), state: await probeTable(src, ref) });
  return out;
};

/**
 * Runs one adapter against one site. With a `sink`, each output goes to it as soon as its row is
 * folded and `outputs` stays empty (so a table's outputs need not all be held at once).
 *
 * @example
 * const result = await runAdapter(computeNodes, src, ctx)()
 * @since 0.1.0
 */
export const runAdapter = <A, B>(adapter: Adapter<A, B>, src: Source, ctx: Context, sink?: (b: B) => void): TE.TaskEither<QueryFailure, RunResult<B>> => {
  const name = auditName(src.site)(adapter.table);
  return TE.tryCatch(
    async () => {
      const probes = await probeTables(src, adapter);
      const show = (xs: ReadonlyArray<{ ref: TableRef }>) => xs.map((x) => auditName(src.site)(x.ref)).join(', ');
      const denied = probes.filter((p) => !p.optional && p.state === 'denied');
      if (denied.length > 0) return skipped<B>(src, name, 'no_select_grant', `no SELECT grant on ${show(denied)}`);
      const missing = probes.filter((p) => !p.optional && p.state === 'missing');
      if (missing.length > 0) return skipped<B>(src, name, 'missing_table', `missing table(s): ${show(missing)}`);
      const optionalMissing = probes.filter((p) => p.optional && p.state !== 'ok').map((p) => p.ref);
      const outputs: B[] = [];
      const emit = sink ?? ((b: B) => void outputs.push(b));
      const rejections: Rejection[] = [];
      let read = 0;
      let folded = 0;
      const toEvents = adapter.toEvents(ctx);
      // the rows are the query's own: a struct decodes them in place (codecs' FastOwned)
      const owned = (adapter.codec as Partial<FastOwned<A>>).fastOwned;
      const decode = (raw: unknown): t.Validation<A> => {
        if (owned === undefined) return adapter.codec.decode(raw);
        const a = owned(raw);
        return a === FAIL ? adapter.codec.decode(raw) : Ei.right(a);
      };
      try {
        for await (const raw of adapter.query(src)) {
          read += 1;
          const decoded = decode(raw);
          if (Ei.isLeft(decoded)) {
            rejections.push(
              rejection({
                site: src.site.site,
                source: { table: name, id: adapter.rowId(raw) },
                reason: 'decode_error',
                detail: `${failingColumn(decoded.left)}: ${describeErrors(decoded.left)}`,
              }),
            );
            continue;
          }
          const out = toEvents(decoded.right);
          if (Ei.isLeft(out)) rejections.push(out.left);
          else {
            folded += 1;
            for (const o of out.right) emit(o);
          }
        }
      } catch (e) {
        const code = (e as { code?: string }).code ?? '';
        if (ACCESS_DENIED.has(code)) return skipped<B>(src, name, 'no_select_grant', (e as Error).message);
        if (NO_TABLE.has(code)) return skipped<B>(src, name, 'missing_table', (e as Error).message);
        throw e;
      }
      return {
        outputs,
        rejections,
        report: {
          site: src.site.site,
          source: name,
          status: 'read' as const,
          detail: optionalMissing.length > 0 ? `read without ${optionalMissing.map(auditName(src.site)).join(', ')}` : '',
          rows_read: read,
          rows_folded: folded,
          rows_rejected: rejections.length,
          rejected_by_reason: countByReason(rejections),
          optional_missing: optionalMissing.map(auditName(src.site)),
        },
      };
    },
    toQueryFailure(name),
  );
};
