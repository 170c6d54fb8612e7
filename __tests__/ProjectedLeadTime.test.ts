import * as fc from 'fast-check';
import { entries, type BookAllocation, type PoolHost } from '../lib/Booking';
import type { LeaseFact } from '../lib/LeadTime';
import { capHours, earliestSlot, projectedLeadTimes } from '../lib/ProjectedLeadTime';
import * as Q from '../lib/Quantities';
import * as T from '../lib/Time';

const D = T.DAY;
const H = T.HOUR;
const t0 = Date.UTC(2024, 0, 1);
const ms = (n: number) => T.unsafeMillis(n);

const whole = (host_id: string, node_type = 'a'): BookAllocation => ({ host_id, node_type, whole: true, quantities: null });
const host = (host_id: string, node_type = 'a'): PoolHost => ({ host_id, node_type, quantities: Q.make({ nodes: 1 }), start: t0 - 200 * D, end: Infinity });
const lease = (id: string, created: number, start: number, end: number, hosts: ReadonlyArray<string>, over: Partial<LeaseFact> = {}): LeaseFact => ({
  site: 's',
  lease_id: id,
  project_id: 'p',
  node_types: ['a'],
  operator: false,
  created_at: ms(created),
  start_date: ms(start),
  end_date: ms(end),
  deleted_at: null,
  start_status: null,
  start_updated_at: null,
  start_time: null,
  start_deleted_at: null,
  allocations: hosts.map((h) => whole(h)),
  ...over,
});

const project = (leases: ReadonlyArray<LeaseFact>, pool: ReadonlyArray<PoolHost>, days = 1, from = t0) =>
  projectedLeadTimes({ start: from, end: from + days * D, covered: () => true })('s', leases, entries(leases).entries, pool);

describe('the earliest slot', () => {
  const m = t0;
  it('is 0 when enough hosts are free now', () => {
    expect(earliestSlot(m, [[], [[m, m + 5 * H]]], 1, 24 * H)).toBe(0);
  });
  it('starts at the first whole hour after an allocation ends', () => {
    expect(earliestSlot(m, [[[m, m + 5 * H]], [[m + 2 * H, m + 30 * H]]], 1, 24 * H)).toBe(5);
    expect(earliestSlot(m, [[[m, m + 5 * H + 1]]], 1, 24 * H)).toBe(6);
  });
  it('needs the k hosts free over the same span', () => {
    // host 1 busy [0, 10 h), host 2 busy [20 h, 40 h): both free for 5 h at 10 h, for 15 h only from 40 h
    expect(earliestSlot(m, [[[m, m + 10 * H]], [[m + 20 * H, m + 40 * H]]], 2, 5 * H)).toBe(10);
    expect(earliestSlot(m, [[[m, m + 10 * H]], [[m + 20 * H, m + 40 * H]]], 2, 15 * H)).toBe(40);
    // for 20 h, host 1 fits [0, 20 h): exactly up to its next allocation
    expect(earliestSlot(m, [[[m + 20 * H, m + 40 * H]], []], 1, 20 * H)).toBe(0);
  });
  it('fits a request into a gap exactly as long as it', () => {
    expect(earliestSlot(m, [[[m, m + 3 * H], [m + 27 * H, m + 50 * H]]], 1, 24 * H)).toBe(3);
    expect(earliestSlot(m, [[[m, m + 3 * H], [m + 26 * H, m + 50 * H]]], 1, 24 * H)).toBe(50);
  });
  it('is never when the request is larger than the pool', () => {
    expect(earliestSlot(m, [[], []], 3, H)).toBe(Infinity);
  });
});

describe('projected lead times per day and node type', () => {
  it('gives both requests, the median over the leases created in the 90 days before', () => {
    const leases = [
      lease('old', t0 - 100 * D, t0 - 99 * D, t0 - 98 * D, ['h1', 'h2', 'h3']), // created too early for the median
      lease('a', t0 - 10 * D, t0 - 10 * D, t0 + 2 * D, ['h1']),
      lease('b', t0 - 5 * D, t0 + 1 * D, t0 + 1 * D + 48 * H, ['h2', 'h3']),
      lease('c', t0 - 1 * D, t0 + 3 * D, t0 + 3 * D + 6 * H, ['h1', 'h2']),
    ];
    const { rows, audit } = project(leases, [host('h1'), host('h2'), host('h3')]);
    const one = rows.find((r) => r.request === 'one_node_24h');
    const med = rows.find((r) => r.request === 'median');
    // h2 and h3 are free for 24 h from now (b starts at +1 d)
    expect(one).toMatchObject({ nodes: 1, hours: 24, lead_time_hours: 0, capped: false });
    // sizes a (1 host, 12 d), b (2, 48 h), c (2, 6 h): lower medians 2 hosts, 48 h
    expect(med).toMatchObject({ nodes: 2, hours: 48 });
    // two hosts for 48 h: h2, h3 busy [+1 d, +3 d); h1 busy to +2 d, then c on h1, h2 [+3 d, +3 d 6 h):
    // h3 free from +3 d; h2 from +3 d 6 h; h1 from +3 d 6 h -> 78 h
    expect(med?.lead_time_hours).toBe(78);
    expect(audit).toMatchObject({ capped: 0, median_missing: 0 });
  });

  it('caps a wait beyond 90 days and says so', () => {
    const leases = [lease('long', t0 - D, t0, t0 + 100 * D, ['h1'])];
    const { rows, audit } = project(leases, [host('h1')]);
    expect(rows.find((r) => r.request === 'one_node_24h')).toMatchObject({ lead_time_hours: capHours, capped: true });
    expect(audit.capped).toBe(2);
  });

  it('has no median row without a user lease of the type in the 90 days before, and counts it', () => {
    const { rows, audit } = project([lease('ops', t0 - D, t0, t0 + D, ['h1'], { operator: true })], [host('h1')]);
    expect(rows.map((r) => r.request)).toEqual(['one_node_24h']);
    expect(rows[0].lead_time_hours).toBe(24);
    expect(audit.median_missing).toBe(1);
  });
});

// -------------------------------------------------------------------------------------
// laws
// -------------------------------------------------------------------------------------

const arbBusy = fc.array(
  fc.array(
    fc.tuple(fc.integer({ min: -48 * 60, max: 10 * 24 * 60 }), fc.integer({ min: 1, max: 4 * 24 * 60 })).map(([s, len]) => [t0 + s * 60_000, t0 + (s + len) * 60_000] as const),
    { maxLength: 4 },
  ),
  { minLength: 1, maxLength: 5 },
);

/** Hour by hour from 0: the naive model. */
const naive = (m: number, busy: ReadonlyArray<ReadonlyArray<readonly [number, number]>>, k: number, d: number): number => {
  for (let t = 0; t <= 20 * 24; t++) {
    const s = m + t * H;
    const free = busy.filter((host) => host.every(([bs, be]) => be <= s || bs >= s + d)).length;
    if (free >= k) return t;
  }
  return Infinity;
};

describe('laws of the projected lead time', () => {
  it('agrees with an hour-by-hour scan', () => {
    fc.assert(
      fc.property(arbBusy, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 72 }), (busy, k, hours) => {
        expect(earliestSlot(t0, busy, k, hours * H)).toBe(naive(t0, busy, k, hours * H));
      }),
      { numRuns: 300 },
    );
  });

  it('is 0 whenever k hosts are free over the request from m', () => {
    fc.assert(
      fc.property(arbBusy, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 72 }), (busy, k, hours) => {
        const free = busy.filter((host) => host.every(([bs, be]) => be <= t0 || bs >= t0 + hours * H)).length;
        if (free >= k) expect(earliestSlot(t0, busy, k, hours * H)).toBe(0);
        else expect(earliestSlot(t0, busy, k, hours * H)).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('never gets shorter when the book gains an allocation', () => {
    fc.assert(
      fc.property(arbBusy, fc.nat(), fc.integer({ min: 0, max: 5 * 24 }), fc.integer({ min: 1, max: 48 }), (busy, which, at, len) => {
        const i = which % busy.length;
        const more = busy.map((b, j) => (j === i ? [...b, [t0 + at * H, t0 + (at + len) * H] as const] : b));
        expect(earliestSlot(t0, more, 1, 24 * H)).toBeGreaterThanOrEqual(earliestSlot(t0, busy, 1, 24 * H));
      }),
      { numRuns: 200 },
    );
  });
});
