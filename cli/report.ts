/**
 * `chameleon-usage report`: reads each site (adapters), reconstructs (lib/Report), validates the
 * output schemas and writes every file atomically, all or nothing.
 *
 * Files under `<out>/data/`: `usage_timeline.csv` and `.json`, `usage_daily.csv` (the wide
 * per-day table), `leadtime_timeline.csv` and `.json` (the same rows), `leadtime_stats.json`
 * (monthly lead-time statistics), `booking_timeline.csv` and `projected_leadtime.csv` (the
 * reservation book as users saw it, `lib/Booking.ts`), `utilization_monthly.csv` (utilization
 * per node type, `lib/Utilization.ts`), `audit.json`, and `facts_timeline.csv`
 * when asked; the tables among them are listed once, in `cli/tables.ts`, which `--export-db`
 * writes too. The output folders are proved creatable and writable before any database is
 * read. A failed or interrupted run writes nothing, leaves earlier outputs as they were and
 * creates no folder.
 *
 * @since 0.1.0
 */
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import * as TE from 'fp-ts/TaskEither';
import { readSiteAt, toSiteInput, type SiteRead } from '../adapters/readSite';
import { isAbsentAudit } from '../adapters/auditDecode';
import { auditTables } from '../adapters/auditTables';
import { redact, type SiteConfig } from '../adapters/Source';
import { hostStateCountTypes } from '../lib/CountType';
import type { GroupColumn } from '../lib/Counts';
import { csvChunks, jsonChunks } from '../lib/Csv';
import * as Facts from '../lib/Facts';
import type { Failure } from '../lib/Failure';
import type { ValueType } from '../lib/Quantities';
import * as EventTable from '../lib/EventTable';
import { assemble, siteReport, type Report, type SiteReport } from '../lib/Report';
import * as Scratch from '../lib/Scratch';
import type { TimelineOptions } from '../lib/Timeline';
import { figures, renderAll, renderer, type Format } from '../plot';
import { summarize, type PeriodKind } from '../lib/Summary';
import { reportPage } from '../plot/page';
import { checkExportDb, exportDb } from './exportDb';
import { probeOutput } from './outputDir';
import { summaryJson, summaryMarkdown } from './summary';
import { canRunWorkers, runSites } from './sitePool';
import { reportTables } from './tables';
import { writeAllAtomic, type OutputFile } from './write';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A site to read and where. @category model @since 0.1.0 */
export interface SiteTarget {
  readonly site: SiteConfig;
  readonly url: string;
}

/** @category model @since 0.1.0 */
export interface ReportRequest extends TimelineOptions {
  readonly targets: ReadonlyArray<SiteTarget>;
  readonly out: string;
  /** Also write the facts timeline (the event stream). */
  readonly facts: boolean;
  /**
   * Keep the per-lease lead times in the result (`report.leadTime.leases`), for a caller that
   * wants them; no output file needs them, so by default no site's are held (about 0.3 KB a lease).
   */
  readonly leases?: boolean;
  /** Also replace the report's tables (`cli/tables.ts`) in this database. */
  readonly exportDb?: string;
  /** Time limit of each statement on MySQL sources (the server interrupts it). */
  readonly queryTimeoutMs?: number;
  /**
   * Also write `summary.md` and `summary.json` under `<out>/data/`: the KPI summary of the last
   * full week or month of the window and the one before (`lib/Summary.ts`). Needs value type `nodes`.
   */
  readonly summary?: PeriodKind;
  /** Draw the figures in these formats under `<out>/plots/`; absent: no figures. */
  readonly plots?: ReadonlyArray<Format>;
  /** Also write the interactive page `<out>/report.html` (`plot/page.ts`); default: no. */
  readonly html?: boolean;
  /**
   * How many sites are read and reduced at once, each in its own worker thread
   * (`cli/sitePool.ts`); default 1 (one after the other, in this thread). Ignored with `facts`
   * (the events must come back) and where the built worker is not available.
   */
  readonly jobs?: number;
  /** Progress and summary lines go here (stderr in the CLI). */
  readonly log: (line: string) => void;
}

/** @category model @since 0.1.0 */
export interface ReportResult {
  /** The report; its `leadTime.leases` is empty unless the request asked for `leases` or a `summary`. */
  readonly report: Report;
  /** The sites as read, events included: only when the facts timeline was asked for (else empty). */
  readonly reads: ReadonlyArray<SiteRead>;
  readonly files: ReadonlyArray<string>;
}

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

const readTarget =
  (log: (line: string) => void, queryTimeoutMs: number | undefined) =>
  (t: SiteTarget): TE.TaskEither<Failure, SiteRead> => {
    log(`${t.site.site}: reading ${redact(t.url)}`);
    return readSiteAt(t.url, t.site, { queryTimeoutMs });
  };

// -------------------------------------------------------------------------------------
// rendering
// -------------------------------------------------------------------------------------

const failRender = (what: string) => (message: string): Failure => ({ _tag: 'DecodeFailure', source: what, message });

/**
 * The output files of a report, validated against the exact schemas. Pure: the tables are checked
 * here, and their text is produced in chunks only while `writeAllAtomic` writes them, so no file
 * is ever held whole in memory.
 *
 * @since 0.1.0
 */
export const renderFiles = (
  req: Pick<ReportRequest, 'out' | 'groupBy' | 'facts' | 'valueTypes'>,
  rep: Report,
  reads: ReadonlyArray<SiteRead>,
): Ei.Either<Failure, ReadonlyArray<OutputFile>> => {
  const dir = path.join(req.out, 'data');
  const tables = reportTables(req.groupBy, rep);
  if (Ei.isLeft(tables)) return tables;
  const files: Array<Ei.Either<string, OutputFile>> = [];
  for (const t of tables.right) {
    for (const f of t.formats) {
      const chunks = f === 'csv' ? csvChunks(t.columns)(t.rows) : jsonChunks(t.columns)(t.rows);
      files.push(Ei.map((contents: Iterable<string>) => ({ path: path.join(dir, `${t.name}.${f}`), contents }))(chunks));
    }
  }
  files.push(Ei.right({ path: path.join(dir, 'audit.json'), contents: `${JSON.stringify(rep.audit, null, 2)}\n` }));
  if (req.facts) {
    const facts = reads.flatMap((r) => Facts.toFacts(req.valueTypes)(EventTable.toEvents(r.events)).map((f) => ({ site: r.site, ...f })));
    files.push(Ei.map((contents: Iterable<string>) => ({ path: path.join(dir, 'facts_timeline.csv'), contents }))(csvChunks(['site', ...Facts.columns])(facts)));
  }
  const out: OutputFile[] = [];
  for (const f of files) {
    if (Ei.isLeft(f)) return Ei.left(failRender('output')(f.left));
    out.push(f.right);
  }
  return Ei.right(out);
};

/**
 * A short human summary of a report.
 *
 * @since 0.1.0
 */
export const summary = (rep: Report): ReadonlyArray<string> => {
  const lines: string[] = [];
  const sites = [...new Set(rep.audit.sources.map((s) => s.site))];
  for (const site of sites) {
    // an absent optional audit table (openstack_audit, section 15) is no missing source: the
    // site reads as without it, and one line says which were absent
    const all = rep.audit.sources.filter((s) => s.site === site);
    const absent = all.filter(isAbsentAudit);
    const srcs = all.filter((s) => !isAbsentAudit(s));
    const read = srcs.filter((s) => s.status === 'read');
    const rows = read.reduce((n, s) => n + s.rows_read, 0);
    const rejected = read.reduce((n, s) => n + s.rows_rejected, 0);
    lines.push(`${site}: ${read.length}/${srcs.length} sources read, ${rows} rows, ${rejected} rejected`);
    for (const s of srcs.filter((x) => x.status !== 'read')) lines.push(`  ${s.source}: ${s.status} (${s.detail})`);
    if (absent.length > 0 && absent.length < auditTables.length) lines.push(`  optional audit tables absent: ${absent.length} (${absent.map((s) => s.source.slice(s.source.lastIndexOf('.') + 1)).join(', ')})`);
    const clipped = rep.audit.clamping.filter((c) => c.site === site && c.action !== 'none');
    for (const c of clipped) lines.push(`  clamping ${c.count_type} ${c.action}: ${c.rows} rows, ${c.node_hours.toFixed(1)} node-hours`);
    const noAudit = new Set<string>(hostStateCountTypes);
    const gaps = rep.audit.coverage.filter((c) => c.site === site && c.gaps.length > 0 && !(noAudit.has(c.count_type) && c.start === null));
    for (const c of gaps) lines.push(`  coverage ${c.count_type}: ${c.start === null ? 'no data' : `from ${c.start}`} (${c.gaps.map((g) => g.reason).join('; ')})`);
    const v = rep.audit.invariants.filter((x) => x.site === site);
    if (v.length > 0) lines.push(`  invariant violations: ${v.length} spans (see audit.json)`);
  }
  lines.push(`usage timeline: ${rep.timeline.rows.length} rows`);
  for (const a of rep.audit.leadtime) {
    const missing = Object.values(a.missing_effective_by_reason).reduce((n, x) => n + (x ?? 0), 0);
    lines.push(
      `${a.site}: lead time of ${a.leases_reported} leases (${a.excluded.operator} operator and ${a.excluded.outside_window} outside the window excluded, ${missing} never started), ${a.timeline_rows} rows`,
    );
  }
  return lines;
};

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

/**
 * Every site read and reduced, then joined. Each site is reconstructed as soon as it is read and
 * its events dropped, so memory holds one site's events at a time (all of them only when the
 * facts timeline needs them); the sites' parts die with this call, once joined.
 */
const reconstruct = async (req: ReportRequest): Promise<Ei.Either<Failure, { readonly rep: Report; readonly reads: ReadonlyArray<SiteRead> }>> => {
  const reads: SiteRead[] = [];
  const parts: SiteReport[] = [];
  // the summary's lease counts and medians need the per-lease lead times
  const keep = { leases: req.leases === true || req.summary !== undefined };
  if ((req.jobs ?? 1) > 1 && req.targets.length > 1 && !req.facts && canRunWorkers()) {
    const { log, targets, ...options } = req;
    const jobs = targets.map((target) => ({ target, options, keep, queryTimeoutMs: req.queryTimeoutMs }));
    const run = await runSites(jobs, req.jobs ?? 1, log);
    if ('failure' in run) return Ei.left(run.failure);
    const rep = assemble(req)(run.parts);
    // the joined timeline's pooled temporaries (up to a few hundred MB at real scale) are not
    // needed while the files are written
    Scratch.release();
    return Ei.right({ rep, reads });
  }
  for (const t of req.targets) {
    const r = await readTarget(req.log, req.queryTimeoutMs)(t)();
    if (Ei.isLeft(r)) return r;
    parts.push(siteReport(req, keep)(toSiteInput(t.site)(r.right)));
    if (req.facts) reads.push(r.right);
  }
  // the core's pooled temporaries are sized for the largest site; the joined timeline takes its
  // own, and none is needed while the files are written
  Scratch.release();
  const rep = assemble(req)(parts);
  Scratch.release();
  return Ei.right({ rep, reads });
};

/**
 * Reads every target, reconstructs and writes the outputs.
 *
 * @since 0.1.0
 */
export const runReport = (req: ReportRequest): TE.TaskEither<Failure, ReportResult> => async () => {
  // the output places first: one that cannot be created or written fails before any read
  if (req.exportDb !== undefined) {
    const target = await checkExportDb(req.exportDb)();
    if (Ei.isLeft(target)) return target;
  }
  const ready = await probeOutput([path.join(req.out, 'data'), ...(req.plots !== undefined && req.plots.length > 0 ? [path.join(req.out, 'plots')] : [])])();
  if (Ei.isLeft(ready)) return ready;
  return readAndWrite(req);
};

const readAndWrite = async (req: ReportRequest): Promise<Ei.Either<Failure, ReportResult>> => {
  const reconstructed = await reconstruct(req);
  if (Ei.isLeft(reconstructed)) return reconstructed;
  const { rep, reads } = reconstructed.right;
  const data = renderFiles(req, rep, reads);
  if (Ei.isLeft(data)) return data;
  const kpi: OutputFile[] = [];
  if (req.summary !== undefined) {
    const window = { start: req.start, end: req.end };
    const s = summarize({
      kind: req.summary,
      ...window,
      daily: rep.daily,
      coverage: rep.coverage,
      leases: rep.leadTime.leases,
      leaseSites: rep.audit.leadtime.map((a) => a.site),
      byNodeType: req.groupBy.includes('node_type'),
    });
    const names = Object.fromEntries(req.targets.map((t) => [t.site.site, t.site.displayName]));
    kpi.push({ path: path.join(req.out, 'data', 'summary.json'), contents: summaryJson(s, window) });
    kpi.push({ path: path.join(req.out, 'data', 'summary.md'), contents: summaryMarkdown(s, window, names) });
    req.log(s.current === null ? `summary: no full ${req.summary} in the window` : `summary: ${s.current.label}${s.previous === null ? '' : ` against ${s.previous.label}`}`);
  }
  // one request for the PNG/SVG figures and the page: they draw the same figures
  const drawing = {
    rows: rep.timeline.rows,
    leadTimes: rep.leadTime.rows,
    booking: rep.booking,
    utilization: rep.utilization,
    coverage: rep.coverage,
    sites: req.targets.map((t) => t.site.site),
    siteNames: Object.fromEntries(req.targets.map((t) => [t.site.site, t.site.displayName])),
    window: [req.start, req.end] as const,
  };
  let plots: ReadonlyArray<OutputFile> = [];
  if (req.plots !== undefined && req.plots.length > 0) {
    req.log(`drawing figures (${req.plots.join(', ')})`);
    const figs = figures(drawing);
    const drawn = renderAll(renderer(), path.join(req.out, 'plots'), figs, req.plots);
    if (Ei.isLeft(drawn)) return drawn;
    plots = drawn.right;
  }
  let page: ReadonlyArray<OutputFile> = [];
  if (req.html === true) {
    req.log('building report.html');
    const built = reportPage({ ...drawing, audit: rep.audit });
    if (Ei.isLeft(built)) return built;
    req.log(`report.html: ${(built.right.bytes / 1e6).toFixed(1)} MB, ${built.right.resolution === 'day' ? 'daily' : 'weekly'} data`);
    page = [{ path: path.join(req.out, 'report.html'), contents: built.right.html }];
  }
  // data, figures and page are written together: all of them or none
  const files: ReadonlyArray<OutputFile> = [...data.right, ...kpi, ...plots, ...page];
  const written = await writeAllAtomic(files)();
  if (Ei.isLeft(written)) return written;
  if (req.exportDb !== undefined) {
    const tables = reportTables(req.groupBy, rep);
    if (Ei.isLeft(tables)) return tables;
    req.log(`exporting ${tables.right.map((t) => t.name).join(', ')} to ${redact(req.exportDb)}`);
    const exported = await exportDb(req.exportDb, tables.right)();
    if (Ei.isLeft(exported)) return exported;
  }
  for (const line of summary(rep)) req.log(line);
  return Ei.right({ report: rep, reads, files: files.map((f) => f.path) });
};

/** Value types and group columns as the CLI parses them. @since 0.1.0 */
export type { GroupColumn, ValueType };
