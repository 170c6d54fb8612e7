/**
 * The truth of the reservation book (reconstruction rules, section 14), computed from the
 * simulated world directly and independently of `lib/Booking.ts` and `lib/ProjectedLeadTime.ts`
 * (no code of `lib/` is used): where the library sweeps days and keeps the book of each, this
 * scatters each lease over the days it was on the book; where the library sweeps the ranges of
 * feasible start hours, this tries the candidate starts (m, and the end of every busy stretch,
 * rounded up to the hour) one by one.
 *
 * The same definitions, from the world's own plan: a lease is on the book at m when
 * `createdAt <= m` and not deleted at m; its hosts are held over `[max(startDate, createdAt),
 * endDate)` with the final `endDate` (the one Blazar stores: an extension is seen early, as the
 * library sees it); a lease whose start failed is on the book until deleted; a host counts
 * when it is reservable at m (`[reservableFrom, reservableTo)`); `physical:host` 1 node, slots
 * `slots x vcpus / host vcpus`; operator leases are holds.
 *
 * Value type nodes only. With `asSeen`, a lease extended after m is seen at m with the end it had
 * then (`requestedEnd`, which the simulator keeps and Blazar does not): the book users really saw,
 * to measure what the final-dates rule changes (docs/validation.md).
 *
 * @since 0.3.0
 */
import type { Plan } from './plan';
import type { Lease, SiteWorld } from './world';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The book of one day, node type and horizon (nodes). @category model @since 0.3.0 */
export interface TrueBook {
  readonly booked: number;
  readonly holds: number;
  readonly reservable: number;
}

/** A projected lead time of the truth. @category model @since 0.3.0 */
export interface TrueLeadTime {
  readonly nodes: number;
  readonly hours: number;
  readonly lead_time_hours: number;
  readonly capped: boolean;
}

/** The truth of a site's book. Keys: `${day ISO}|${node type}|${horizon days}` and `${day ISO}|${node type}|${request}`. @category model @since 0.3.0 */
export interface TrueBooking {
  readonly book: ReadonlyMap<string, TrueBook>;
  readonly leadTimes: ReadonlyMap<string, TrueLeadTime>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const HORIZONS = [1, 7, 30];
const CAP = 90 * 24;

const iso = (t: number): string => `${new Date(t).toISOString().slice(0, 10)}T00:00:00Z`;

// -------------------------------------------------------------------------------------
// the truth
// -------------------------------------------------------------------------------------

/** What each host of a lease holds: host index -> nodes. */
const held = (w: SiteWorld, l: Lease): Map<number, number> => {
  const out = new Map<number, number>();
  for (const r of l.reservations) {
    for (const h of r.hosts) {
      const nodes = r.resourceType === 'physical:host' ? 1 : (r.slot?.vcpus ?? 0) / w.hosts[h].vcpus;
      out.set(h, (out.get(h) ?? 0) + nodes);
    }
  }
  return out;
};

const lowerMedian = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** The earliest whole hour t >= 0 where k of the hosts are free for d, by trying the candidates. */
const earliest = (m: number, busy: ReadonlyArray<ReadonlyArray<readonly [number, number]>>, k: number, d: number): number => {
  const candidates = new Set<number>([0]);
  for (const host of busy) for (const [, e] of host) if (e > m) candidates.add(Math.ceil((e - m) / HOUR));
  for (const t of [...candidates].sort((a, b) => a - b)) {
    const s = m + t * HOUR;
    let free = 0;
    for (const host of busy) if (host.every(([bs, be]) => be <= s || bs >= s + d)) free++;
    if (free >= k) return t;
  }
  return Infinity;
};

/**
 * The true book and projected lead times of a site, every day of the plan's window.
 *
 * @example
 * const t = trueBooking(plan, world); t.book.get('2024-01-01T00:00:00Z|compute_skylake|7')
 * @since 0.3.0
 */
export const trueBooking = (plan: Plan, w: SiteWorld, o: { readonly asSeen?: boolean } = {}): TrueBooking => {
  const days = Math.ceil((plan.end - plan.start) / DAY);
  const dayOf = (t: number) => Math.ceil((t - plan.start) / DAY);
  const reservableAt = (h: number, m: number) => {
    const host = w.hosts[h];
    return host.reservableFrom !== null && host.reservableFrom <= m && (host.reservableTo === null || m < host.reservableTo);
  };
  // reservable per day and node type
  const reservable = new Map<string, number>();
  for (const host of w.hosts) {
    if (host.reservableFrom === null) continue;
    for (let d = Math.max(0, dayOf(host.reservableFrom)); d < days; d++) {
      const m = plan.start + d * DAY;
      if (!reservableAt(host.index, m)) break;
      const k = `${d}|${host.nodeType}`;
      reservable.set(k, (reservable.get(k) ?? 0) + 1);
    }
  }
  // scatter every lease over the days it is on the book
  const booked = new Map<string, { booked: number; holds: number }>();
  const busy = new Map<number, Map<number, Array<readonly [number, number]>>>();
  for (const l of w.leases) {
    const start = Math.max(l.startDate, l.createdAt);
    if (l.endDate <= start) continue;
    const hosts = held(w, l);
    for (let d = Math.max(0, dayOf(l.createdAt)); d < days; d++) {
      const m = plan.start + d * DAY;
      // as seen at m: the end asked for until the extension was made (the world knows both)
      const end = o.asSeen === true && l.extendedAt !== null && m < l.extendedAt ? l.requestedEnd : l.endDate;
      if (m >= Math.min(l.deletedAt ?? Infinity, end)) break;
      for (const [h, nodes] of hosts) {
        if (!reservableAt(h, m)) continue;
        let b = busy.get(d);
        if (b === undefined) busy.set(d, (b = new Map()));
        let xs = b.get(h);
        if (xs === undefined) b.set(h, (xs = []));
        xs.push([start, end]);
        for (const H of HORIZONS) {
          const over = Math.min(end, m + H * DAY) - Math.max(start, m);
          if (over <= 0) continue;
          const k = `${d}|${w.hosts[h].nodeType}|${H}`;
          let v = booked.get(k);
          if (v === undefined) booked.set(k, (v = { booked: 0, holds: 0 }));
          if (l.operator) v.holds += (nodes * over) / (H * DAY);
          else v.booked += (nodes * over) / (H * DAY);
        }
      }
    }
  }
  const byCreated = [...w.leases].sort((a, b) => a.createdAt - b.createdAt);
  const firstAtOrAfter = (t: number): number => {
    let lo = 0;
    let hi = byCreated.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byCreated[mid].createdAt < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const book = new Map<string, TrueBook>();
  const leadTimes = new Map<string, TrueLeadTime>();
  for (const [k, r] of reservable) {
    const [d, nt] = k.split('|');
    const m = plan.start + Number(d) * DAY;
    for (const H of HORIZONS) {
      const v = booked.get(`${d}|${nt}|${H}`) ?? { booked: 0, holds: 0 };
      book.set(`${iso(m)}|${nt}|${H}`, { booked: v.booked, holds: v.holds, reservable: r });
    }
    const hostsOfType = w.hosts.filter((h) => h.nodeType === nt && reservableAt(h.index, m));
    const b = busy.get(Number(d));
    const lists = hostsOfType.map((h) => b?.get(h.index) ?? []);
    const put = (request: string, nodes: number, ms: number) => {
      const t = earliest(m, lists, nodes, ms);
      leadTimes.set(`${iso(m)}|${nt}|${request}`, { nodes, hours: ms / HOUR, lead_time_hours: t > CAP ? CAP : t, capped: t > CAP });
    };
    put('one_node_24h', 1, 24 * HOUR);
    const ns: number[] = [];
    const ds: number[] = [];
    for (let i = firstAtOrAfter(m - 90 * DAY); i < byCreated.length && byCreated[i].createdAt < m; i++) {
      const l = byCreated[i];
      if (l.operator) continue;
      const dur = l.endDate - Math.max(l.startDate, l.createdAt);
      if (dur <= 0) continue;
      const of = new Set<number>();
      for (const r of l.reservations) for (const h of r.hosts) if (w.hosts[h].nodeType === nt) of.add(h);
      if (of.size === 0) continue;
      ns.push(of.size);
      ds.push(dur);
    }
    if (ns.length > 0) put('median', lowerMedian(ns), lowerMedian(ds));
  }
  return { book, leadTimes };
};

// -------------------------------------------------------------------------------------
// comparing
// -------------------------------------------------------------------------------------

/** A reconstructed book row (value type nodes). @category model @since 0.3.0 */
export interface BookValue {
  readonly timestamp: string;
  readonly node_type: string;
  readonly horizon_days: number;
  readonly booked: number;
  readonly holds: number;
  readonly free: number;
  readonly reservable: number;
}

/** A reconstructed projected lead time. @category model @since 0.3.0 */
export interface LeadTimeValue {
  readonly timestamp: string;
  readonly node_type: string;
  readonly request: string;
  readonly nodes: number;
  readonly hours: number;
  readonly lead_time_hours: number;
  readonly capped: boolean;
}

/** The comparison of a site's book with its truth. @category model @since 0.3.0 */
export interface BookComparison {
  /** Days with reconstructed rows (the covered days). */
  readonly days: number;
  readonly book_rows: number;
  readonly leadtime_rows: number;
  /** Days where any book row differs by more than the tolerance, or a key is on one side only. */
  readonly book_differing_days: number;
  readonly leadtime_differing_days: number;
  /** Sum over compared rows of |truth booked - reconstructed booked| (node means), per horizon. */
  readonly booked_abs_diff: Readonly<Record<number, number>>;
  /** Sum over compared rows of the reconstructed booked, per horizon. */
  readonly booked_sum: Readonly<Record<number, number>>;
  /** A few differing keys, for the failure message. */
  readonly examples: ReadonlyArray<string>;
}

/**
 * Compares the reconstructed book of a site with its truth on the days the reconstruction
 * covers (every day with a row): every key of either side on those days must agree.
 *
 * @since 0.3.0
 */
export const compareBooking = (truth: TrueBooking, book: ReadonlyArray<BookValue>, leads: ReadonlyArray<LeadTimeValue>, tolerance = 1e-6): BookComparison => {
  const days = new Set(book.map((r) => r.timestamp));
  const bad = new Set<string>();
  const badLead = new Set<string>();
  const examples: string[] = [];
  const note = (set: Set<string>, day: string, what: string) => {
    set.add(day);
    if (examples.length < 10) examples.push(what);
  };
  const seen = new Set<string>();
  const near = (a: number, b: number) => Math.abs(a - b) <= tolerance;
  const absDiff: Record<number, number> = {};
  const sum: Record<number, number> = {};
  for (const r of book) {
    const k = `${r.timestamp}|${r.node_type}|${r.horizon_days}`;
    seen.add(k);
    const t = truth.book.get(k);
    sum[r.horizon_days] = (sum[r.horizon_days] ?? 0) + r.booked;
    absDiff[r.horizon_days] = (absDiff[r.horizon_days] ?? 0) + Math.abs((t?.booked ?? 0) - r.booked);
    if (t === undefined) note(bad, r.timestamp, `book ${k}: no truth`);
    else if (!near(t.booked, r.booked) || !near(t.holds, r.holds) || !near(t.reservable, r.reservable) || !near(t.reservable - t.booked - t.holds, r.free)) {
      note(bad, r.timestamp, `book ${k}: truth ${JSON.stringify(t)}, recon ${JSON.stringify(r)}`);
    }
  }
  for (const k of truth.book.keys()) {
    const day = k.slice(0, k.indexOf('|'));
    if (days.has(day) && !seen.has(k)) note(bad, day, `book ${k}: not reconstructed`);
  }
  const seenLead = new Set<string>();
  for (const r of leads) {
    const k = `${r.timestamp}|${r.node_type}|${r.request}`;
    seenLead.add(k);
    const t = truth.leadTimes.get(k);
    if (t === undefined) note(badLead, r.timestamp, `lead ${k}: no truth`);
    else if (t.nodes !== r.nodes || !near(t.hours, r.hours) || t.lead_time_hours !== r.lead_time_hours || t.capped !== r.capped) {
      note(badLead, r.timestamp, `lead ${k}: truth ${JSON.stringify(t)}, recon ${JSON.stringify(r)}`);
    }
  }
  for (const k of truth.leadTimes.keys()) {
    const day = k.slice(0, k.indexOf('|'));
    if (days.has(day) && !seenLead.has(k)) note(badLead, day, `lead ${k}: not reconstructed`);
  }
  return { days: days.size, book_rows: book.length, leadtime_rows: leads.length, book_differing_days: bad.size, leadtime_differing_days: badLead.size, booked_abs_diff: absDiff, booked_sum: sum, examples };
};
