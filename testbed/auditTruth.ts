/**
 * The truth of the audit tables' count types (issue 15, rules section 15), from the world's host
 * state windows, independently of the reconstruction:
 *
 * - from the install on (the tables' coverage start), each host's reservable interval and each
 *   commitment / operator hold on it are split by the host's Blazar state: usable
 *   (`reservable = 1 and disabled = 0`) or not -> `reservable_usable`, `reservable_unusable`,
 *   `committed_usable`, `committed_unusable`, and `ops_unusable` (the operator holds on unusable
 *   hosts, an input of the derived `unusable`);
 * - a host whose Nova service is disabled or forced down (KVM, `audit_nova_services`) or whose
 *   Ironic node is in maintenance or retired (bare metal, `audit_ironic_nodes`) is
 *   `total_unusable` over its Nova window;
 * - before the install: nothing (no intervals, so no rows: unknown, not zero).
 *
 * Invariants: the split is a partition: `reservable_usable + reservable_unusable = reservable`
 * and `committed_usable + committed_unusable = committed` from the install on.
 *
 * @since 0.4.0
 */
import type { HostWindow } from './audit';
import type { SiteWorld } from './world';

/** A base interval of one host, before node types are summed. @category model @since 0.4.0 */
export interface HostInterval {
  readonly countType: 'total' | 'reservable' | 'committed' | 'ops';
  readonly host: number;
  readonly start: number;
  readonly end: number | null;
  readonly nodes: number;
}

/** The count types the split adds to the truth's intervals. @since 0.4.0 */
export const splitTypes = ['reservable_usable', 'reservable_unusable', 'committed_usable', 'committed_unusable', 'ops_unusable', 'total_unusable'] as const;
/** @since 0.4.0 */
export type SplitType = (typeof splitTypes)[number];

/** Pieces of `[s, e)` inside (`true`) and outside (`false`) the sorted, disjoint windows. */
const pieces = (ws: ReadonlyArray<{ readonly start: number; readonly end: number | null }>, s: number, e: number | null): Array<readonly [number, number | null, boolean]> => {
  const out: Array<readonly [number, number | null, boolean]> = [];
  let t: number | null = s;
  for (const w of ws) {
    if (t === null) break;
    if (w.end !== null && w.end <= t) continue;
    if (e !== null && w.start >= e) break;
    if (w.start > t) out.push([t, w.start, false]);
    const ws0: number = Math.max(w.start, t);
    const we: number | null = w.end === null ? e : e === null ? w.end : Math.min(w.end, e);
    out.push([ws0, we, true]);
    t = we;
  }
  if (t !== null && (e === null || t < e)) out.push([t, e, false]);
  return out;
};

/**
 * The split intervals of a site (none without an audit world).
 *
 * @example
 * splitIntervals(world, [{ countType: 'reservable', host: 0, start: 0, end: null, nodes: 1 }])
 * @since 0.4.0
 */
export const splitIntervals = (
  w: SiteWorld,
  ivs: ReadonlyArray<HostInterval>,
): ReadonlyArray<{ readonly countType: SplitType; readonly nodeType: string; readonly start: number; readonly end: number | null; readonly nodes: number }> => {
  const a = w.audit;
  if (a === undefined) return [];
  const T0 = a.install;
  const blazar = new Map<number, HostWindow[]>();
  for (const x of a.windows) blazar.set(x.host, [...(blazar.get(x.host) ?? []), x]);
  // held out of service: the Nova service (KVM) or the Ironic node (bare metal)
  const service = new Map<number, Array<{ readonly start: number; readonly end: number | null }>>();
  for (const x of w.plan.kind === 'kvm' ? a.serviceWindows : a.nodeWindows) service.set(x.host, [...(service.get(x.host) ?? []), x]);
  const out: Array<{ countType: SplitType; nodeType: string; start: number; end: number | null; nodes: number }> = [];
  for (const iv of ivs) {
    if (iv.end !== null && iv.end <= T0) continue;
    const s = Math.max(iv.start, T0);
    const nodeType = w.hosts[iv.host].nodeType;
    if (iv.countType === 'total') {
      for (const [ps, pe, held] of pieces(service.get(iv.host) ?? [], s, iv.end)) if (held) out.push({ countType: 'total_unusable', nodeType, start: ps, end: pe, nodes: iv.nodes });
      continue;
    }
    for (const [ps, pe, inWindow] of pieces(blazar.get(iv.host) ?? [], s, iv.end)) {
      // every window is an unusable state (reservable = 0 or disabled = 1)
      const ct: SplitType | null =
        iv.countType === 'reservable' ? (inWindow ? 'reservable_unusable' : 'reservable_usable') : iv.countType === 'committed' ? (inWindow ? 'committed_unusable' : 'committed_usable') : inWindow ? 'ops_unusable' : null;
      if (ct !== null) out.push({ countType: ct, nodeType, start: ps, end: pe, nodes: iv.nodes });
    }
  }
  return out;
};
