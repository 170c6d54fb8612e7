import fc from 'fast-check';
import { groupIndex, groupOffsets, reorder, sortIndex, sortWithPayload } from '../lib/Radix';

/** The oracle: a stable comparator sort (NaN last), as the specification says. */
const naive = (keys: ArrayLike<number>, order: ReadonlyArray<number>): number[] =>
  [...order].sort((a, b) => {
    const x = keys[a];
    const y = keys[b];
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? 0 : Number.isNaN(x) ? 1 : -1;
    return x < y ? -1 : x > y ? 1 : 0;
  });

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

// instants of 2016-2026 in milliseconds, many ties: the radix path (>= 256 keys, integers)
const instants = fc.array(fc.oneof(fc.integer({ min: 1451606400000, max: 1767225600000 }), fc.constantFrom(1451606400000, 1600000000000)), {
  minLength: 256,
  maxLength: 2000,
});
// anything: fractions, negatives, huge spans, NaN and infinities (the comparator path)
const anything = fc.array(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 2 ** 52, -(2 ** 52))), { maxLength: 400 });
// integers whose span is above 2^32 and below 2^48 (the float-digit radix path)
const wide = fc.array(fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }).map((x) => x * 60000), fc.constant(2 ** 47)), { minLength: 256, maxLength: 1000 });

describe('sortIndex', () => {
  it('gives [1, 3, 2, 0] for keys 30, 10, 20, 10 (ties in input order)', () => {
    expect([...sortIndex(Float64Array.of(30, 10, 20, 10))]).toEqual([1, 3, 2, 0]);
  });

  it('agrees with a stable comparator sort on instants (radix path)', () => {
    fc.assert(fc.property(instants, (xs) => expect([...sortIndex(Float64Array.from(xs))]).toEqual(naive(xs, range(xs.length)))));
  });

  it('agrees with a stable comparator sort on whole-second instants (sorted as seconds)', () => {
    const seconds = fc.array(fc.integer({ min: 1451606400, max: 1767225600 }).map((s) => s * 1000), { minLength: 256, maxLength: 1500 });
    fc.assert(fc.property(seconds, (xs) => expect([...sortIndex(Float64Array.from(xs))]).toEqual(naive(xs, range(xs.length)))));
  });

  it('agrees with a stable comparator sort on integers spanning more than 2^32', () => {
    fc.assert(fc.property(wide, (xs) => expect([...sortIndex(Float64Array.from(xs))]).toEqual(naive(xs, range(xs.length)))));
  });

  it('agrees with a stable comparator sort on any doubles (fallback path)', () => {
    fc.assert(fc.property(anything, (xs) => expect([...sortIndex(Float64Array.from(xs))]).toEqual(naive(xs, range(xs.length)))));
  });

  it('sorts the first n keys only when n is given', () => {
    expect([...sortIndex(Float64Array.of(3, 1, 2, 0), 3)]).toEqual([1, 2, 0]);
  });
});

describe('reorder', () => {
  it('keeps ties in the order given, so two sorts give a lexicographic order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1e6 })), { maxLength: 600 }), (pairs) => {
        const a = Float64Array.from(pairs.map((p) => p[0]));
        const b = Float64Array.from(pairs.map((p) => p[1]));
        // by b first, then stably by a: (a, b, index) order
        const got = [...reorder(a, sortIndex(b))];
        const want = range(pairs.length).sort((x, y) => a[x] - a[y] || b[x] - b[y] || x - y);
        expect(got).toEqual(want);
      }),
    );
  });

  it('does not mutate the order it is given', () => {
    const order = Uint32Array.of(2, 0, 1);
    reorder(Float64Array.of(5, 4, 3), order);
    expect([...order]).toEqual([2, 0, 1]);
  });
});

describe('groupIndex and groupOffsets', () => {
  it('groups stably and the offsets delimit each group', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 300 }), (gs) => {
        const groups = Uint32Array.from(gs);
        const idx = [...groupIndex(groups, 7)];
        expect(idx).toEqual(range(gs.length).sort((x, y) => gs[x] - gs[y] || x - y));
        const off = groupOffsets(groups, 7);
        for (let g = 0; g < 7; g++) for (let k = off[g]; k < off[g + 1]; k++) expect(gs[idx[k]]).toBe(g);
        expect(off[7]).toBe(gs.length);
      }),
    );
  });

  it('groups a given order stably', () => {
    expect([...groupIndex(Uint32Array.of(1, 0, 1, 0), 2, Uint32Array.of(3, 2, 1, 0))]).toEqual([3, 1, 2, 0]);
  });
});

describe('sortWithPayload', () => {
  it('sorts keys with their payload, stably', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 47 })), fc.double({ noNaN: true })), { maxLength: 700 }), (pairs) => {
        const r = sortWithPayload(Float64Array.from(pairs.map((p) => p[0])), Float64Array.from(pairs.map((p) => p[1])));
        const want = pairs.map((p, i) => [p[0], p[1], i] as const).sort((a, b) => a[0] - b[0] || a[2] - b[2]);
        expect([...r.keys]).toEqual(want.map((w) => w[0]));
        expect([...r.payload]).toEqual(want.map((w) => w[1]));
      }),
    );
  });

  it('refuses a key that is not an integer in [0, 2^48)', () => {
    for (const k of [-1, 0.5, 2 ** 48]) expect(() => sortWithPayload(Float64Array.of(k), Float64Array.of(0))).toThrow(/sortWithPayload/);
  });
});
