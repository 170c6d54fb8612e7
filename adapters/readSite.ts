/**
 * Reads one site: the context first (small dimension tables), then every registered adapter (event,
 * legacy and lease adapters), then the audit of instance action events that change nothing.
 *
 * The result holds everything the usage and lead-time timelines need: events, legacy records, lease
 * facts, rejections, one report per source table (`rows_read = rows_folded + rows_rejected`) and
 * the context warnings.
 * A missing table or grant is in the reports; a lost connection is a `QueryFailure`.
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import * as TE from 'fp-ts/TaskEither';
import type { Event } from '../lib/Event';
import { Builder, type EventTable } from '../lib/EventTable';
import type { ConfigFailure, ConnectionFailure, QueryFailure } from '../lib/Failure';
import type { Adapter, Context, LegacyRecord } from './Adapter';
import { loadContext } from './context';
import { eventAdapters, leaseAdapters, legacyAdapters } from './registry';
import { auditActionEvents } from './instanceActions';
import { runAdapter, type SourceReport } from './runner';
import { UtcDate } from './codecs';
import { auditName, connect, hasTable, probeTable, tableName, toQueryFailure, type ConnectOptions, type SiteConfig, type Source, type TableRef } from './Source';
import type { SiteInput } from '../lib/Report';
import { hostStateCountTypes, type BaseCountType } from '../lib/CountType';
import { toEvents as allocationEvents } from './allocations';
import { toEvents as leaseFacts } from './leadTimes';
import { auditAllocationEvents, auditAllocationsTable, auditLeasesTable, auditOnlyLeases, readBlazarAudit, type BlazarAuditRead } from './auditBlazar';
import { auditOnlyEvents, readHostAudit, splitEvents, type HostAudit } from './auditComputehosts';
import { countByReason, type Rejection } from '../lib/Rejection';
import { readZone, type StateRead } from './auditDecode';
import { readIronicAudit } from './auditIronic';
import { readInstancesAudit } from './auditInstances';
import { readComputeNodesAudit, readNovaServicesAudit, totalUnusableEvents } from './auditNova';
import type { Millis } from '../lib/Time';
import type { LeaseFact } from '../lib/LeadTime';

/** @category model @since 0.1.0 */
export interface SiteRead {
  readonly site: string;
  readonly context: Context;
  /** The events of every event adapter, as a table (`EventTable.toEvents` gives the objects). */
  readonly events: EventTable;
  readonly legacy: ReadonlyArray<LegacyRecord>;
  /** Every lease with a valid `created_at` and `start_date` (operator leases included, flagged). */
  readonly leases: ReadonlyArray<LeaseFact>;
  /** Row rejections of every source, and action events that change nothing. */
  readonly rejections: ReadonlyArray<Rejection>;
  readonly reports: ReadonlyArray<SourceReport>;
  readonly warnings: ReadonlyArray<string>;
  /** Earliest valid `created_at` of each count type's primary table (coverage starts). */
  readonly earliest: Readonly<Partial<Record<BaseCountType, Millis>>>;
}

/** The primary tables of the base count types (reconstruction rules, section 8). */
const primaryTables: ReadonlyArray<readonly [ReadonlyArray<BaseCountType>, ReadonlyArray<TableRef>]> = [
  [['total'], [{ db: 'nova', table: 'compute_nodes' }, { db: 'nova', table: 'shadow_compute_nodes' }]],
  [['reservable'], [{ db: 'blazar', table: 'computehosts' }, { db: 'blazar', table: 'devices' }]],
  [['committed', 'ops'], [{ db: 'blazar', table: 'leases' }]],
  [['occupied_reserved', 'occupied_ondemand', 'stopped_reserved', 'stopped_ondemand'], [{ db: 'nova', table: 'instances' }, { db: 'nova', table: 'shadow_instances' }]],
];

/**
 * The earliest valid `created_at` per base count type (zero and pre-1970 dates ignored).
 *
 * @since 0.1.0
 */
export const earliestCreated = async (src: Source): Promise<Partial<Record<BaseCountType, Millis>>> => {
  const out: Partial<Record<BaseCountType, Millis>> = {};
  for (const [cts, refs] of primaryTables) {
    let min: Millis | null = null;
    for (const ref of refs) {
      if ((await probeTable(src, ref)) !== 'ok') continue;
      const rows: Array<{ m: unknown }> = await src.knex
        .select(src.knex.raw('min(created_at) as m'))
        .from(tableName(src)(ref))
        .where('created_at', '>', '1970-01-02');
      const m = UtcDate.decode(rows[0]?.m ?? null);
      if (Ei.isRight(m) && m.right !== null && (min === null || m.right < min)) min = m.right;
    }
    if (min !== null) for (const ct of cts) out[ct] = min;
  }
  return out;
};

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
    return Ei.left(toQueryFailure(`${src.site.site} context`)(e));
  }
  // section 15: the host state history (optional; absent, it changes nothing)
  // and the Blazar rows hard-deleted from their source tables (optional too)
  let hostAudit: HostAudit;
  let blazarAudit: BlazarAuditRead;
  let services: StateRead;
  let ironic: StateRead;
  let nodesAudit: Awaited<ReturnType<typeof readComputeNodesAudit>>;
  let instancesAudit: Awaited<ReturnType<typeof readInstancesAudit>>;
  try {
    const zone = await readZone(src);
    hostAudit = await readHostAudit(src, loaded.context, zone);
    blazarAudit = await readBlazarAudit(src, zone);
    services = await readNovaServicesAudit(src, zone);
    ironic = await readIronicAudit(src, zone);
    nodesAudit = await readComputeNodesAudit(src, loaded.context, zone);
    instancesAudit = await readInstancesAudit(src, loaded.context, zone);
  } catch (e) {
    return Ei.left(toQueryFailure(`${src.site.site} openstack_audit`)(e));
  }
  {
    const hostsById = new Map(loaded.context.hostsById);
    for (const h of hostAudit.auditOnly) hostsById.set(h.info.id, h.info);
    const b = blazarAudit.audit;
    const anyBlazar = b.leases.size + b.reservations.size + b.leaseOf.size > 0;
    loaded = {
      ...loaded,
      context: { ...loaded.context, hostsById, ...(hostAudit.states === undefined ? {} : { hostStates: hostAudit.states }), ...(anyBlazar ? { blazarAudit: b } : {}) },
    };
  }
  const events = new Builder(src.site.site);
  for (const h of hostAudit.auditOnly) {
    const evs = auditOnlyEvents(loaded.context, hostAudit.report.source, h);
    for (const e of evs) events.push(e);
    for (const e of splitEvents(loaded.context, h.info.hypervisor_hostname, { ...evs[0], countType: 'reservable' }, h.start, h.end)) events.push(e);
  }
  // total_unusable: Nova services and Ironic nodes held out of service, from their first row on
  const starts = [services.changedMin, ironic.changedMin].filter((x): x is Millis => x !== null);
  const totalStart = starts.length === 0 ? null : (Math.min(...starts) as Millis);
  if (totalStart !== null) {
    const table = [services, ironic].filter((x) => x.changedMin !== null).map((x) => x.report.source).join('+');
    for (const e of totalUnusableEvents(loaded.context, { services: services.rows, ironic: ironic.rows, table, coverageStart: totalStart })) events.push(e);
  }
  for (const e of nodesAudit.events) events.push(e);
  for (const e of instancesAudit.events) events.push(e);
  const allocationsAudit = auditName(src.site)(auditAllocationsTable);
  const onlyAllocations = auditAllocationEvents(loaded.context, allocationsAudit, blazarAudit.allocations, allocationEvents);
  for (const e of onlyAllocations.events) events.push(e);
  // an audit-only allocation the allocation rules reject was counted folded: it is rejected
  const auditReports = [hostAudit.report, ...blazarAudit.reports, services.report, ironic.report, nodesAudit.report, instancesAudit.report].map((r) => {
    const n = onlyAllocations.rejections.length;
    if (r.source !== allocationsAudit || n === 0) return r;
    const all = [...blazarAudit.rejections.filter((x) => x.source.table === allocationsAudit), ...onlyAllocations.rejections];
    return { ...r, rows_folded: r.rows_folded - n, rows_rejected: r.rows_rejected + n, rejected_by_reason: countByReason(all) };
  });
  const probedWarnings: string[] = [];
  const legacy: LegacyRecord[] = [];
  const leases: LeaseFact[] = [];
  interface Sink {
    push: (x: unknown) => void;
    readonly length: () => number;
    truncate: (n: number) => void;
  }
  // each output goes to its sink as its row is read (events straight into the table); a source
  // that turns out unreadable mid-way takes back what it gave, as if it had given nothing
  const runAll = async (
    adapters: ReadonlyArray<Adapter<unknown, unknown>>,
    sink: Sink,
  ): Promise<Ei.Either<QueryFailure, { reports: SourceReport[]; rejections: Rejection[] }>> => {
    const reports: SourceReport[] = [];
    const rejections: Rejection[] = [];
    for (const a of adapters) {
      // an optional source whose table is missing: read as if it did not exist. On MySQL a user
      // without a grant on a table cannot tell whether it exists (`grants` cannot grant a table
      // that does not exist): a denied table that information_schema does not show is taken as
      // absent, and the warnings say so (a visible but denied one is reported no_select_grant)
      if (a.probed === true) {
        const state = await probeTable(src, a.table);
        if (state === 'missing') continue;
        if (state === 'denied' && !(await hasTable(src, a.table))) {
          probedWarnings.push(`${auditName(src.site)(a.table)}: no such table, or no SELECT grant on it; read as absent (an optional source)`);
          continue;
        }
      }
      const mark = sink.length();
      const r = await runAdapter(a, src, loaded.context, sink.push)();
      if (Ei.isLeft(r)) return r;
      if (r.right.report.status !== 'read') sink.truncate(mark);
      for (const x of r.right.rejections) rejections.push(x);
      reports.push(r.right.report);
    }
    return Ei.right({ reports, rejections });
  };
  const eventSink: Sink = { push: (e) => events.push(e as Event), length: () => events.length, truncate: (n) => events.truncate(n) };
  const legacySink: Sink = { push: (l) => void legacy.push(l as LegacyRecord), length: () => legacy.length, truncate: (n) => void legacy.splice(n) };
  const leaseSink: Sink = { push: (l) => void leases.push(l as LeaseFact), length: () => leases.length, truncate: (n) => void leases.splice(n) };
  // What the event adapters do not need: the leases of the lead-time report, the action-event
  // audit and the coverage starts. On MySQL they run on their own connection while the event
  // adapters read (the server works on them while this process folds rows); on SQLite, one
  // connection, after them. Results are joined in the same order either way.
  const side = async () => {
    const l = await runAll(leaseAdapters, leaseSink);
    if (Ei.isLeft(l)) return l;
    const audit = await auditActionEvents(src)();
    if (Ei.isLeft(audit)) return audit;
    try {
      return Ei.right({ leases: l.right, audit: audit.right, earliest: await earliestCreated(src) });
    } catch (e) {
      return Ei.left(toQueryFailure(`${src.site.site} coverage`)(e));
    }
  };
  const concurrent = src.dialect === 'mysql' ? side() : undefined;
  const ev = await runAll(eventAdapters, eventSink);
  const lg = Ei.isLeft(ev) ? ev : await runAll(legacyAdapters, legacySink);
  const sd = await (concurrent ?? (Ei.isLeft(lg) ? Promise.resolve(lg) : side()));
  if (Ei.isLeft(ev)) return ev;
  if (Ei.isLeft(lg)) return lg;
  if (Ei.isLeft(sd)) return sd;
  // leases hard-deleted from blazar.leases join the lease facts from their audit rows, with the
  // allocations the audit kept, so the reservation book holds what they held (section 15)
  const leasesRead = sd.right.leases.reports.some((r) => r.source === auditName(src.site)({ db: 'blazar', table: 'leases' }) && r.status === 'read');
  const leasesAudit = auditName(src.site)(auditLeasesTable);
  const onlyLeases = leasesRead
    ? auditOnlyLeases(blazarAudit, new Set(leases.map((l) => l.lease_id)), (row) =>
        Ei.mapLeft((r: Rejection) => ({ ...r, source: { ...r.source, table: leasesAudit } }))(leaseFacts(loaded.context)(row)),
      )
    : { facts: [], rejections: [] };
  for (const l of onlyLeases.facts) leases.push(l);
  const leaseRejected = onlyLeases.rejections.length;
  const reports = [
    ...ev.right.reports,
    ...lg.right.reports,
    ...sd.right.leases.reports,
    ...auditReports.map((r) =>
      r.source !== leasesAudit || leaseRejected === 0
        ? r
        : {
            ...r,
            rows_folded: r.rows_folded - leaseRejected,
            rows_rejected: r.rows_rejected + leaseRejected,
            rejected_by_reason: countByReason([...blazarAudit.rejections.filter((x) => x.source.table === leasesAudit), ...onlyLeases.rejections]),
          },
    ),
  ];
  const rejections = [
    ...ev.right.rejections,
    ...lg.right.rejections,
    ...sd.right.leases.rejections,
    ...sd.right.audit,
    ...hostAudit.rejections,
    ...blazarAudit.rejections,
    ...services.rejections,
    ...ironic.rejections,
    ...nodesAudit.rejections,
    ...instancesAudit.rejections,
    ...onlyAllocations.rejections,
    ...onlyLeases.rejections,
  ];
  const earliest: Partial<Record<BaseCountType, Millis>> = { ...sd.right.earliest };
  const stateStart = hostAudit.states?.coverageStart ?? null;
  if (stateStart !== null) for (const ct of hostStateCountTypes) if (ct !== 'total_unusable') earliest[ct] = stateStart;
  if (totalStart !== null) earliest.total_unusable = totalStart;
  const warnings = probedWarnings.length === 0 ? loaded.warnings : [...loaded.warnings, ...probedWarnings];
  return Ei.right({ site: src.site.site, context: loaded.context, events: events.build(), legacy, leases, rejections, reports, warnings, earliest });
};

/**
 * Connects to a site, reads it and closes the connection.
 *
 * @example
 * const read = await readSiteAt('sqlite:chi_uc.sqlite', siteConfig('chi_uc'))()
 * @since 0.1.0
 */
export const readSiteAt =
  (url: string, site: SiteConfig, options: ConnectOptions = {}): TE.TaskEither<ConfigFailure | ConnectionFailure | QueryFailure, SiteRead> =>
  async () => {
    const src = await connect(url, site, options)();
    if (Ei.isLeft(src)) return src;
    try {
      return await readSite(src.right)();
    } finally {
      await src.right.knex.destroy();
    }
  };

/**
 * What `lib/Report` needs of a site read: the read plus the site's configured coverage.
 *
 * @since 0.1.0
 */
export const toSiteInput =
  (site: Pick<SiteConfig, 'coverageStart' | 'knownGaps'> & Partial<Pick<SiteConfig, 'ondemandPool'>>) =>
  (r: SiteRead): SiteInput => ({
    site: r.site,
    events: r.events,
    legacy: r.legacy,
    rejections: r.rejections,
    sources: r.reports,
    earliest: r.earliest,
    configStart: site.coverageStart,
    knownGaps: site.knownGaps,
    warnings: r.warnings,
    leases: r.leases,
    ondemandPool: site.ondemandPool === true,
  });
