import * as fc from 'fast-check';
import * as O from 'fp-ts/Option';
import { baseCountTypes, type BaseCountType } from '../lib/CountType';
import { intersect, type CountCoverage, type Span } from '../lib/Coverage';
import { monthlyStats, type LeaseLeadTime } from '../lib/LeadTime';
import { resample } from '../lib/Resample';
import * as SF from '../lib/StepFunction';
import { lastFullPeriods, periodLabel, summarize, summaryCounts, type SummaryCount, type SummaryInput } from '../lib/Summary';
import * as T from '../lib/Time';
import { outputCountTypes, type DailyRow } from '../lib/UsageRow';

const utc = (y: number, m: number, d: number, h = 0) => T.unsafeMillis(Date.UTC(y, m - 1, d, h));

// the window of the properties: 2024-01-01 .. 2024-03-15 (full months January and February)
const START = utc(2024, 1, 1);
const END = utc(2024, 3, 15);
const HOURS = (END - START) / T.HOUR;

describe('periods', () => {
  it('names ISO weeks by the year of their Thursday, and months', () => {
    expect(periodLabel('week', utc(2024, 12, 30))).toBe('2025-W01');
    expect(periodLabel('week', utc(2020, 12, 28))).toBe('2020-W53');
    expect(periodLabel('week', utc(2021, 1, 4))).toBe('2021-W01');
    expect(periodLabel('week', utc(2025, 12, 22))).toBe('2025-W52');
    expect(periodLabel('month', utc(2024, 2, 1))).toBe('2024-02');
  });

  it('takes the last full period inside the window and the one just before', () => {
    expect(lastFullPeriods('month', START, END)).toEqual({
      current: { label: '2024-02', start: utc(2024, 2, 1), end: utc(2024, 3, 1) },
      previous: { label: '2024-01', start: utc(2024, 1, 1), end: utc(2024, 2, 1) },
    });
    // 2024-03-15 is a Friday: the last full week is Mon 4 .. Mon 11 March
    const w = lastFullPeriods('week', START, END);
    expect([w.current?.label, w.current?.start, w.previous?.start]).toEqual(['2024-W10', utc(2024, 3, 4), utc(2024, 2, 26)]);
    // a window ending on a period boundary includes the period that ends there
    expect(lastFullPeriods('month', START, utc(2024, 3, 1)).current?.label).toBe('2024-02');
    // a window too short for one full period, or for two
    expect(lastFullPeriods('month', utc(2024, 1, 2), utc(2024, 2, 20))).toEqual({ current: null, previous: null });
    expect(lastFullPeriods('month', utc(2024, 1, 2), utc(2024, 3, 1)).previous).toBeNull();
  });

  it('a current period is always a full calendar period inside the window, with no later one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 24 }), fc.integer({ min: 1, max: 200 * 24 }), fc.constantFrom('week' as const, 'month' as const), (s, len, kind) => {
        const start = T.unsafeMillis(utc(2023, 1, 1) + s * T.HOUR);
        const end = T.unsafeMillis(start + len * T.HOUR);
        const { current, previous } = lastFullPeriods(kind, start, end);
        if (current === null) return;
        expect(current.start).toBeGreaterThanOrEqual(start);
        expect(current.end).toBeLessThanOrEqual(end);
        expect(periodLabel(kind, current.start)).toBe(current.label);
        // the next period does not fit
        const after = lastFullPeriods(kind, current.end, T.unsafeMillis(current.end + 40 * T.DAY)).current;
        if (after !== null) expect(after.end).toBeGreaterThan(end);
        if (previous !== null) expect(previous.end).toBe(current.start);
      }),
    );
  });
});

// -------------------------------------------------------------------------------------
// a random site: step functions and coverage, through the real daily resampling
// -------------------------------------------------------------------------------------

/** A step function on whole hours of the window. */
const stepArb = fc.array(fc.tuple(fc.integer({ min: 0, max: HOURS }), fc.integer({ min: 0, max: 20 })), { maxLength: 12 }).map((ps) => SF.fromPoints(ps.map(([h, v]) => [START + h * T.HOUR, v])));

/** Sorted disjoint covered spans inside the window, on whole hours, or on whole days. */
const spansArb = (unit: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: (END - START) / unit }), { maxLength: 6 }).map((cuts): ReadonlyArray<Span> => {
    const xs = [...cuts].sort((a, b) => a - b).map((c) => T.unsafeMillis(START + c * unit));
    const out: Span[] = [];
    for (let i = 0; i + 1 < xs.length; i += 2) out.push([xs[i], xs[i + 1]]);
    return out;
  });

interface World {
  readonly f: Readonly<Record<string, Readonly<Record<SummaryCount, SF.StepFunction>>>>;
  readonly covered: Readonly<Record<BaseCountType, ReadonlyArray<Span>>>;
}

const worldArb = (unit: number) =>
  fc.record({
    f: fc.record({ a: fc.record({ reservable: stepArb, committed: stepArb, occupied: stepArb }), b: fc.record({ reservable: stepArb, committed: stepArb, occupied: stepArb }) }),
    covered: fc.record(Object.fromEntries(baseCountTypes.map((ct) => [ct, spansArb(unit)])) as Record<BaseCountType, fc.Arbitrary<ReadonlyArray<Span>>>),
  });

const spansOf = (w: World, c: SummaryCount): ReadonlyArray<Span> =>
  c === 'occupied' ? intersect(w.covered.occupied_reserved, w.covered.occupied_ondemand) : w.covered[c];

const coverageOf = (w: World): Record<BaseCountType, CountCoverage> =>
  Object.fromEntries(baseCountTypes.map((ct) => [ct, { start: O.none, startFrom: 'earliest_row', covered: w.covered[ct], gaps: [] }])) as unknown as Record<BaseCountType, CountCoverage>;

/** The daily table as the report makes it: daily means over each count type's covered part of the day. */
const dailyOf = (w: World): ReadonlyArray<DailyRow> => {
  const rows = new Map<string, Record<string, unknown>>();
  for (const [nt, fs] of Object.entries(w.f)) {
    for (const c of summaryCounts) {
      for (const [t, v] of resample({ bucket: '1d', method: 'mean', start: START, end: END, covered: spansOf(w, c) })(fs[c])) {
        const k = `${t}/${nt}`;
        const r = rows.get(k) ?? { timestamp: T.toIso(t), site: 's', value_type: 'nodes', ...Object.fromEntries(outputCountTypes.map((x) => [x, null])), node_type: nt };
        r[c] = v;
        rows.set(k, r);
      }
    }
  }
  return [...rows.values()] as unknown as ReadonlyArray<DailyRow>;
};

const input = (w: World, over: Partial<SummaryInput> = {}): SummaryInput => ({
  kind: 'month',
  start: START,
  end: END,
  daily: dailyOf(w),
  coverage: new Map([['s', coverageOf(w)]]),
  leases: [],
  leaseSites: ['s'],
  byNodeType: true,
  ...over,
});

const integralOver = (f: SF.StepFunction, spans: ReadonlyArray<Span>, from: number, to: number): number =>
  intersect(spans, [[T.unsafeMillis(from), T.unsafeMillis(to)]]).reduce((n, [s, e]) => n + SF.integral(s, e)(f), 0);

const hoursOver = (spans: ReadonlyArray<Span>, from: number, to: number): number =>
  intersect(spans, [[T.unsafeMillis(from), T.unsafeMillis(to)]]).reduce((n, [s, e]) => n + (e - s) / T.HOUR, 0);

const close = (a: number | null, b: number | null) => {
  if (a === null || b === null) expect(a).toBe(b);
  else expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b)));
};

describe('summarize: capacity', () => {
  it('node-hours conserve: each count type is its timeline integral over the covered hours of the period, per node type and for the site', () => {
    fc.assert(
      fc.property(worldArb(T.HOUR), fc.constantFrom('week' as const, 'month' as const), (w: World, kind) => {
        const s = summarize(input(w, { kind }));
        const periods = [s.current, s.previous].filter((p) => p !== null);
        expect(periods.length).toBe(2);
        for (const row of s.rows) {
          const nts = row.node_type === 'all' ? ['a', 'b'] : [row.node_type];
          for (const [p, m] of [[s.current, row.current], [s.previous, row.previous]] as const) {
            if (p === null || m === null) throw new Error('no period');
            for (const c of summaryCounts) {
              const hours = hoursOver(spansOf(w, c), p.start, p.end);
              expect(m.covered_hours[c]).toBeCloseTo(hours, 9);
              // unknown is not zero: no covered hour, no node-hours
              close(m.node_hours[c], hours === 0 ? null : nts.reduce((n, nt) => n + integralOver(w.f[nt][c], spansOf(w, c), p.start, p.end), 0));
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('shares are taken over the hours where both counts are covered, and are unknown where none are', () => {
    fc.assert(
      fc.property(worldArb(T.DAY), (w: World) => {
        const s = summarize(input(w));
        const p = s.current;
        if (p === null) throw new Error('no period');
        for (const row of s.rows) {
          const nts = row.node_type === 'all' ? ['a', 'b'] : [row.node_type];
          for (const c of ['committed', 'occupied'] as const) {
            const both = intersect(spansOf(w, 'reservable'), spansOf(w, c));
            const num = nts.reduce((n, nt) => n + integralOver(w.f[nt][c], both, p.start, p.end), 0);
            const den = nts.reduce((n, nt) => n + integralOver(w.f[nt].reservable, both, p.start, p.end), 0);
            close(row.current[`${c}_pct`], hoursOver(both, p.start, p.end) > 0 && den > 0 ? (100 * num) / den : null);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('says so when a period has no coverage at all, and the change is then unknown', () => {
    const f = SF.fromPoints([[START, 4]]);
    const w: World = {
      f: { a: { reservable: f, committed: f, occupied: f }, b: { reservable: f, committed: f, occupied: f } },
      // everything covered in January only
      covered: Object.fromEntries(baseCountTypes.map((ct) => [ct, [[START, utc(2024, 2, 1)]]])) as unknown as World['covered'],
    };
    const s = summarize(input(w));
    const all = s.rows.find((r) => r.node_type === 'all');
    expect(all?.current).toMatchObject({ covered_hours: { reservable: 0, committed: 0, occupied: 0 }, node_hours: { reservable: null, committed: null, occupied: null }, committed_pct: null, occupied_pct: null });
    expect(all?.previous).toMatchObject({ node_hours: { reservable: 8 * 31 * 24, committed: 8 * 31 * 24 }, committed_pct: 100 });
    expect(all?.change?.node_hours.reservable).toBeNull();
  });

  it('leaves out a node type with nothing in either period (retired), which the site row still counts', () => {
    const four = SF.fromPoints([[START, 4]]);
    const retired = SF.fromPoints([[utc(2023, 11, 1), 3], [utc(2023, 12, 1), 0]]);
    const zero = SF.fromPoints([]);
    const w: World = {
      f: { a: { reservable: four, committed: zero, occupied: zero }, b: { reservable: retired, committed: zero, occupied: zero } },
      covered: Object.fromEntries(baseCountTypes.map((ct) => [ct, [[START, END]]])) as unknown as World['covered'],
    };
    // b held 3 nodes until December 2023: zero node-hours in both months
    const s = summarize(input(w));
    expect(s.rows.map((r) => r.node_type)).toEqual(['all', 'a']);
    expect(s.rows[0].current.node_hours.reservable).toBe(4 * 29 * 24);
    // with a lease in February, b is listed again
    const lease = { site: 's', lease_id: 'l', project_id: null, node_types: ['b'], created_at: utc(2024, 2, 3), start_date: utc(2024, 2, 3), end_date: null, actual_start: null, requested_hours: 0, effective_hours: null, effective_from_schedule: false, missing_effective: 'start_error' as const };
    expect(summarize(input(w, { leases: [lease] })).rows.map((r) => r.node_type)).toEqual(['all', 'a', 'b']);
  });

  it('has no rows when the window holds no full period', () => {
    expect(summarize({ kind: 'month', start: utc(2024, 1, 2), end: utc(2024, 1, 30), daily: [], coverage: new Map(), leases: [], leaseSites: [], byNodeType: false })).toEqual({
      kind: 'month',
      current: null,
      previous: null,
      rows: [],
    });
  });
});

// -------------------------------------------------------------------------------------
// leases
// -------------------------------------------------------------------------------------

const leaseArb = fc
  .record({
    created: fc.integer({ min: 0, max: HOURS * 60 }),
    ahead: fc.integer({ min: -1, max: 2000 }),
    delay: fc.option(fc.integer({ min: 0, max: 600 }), { nil: null }),
    types: fc.subarray(['x', 'y']),
  })
  .map(({ created, ahead, delay, types }, ): LeaseLeadTime => {
    const c = T.unsafeMillis(START + created * T.MINUTE);
    const s = T.unsafeMillis(c + ahead * T.MINUTE);
    const a = delay === null ? null : T.unsafeMillis(s + delay * T.SECOND);
    return {
      site: 's',
      lease_id: `l${created}`,
      project_id: null,
      node_types: types,
      created_at: c,
      start_date: s,
      end_date: null,
      actual_start: a,
      requested_hours: T.hoursBetween(c, s),
      effective_hours: a === null ? null : T.hoursBetween(c, a),
      effective_from_schedule: false,
      missing_effective: a === null ? 'start_error' : null,
    };
  });

const emptyWorld: World = {
  f: {},
  covered: Object.fromEntries(baseCountTypes.map((ct) => [ct, []])) as unknown as World['covered'],
};

describe('summarize: leases', () => {
  it('counts leases created and started per period, once per node type they hold and once for the site', () => {
    fc.assert(
      fc.property(fc.array(leaseArb, { maxLength: 40 }), (leases) => {
        const s = summarize(input(emptyWorld, { leases }));
        const p = s.current;
        if (p === null) throw new Error('no period');
        const inP = (t: number | null) => t !== null && t >= p.start && t < p.end;
        for (const row of s.rows) {
          const mine = leases.filter((l) => row.node_type === 'all' || (l.node_types.length === 0 ? ['none'] : l.node_types).includes(row.node_type));
          expect(row.current.leases_created).toBe(mine.filter((l) => inP(l.created_at)).length);
          expect(row.current.leases_started).toBe(mine.filter((l) => inP(l.actual_start)).length);
          expect(row.change?.leases_created).toBe((row.current.leases_created ?? 0) - (row.previous?.leases_created ?? 0));
        }
      }),
    );
  });

  it("a month's median lead times are the lead-time statistics' medians of that month", () => {
    fc.assert(
      fc.property(fc.array(leaseArb, { minLength: 1, maxLength: 40 }), (leases) => {
        const s = summarize(input(emptyWorld, { leases, byNodeType: false }));
        const stats = monthlyStats([])(leases);
        for (const [p, m] of [[s.current, s.rows[0].current], [s.previous, s.rows[0].previous]] as const) {
          const month = T.toIso(T.unsafeMillis(p?.start ?? 0));
          const req = stats.find((x) => x.month === month && x.leadtime_type === 'requested');
          const eff = stats.find((x) => x.month === month && x.leadtime_type === 'effective');
          close(m?.median_requested_hours ?? null, req?.median_hours ?? null);
          close(m?.median_effective_hours ?? null, eff?.median_hours ?? null);
        }
      }),
    );
  });

  it('leases of a site whose lease source was not read are unknown, not zero', () => {
    const s = summarize(input(emptyWorld, { leaseSites: [] }));
    expect(s.rows[0].current).toMatchObject({ leases_created: null, leases_started: null, median_requested_hours: null });
    expect(s.rows[0].change?.leases_created).toBeNull();
  });
});
