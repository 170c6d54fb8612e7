/**
 * The reservation book as users saw it (reconstruction rules, section 14): for every day m at
 * 00:00Z, the capacity already booked ahead by the leases that existed at m, per horizon
 * (1, 7 and 30 days), node type and value type.
 *
 * Definitions:
 * - a lease is **on the book** at m when `created_at <= m` and it is not deleted at m
 *   (`deleted_at` NULL or `> m`);
 * - each of its allocations holds its host over `[max(start_date, created_at), end_date)`: the
 *   window of section 4 **without** the `deleted_at` cut (at m the deletion had not happened).
 *   The dates are the final stored ones: Blazar keeps no earlier value, so a lease extended or
 *   moved after m is seen at m with its later dates (the audit counts the leases whose
 *   `updated_at > created_at`: an upper bound of those that may have been moved);
 * - the pool at m: the hosts reservable at m (the clamped `reservable` intervals), assumed to
 *   stay reservable over the horizon. An allocation on a host outside the pool at m is not
 *   counted (audited `off_pool` allocation-days);
 * - `booked(m, h)`: mean over `[m, m + h)` of what users' allocations on the book hold;
 *   `holds(m, h)` the same for operator leases; `reservable` the pool at m; and
 *   `free = reservable - booked - holds` (so the four always add up);
 * - a `physical:host` allocation holds its whole host (the pool host's quantities at m); an
 *   instance allocation holds its slots (nodes = vcpus / host vcpus, as section 4).
 *
 * Choices (docs/decisions.md, "The reservation book"): a lease whose `start_lease` ended in
 * ERROR is on the book until deleted (Blazar keeps its allocations, which block the hosts); a
 * lease with `end_date < start_date` is rejected (`negative_duration`), one with an empty window
 * is `empty`, one deleted before it was created `deleted_before_created`; none of them is ever
 * on the book. An open `end_date` (NULL) holds to the end of every horizon.
 *
 * Cost: an event sweep. Allocations enter the book in `created_at` order and leave it once
 * deleted or past their window end, so each day looks only at the allocations running or ahead
 * (hundreds), never at all leases: O(days x (book + pool) + leases log leases).
 *
 * @since 0.3.0
 * @module
 */
import type { LeaseFact } from './LeadTime';
import * as Q from './Quantities';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One allocation of a lease as the book sees it: a Blazar host, whole (`physical:host`) or a
 * part of it (instance slots: `quantities`). `quantities = null`: an instance allocation whose
 * slot size is unknown (audited, not on the book).
 *
 * @category model
 * @since 0.3.0
 */
export interface BookAllocation {
  /** Blazar `computehosts.id`. */
  readonly host_id: string;
  /** The host's node type (`unknown` when its row is gone). */
  readonly node_type: string;
  readonly whole: boolean;
  readonly quantities: Q.Quantities | null;
}

/**
 * A stretch of time during which a Blazar host is reservable (a clamped `reservable` interval).
 *
 * @category model
 * @since 0.3.0
 */
export interface PoolHost {
  readonly host_id: string;
  readonly node_type: string;
  readonly quantities: Q.Quantities;
  readonly start: number;
  /** `Infinity` when still reservable. */
  readonly end: number;
}

/** The horizons of the book, in days. @category model @since 0.3.0 */
export const horizons = [1, 7, 30] as const;

/** One row of `booking_timeline.csv`. @category model @since 0.3.0 */
export type BookingRow = Readonly<{
  site: string;
  timestamp: string;
  horizon_days: number;
  node_type: string;
  value_type: Q.ValueType;
  booked: number;
  free: number;
  holds: number;
  reservable: number;
}>;

/** Why a lease is never on the book. @category model @since 0.3.0 */
export const bookRejections = ['negative_duration', 'empty', 'deleted_before_created', 'no_host', 'allocations_unknown'] as const;

/** @category model @since 0.3.0 */
export type BookRejection = (typeof bookRejections)[number];

/** The audit's `booking` entry of one site. @category model @since 0.3.0 */
export interface BookingAudit {
  readonly site: string;
  readonly leases_seen: number;
  /** Leases with allocations that were on the book at some moment of the report. */
  readonly leases_on_book: number;
  readonly rejected_by_reason: Readonly<Partial<Record<BookRejection, number>>>;
  /** Leases whose row was updated after creation: dates possibly moved, seen early. */
  readonly updated_after_created: number;
  /** Leases whose start failed, kept on the book until deleted. */
  readonly lease_error_on_book: number;
  /** Allocations whose host row is gone: never in the pool. */
  readonly host_unknown: number;
  /** Instance allocations without a slot size. */
  readonly unsized: number;
  /** (day, allocation) pairs on the book whose host was outside the pool at that day. */
  readonly off_pool_allocation_days: number;
  readonly days: number;
  /** Days without rows: the reservable pool or the leases are not covered. */
  readonly days_uncovered: number;
}

/**
 * An allocation on the book: its host, window `[start, end)` (`end` Infinity when open), when it
 * entered and left the book, and whether it is an operator hold.
 *
 * @category model
 * @since 0.3.0
 */
export interface BookEntry {
  readonly lease: number;
  readonly host_id: string;
  readonly node_type: string;
  readonly whole: boolean;
  readonly quantities: Q.Quantities;
  readonly operator: boolean;
  readonly created: number;
  /** `Infinity` when never deleted. */
  readonly deleted: number;
  readonly start: number;
  readonly end: number;
}

/** @category model @since 0.3.0 */
export interface BookingOptions {
  readonly start: T.Millis;
  readonly end: T.Millis;
  readonly valueTypes: ReadonlyArray<Q.ValueType>;
  /** Whether the book is known at m (reservable and committed covered); no rows otherwise. */
  readonly covered: (m: number) => boolean;
}

/**
 * The book at one moment: the pool (host id -> pool host) and the allocations on the book whose
 * window ends after m, in entry order.
 *
 * @category model
 * @since 0.3.0
 */
export interface Snapshot {
  readonly m: number;
  readonly pool: ReadonlyMap<string, PoolHost>;
  readonly book: ReadonlyArray<BookEntry>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The book window of a lease (`[max(start_date, created_at), end_date)`, no deletion cut), or
 * why it has none.
 *
 * @example
 * const ms = T.unsafeMillis
 * bookWindow({ created_at: ms(10), start_date: ms(5), end_date: ms(20), deleted_at: ms(12) }) // { start: 10, end: 20 }
 * @since 0.3.0
 */
export const bookWindow = (
  l: Pick<LeaseFact, 'created_at' | 'start_date' | 'end_date' | 'deleted_at'>,
): { readonly start: number; readonly end: number } | BookRejection => {
  if (l.deleted_at !== null && l.deleted_at < l.created_at) return 'deleted_before_created';
  if (l.end_date !== null && l.end_date < l.start_date) return 'negative_duration';
  const start = Math.max(l.start_date, l.created_at);
  const end = l.end_date ?? Infinity;
  if (end <= start) return 'empty';
  return { start, end };
};

/**
 * The allocations of a site's leases as book entries, sorted by `created_at` (then lease order),
 * and the lease-level part of the audit.
 *
 * @since 0.3.0
 */
export const entries = (
  leases: ReadonlyArray<LeaseFact>,
): {
  readonly entries: ReadonlyArray<BookEntry>;
  readonly rejected: Partial<Record<BookRejection, number>>;
  readonly updated: number;
  readonly errors: number;
  readonly hostUnknown: number;
  readonly unsized: number;
} => {
  const out: BookEntry[] = [];
  const rejected: Partial<Record<BookRejection, number>> = {};
  let updated = 0;
  let errors = 0;
  let hostUnknown = 0;
  let unsized = 0;
  const reject = (r: BookRejection) => void (rejected[r] = (rejected[r] ?? 0) + 1);
  for (let i = 0; i < leases.length; i++) {
    const l = leases[i];
    if (l.updated_at !== undefined && l.updated_at !== null && l.updated_at > l.created_at) updated++;
    if (l.allocations === undefined) {
      reject('allocations_unknown');
      continue;
    }
    if (l.allocations.length === 0) {
      reject('no_host');
      continue;
    }
    const w = bookWindow(l);
    if (typeof w === 'string') {
      reject(w);
      continue;
    }
    if (l.start_status === 'ERROR') errors++;
    for (const a of l.allocations) {
      if (a.quantities === null && !a.whole) {
        unsized++;
        continue;
      }
      if (a.node_type === 'unknown') hostUnknown++;
      out.push({
        lease: i,
        host_id: a.host_id,
        node_type: a.node_type,
        whole: a.whole,
        quantities: a.quantities ?? Q.zero,
        operator: l.operator,
        created: l.created_at,
        deleted: l.deleted_at ?? Infinity,
        start: w.start,
        end: w.end,
      });
    }
  }
  out.sort((a, b) => a.created - b.created || a.lease - b.lease);
  return { entries: out, rejected, updated, errors, hostUnknown, unsized };
};

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

/**
 * Visits the book at every day `m` of `[start, end)` (00:00Z steps), in order. The snapshot
 * passed to `f` is only valid during the call.
 *
 * @example
 * sweep({ start, end }, entries(leases).entries, pool)((s) => console.log(s.m, s.book.length))
 * @category folding
 * @since 0.3.0
 */
export const sweep =
  (o: { readonly start: number; readonly end: number }, book: ReadonlyArray<BookEntry>, pool: ReadonlyArray<PoolHost>) =>
  (f: (s: Snapshot) => void): void => {
    const hosts = [...pool].sort((a, b) => a.start - b.start);
    let nextEntry = 0;
    let nextHost = 0;
    const active: BookEntry[] = [];
    const inPool: PoolHost[] = [];
    let byId = new Map<string, PoolHost>();
    const first = Math.ceil(o.start / T.DAY) * T.DAY;
    for (let m = first; m < o.end; m += T.DAY) {
      while (nextEntry < book.length && book[nextEntry].created <= m) active.push(book[nextEntry++]);
      let poolChanged = false;
      while (nextHost < hosts.length && hosts[nextHost].start <= m) {
        inPool.push(hosts[nextHost++]);
        poolChanged = true;
      }
      // kept in place and in order (a filter per day made two arrays a day)
      let n = 0;
      for (const e of active) if (e.deleted > m && e.end > m) active[n++] = e;
      active.length = n;
      n = 0;
      for (const h of inPool) if (h.end > m) inPool[n++] = h;
      if (n !== inPool.length) poolChanged = true;
      inPool.length = n;
      // the map is made again only when the pool changed (snapshots are valid during the call only)
      if (poolChanged) {
        byId = new Map<string, PoolHost>();
        for (const h of inPool) byId.set(h.host_id, h);
      }
      f({ m, pool: byId, book: active });
    }
  };

/**
 * The book timeline and its audit of one site.
 *
 * @example
 * const { rows, audit } = booking({ start, end, valueTypes: ['nodes'], covered: () => true })('chi_uc', leases, pool)
 * @category folding
 * @since 0.3.0
 */
export const booking =
  (o: BookingOptions) =>
  (site: string, leases: ReadonlyArray<LeaseFact>, pool: ReadonlyArray<PoolHost>): { readonly rows: ReadonlyArray<BookingRow>; readonly audit: BookingAudit } => {
    const e = entries(leases);
    const rows: BookingRow[] = [];
    const seen = new Set<number>();
    let offPool = 0;
    let days = 0;
    let uncovered = 0;
    const hs = horizons.map((d) => d * T.DAY);
    sweep(o, e.entries, pool)((s) => {
      days++;
      if (!o.covered(s.m)) {
        uncovered++;
        return;
      }
      // per node type: reservable, and booked / holds per horizon, per value type
      const types = new Map<string, { reservable: Q.Quantities; booked: Float64Array[]; holds: Float64Array[] }>();
      const nv = o.valueTypes.length;
      for (const h of [...s.pool.values()].sort((a, b) => (a.host_id < b.host_id ? -1 : a.host_id > b.host_id ? 1 : 0))) {
        let t = types.get(h.node_type);
        if (t === undefined) {
          t = { reservable: Q.zero, booked: hs.map(() => new Float64Array(nv)), holds: hs.map(() => new Float64Array(nv)) };
          types.set(h.node_type, t);
        }
        t.reservable = Q.Monoid.concat(t.reservable, h.quantities);
      }
      for (const b of s.book) {
        const h = s.pool.get(b.host_id);
        if (h === undefined) {
          offPool++;
          continue;
        }
        seen.add(b.lease);
        const t = types.get(h.node_type) as NonNullable<ReturnType<typeof types.get>>;
        const q = b.whole ? h.quantities : b.quantities;
        for (let k = 0; k < hs.length; k++) {
          const over = Math.min(b.end, s.m + hs[k]) - Math.max(b.start, s.m);
          if (over <= 0) continue;
          const into = b.operator ? t.holds[k] : t.booked[k];
          for (let v = 0; v < nv; v++) into[v] += (q[o.valueTypes[v]] * over) / hs[k];
        }
      }
      const timestamp = T.toIso(T.unsafeMillis(s.m));
      for (const nt of [...types.keys()].sort()) {
        const t = types.get(nt) as NonNullable<ReturnType<typeof types.get>>;
        for (let k = 0; k < hs.length; k++) {
          for (let v = 0; v < nv; v++) {
            const vt = o.valueTypes[v];
            const reservable = t.reservable[vt];
            const booked = t.booked[k][v];
            const holds = t.holds[k][v];
            rows.push({ site, timestamp, horizon_days: horizons[k], node_type: nt, value_type: vt, booked, free: reservable - booked - holds, holds, reservable });
          }
        }
      }
    });
    const rejected: Partial<Record<BookRejection, number>> = {};
    for (const r of bookRejections) if (e.rejected[r] !== undefined) rejected[r] = e.rejected[r];
    return {
      rows,
      audit: {
        site,
        leases_seen: leases.length,
        leases_on_book: seen.size,
        rejected_by_reason: rejected,
        updated_after_created: e.updated,
        lease_error_on_book: e.errors,
        host_unknown: e.hostUnknown,
        unsized: e.unsized,
        off_pool_allocation_days: offPool,
        days,
        days_uncovered: uncovered,
      },
    };
  };
