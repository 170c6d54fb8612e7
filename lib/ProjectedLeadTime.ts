/**
 * Projected lead time (reconstruction rules, section 14): what a user asking at m for k hosts
 * of a node type for d hours would have waited for the earliest free slot, given the book at m.
 *
 * Definition: the smallest t >= 0 whole hours such that at least k hosts of the type, reservable
 * at m (the pool of `lib/Booking.ts`, assumed to stay), are free of every allocation and hold on
 * the book at m over `[m + t h, m + t h + d)`. Capped at 90 days: a wait beyond it (or a request
 * larger than the pool, which never fits) is reported as the cap with `capped = true`.
 *
 * Two requests per day and node type: `one_node_24h` (1 host, 24 h) and `median`: the type's
 * median number of hosts and median duration of the users' leases created in the 90 days before
 * m (`[m - 90 d, m)`), each the lower median (a size some lease had); a lease counts in each node
 * type it holds, with the number of its distinct hosts of that type, and its duration is its
 * book window (`[max(start_date, created_at), end_date)`, open ends left out). No such lease:
 * no median row that day (counted in the audit).
 *
 * Algorithm: per host, the gaps between its merged busy intervals give ranges of start hours t
 * that fit d; a sweep over the ranges' ends of all hosts finds the first t where k ranges
 * overlap. O(book log book + pool) per day and request.
 *
 * @since 0.3.0
 * @module
 */
import { bookWindow, sweep, type BookEntry, type PoolHost } from './Booking';
import type { LeaseFact } from './LeadTime';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The two requests. @category model @since 0.3.0 */
export const requests = ['one_node_24h', 'median'] as const;

/** @category model @since 0.3.0 */
export type Request = (typeof requests)[number];

/** The cap of a projected lead time, hours (90 days). @category model @since 0.3.0 */
export const capHours = 90 * 24;

/** One row of `projected_leadtime.csv`. @category model @since 0.3.0 */
export type ProjectedLeadTimeRow = Readonly<{
  site: string;
  timestamp: string;
  node_type: string;
  request: Request;
  nodes: number;
  hours: number;
  lead_time_hours: number;
  capped: boolean;
}>;

/** The audit's `projected_leadtime` entry of one site. @category model @since 0.3.0 */
export interface ProjectedLeadTimeAudit {
  readonly site: string;
  readonly rows: number;
  readonly capped: number;
  /** (day, node type) pairs without a median request: no user lease of the type in the 90 days before. */
  readonly median_missing: number;
}

// -------------------------------------------------------------------------------------
// the earliest slot
// -------------------------------------------------------------------------------------

/**
 * The earliest start (whole hours after m) at which at least `k` of the hosts are free for
 * `d` ms, each host given by its busy intervals; `Infinity` when never.
 *
 * @example
 * // two hosts, one busy [m, m + 5 h), the other [m + 2 h, m + 30 h): 1 host for 24 h at t = 5
 * earliestSlot(m, [[[m, m + 5 * H]], [[m + 2 * H, m + 30 * H]]], 1, 24 * H) // 5
 * @since 0.3.0
 */
export const earliestSlot = (m: number, busy: ReadonlyArray<ReadonlyArray<readonly [number, number]>>, k: number, d: number): number => {
  if (k <= 0) return 0;
  if (k > busy.length) return Infinity;
  const at: number[] = [];
  const delta: number[] = [];
  const range = (gs: number, ge: number) => {
    const lo = Math.max(0, Math.ceil((gs - m) / T.HOUR));
    const hi = ge === Infinity ? Infinity : Math.floor((ge - m - d) / T.HOUR);
    if (lo > hi) return;
    at.push(lo);
    delta.push(1);
    if (hi !== Infinity) {
      at.push(hi + 1);
      delta.push(-1);
    }
  };
  for (const host of busy) {
    const ivs = [...host].sort((a, b) => a[0] - b[0]);
    let free = -Infinity;
    for (const [s, e] of ivs) {
      if (s > free) range(Math.max(free, m), s);
      if (e > free) free = e;
    }
    range(Math.max(free, m), Infinity);
  }
  const order = at.map((_, i) => i).sort((a, b) => at[a] - at[b]);
  let n = 0;
  for (let i = 0; i < order.length; ) {
    const t = at[order[i]];
    for (; i < order.length && at[order[i]] === t; i++) n += delta[order[i]];
    if (n >= k) return t;
  }
  return Infinity;
};

// -------------------------------------------------------------------------------------
// medians
// -------------------------------------------------------------------------------------

/** A user lease's size in one node type. */
interface Size {
  readonly created: number;
  readonly nodeType: string;
  readonly nodes: number;
  readonly ms: number;
}

/** Users' lease sizes per node type, by `created_at`. */
const sizes = (leases: ReadonlyArray<LeaseFact>): ReadonlyArray<Size> => {
  const out: Size[] = [];
  for (const l of leases) {
    if (l.operator || l.allocations === undefined || l.allocations.length === 0) continue;
    const w = bookWindow(l);
    if (typeof w === 'string' || w.end === Infinity) continue;
    const hosts = new Map<string, Set<string>>();
    for (const a of l.allocations) {
      let s = hosts.get(a.node_type);
      if (s === undefined) hosts.set(a.node_type, (s = new Set()));
      s.add(a.host_id);
    }
    for (const [nodeType, s] of hosts) out.push({ created: l.created_at, nodeType, nodes: s.size, ms: w.end - w.start });
  }
  return out.sort((a, b) => a.created - b.created);
};

const lowerMedian = (xs: Float64Array): number => xs.sort()[Math.floor((xs.length - 1) / 2)];

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

/**
 * The projected lead times of one site, every day of `[start, end)` where `covered`, per node
 * type of the pool, for both requests.
 *
 * @example
 * projectedLeadTimes({ start, end, covered: () => true })('chi_uc', leases, entries(leases).entries, pool)
 * @category folding
 * @since 0.3.0
 */
export const projectedLeadTimes =
  (o: { readonly start: number; readonly end: number; readonly covered: (m: number) => boolean }) =>
  (
    site: string,
    leases: ReadonlyArray<LeaseFact>,
    book: ReadonlyArray<BookEntry>,
    pool: ReadonlyArray<PoolHost>,
  ): { readonly rows: ReadonlyArray<ProjectedLeadTimeRow>; readonly audit: ProjectedLeadTimeAudit } => {
    const rows: ProjectedLeadTimeRow[] = [];
    const sz = sizes(leases);
    let lo = 0;
    let hi = 0;
    let missing = 0;
    let capped = 0;
    sweep(o, book, pool)((s) => {
      while (hi < sz.length && sz[hi].created < s.m) hi++;
      while (lo < hi && sz[lo].created < s.m - 90 * T.DAY) lo++;
      if (!o.covered(s.m)) return;
      const busy = new Map<string, Array<readonly [number, number]>>();
      for (const b of s.book) {
        if (!s.pool.has(b.host_id)) continue;
        let xs = busy.get(b.host_id);
        if (xs === undefined) busy.set(b.host_id, (xs = []));
        xs.push([b.start, b.end]);
      }
      const byType = new Map<string, Array<ReadonlyArray<readonly [number, number]>>>();
      for (const h of s.pool.values()) {
        let xs = byType.get(h.node_type);
        if (xs === undefined) byType.set(h.node_type, (xs = []));
        xs.push(busy.get(h.host_id) ?? []);
      }
      const timestamp = T.toIso(T.unsafeMillis(s.m));
      for (const nt of [...byType.keys()].sort()) {
        const hosts = byType.get(nt) as ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
        const push = (request: Request, nodes: number, ms: number) => {
          const t = earliestSlot(s.m, hosts, nodes, ms);
          const over = t > capHours;
          if (over) capped++;
          rows.push({ site, timestamp, node_type: nt, request, nodes, hours: ms / T.HOUR, lead_time_hours: over ? capHours : t, capped: over });
        };
        push('one_node_24h', 1, 24 * T.HOUR);
        const ns: number[] = [];
        const ds: number[] = [];
        for (let i = lo; i < hi; i++) {
          if (sz[i].nodeType !== nt) continue;
          ns.push(sz[i].nodes);
          ds.push(sz[i].ms);
        }
        if (ns.length === 0) missing++;
        else push('median', lowerMedian(Float64Array.from(ns)), lowerMedian(Float64Array.from(ds)));
      }
    });
    return { rows, audit: { site, rows: rows.length, capped, median_missing: missing } };
  };
