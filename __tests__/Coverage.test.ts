import fc from 'fast-check';
import * as O from 'fp-ts/Option';
import { coverageOf, intersect, subtract, type CoverageInput, type Span } from '../lib/Coverage';
import type { BaseCountType } from '../lib/CountType';
import * as T from '../lib/Time';
import { at, BASE, cut, spans } from './arbitraries.intervals';

const hoursOf = (t: number) => (t - BASE) / T.HOUR;
const WINDOW: Span = [at(0), at(240)];

const input = (over: Partial<CoverageInput> = {}): CoverageInput => ({
  window: WINDOW,
  earliest: {},
  sourceRead: {},
  configStart: {},
  knownGaps: [],
  ...over,
});

/** The coverage in hours, to read the expectations at a glance. */
const cover = (i: CoverageInput, ct: BaseCountType) => {
  const c = coverageOf(i)(ct);
  return {
    start: O.isSome(c.start) ? hoursOf(c.start.value) : null,
    startFrom: c.startFrom,
    covered: c.covered.map(([s, e]) => [hoursOf(s), hoursOf(e)]),
    gaps: c.gaps.map((g) => [hoursOf(g.start), hoursOf(g.end), g.reason]),
  };
};

describe('coverageOf, examples', () => {
  it('starts at the configured date even when the table has earlier rows', () => {
    expect(cover(input({ configStart: { total: at(24) }, earliest: { total: at(10) }, sourceRead: { total: true } }), 'total')).toEqual({
      start: 24,
      startFrom: 'config',
      covered: [[24, 240]],
      gaps: [[0, 24, 'before the configured coverage start']],
    });
  });

  it('starts at the earliest row of the primary table without a configured date', () => {
    expect(cover(input({ earliest: { reservable: at(10) }, sourceRead: { reservable: true } }), 'reservable')).toEqual({
      start: 10,
      startFrom: 'earliest_row',
      covered: [[10, 240]],
      gaps: [[0, 10, 'before the earliest row of the source']],
    });
  });

  it('covers the whole window when the earliest row is before the window start', () => {
    const c = cover(input({ earliest: { total: at(-100) }, sourceRead: { total: true } }), 'total');
    expect(c.covered).toEqual([[0, 240]]);
    expect(c.gaps).toEqual([]);
  });

  it('covers from the window start when the table was read and is empty (zero is known)', () => {
    expect(cover(input({ sourceRead: { committed: true } }), 'committed')).toEqual({
      start: 0,
      startFrom: 'empty_table',
      covered: [[0, 240]],
      gaps: [],
    });
  });

  it('covers nothing when the source could not be read, with one gap saying so', () => {
    expect(cover(input({ sourceRead: { occupied_reserved: false } }), 'occupied_reserved')).toEqual({
      start: null,
      startFrom: 'source_missing',
      covered: [],
      gaps: [[0, 240, 'source not read']],
    });
  });

  it('cuts a known gap out of the middle of the window, leaving two covered spans', () => {
    const i = input({
      earliest: { total: at(10) },
      sourceRead: { total: true },
      knownGaps: [
        { countTypes: ['total'], start: at(50), end: at(60), note: 'nova outage' },
        { countTypes: ['reservable'], start: at(100), end: at(120), note: 'blazar outage' },
      ],
    });
    expect(cover(i, 'total')).toEqual({
      start: 10,
      startFrom: 'earliest_row',
      covered: [
        [10, 50],
        [60, 240],
      ],
      gaps: [
        [0, 10, 'before the earliest row of the source'],
        [50, 60, 'known gap: nova outage'],
      ],
    });
  });

  it('cuts only the known gaps naming the count type', () => {
    const i = input({ sourceRead: { total: true }, knownGaps: [{ countTypes: ['reservable'], start: at(100), end: at(120), note: 'blazar outage' }] });
    expect(cover(i, 'total').covered).toEqual([[0, 240]]);
  });

  it('covers nothing when the coverage start is after the window end', () => {
    expect(cover(input({ configStart: { reservable: at(300) }, sourceRead: { reservable: true } }), 'reservable')).toEqual({
      start: 300,
      startFrom: 'config',
      covered: [],
      gaps: [[0, 240, 'before the configured coverage start']],
    });
  });
});

// -------------------------------------------------------------------------------------
// properties
// -------------------------------------------------------------------------------------

const MAX = 60;
const isSortedDisjoint = (xs: ReadonlyArray<Span>): boolean => xs.every(([s, e], k) => s < e && (k === 0 || xs[k - 1][1] <= s));
const inside = (xs: ReadonlyArray<Span>) => (t: number) => xs.some(([s, e]) => s <= t && t < e);
const within = (outer: ReadonlyArray<Span>) => ([s, e]: Span) => outer.some(([a, b]) => a <= s && e <= b);
/** Spans have integer ends in [0, MAX], so membership at each integer decides the whole set. */
const instants = Array.from({ length: MAX + 2 }, (_, t) => t - 1);

describe('intersect, laws', () => {
  it('returns sorted, disjoint, non-empty spans', () => {
    fc.assert(fc.property(spans(MAX), spans(MAX), (a, b) => isSortedDisjoint(intersect(a, b))));
  });

  it('returns spans each inside a span of both inputs', () => {
    fc.assert(fc.property(spans(MAX), spans(MAX), (a, b) => intersect(a, b).every((x) => within(a)(x) && within(b)(x))));
  });

  it('contains exactly the instants contained in both inputs', () => {
    fc.assert(
      fc.property(spans(MAX), spans(MAX), (a, b) => {
        const r = intersect(a, b);
        return instants.every((t) => inside(r)(t) === (inside(a)(t) && inside(b)(t)));
      }),
    );
  });

  it('is commutative', () => {
    fc.assert(
      fc.property(spans(MAX), spans(MAX), (a, b) => {
        expect(intersect(a, b)).toEqual(intersect(b, a));
      }),
    );
  });

  it('has the input itself as result of intersecting with itself', () => {
    fc.assert(
      fc.property(spans(MAX), (a) => {
        expect(intersect(a, a)).toEqual(a);
      }),
    );
  });
});

describe('subtract, laws', () => {
  it('returns sorted, disjoint, non-empty spans', () => {
    fc.assert(fc.property(spans(MAX), cut(MAX), (a, c) => isSortedDisjoint(subtract(a, c))));
  });

  it('returns spans each inside a span of the input', () => {
    fc.assert(fc.property(spans(MAX), cut(MAX), (a, c) => subtract(a, c).every(within(a))));
  });

  it('returns spans disjoint from the cut', () => {
    fc.assert(fc.property(spans(MAX), cut(MAX), (a, c) => subtract(a, c).every(([s, e]) => e <= c[0] || c[1] <= s)));
  });

  it('contains exactly the instants of the input outside the cut', () => {
    fc.assert(
      fc.property(spans(MAX), cut(MAX), (a, c) => {
        const r = subtract(a, c);
        return instants.every((t) => inside(r)(t) === (inside(a)(t) && !inside([c])(t)));
      }),
    );
  });
});

describe('coverageOf, laws', () => {
  const coverageInput = fc.record({
    ws: fc.integer({ min: 0, max: 20 }),
    len: fc.integer({ min: 1, max: 40 }),
    earliest: fc.option(fc.integer({ min: -10, max: 70 })),
    config: fc.option(fc.integer({ min: -10, max: 70 }), { freq: 3 }),
    read: fc.boolean(),
    gaps: fc.array(fc.tuple(cut(MAX), fc.boolean()), { maxLength: 3 }),
  });
  const build = (x: { ws: number; len: number; earliest: number | null; config: number | null; read: boolean; gaps: ReadonlyArray<readonly [Span, boolean]> }) =>
    input({
      window: [at(x.ws), at(x.ws + x.len)],
      earliest: x.earliest === null ? {} : { total: at(x.earliest) },
      configStart: x.config === null ? {} : { total: at(x.config) },
      sourceRead: { total: x.read },
      knownGaps: x.gaps.map(([[s, e], mine], k) => ({ countTypes: mine ? ['total'] : ['reservable'], start: at(s), end: at(e), note: `g${k}` })),
    });

  it('splits the window into covered spans and gaps that tile it without overlap', () => {
    fc.assert(
      fc.property(coverageInput, (x) => {
        const i = build(x);
        const c = coverageOf(i)('total');
        const pieces = [...c.covered, ...c.gaps.map((g): Span => [g.start, g.end])].sort((p, q) => p[0] - q[0]);
        expect(isSortedDisjoint(c.covered)).toBe(true);
        expect(pieces[0]?.[0]).toBe(i.window[0]);
        expect(pieces[pieces.length - 1]?.[1]).toBe(i.window[1]);
        pieces.forEach((p, k) => k === 0 || expect(p[0]).toBe(pieces[k - 1][1]));
      }),
    );
  });

  it('covers nothing before the coverage start nor inside a known gap of the count type', () => {
    fc.assert(
      fc.property(coverageInput, (x) => {
        const i = build(x);
        const c = coverageOf(i)('total');
        const start = O.getOrElse(() => Infinity)(c.start as O.Option<number>);
        const mine = i.knownGaps.filter((g) => g.countTypes.includes('total'));
        return c.covered.every(([s, e]) => s >= start && mine.every((g) => e <= g.start || g.end <= s));
      }),
    );
  });
});
