import * as fc from 'fast-check';
import { booking, bookWindow, type BookAllocation, type BookingRow, type PoolHost } from '../lib/Booking';
import type { LeaseFact } from '../lib/LeadTime';
import * as Q from '../lib/Quantities';
import * as T from '../lib/Time';

const D = T.DAY;
const H = T.HOUR;
const t0 = Date.UTC(2024, 0, 1);
const ms = (n: number) => T.unsafeMillis(n);

const lease = (over: Partial<LeaseFact> & { allocations: ReadonlyArray<BookAllocation> }): LeaseFact => ({
  site: 's',
  lease_id: 'l',
  project_id: 'p',
  node_types: ['a'],
  operator: false,
  created_at: ms(t0),
  start_date: ms(t0 + D),
  end_date: ms(t0 + 2 * D),
  deleted_at: null,
  start_status: null,
  start_updated_at: null,
  start_time: null,
  start_deleted_at: null,
  ...over,
});

const whole = (host_id: string, node_type = 'a'): BookAllocation => ({ host_id, node_type, whole: true, quantities: null });
const host = (host_id: string, node_type = 'a', start = t0 - 10 * D, end = Infinity, vcpus = 48): PoolHost => ({
  host_id,
  node_type,
  quantities: Q.make({ nodes: 1, vcpus }),
  start,
  end,
});

const opts = (days: number, covered: (m: number) => boolean = () => true) => ({ start: ms(t0), end: ms(t0 + days * D), valueTypes: ['nodes', 'vcpus'] as const, covered });
const row = (rows: ReadonlyArray<BookingRow>, day: number, h: number, nt = 'a', vt = 'nodes') =>
  rows.find((r) => r.timestamp === T.toIso(ms(t0 + day * D)) && r.horizon_days === h && r.node_type === nt && r.value_type === vt);

describe('the reservation book', () => {
  it('counts a lease from its creation, over its window ahead, as the share of each horizon', () => {
    // created day 0 for [day 1 12:00, day 3 12:00) on host h1; pool h1, h2
    const l = lease({ created_at: ms(t0), start_date: ms(t0 + D + 12 * H), end_date: ms(t0 + 3 * D + 12 * H), allocations: [whole('h1')] });
    const { rows } = booking(opts(5))('s', [l], [host('h1'), host('h2')]);
    expect(row(rows, 0, 1)).toMatchObject({ booked: 0, holds: 0, reservable: 2, free: 2 });
    expect(row(rows, 0, 7)?.booked).toBeCloseTo(2 / 7, 12);
    expect(row(rows, 1, 1)?.booked).toBeCloseTo(0.5, 12);
    expect(row(rows, 2, 1)).toMatchObject({ booked: 1, free: 1 });
    expect(row(rows, 3, 1)?.booked).toBeCloseTo(0.5, 12);
    expect(row(rows, 4, 1)).toMatchObject({ booked: 0 });
    expect(row(rows, 2, 1, 'a', 'vcpus')).toMatchObject({ booked: 48, reservable: 96, free: 48 });
  });

  it('does not show a lease before its creation, nor once deleted, and ignores the deletion ahead (section 14)', () => {
    const l = lease({ created_at: ms(t0 + D), start_date: ms(t0 + 2 * D), end_date: ms(t0 + 6 * D), deleted_at: ms(t0 + 3 * D), allocations: [whole('h1')] });
    const { rows } = booking(opts(5))('s', [l], [host('h1')]);
    expect(row(rows, 0, 7)?.booked).toBe(0);
    expect(row(rows, 1, 7)?.booked).toBeCloseTo(4 / 7, 12); // [day 2, day 6) seen in full on day 1
    expect(row(rows, 2, 1)?.booked).toBe(1);
    expect(row(rows, 3, 7)?.booked).toBe(0); // deleted at day 3 00:00: not on the book at m = day 3
  });

  it('counts operator leases as holds, instance slots by their size, and leaves hosts outside the pool out (audited)', () => {
    const ops = lease({ operator: true, allocations: [whole('h1')] });
    const slots = lease({ lease_id: 'k', allocations: [{ host_id: 'h2', node_type: 'a', whole: false, quantities: Q.make({ nodes: 0.25, vcpus: 12 }) }] });
    const off = lease({ lease_id: 'x', allocations: [whole('gone')] });
    const { rows, audit } = booking(opts(2))('s', [ops, slots, off], [host('h1'), host('h2')]);
    expect(row(rows, 1, 1)).toMatchObject({ holds: 1, booked: 0.25, reservable: 2, free: 0.75 });
    expect(row(rows, 1, 1, 'a', 'vcpus')).toMatchObject({ holds: 48, booked: 12, reservable: 96, free: 36 });
    expect(audit.off_pool_allocation_days).toBe(2);
  });

  it('writes no rows where the book is not covered, and counts those days', () => {
    const { rows, audit } = booking(opts(4, (m) => m >= t0 + 2 * D))('s', [lease({ allocations: [whole('h1')] })], [host('h1')]);
    expect([...new Set(rows.map((r) => r.timestamp))]).toEqual([T.toIso(ms(t0 + 2 * D)), T.toIso(ms(t0 + 3 * D))]);
    expect(audit).toMatchObject({ days: 4, days_uncovered: 2 });
  });

  it('rejects bad dates with a reason, never crashes, and counts leases updated after creation', () => {
    const bad = [
      lease({ lease_id: 'b1', start_date: ms(t0 + 3 * D), end_date: ms(t0 + 2 * D), allocations: [whole('h1')] }),
      lease({ lease_id: 'b2', created_at: ms(t0 + 2 * D), deleted_at: ms(t0 + D), allocations: [whole('h1')] }),
      lease({ lease_id: 'b3', created_at: ms(t0 + 3 * D), start_date: ms(t0 + D), end_date: ms(t0 + 2 * D), allocations: [whole('h1')] }),
      lease({ lease_id: 'b4', allocations: [] }),
      lease({ lease_id: 'b5', allocations: undefined as unknown as ReadonlyArray<BookAllocation> }),
      lease({ lease_id: 'moved', updated_at: ms(t0 + 5 * H), allocations: [whole('h1')] }),
    ];
    const { rows, audit } = booking(opts(4))('s', bad, [host('h1')]);
    expect(audit.rejected_by_reason).toEqual({ negative_duration: 1, empty: 1, deleted_before_created: 1, no_host: 1, allocations_unknown: 1 });
    expect(audit.updated_after_created).toBe(1);
    expect(audit.leases_on_book).toBe(1);
    expect(row(rows, 1, 1)?.booked).toBe(1);
  });

  it('gives the book window without the deletion cut', () => {
    expect(bookWindow({ created_at: ms(10), start_date: ms(5), end_date: ms(20), deleted_at: ms(12) })).toEqual({ start: 10, end: 20 });
    expect(bookWindow({ created_at: ms(10), start_date: ms(15), end_date: null, deleted_at: null })).toEqual({ start: 15, end: Infinity });
  });
});

// -------------------------------------------------------------------------------------
// laws, on small random books
// -------------------------------------------------------------------------------------

const HOSTS = ['h1', 'h2', 'h3', 'h4'];
const typeOf = (h: string) => (h === 'h4' ? 'b' : 'a');

const arbLease = (i: number) =>
  fc
    .record({
      created: fc.integer({ min: -5 * 24, max: 12 * 24 }),
      lead: fc.integer({ min: -2, max: 10 * 24 }),
      length: fc.integer({ min: 1, max: 8 * 24 }),
      deletedAfter: fc.option(fc.integer({ min: 0, max: 15 * 24 }), { nil: null }),
      operator: fc.boolean(),
      hosts: fc.subarray(HOSTS, { minLength: 1 }),
    })
    .map(
      (r): LeaseFact =>
        lease({
          lease_id: `l${i}`,
          operator: r.operator,
          created_at: ms(t0 + r.created * H),
          start_date: ms(t0 + (r.created + r.lead) * H),
          end_date: ms(t0 + (r.created + r.lead + r.length) * H),
          deleted_at: r.deletedAfter === null ? null : ms(t0 + (r.created + r.deletedAfter) * H),
          allocations: r.hosts.map((h) => whole(h, typeOf(h))),
        }),
    );

const arbBook = fc
  .integer({ min: 0, max: 8 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbLease(i))))
  .map((ls) => ls as ReadonlyArray<LeaseFact>);

const arbPool = fc
  .tuple(...HOSTS.map(() => fc.record({ from: fc.integer({ min: -3, max: 6 }), days: fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }) })))
  .map((ws) => ws.map((w, i) => host(HOSTS[i], typeOf(HOSTS[i]), t0 + w.from * D, w.days === null ? Infinity : t0 + (w.from + w.days) * D)));

const DAYS = 12;

/** The naive model: per day, every lease and allocation checked directly, hour by hour. */
const naive = (leases: ReadonlyArray<LeaseFact>, pool: ReadonlyArray<PoolHost>, m: number, h: number, nt: string) => {
  const inPool = pool.filter((p) => p.start <= m && m < p.end && p.node_type === nt);
  let booked = 0;
  let holds = 0;
  for (const l of leases) {
    if (l.created_at > m || (l.deleted_at !== null && l.deleted_at <= m)) continue;
    const s = Math.max(l.start_date, l.created_at);
    const e = l.end_date ?? Infinity;
    for (const a of l.allocations ?? []) {
      if (!inPool.some((p) => p.host_id === a.host_id)) continue;
      let hours = 0;
      for (let t = m; t < m + h * D; t += H) if (s <= t && t < e) hours++;
      if (l.operator) holds += hours / (h * 24);
      else booked += hours / (h * 24);
    }
  }
  return { booked, holds, reservable: inPool.length };
};

describe('laws of the book', () => {
  const run = (leases: ReadonlyArray<LeaseFact>, pool: ReadonlyArray<PoolHost>) => booking({ ...opts(DAYS), valueTypes: ['nodes'] })('s', leases, pool).rows;

  it('agrees with a naive model on small random books (hour-aligned dates)', () => {
    fc.assert(
      fc.property(arbBook, arbPool, (leases, pool) => {
        const rows = run(leases, pool);
        for (const r of rows) {
          const n = naive(leases, pool, T.fromIsoNullable(r.timestamp) as number, r.horizon_days, r.node_type);
          expect(r.booked).toBeCloseTo(n.booked, 9);
          expect(r.holds).toBeCloseTo(n.holds, 9);
          expect(r.reservable).toBe(n.reservable);
        }
        // a row for every day and node type with a host in the pool
        for (let d = 0; d < DAYS; d++) {
          for (const nt of ['a', 'b']) {
            const m = t0 + d * D;
            const has = pool.some((p) => p.node_type === nt && p.start <= m && m < p.end);
            expect(rows.filter((r) => r.timestamp === T.toIso(ms(m)) && r.node_type === nt)).toHaveLength(has ? 3 : 0);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('never books a negative amount, and free + booked + holds = reservable', () => {
    fc.assert(
      fc.property(arbBook, arbPool, (leases, pool) => {
        for (const r of run(leases, pool)) {
          expect(r.booked).toBeGreaterThanOrEqual(0);
          expect(r.holds).toBeGreaterThanOrEqual(0);
          expect(r.free + r.booked + r.holds).toBeCloseTo(r.reservable, 9);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('books ahead no more than is later committed over the same window, when no lease is deleted', () => {
    fc.assert(
      fc.property(arbBook, arbPool, (raw, pool) => {
        const leases = raw.filter((l) => !l.operator).map((l) => ({ ...l, deleted_at: null }));
        for (const r of run(leases, pool)) {
          const m = T.fromIsoNullable(r.timestamp) as number;
          // committed over [m, m + h) on the hosts of the pool at m: every lease, whenever created
          const inPool = new Set(pool.filter((p) => p.start <= m && m < p.end && p.node_type === r.node_type).map((p) => p.host_id));
          let committed = 0;
          for (const l of leases) {
            const w = bookWindow(l);
            if (typeof w === 'string') continue;
            for (const a of l.allocations ?? []) {
              if (inPool.has(a.host_id)) committed += Math.max(0, Math.min(w.end, m + r.horizon_days * D) - Math.max(w.start, m)) / (r.horizon_days * D);
            }
          }
          expect(r.booked).toBeLessThanOrEqual(committed + 1e-9);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('does not depend on the order of the leases or of the pool', () => {
    fc.assert(
      fc.property(arbBook, arbPool, fc.integer(), (leases, pool, seed) => {
        const shuffle = <A>(xs: ReadonlyArray<A>): ReadonlyArray<A> => [...xs].map((x, i) => [x, (i * 7919 + seed) % 101] as const).sort((a, b) => a[1] - b[1]).map((p) => p[0]);
        const a = run(leases, pool);
        const b = run(shuffle(leases), shuffle(pool));
        expect(b.map((r) => [r.timestamp, r.node_type, r.horizon_days, r.reservable])).toEqual(a.map((r) => [r.timestamp, r.node_type, r.horizon_days, r.reservable]));
        b.forEach((r, i) => expect(r.booked).toBeCloseTo(a[i].booked, 9));
      }),
      { numRuns: 40 },
    );
  });
});
