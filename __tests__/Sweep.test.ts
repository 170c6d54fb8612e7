import fc from 'fast-check';
import * as O from 'fp-ts/Option';
import * as C from '../lib/Counts';
import { toIntervals } from '../lib/Fold';
import * as I from '../lib/Interval';
import * as SF from '../lib/StepFunction';
import { sweep } from '../lib/Sweep';
import * as T from '../lib/Time';
import { ev, shuffled, validStream } from './arbitraries';

const h = (n: number) => T.unsafeMillis(n * T.HOUR);
const HORIZON = h(1000);

const nodes = (site: string, countType: 'total' | 'reservable' | 'committed', group = {}) => ({
  site,
  countType,
  valueType: 'nodes' as const,
  group,
});

describe('sweep, examples', () => {
  it('counts overlapping intervals of one series', () => {
    const { intervals } = toIntervals()([
      ev('Create', 0, { entityId: 'a' }),
      ev('Delete', 10, { entityId: 'a' }),
      ev('Create', 5, { entityId: 'b' }),
    ]);
    const f = C.lookup(nodes('chi_uc', 'total'))(sweep({ valueTypes: ['nodes'] })(intervals));
    expect(SF.toPoints(f).map(([t, v]) => [t / T.HOUR, v])).toEqual([
      [0, 1],
      [5, 2],
      [10, 1],
    ]);
  });

  it('emits no change point where a delete and a create cancel at one instant', () => {
    const { intervals } = toIntervals()([
      ev('Create', 0, { entityId: 'a' }),
      ev('Delete', 5, { entityId: 'a' }),
      ev('Create', 5, { entityId: 'b' }),
    ]);
    const f = C.lookup(nodes('chi_uc', 'total'))(sweep({ valueTypes: ['nodes'] })(intervals));
    expect(f.times.length).toBe(1);
  });

  it('splits series by node_type only when asked', () => {
    const { intervals } = toIntervals()([ev('Create', 0, { entityId: 'a', node_type: 'gpu' }), ev('Create', 0, { entityId: 'b', node_type: 'cpu' })]);
    expect(sweep({ valueTypes: ['nodes'] })(intervals)).toHaveLength(1);
    const grouped = sweep({ valueTypes: ['nodes'], groupBy: ['node_type'] })(intervals);
    expect(grouped.map((s) => s.key.group)).toEqual([{ node_type: 'cpu' }, { node_type: 'gpu' }]);
  });

  it('keeps a series whose quantities are all zero, as the zero function', () => {
    const { intervals } = toIntervals()([ev('Create', 0)]);
    const vcpus = sweep({ valueTypes: ['vcpus'] })(intervals);
    expect(vcpus).toHaveLength(1);
    expect(vcpus[0].steps.times.length).toBe(0);
  });

  it('sums fractional node counts exactly and returns to exactly zero', () => {
    const evs = [];
    for (let i = 0; i < 30; i++) {
      evs.push(ev('Create', i, { entityId: `k${i}`, nodes: 0.1 }), ev('Delete', 100 + i, { entityId: `k${i}` }));
    }
    const f = C.lookup(nodes('chi_uc', 'total'))(sweep({ valueTypes: ['nodes'] })(toIntervals()(evs).intervals));
    expect(SF.valueAt(h(29))(f)).toBe(3);
    expect(f.values[f.values.length - 1]).toBe(0);
  });
});

describe('sweep, laws', () => {
  const counted = (xs: Parameters<ReturnType<typeof toIntervals>>[0]) => {
    const { intervals } = toIntervals()(xs);
    return { intervals, counts: sweep()(intervals) };
  };

  it('agrees with a naive count of the intervals containing each change point', () => {
    fc.assert(
      fc.property(validStream, (xs) => {
        const { intervals, counts } = counted(xs);
        for (const s of counts) {
          const mine = intervals.filter(
            (i) => i.attributes.site === s.key.site && i.countType === s.key.countType,
          );
          for (const t of [...s.steps.times, 0]) {
            const naive = mine.filter(I.contains(T.unsafeMillis(t))).reduce((sum, i) => sum + i.quantities[s.key.valueType], 0);
            expect(SF.valueAt(T.unsafeMillis(t))(s.steps)).toBeCloseTo(naive, 6);
          }
        }
      }),
    );
  });

  it('gives the same counts whether instants are whole seconds, milliseconds, fractions or centuries apart', () => {
    // each scale takes another path: keys in seconds, in milliseconds, or a sort by permutation
    const scales = [1000, 1, 0.5, 3e9];
    fc.assert(
      fc.property(validStream, (xs) => {
        const { intervals } = toIntervals()(xs);
        const at = (k: number) => (i: I.Interval): I.Interval => ({
          ...i,
          start: T.unsafeMillis((i.start / T.HOUR) * k),
          end: O.map((e: T.Millis) => T.unsafeMillis((e / T.HOUR) * k))(i.end),
        });
        const [first, ...rest] = scales.map((k) =>
          sweep({ valueTypes: ['nodes', 'vcpus'] })(intervals.map(at(k))).map((s) => ({ key: s.key, times: [...s.steps.times].map((t) => t / scales[scales.indexOf(k)]), values: [...s.steps.values] })),
        );
        for (const r of rest) expect(r).toEqual(first);
      }),
    );
  });

  it('never goes negative on a stream valid by construction', () => {
    fc.assert(fc.property(validStream, (xs) => counted(xs).counts.every((s) => s.steps.values.every((v) => v >= 0))));
  });

  it('returns to exactly zero when every interval is closed', () => {
    fc.assert(
      fc.property(validStream, (xs) => {
        const closed = toIntervals()(xs).intervals.filter((i) => O.isSome(i.end));
        return sweep()(closed).every((s) => s.steps.values.length === 0 || s.steps.values[s.steps.values.length - 1] === 0);
      }),
    );
  });

  it('integrates to the sum of interval lengths times quantities', () => {
    fc.assert(
      fc.property(validStream, (xs) => {
        const { intervals, counts } = counted(xs);
        for (const s of counts) {
          const expected = intervals
            .filter((i) => i.attributes.site === s.key.site && i.countType === s.key.countType)
            .reduce((sum, i) => sum + I.hours(HORIZON)(i) * i.quantities[s.key.valueType], 0);
          expect(SF.integral(T.unsafeMillis(0), HORIZON)(s.steps)).toBeCloseTo(expected, 3);
        }
      }),
    );
  });

  it('does not depend on the order of the intervals', () => {
    fc.assert(
      fc.property(
        validStream.map((xs) => toIntervals()(xs).intervals).chain((is) => fc.tuple(fc.constant(is), shuffled(is))),
        ([a, b]) => {
          expect(sweep()(b)).toEqual(sweep()(a));
        },
      ),
    );
  });

  it('merges partitions with the Counts monoid into the counts of the whole', () => {
    fc.assert(
      fc.property(validStream, fc.integer({ min: 0, max: 20 }), (xs, cut) => {
        const { intervals } = toIntervals()(xs);
        const k = Math.min(cut, intervals.length);
        const parts = C.Monoid.concat(sweep()(intervals.slice(0, k)), sweep()(intervals.slice(k)));
        const whole = sweep()(intervals);
        expect(parts.map((s) => C.keyString(s.key))).toEqual(whole.map((s) => C.keyString(s.key)));
        parts.forEach((s, i) => {
          for (const t of [...s.steps.times, ...whole[i].steps.times]) {
            expect(SF.valueAt(T.unsafeMillis(t))(s.steps)).toBeCloseTo(SF.valueAt(T.unsafeMillis(t))(whole[i].steps), 9);
          }
        });
      }),
    );
  });
});

describe('Counts.Monoid', () => {
  const counts = validStream.map((xs) => sweep({ valueTypes: ['nodes', 'vcpus'] })(toIntervals()(xs).intervals));
  const same = (a: C.Counts, b: C.Counts) =>
    a.length === b.length && a.every((s, i) => C.keyString(s.key) === C.keyString(b[i].key) && SF.equals(s.steps, b[i].steps));

  it('has [] as identity', () => {
    fc.assert(fc.property(counts, (c) => same(C.Monoid.concat(c, C.Monoid.empty), c) && same(C.Monoid.concat(C.Monoid.empty, c), c)));
  });

  it('is associative on integer-valued series', () => {
    const integral = validStream.map((xs) => sweep({ valueTypes: ['vcpus'] })(toIntervals()(xs).intervals));
    fc.assert(
      fc.property(integral, integral, integral, (a, b, c) => same(C.Monoid.concat(C.Monoid.concat(a, b), c), C.Monoid.concat(a, C.Monoid.concat(b, c)))),
    );
  });
});
