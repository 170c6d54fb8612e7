/**
 * `openstack_audit.audit_nova_services` (reconstruction rules, section 15): the Nova side of
 * `total_unusable`. A `nova-compute` service held out of service (`disabled = 1` or
 * `forced_down = 1`) holds every compute node it runs (`compute_nodes.host` = the service's
 * `host`). Other binaries (scheduler, conductor) are ignored (`not_compute`).
 *
 * `audit_nova_compute_nodes`: compute nodes hard-deleted from `nova.compute_nodes` (and not in
 * `shadow_compute_nodes`) are counted in `total` from their audit rows (`extra.from = 'audit'`).
 *
 * `total_unusable` per hypervisor_hostname: where Nova's service or Ironic's node (see
 * `auditIronic.ts`) says unusable, from the earliest `audit_changed_at` of the tables read (each
 * table's history starts at its own first row: before it, that side says nothing). It is
 * clamped to `total` like `reservable` (by hostname), so it counts only known capacity.
 *
 * @since 0.4.0
 * @module
 */
import * as t from 'io-ts';
import * as E from '../lib/Event';
import { chain, type Piece, type StateRow } from '../lib/HostState';
import * as Q from '../lib/Quantities';
import { rejection, type Rejection } from '../lib/Rejection';
import type * as T from '../lib/Time';
import { computeNodeAt, type Context } from './Adapter';
import { auditTable, decodeData, entitiesOf, readEntityAudit, readStates, type AuditRow, type StateRead, type Zone } from './auditDecode';
import { Bool, Int, nullable, Str, UtcDate } from './codecs';
import type { Source } from './Source';

/** @category model @since 0.4.0 */
export const novaServicesAuditTable = auditTable('nova_services');

/**
 * The keys read from a Nova service snapshot.
 *
 * @category model
 * @since 0.4.0
 */
export const ServiceSnapshot = t.type({
  host: Str,
  binary: t.union([nullable(Str), t.undefined]),
  disabled: t.union([Bool, t.undefined, t.null]),
  forced_down: t.union([Bool, t.undefined, t.null]),
});

/**
 * The state of a service snapshot (pure): keyed by its host; a binary other than `nova-compute`
 * gives the empty key (rejected `no_key`: it holds no compute node).
 *
 * @example
 * serviceState({ host: 'kvm-1', binary: 'nova-compute', disabled: true, forced_down: false }).usable === false
 * @category constructors
 * @since 0.4.0
 */
export const serviceState = (s: t.TypeOf<typeof ServiceSnapshot>): { key: string; usable: boolean; status: string } => ({
  key: s.binary === undefined || s.binary === null || s.binary === 'nova-compute' ? s.host.trim() : '',
  usable: s.disabled !== true && s.forced_down !== true,
  status: s.forced_down === true ? 'forced_down' : s.disabled === true ? 'disabled' : 'enabled',
});

/**
 * Reads `audit_nova_services` of a site (keys: service hosts).
 *
 * @since 0.4.0
 */
export const readNovaServicesAudit = (src: Source, zone: Zone): Promise<StateRead> => readStates(src, novaServicesAuditTable, zone, ServiceSnapshot, serviceState);

/** The unusable spans of one key's pieces, merged where they touch. */
const unusableSpans = (pieces: ReadonlyArray<Piece>): Array<[T.Millis, T.Millis | null]> => {
  const out: Array<[T.Millis, T.Millis | null]> = [];
  for (const p of pieces) {
    if (p.usable) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last[1] !== null && last[1] >= p.start) last[1] = p.end === null || p.end > last[1] ? p.end : last[1];
    else out.push([p.start, p.end]);
  }
  return out;
};

/** The union of two sorted lists of spans. */
const union = (a: ReadonlyArray<[T.Millis, T.Millis | null]>, b: ReadonlyArray<[T.Millis, T.Millis | null]>): Array<[T.Millis, T.Millis | null]> => {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: Array<[T.Millis, T.Millis | null]> = [];
  for (const [s, e] of all) {
    const last = out[out.length - 1];
    if (last !== undefined && (last[1] === null || last[1] >= s)) {
      if (last[1] !== null && (e === null || e > last[1])) last[1] = e;
    } else out.push([s, e]);
  }
  return out;
};

/**
 * The `total_unusable` events of a site (pure) from the state rows of the Nova services and the
 * Ironic nodes audits: per hypervisor_hostname, one span per stretch held out of service by
 * either, with the compute node's quantities at the span's start.
 *
 * @category folding
 * @since 0.4.0
 */
export const totalUnusableEvents = (
  ctx: Pick<Context, 'site' | 'computeNodes' | 'nodesByService' | 'hostsByHostname'>,
  o: { readonly services: ReadonlyArray<StateRow>; readonly ironic: ReadonlyArray<StateRow>; readonly table: string; readonly coverageStart: T.Millis | null },
): ReadonlyArray<E.Event> => {
  const byHost = new Map<string, Array<[T.Millis, T.Millis | null]>>();
  const add = (hostname: string, spans: ReadonlyArray<[T.Millis, T.Millis | null]>) => byHost.set(hostname, union(byHost.get(hostname) ?? [], spans));
  const services = chain(o.coverageStart)(o.services);
  for (const [host, pieces] of services.pieces) for (const hostname of ctx.nodesByService?.get(host) ?? []) add(hostname, unusableSpans(pieces));
  const ironic = chain(o.coverageStart)(o.ironic);
  for (const [uuid, pieces] of ironic.pieces) add(uuid, unusableSpans(pieces));
  const out: E.Event[] = [];
  for (const hostname of [...byHost.keys()].sort()) {
    const host = ctx.hostsByHostname.get(hostname);
    for (const [s, e] of byHost.get(hostname) ?? []) {
      const node = computeNodeAt(ctx.computeNodes.get(hostname), s);
      if (node === undefined) continue; // a name Nova never had: nothing of total to hold
      const fields = {
        entityId: hostname,
        source: { table: o.table, id: hostname },
        countType: 'total_unusable' as const,
        quantities: Q.make({ nodes: 1, vcpus: node.vcpus, memory_mb: node.memory_mb, disk_gb: node.local_gb, gpus: host?.gpus ?? 0 }),
        attributes: E.attributes({ site: ctx.site.site, node_type: host?.node_type ?? 'unknown', hypervisor_hostname: hostname }),
      };
      for (const ev of E.span(fields, s, e)) out.push(ev);
    }
  }
  return out;
};


// -------------------------------------------------------------------------------------
// hard-deleted compute nodes
// -------------------------------------------------------------------------------------

/** @category model @since 0.4.0 */
export const novaComputeNodesAuditTable = auditTable('nova_compute_nodes');

const opt = <C extends t.Mixed>(c: C) => t.union([c, t.undefined]);

/**
 * The keys read from a compute node snapshot.
 *
 * @category model
 * @since 0.4.0
 */
export const ComputeNodeSnapshot = t.type({
  hypervisor_hostname: Str,
  vcpus: opt(nullable(Int)),
  memory_mb: opt(nullable(Int)),
  local_gb: opt(nullable(Int)),
  created_at: opt(UtcDate),
  deleted_at: opt(UtcDate),
});

/**
 * The `total` events of compute nodes known only from `audit_nova_compute_nodes` (pure): ids in
 * neither `compute_nodes` nor `shadow_compute_nodes` (`known`). Each is counted from its first
 * snapshot's `created_at` (else its first row's time) to the last `data.deleted_at` (else its
 * DELETE row's time; with neither, rejected `no_end`), per hypervisor_hostname like a source row,
 * `extra.from = 'audit'`.
 *
 * @category folding
 * @since 0.4.0
 */
export const auditOnlyComputeNodes = (
  ctx: Pick<Context, 'site' | 'hostsByHostname'>,
  o: { readonly table: string; readonly rows: ReadonlyArray<AuditRow>; readonly known: ReadonlySet<string> },
): { readonly events: ReadonlyArray<E.Event>; readonly rejections: ReadonlyArray<Rejection>; readonly entities: number } => {
  const site = ctx.site.site;
  const decode = decodeData(ComputeNodeSnapshot, { site, table: o.table });
  const grouped = entitiesOf(o.rows, o.known, decode);
  const rejections: Rejection[] = [...grouped.rejections];
  const events: E.Event[] = [];
  let entities = 0;
  for (const { id, list } of grouped.entities) {
    const first = list[0];
    const last = list[list.length - 1];
    const deletedAt = [...list].reverse().find((x) => x.snap.deleted_at !== undefined && x.snap.deleted_at !== null)?.snap.deleted_at ?? null;
    const end = deletedAt ?? (last.row.kind === 'DELETE' ? last.row.time : null);
    const hostname = last.snap.hypervisor_hostname.trim();
    if (end === null || hostname === '') {
      rejections.push(
        rejection({
          site,
          source: { table: o.table, id: String(last.row.auditId) },
          reason: end === null ? 'no_end' : 'no_hostname',
          detail: end === null ? `compute node ${id} is gone from nova.compute_nodes but its audit rows show no deleted_at and no DELETE` : `compute node ${id} without hypervisor_hostname`,
          entityId: id,
          time: last.row.time,
        }),
      );
      continue;
    }
    const s = last.snap;
    const host = ctx.hostsByHostname.get(hostname);
    const fields = {
      entityId: hostname,
      source: { table: o.table, id: String(first.row.auditId) },
      countType: 'total' as const,
      quantities: Q.make({ nodes: 1, vcpus: s.vcpus ?? 0, memory_mb: s.memory_mb ?? 0, disk_gb: s.local_gb ?? 0, gpus: host?.gpus ?? 0 }),
      attributes: E.attributes({ site, node_type: host?.node_type ?? 'unknown', hypervisor_hostname: hostname, extra: { from: 'audit', compute_node_id: id } }),
    };
    entities += 1;
    for (const ev of E.span(fields, first.snap.created_at ?? first.row.time, end)) events.push(ev);
  }
  return { events, rejections, entities };
};

/**
 * Reads `audit_nova_compute_nodes` and makes the events of the compute nodes only it knows,
 * with the table's report entry (`rows_read = rows_folded + rows_rejected`; rows of ids the
 * source has are folded: the source wins).
 *
 * @since 0.4.0
 */
export const readComputeNodesAudit = (src: Source, ctx: Pick<Context, 'site' | 'hostsByHostname'>, zone: Zone): ReturnType<typeof readEntityAudit> =>
  readEntityAudit(src, {
    ref: novaComputeNodesAuditTable,
    sources: [
      { db: 'nova', table: 'compute_nodes' },
      { db: 'nova', table: 'shadow_compute_nodes' },
    ],
    zone,
    what: 'compute node(s)',
    fold: (o) => auditOnlyComputeNodes(ctx, o),
  });
