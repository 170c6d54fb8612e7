/**
 * `openstack_audit.audit_nova_services` (reconstruction rules, section 15): the Nova side of
 * `total_unusable`. A `nova-compute` service held out of service (`disabled = 1` or
 * `forced_down = 1`) holds every compute node it runs (`compute_nodes.host` = the service's
 * `host`). Other binaries (scheduler, conductor) are ignored (`not_compute`).
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
import type * as T from '../lib/Time';
import { computeNodeAt, type Context } from './Adapter';
import { auditTable, readStates, type StateRead, type Zone } from './auditDecode';
import { Bool, nullable, Str } from './codecs';
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

