/**
 * `openstack_audit.audit_blazar_computehosts` (reconstruction rules, section 15): the host state
 * history, and the Blazar hosts hard-deleted from `blazar.computehosts`.
 *
 * An optional source: a site without the table reads as before (its report entry says
 * `missing_table`, and the split count types have no coverage). Both layouts are read (generic
 * `data` JSON v1/v2/v3, and the older explicit columns), see `auditDecode.ts`.
 *
 * Rules:
 * - each snapshot is decoded with {@link HostSnapshot}; a snapshot without `hypervisor_hostname`
 *   or with a `reservable`/`disabled` that is not a TINYINT is a rejection naming its path;
 * - `usable = reservable = 1 and disabled = 0` (`disabled` absent, as on a Train Blazar: 0);
 * - the states are chained by hostname across Blazar ids (`lib/HostState.chain`), from the
 *   table's earliest `audit_changed_at` on (the coverage start of the split);
 * - a DELETE row of an id with no INSERT/UPDATE row changes nothing: `delete_of_unknown_id`;
 * - a Blazar id with audit rows but no row in `blazar.computehosts` was hard-deleted: it is
 *   counted as reservable from its audit rows (start: the snapshot's `created_at`, else the first
 *   row's time; end: `data.deleted_at` when set, else the DELETE row's time; with neither, it is
 *   rejected `no_end`), with `extra.from = 'audit'`. The same id in both places is one host: the
 *   source row wins.
 *
 * Conservation: `rows_read = rows_folded + rows_rejected`; a row is folded when it gave a state
 * or an audit-only host its end.
 *
 * @since 0.4.0
 * @module
 */
import * as Ei from 'fp-ts/Either';
import * as t from 'io-ts';
import * as E from '../lib/Event';
import { splitOf } from '../lib/CountType';
import { chain, split, type HostStates, type StateRow } from '../lib/HostState';
import * as Q from '../lib/Quantities';
import { countByReason, rejection, type Rejection } from '../lib/Rejection';
import type * as T from '../lib/Time';
import type { Context, HostInfo } from './Adapter';
import { auditTable, byIdTime, decodeAuditRows, decodeData, readAudit, unreadAuditReport, type AuditRow, type Zone } from './auditDecode';
import { loadCapabilities } from './capabilities';
import { Bool, Int, nullable, Str, UtcDate } from './codecs';
import type { SourceReport } from './runner';
import type { Source } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.4.0 */
export const hostAuditTable = auditTable('blazar_computehosts');

/**
 * The keys read from a host snapshot (`data`, or the explicit columns).
 *
 * @category model
 * @since 0.4.0
 */
export const HostSnapshot = t.type({
  hypervisor_hostname: Str,
  reservable: Bool,
  disabled: t.union([Bool, t.undefined, t.null]),
  status: t.union([Str, t.undefined, t.null]),
  vcpus: t.union([nullable(Int), t.undefined]),
  memory_mb: t.union([nullable(Int), t.undefined]),
  local_gb: t.union([nullable(Int), t.undefined]),
  created_at: t.union([UtcDate, t.undefined]),
  deleted_at: t.union([UtcDate, t.undefined]),
});

/** @category model @since 0.4.0 */
export type HostSnapshot = t.TypeOf<typeof HostSnapshot>;

/**
 * What the host audit gave a site.
 *
 * @category model
 * @since 0.4.0
 */
export interface HostAudit {
  readonly report: SourceReport;
  readonly rejections: ReadonlyArray<Rejection>;
  /** Undefined when the table was not read (absent, no grant): the split is not covered. */
  readonly states: HostStates | undefined;
  /** Hard-deleted hosts known only from the audit rows. */
  readonly auditOnly: ReadonlyArray<{ readonly info: HostInfo; readonly start: T.Millis; readonly end: T.Millis; readonly sourceId: string }>;
}

// -------------------------------------------------------------------------------------
// folding (pure)
// -------------------------------------------------------------------------------------

/**
 * The host audit of decoded rows (pure): states, audit-only hosts, rejections and counts.
 * `known`: the ids of `blazar.computehosts` (live and soft-deleted).
 *
 * @category folding
 * @since 0.4.0
 */
export const foldHostAudit = (o: {
  readonly site: string;
  readonly table: string;
  readonly rows: ReadonlyArray<AuditRow>;
  readonly known: ReadonlySet<string>;
}): { states: HostStates; auditOnly: HostAudit['auditOnly']; rejections: Rejection[]; folded: number } => {
  const rejections: Rejection[] = [];
  const decode = decodeData(HostSnapshot, o);
  const rows = [...o.rows].sort(byIdTime);
  const stateRows: StateRow[] = [];
  const snaps = new Map<string, Array<{ row: AuditRow; snap: HostSnapshot }>>();
  let coverageStart: number | null = null;
  let folded = 0;
  for (const row of rows) {
    if (coverageStart === null || row.changedAt < coverageStart) coverageStart = row.changedAt;
    const d = decode(row);
    if (Ei.isLeft(d)) {
      rejections.push(d.left);
      continue;
    }
    const snap = d.right;
    const list = snaps.get(row.id) ?? [];
    if (row.kind === 'DELETE' && list.length === 0) {
      rejections.push(
        rejection({ site: o.site, source: { table: o.table, id: String(row.auditId) }, reason: 'delete_of_unknown_id', detail: `DELETE of host ${row.id}, which has no INSERT or UPDATE row`, entityId: row.id, time: row.time }),
      );
      continue;
    }
    list.push({ row, snap });
    snaps.set(row.id, list);
    folded += 1;
    stateRows.push({
      auditId: row.auditId,
      id: row.id,
      key: snap.hypervisor_hostname.trim(),
      kind: row.kind,
      time: row.time,
      usable: snap.reservable && snap.disabled !== true,
      status: snap.status ?? '',
      deletedAt: snap.deleted_at ?? null,
    });
  }
  const states = chain(coverageStart as T.Millis | null)(stateRows);
  // hard deletes: ids the source no longer has
  const auditOnly: Array<HostAudit['auditOnly'][number]> = [];
  for (const [id, list] of snaps) {
    if (o.known.has(id)) continue;
    const first = list[0];
    const last = list[list.length - 1];
    const start = (first.snap.created_at ?? first.row.time) as T.Millis;
    const deletedAt = [...list].reverse().find((x) => x.snap.deleted_at !== null && x.snap.deleted_at !== undefined)?.snap.deleted_at ?? null;
    const end = deletedAt ?? (last.row.kind === 'DELETE' ? last.row.time : null);
    if (end === null) {
      // its rows gave states already: the rejection is one more row-level verdict on its last row
      rejections.push(
        rejection({ site: o.site, source: { table: o.table, id: String(last.row.auditId) }, reason: 'no_end', detail: `host ${id} is gone from blazar.computehosts but its audit rows show no deleted_at and no DELETE`, entityId: id, time: last.row.time }),
      );
      folded -= 1;
      continue;
    }
    const s = last.snap;
    auditOnly.push({
      sourceId: String(first.row.auditId),
      start,
      end,
      info: { id, hypervisor_hostname: s.hypervisor_hostname.trim(), node_type: 'unknown', gpus: 0, vcpus: s.vcpus ?? 0, memory_mb: s.memory_mb ?? 0, local_gb: s.local_gb ?? 0 },
    });
  }
  auditOnly.sort((a, b) => (a.info.id < b.info.id ? -1 : a.info.id > b.info.id ? 1 : 0));
  return { states, auditOnly, rejections, folded };
};

/**
 * The `reservable` events of a host known only from the audit table (`extra.from = 'audit'`).
 *
 * @category folding
 * @since 0.4.0
 */
export const auditOnlyEvents = (ctx: Pick<Context, 'site'>, table: string, h: HostAudit['auditOnly'][number]): ReadonlyArray<E.Event> => {
  const fields = {
    entityId: h.info.id,
    source: { table, id: h.sourceId },
    countType: 'reservable' as const,
    quantities: Q.make({ nodes: 1, vcpus: h.info.vcpus, memory_mb: h.info.memory_mb, disk_gb: h.info.local_gb, gpus: 0 }),
    attributes: E.attributes({
      site: ctx.site.site,
      node_type: h.info.node_type,
      hypervisor_hostname: h.info.hypervisor_hostname,
      extra: { blazar_host_id: h.info.id, hypervisor_hostname: h.info.hypervisor_hostname, from: 'audit' },
    }),
  };
  return E.span(fields, h.start, h.end);
};

/**
 * The host-state split of one span of an unsplit count type (section 15): for each part of
 * `[start, end)` in a known state of `hostname`, an event pair of the split count type (the same
 * entity, quantities and attributes). Nothing when the site has no host states, the hostname has
 * none, or the state has no split count type (`ops` on a usable host).
 *
 * @category folding
 * @since 0.4.0
 */
export const splitEvents = (
  ctx: Pick<Context, 'hostStates'>,
  hostname: string,
  fields: Omit<Parameters<typeof E.span>[0], 'countType'> & { readonly countType: keyof typeof splitOf },
  start: T.Millis,
  end: T.Millis | null,
): ReadonlyArray<E.Event> => {
  const pieces = ctx.hostStates?.pieces.get(hostname);
  if (pieces === undefined) return [];
  const out: E.Event[] = [];
  const to = splitOf[fields.countType];
  for (const [s, e, usable] of split(pieces, start, end)) {
    const ct = usable ? to.usable : to.unusable;
    if (ct === undefined) continue;
    for (const ev of E.span({ ...fields, countType: ct }, s, e)) out.push(ev);
  }
  return out;
};

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

/**
 * Reads and folds `audit_blazar_computehosts` of a site.
 *
 * @since 0.4.0
 */
export const readHostAudit = async (src: Source, ctx: Context, zone: Zone): Promise<HostAudit> => {
  const read = await readAudit(src, hostAuditTable);
  if (read.state !== 'ok' || read.shape === undefined) return { report: unreadAuditReport(src.site.site, read), rejections: [], states: undefined, auditOnly: [] };
  const { rows, rejections } = decodeAuditRows(read.raw, { site: src.site.site, table: read.name, layout: read.shape.layout, zone });
  const f0 = foldHostAudit({ site: src.site.site, table: read.name, rows, known: new Set(ctx.hostsById.keys()) });
  // a host hard-deleted from computehosts may keep its capability rows (Blazar's own delete
  // soft-deletes them): its node type and GPUs come from them, else it is `unknown`
  const caps = f0.auditOnly.length === 0 ? undefined : (await loadCapabilities(src)).capabilities;
  const f =
    caps === undefined
      ? f0
      : {
          ...f0,
          auditOnly: f0.auditOnly.map((h) => {
            const c = caps.get(h.info.id);
            return c === undefined ? h : { ...h, info: { ...h.info, node_type: c.node_type ?? 'unknown', gpus: c.gpus ?? 0 } };
          }),
        };
  const all = [...rejections, ...f.rejections];
  const s = f.states;
  const notes = [
    `layout ${read.shape.layout}, time ${read.shape.timeColumn}`,
    zone.note,
    s.coverageStart === null ? 'no rows: the host state is not covered' : '',
    s.conflicts > 0 ? `${s.conflicts} overlapping state(s) of one hostname resolved by the later audit_id` : '',
    s.sameInstant > 0 ? `${s.sameInstant} snapshot(s) replaced at the same instant (zero-length state)` : '',
    s.updateBeforeInsert > 0 ? `${s.updateBeforeInsert} UPDATE row(s) before any INSERT of their host` : '',
    f.auditOnly.length > 0 ? `${f.auditOnly.length} host(s) only in the audit table (hard-deleted), counted with extra.from = audit` : '',
  ].filter((x) => x !== '');
  return {
    report: {
      site: src.site.site,
      source: read.name,
      status: 'read',
      detail: notes.join('; '),
      rows_read: read.raw.length,
      rows_folded: f.folded,
      rows_rejected: all.length,
      rejected_by_reason: countByReason(all),
      optional_missing: [],
    },
    rejections: all,
    states: s.coverageStart === null ? undefined : s,
    auditOnly: f.auditOnly,
  };
};
