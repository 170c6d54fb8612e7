import fc from 'fast-check';
import * as O from 'fp-ts/Option';
import * as C from '../lib/Counts';
import { baseCountTypes, type BaseCountType, type CountType } from '../lib/CountType';
import { coverageOf, intersect, type CountCoverage, type CoverageInput, type Span } from '../lib/Coverage';
import type { Interval } from '../lib/Interval';
import { legacyDays, type LegacyDay } from '../lib/Legacy';
import { buckets, next, type Bucket } from '../lib/Resample';
import * as SF from '../lib/StepFunction';
import { sweep } from '../lib/Sweep';
import * as T from '../lib/Time';
import { stack as evaluate, timeline, type SiteCounts, type TimelineOptions } from '../lib/Timeline';
import type { UsageRow } from '../lib/UsageRow';
import { shuffled } from './arbitraries';
import { at, BASE, coverageSpec, interval, legacyCount, legacyRecords, legacyUsage, timelineIntervals, type CoverageSpec } from './arbitraries.intervals';

const hoursOf = (iso: string) => (Date.parse(iso) - BASE) / T.HOUR;

const options = (over: Partial<TimelineOptions> = {}): TimelineOptions => ({
  start: at(0),
  end: at(240),
  groupBy: [],
  valueTypes: ['nodes'],
  resample: O.none,
  ...over,
});

const allRead = Object.fromEntries(baseCountTypes.map((ct) => [ct, true])) as Record<BaseCountType, boolean>;

/** Coverage of every base count type; by default every source was read and is covered from the window start. */
const coverageFor = (o: TimelineOptions, over: Partial<CoverageInput> = {}): Record<BaseCountType, CountCoverage> => {
  const input: CoverageInput = { window: [o.start, o.end], earliest: {}, sourceRead: allRead, configStart: {}, knownGaps: [], ...over };
  return Object.fromEntries(baseCountTypes.map((ct) => [ct, coverageOf(input)(ct)])) as Record<BaseCountType, CountCoverage>;
};

const site = (
  o: TimelineOptions,
  intervals: ReadonlyArray<Interval>,
  over: { site?: string; coverage?: Partial<CoverageInput>; legacy?: ReadonlyArray<LegacyDay> } = {},
): SiteCounts => ({
  site: over.site ?? 'chi_uc',
  counts: sweep({ groupBy: o.groupBy, valueTypes: o.valueTypes })(intervals),
  coverage: coverageFor(o, over.coverage),
  legacy: over.legacy ?? [],
});

/** `[hours, value]` of one series. */
const series = (rows: ReadonlyArray<UsageRow>, ct: CountType, collector: 'new' | 'legacy' = 'new') =>
  rows.filter((r) => r.count_type === ct && r.collector_type === collector).map((r) => [hoursOf(r.timestamp), r.value]);

const valueAtHour = (rows: ReadonlyArray<UsageRow>, ct: CountType, h: number): number => {
  const pts = series(rows, ct).filter(([t]) => t <= h);
  return pts.length === 0 ? NaN : pts[pts.length - 1][1];
};

const hosts = (ct: BaseCountType, spec: ReadonlyArray<readonly [string, number, number | null, number?]>) =>
  spec.map(([id, s, e, nodes]) => interval(ct, s, e, { entityId: id, hypervisor_hostname: id, nodes: nodes ?? 1 }));

// total 3; reservable 2 then 3; committed up to 2; one ops lease; one reserved and one on-demand instance
const stack: ReadonlyArray<Interval> = [
  ...hosts('total', [['a', 0, null], ['b', 0, null], ['c', 0, null]]),
  ...hosts('reservable', [['a', 0, null], ['b', 2, null], ['c', 0, null]]),
  ...hosts('committed', [['a', 4, 8], ['b', 5, 9]]),
  ...hosts('ops', [['c', 6, 7]]),
  ...hosts('occupied_reserved', [['ia', 5, 7]]),
  ...hosts('occupied_ondemand', [['ic', 1, 3]]),
];

describe('timeline, derived counts', () => {
  const o = options();
  const { rows, violations } = timeline(o)([site(o, stack)]);

  it('gives available = reservable - committed - ops at each change point', () => {
    expect(series(rows, 'available')).toEqual([[0, 2], [2, 3], [4, 2], [5, 1], [6, 0], [7, 1], [8, 2], [9, 3]]);
  });

  it('gives idle = committed - occupied_reserved, with a row at the window start', () => {
    expect(series(rows, 'idle')).toEqual([[0, 0], [4, 1], [7, 2], [8, 1], [9, 0]]);
  });

  it('gives maintenance = total - reservable + ops', () => {
    expect(series(rows, 'maintenance')).toEqual([[0, 1], [2, 0], [6, 1], [7, 0]]);
  });

  it('gives occupied = occupied_reserved + occupied_ondemand', () => {
    expect(series(rows, 'occupied')).toEqual([[0, 0], [1, 1], [3, 0], [5, 1], [7, 0]]);
  });

  it('agrees with the formulas on the base rows at every derived row', () => {
    const v = (ct: CountType, h: number) => valueAtHour(rows, ct, h);
    for (const [h, x] of series(rows, 'available')) expect(x).toBe(v('reservable', h) - v('committed', h) - v('ops', h));
    for (const [h, x] of series(rows, 'idle')) expect(x).toBe(v('committed', h) - v('occupied_reserved', h));
    for (const [h, x] of series(rows, 'maintenance')) expect(x).toBe(v('total', h) - v('reservable', h) + v('ops', h));
    for (const [h, x] of series(rows, 'occupied')) expect(x).toBe(v('occupied_reserved', h) + v('occupied_ondemand', h));
  });

  it('lists no violation for a consistent stack', () => {
    expect(violations).toEqual([]);
  });
});

describe('timeline, coverage', () => {
  const o = options();
  const intervals = [...hosts('total', [['a', 0, null], ['b', 30, 70]]), ...hosts('reservable', [['a', 0, null]])];
  const coverage = { configStart: { total: at(24) }, knownGaps: [{ countTypes: ['total' as const], start: at(48), end: at(60), note: 'nova outage' }] };
  const { rows } = timeline(o)([site(o, intervals, { coverage })]);

  it('has no rows before the coverage start nor inside a known gap, and a row at the start of each covered span', () => {
    // [24, 48) and [60, 240) are covered; at 24 and at 60 the value in force is reported
    expect(series(rows, 'total')).toEqual([[24, 1], [30, 2], [60, 2], [70, 1]]);
  });

  it('gives derived rows only where all their inputs are covered', () => {
    expect(series(rows, 'maintenance')).toEqual([[24, 0], [30, 1], [60, 1], [70, 0]]);
    // available does not read total: covered from the window start
    expect(series(rows, 'available')).toEqual([[0, 1]]);
  });

  it('gives no rows at all for a count type whose source was not read, nor for what derives from it', () => {
    const { rows: r } = timeline(o)([site(o, intervals, { coverage: { sourceRead: { ...allRead, committed: false } } })]);
    expect(series(r, 'committed')).toEqual([]);
    expect(series(r, 'available')).toEqual([]);
    expect(series(r, 'idle')).toEqual([]);
    expect(series(r, 'maintenance')).toEqual([[0, 0], [30, 1], [70, 0]]);
  });
});

describe('timeline, violations', () => {
  const o = options();
  const over = [
    ...hosts('total', [['a', 0, null]]),
    ...hosts('reservable', [['a', 0, null]]),
    ...hosts('committed', [['x', 0, 10], ['y', 3, 5]]),
  ];

  it('lists committed > reservable by 1 node for 2 hours as one violation of 2 node-hours', () => {
    const { violations } = timeline(o)([site(o, over)]);
    expect(violations.filter((v) => v.check === 'committed<=reservable')).toEqual([
      { site: 'chi_uc', value_type: 'nodes', group: {}, check: 'committed<=reservable', start: T.toIso(at(3)), end: T.toIso(at(5)), max_excess: 1, excess_hours: 2 },
    ]);
    // the same excess makes available negative; nothing else fails
    expect(violations.map((v) => [v.check, v.start, v.end, v.max_excess, v.excess_hours])).toEqual([
      ['committed<=reservable', T.toIso(at(3)), T.toIso(at(5)), 1, 2],
      ['available>=0', T.toIso(at(3)), T.toIso(at(5)), 1, 2],
    ]);
  });

  it('reports the largest excess and the integral of a violation whose excess changes', () => {
    const worse = [...over, ...hosts('committed', [['z', 4, 5, 2]])];
    const { violations } = timeline(o)([site(o, worse)]);
    // excess 1 on [3, 4), 3 on [4, 5)
    expect(violations.filter((v) => v.check === 'committed<=reservable').map((v) => [v.start, v.end, v.max_excess, v.excess_hours])).toEqual([
      [T.toIso(at(3)), T.toIso(at(5)), 3, 4],
    ]);
  });

  it('checks only where the inputs are covered', () => {
    const { violations } = timeline(o)([site(o, over, { coverage: { configStart: { committed: at(4) } } })]);
    expect(violations.filter((v) => v.check === 'committed<=reservable').map((v) => [v.start, v.end, v.excess_hours])).toEqual([
      [T.toIso(at(4)), T.toIso(at(5)), 1],
    ]);
  });

  it('never changes the values it finds in violation', () => {
    const { rows } = timeline(o)([site(o, over)]);
    expect(series(rows, 'available')).toEqual([[0, 0], [3, -1], [5, 0], [10, 1]]);
  });
});

describe('timeline, row order', () => {
  // regression: rows were sorted on the ISO text, where '.500Z' sorts before 'Z'
  it('sorts the rows of a series chronologically even when an instant has milliseconds', () => {
    const o = options({ end: at(10) });
    const late = { ...interval('total', 0, null), start: T.unsafeMillis(at(0) + 500) };
    const { rows } = timeline(o)([site(o, [late])]);
    const ts = rows.filter((r) => r.count_type === 'total').map((r) => Date.parse(r.timestamp));
    expect(ts).toEqual([at(0), at(0) + 500]);
  });
});

describe('timeline, legacy rows', () => {
  const usage = (day: number, total: number) => legacyUsage(day, 'compute_haswell', { total: 24 * total, used: 24 });
  const days = [usage(0, 2), usage(1, 3), usage(2, 3)];

  it('gives one legacy row per day at 00:00Z with the day mean and no resampling', () => {
    const o = options();
    const { rows } = timeline(o)([site(o, [], { legacy: legacyDays({ byNodeType: false })(days).days })]);
    expect(series(rows, 'total', 'legacy')).toEqual([[0, 2], [24, 3], [48, 3]]);
    expect(series(rows, 'occupied', 'legacy')).toEqual([[0, 1], [24, 1], [48, 1]]);
    expect(rows.filter((r) => r.collector_type === 'legacy').every((r) => r.timestamp.endsWith('T00:00:00Z'))).toBe(true);
  });

  it('gives monthly legacy means over the days present with 1mo resampling', () => {
    // January: 10 days of 2 nodes and 21 days of 5; February: one day (the 10th) of 7
    const jan = Array.from({ length: 31 }, (_, d) => legacyCount(d, 'compute_haswell', d < 10 ? 2 : 5));
    const feb = [legacyCount(40, 'compute_haswell', 7)];
    const o = options({ end: at(60 * 24), resample: O.some({ bucket: '1mo' as Bucket, method: 'mean' as const }) });
    const { rows } = timeline(o)([site(o, [], { legacy: legacyDays({ byNodeType: false })([...jan, ...feb]).days })]);
    expect(series(rows, 'total', 'legacy').map(([t, v]) => [T.toIso(at(t)), v])).toEqual([
      ['2024-01-01T00:00:00Z', (10 * 2 + 21 * 5) / 31],
      ['2024-02-01T00:00:00Z', 7],
    ]);
  });

  it('keeps legacy node types apart when grouped by node type', () => {
    const o = options({ groupBy: ['node_type'] });
    const legacy = legacyDays({ byNodeType: true })([legacyCount(0, 'gpu_a100', 1), legacyCount(0, 'storage', 4)]).days;
    const { rows } = timeline(o)([site(o, [], { legacy })]);
    expect(rows.filter((r) => r.collector_type === 'legacy').map((r) => [r.node_type, r.value])).toEqual([
      ['gpu_a100', 1],
      ['storage', 4],
    ]);
  });

  it('gives no legacy rows when grouped by hypervisor_hostname', () => {
    const o = options({ groupBy: ['hypervisor_hostname'] });
    const { rows } = timeline(o)([site(o, hosts('total', [['a', 0, null]]), { legacy: legacyDays({ byNodeType: false })(days).days })]);
    expect(rows.filter((r) => r.collector_type === 'legacy')).toEqual([]);
    expect(rows.length).toBeGreaterThan(0);
  });
});

// -------------------------------------------------------------------------------------
// properties
// -------------------------------------------------------------------------------------

const derivedInputs: Readonly<Record<'occupied' | 'available' | 'idle' | 'maintenance', ReadonlyArray<readonly [BaseCountType, number]>>> = {
  occupied: [['occupied_reserved', 1], ['occupied_ondemand', 1]],
  available: [['reservable', 1], ['committed', -1], ['ops', -1]],
  idle: [['committed', 1], ['occupied_reserved', -1]],
  maintenance: [['total', 1], ['reservable', -1], ['ops', 1]],
};

const coverageInput = (spec: CoverageSpec): Partial<CoverageInput> => ({
  configStart: Object.fromEntries(Object.entries(spec.configStart).map(([ct, h]) => [ct, at(h as number)])),
  knownGaps: spec.knownGaps.map((g, k) => ({ countTypes: g.countTypes, start: at(g.start), end: at(g.end), note: `g${k}` })),
});

const overlap = (spans: ReadonlyArray<Span>, a: number, b: number): number =>
  spans.reduce((s, [x, y]) => s + Math.max(0, Math.min(b, y) - Math.max(a, x)), 0) / T.HOUR;

const integralOver = (spans: ReadonlyArray<Span>, f: SF.StepFunction): number => spans.reduce((s, [a, b]) => s + SF.integral(a, b)(f), 0);

describe('timeline, properties', () => {
  const MAX = 24 * 80; // about three months from 2024-01-01: several weeks and months
  const scenario = fc.record({
    intervals: timelineIntervals(MAX),
    spec: coverageSpec(MAX),
    offset: fc.integer({ min: 0, max: 47 }),
    bucket: fc.constantFrom(...buckets),
  });

  it('conserves value-hours when resampling: sum of mean x covered bucket hours == integral over the covered spans', () => {
    fc.assert(
      fc.property(scenario, ({ intervals, spec, offset, bucket }) => {
        const o = options({ start: at(offset), end: at(MAX), resample: O.some({ bucket, method: 'mean' as const }) });
        const s = site(o, intervals.filter((i) => i.attributes.site === 'chi_uc'), { coverage: coverageInput(spec) });
        const { rows } = timeline(o)([s]);
        const base = (ct: BaseCountType) => C.lookup({ site: 'chi_uc', countType: ct, valueType: 'nodes', group: {} })(s.counts);
        const coveredOf = (ct: CountType): ReadonlyArray<Span> =>
          ct in derivedInputs
            ? derivedInputs[ct as keyof typeof derivedInputs].reduce<ReadonlyArray<Span>>((acc, [b]) => intersect(acc, s.coverage[b].covered), [[o.start, o.end]])
            : s.coverage[ct as BaseCountType].covered;
        const expected = (ct: CountType): number => {
          const spans = coveredOf(ct);
          return ct in derivedInputs
            ? derivedInputs[ct as keyof typeof derivedInputs].reduce((sum, [b, sign]) => sum + sign * integralOver(spans, base(b)), 0)
            : integralOver(spans, base(ct as BaseCountType));
        };
        for (const ct of [...baseCountTypes, ...Object.keys(derivedInputs)] as ReadonlyArray<CountType>) {
          const spans = coveredOf(ct);
          const got = rows
            .filter((r) => r.count_type === ct)
            .reduce((sum, r) => {
              const label = Date.parse(r.timestamp);
              return sum + r.value * overlap(spans, label, next(bucket)(T.unsafeMillis(label)));
            }, 0);
          const want = expected(ct);
          expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('gives at most one row per (site, timestamp, collector, count type, value type, group)', () => {
    fc.assert(
      fc.property(
        scenario,
        legacyRecords,
        fc.subarray([...C.groupColumns]),
        fc.option(fc.constantFrom('1d', '7d', '1mo') as fc.Arbitrary<Bucket>),
        ({ intervals, spec }, legacy, groupBy, bucket) => {
          const o = options({
            end: at(MAX),
            groupBy,
            valueTypes: ['nodes', 'vcpus'],
            resample: bucket === null ? O.none : O.some({ bucket, method: 'point' as const }),
          });
          const byNodeType = groupBy.includes('node_type');
          const sites = ['chi_tacc', 'chi_uc'].map((name) =>
            site(o, intervals.filter((i) => i.attributes.site === name), {
              site: name,
              coverage: coverageInput(spec),
              legacy: legacyDays({ byNodeType })(legacy.filter((r) => r.site === name)).days,
            }),
          );
          const { rows } = timeline(o)(sites);
          const keys = rows.map((r) => [r.site, r.timestamp, r.collector_type, r.count_type, r.value_type, r.node_type ?? '-', r.hypervisor_hostname ?? '-'].join('|'));
          return new Set(keys).size === keys.length;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives identical rows for the same intervals and sites in a different order', () => {
    const permuted = scenario.chain((x) => fc.tuple(fc.constant(x), shuffled(x.intervals), fc.boolean()));
    fc.assert(
      fc.property(permuted, ([{ intervals, spec }, other, reverse]) => {
        const o = options({ end: at(MAX), groupBy: ['node_type'] });
        const sitesOf = (is: ReadonlyArray<Interval>) =>
          ['chi_tacc', 'chi_uc'].map((name) => site(o, is.filter((i) => i.attributes.site === name), { site: name, coverage: coverageInput(spec) }));
        const a = timeline(o)(sitesOf(intervals));
        const b = timeline(o)(reverse ? [...sitesOf(other)].reverse() : sitesOf(other));
        expect(b.rows).toEqual(a.rows);
      }),
      { numRuns: 60 },
    );
  });

  it('gives identical violations for the same intervals in a different order', () => {
    const permuted = scenario.chain((x) => fc.tuple(fc.constant(x), shuffled(x.intervals)));
    fc.assert(
      fc.property(permuted, ([{ intervals, spec }, other]) => {
        const o = options({ end: at(MAX), groupBy: ['node_type'] });
        const sitesOf = (is: ReadonlyArray<Interval>) =>
          ['chi_tacc', 'chi_uc'].map((name) => site(o, is.filter((i) => i.attributes.site === name), { site: name, coverage: coverageInput(spec) }));
        expect(timeline(o)(sitesOf(other)).violations).toEqual(timeline(o)(sitesOf(intervals)).violations);
      }),
      { numRuns: 60 },
    );
  });
});

describe('timeline, invariant slack', () => {
  const run = (reservedEach: number) => {
    const o = options({ end: at(10) });
    const intervals = [
      interval('total', 0, null, { entityId: 'h' }),
      interval('reservable', 0, null, { entityId: 'h' }),
      interval('committed', 0, null, { entityId: 'r/h', nodes: 16 / 48 }),
      interval('occupied_reserved', 0, null, { entityId: 'i1', nodes: reservedEach }),
      interval('occupied_reserved', 0, null, { entityId: 'i2', nodes: reservedEach }),
    ];
    return timeline(o)([site(o, intervals)]).violations.filter((v) => v.check === 'occupied_reserved<=committed');
  };

  it('does not report the micro-node rounding of two instances filling their reservation', () => {
    // 8/48 rounds up to 0.166667 twice; the reservation commits 16/48 = 0.333333
    expect(run(8 / 48)).toEqual([]);
  });

  it('reports a real excess of reserved use over the commitment', () => {
    expect(run(0.2).map((v) => v.max_excess)).toEqual([expect.closeTo(0.4 - 16 / 48, 5)]);
  });
});

describe('stack', () => {
  // the 0.1.0 formulas, one zipWith per operation: the oracle of the one-pass evaluation
  const add = SF.zipWith((x, y) => x + y);
  const sub = SF.zipWith((x, y) => x - y);
  const over = SF.zipWith((x, y) => Math.max(0, x - y));
  const neg = SF.map((x) => Math.max(0, -x));
  const stepFn = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 24 }).map((v) => v / 8))), { maxLength: 12 })
    .map((pts) => SF.fromPoints(pts.map(([t, v]) => [t * T.HOUR, v] as const)));

  // long step functions: the results outgrow the columns' first size (1024 points) and double
  const longStepFn = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 20000 }), fc.integer({ min: 0, max: 40 })), { minLength: 600, maxLength: 2500 })
    .map((pts) => SF.fromPoints(pts.map(([t, v]) => [t * T.HOUR, v] as const)));

  const agreesWithZipWith = (f: fc.Arbitrary<SF.StepFunction>, numRuns?: number): void =>
    fc.assert(
      fc.property(fc.tuple(f, f, f, f, f, f, f, f), fc.tuple(f, f, f), fc.boolean(), ([total, reservable, committed, ops, reserved, ondemand, stoppedReserved, stoppedOndemand], [resUnusable, comUnusable, opsUnusable], pool) => {
        const { derived, excess } = evaluate(
          {
            total,
            reservable,
            committed,
            ops,
            occupied_reserved: reserved,
            occupied_ondemand: ondemand,
            stopped_reserved: stoppedReserved,
            stopped_ondemand: stoppedOndemand,
            reservable_usable: SF.empty,
            reservable_unusable: resUnusable,
            committed_usable: SF.empty,
            committed_unusable: comUnusable,
            ops_unusable: opsUnusable,
            total_unusable: SF.empty,
          },
          pool,
        );
        // section 15: free capacity on unusable hosts moves from available to maintenance
        const unusable = sub(sub(resUnusable, comUnusable), opsUnusable);
        const available = sub(sub(sub(reservable, committed), ops), unusable);
        const idle = sub(committed, reserved);
        const capacity = sub(total, reservable);
        const maintenance = add(pool ? SF.map((x) => x)(ops) : add(capacity, ops), unusable);
        const occupied = add(reserved, ondemand);
        const stopped = add(stoppedReserved, stoppedOndemand);
        const active = sub(occupied, stopped);
        const availableOndemand = sub(capacity, ondemand);
        expect(derived).toEqual({ occupied, available, idle, maintenance, active, stopped, ondemand_capacity: capacity, available_ondemand: availableOndemand, unusable });
        expect(excess).toEqual({
          'occupied_reserved<=committed': over(reserved, committed),
          'committed<=reservable': over(committed, reservable),
          'reservable<=total': over(reservable, total),
          'available>=0': neg(available),
          'idle>=0': neg(idle),
          'stopped<=occupied': neg(active),
          'available_ondemand>=0': pool ? neg(availableOndemand) : SF.empty,
          'maintenance>=0': neg(maintenance),
          'unusable>=0': neg(unusable),
          'reservable_unusable<=reservable': over(resUnusable, reservable),
          // the stack identity holds by construction: never any excess
          'stack=total': SF.empty,
        });
      }),
      // a failure on thousands of points is reported as found: shrinking it would take minutes
      numRuns === undefined ? {} : { numRuns, endOnFailure: true },
    );

  it('gives the derived counts and excesses that one zipWith per operation gives', () => agreesWithZipWith(stepFn));

  it('gives them for inputs of thousands of change points too (columns grown while evaluating)', () => {
    agreesWithZipWith(longStepFn, 15);
  });
});
