import fc from 'fast-check';
import * as SF from '../lib/StepFunction';
import * as T from '../lib/Time';

const h = (n: number) => T.unsafeMillis(n * T.HOUR);
const arr = (f: SF.StepFunction) => [Array.from(f.times, (t) => t / T.HOUR), Array.from(f.values)];

const stepFunction: fc.Arbitrary<SF.StepFunction> = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: -5, max: 5 })), { maxLength: 12 })
  .map((ps) => SF.fromPoints(ps.map(([t, v]) => [t * T.HOUR, v] as const)));

describe('StepFunction', () => {
  it('drops points that do not change the value, and a leading zero', () => {
    expect(arr(SF.fromPoints([[0, 0], [h(1), 2], [h(2), 2], [h(3), 0]]))).toEqual([[1, 3], [2, 0]]);
  });

  it('is 0 before its first point and holds its last value forever', () => {
    const f = SF.fromPoints([[h(10), 4]]);
    expect(SF.valueAt(h(9))(f)).toBe(0);
    expect(SF.valueAt(h(10))(f)).toBe(4);
    expect(SF.valueAt(h(1e6))(f)).toBe(4);
  });

  it('takes the value of the step whose half-open span contains t', () => {
    const f = SF.fromPoints([[h(0), 1], [h(5), 3]]);
    expect(SF.valueAt(h(4.999))(f)).toBe(1);
    expect(SF.valueAt(h(5))(f)).toBe(3);
  });

  it('integrates in value-hours over a half-open window', () => {
    const f = SF.fromPoints([[h(0), 2], [h(3), 5], [h(4), 0]]);
    expect(SF.integral(h(0), h(10))(f)).toBe(2 * 3 + 5 * 1);
    expect(SF.integral(h(1), h(3.5))(f)).toBe(2 * 2 + 5 * 0.5);
    expect(SF.integral(h(5), h(5))(f)).toBe(0);
    expect(SF.integral(h(6), h(5))(f)).toBe(0);
  });

  it('integrates additively over adjacent windows', () => {
    fc.assert(
      fc.property(stepFunction, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (f, a, b, c) => {
        const [x, y, z] = [a, b, c].sort((p, q) => p - q).map(h);
        expect(SF.integral(x, y)(f) + SF.integral(y, z)(f)).toBeCloseTo(SF.integral(x, z)(f), 9);
      }),
    );
  });

  it('combines pointwise on the union of change points', () => {
    const a = SF.fromPoints([[h(0), 3], [h(10), 0]]);
    const b = SF.fromPoints([[h(5), 1]]);
    expect(arr(SF.zipWith((x, y) => x - y)(a, b))).toEqual([[0, 5, 10], [3, 2, -1]]);
  });

  describe('Monoid', () => {
    it('has the zero function as identity', () => {
      fc.assert(
        fc.property(stepFunction, (f) => SF.equals(SF.Monoid.concat(f, SF.Monoid.empty), f) && SF.equals(SF.Monoid.concat(SF.Monoid.empty, f), f)),
      );
    });

    it('is associative', () => {
      fc.assert(
        fc.property(stepFunction, stepFunction, stepFunction, (a, b, c) =>
          SF.equals(SF.Monoid.concat(SF.Monoid.concat(a, b), c), SF.Monoid.concat(a, SF.Monoid.concat(b, c))),
        ),
      );
    });

    it('is commutative', () => {
      fc.assert(fc.property(stepFunction, stepFunction, (a, b) => SF.equals(SF.Monoid.concat(a, b), SF.Monoid.concat(b, a))));
    });

    it('sums values at every instant', () => {
      fc.assert(
        fc.property(stepFunction, stepFunction, fc.integer({ min: -1, max: 101 }), (a, b, t) => {
          expect(SF.valueAt(h(t))(SF.Monoid.concat(a, b))).toBe(SF.valueAt(h(t))(a) + SF.valueAt(h(t))(b));
        }),
      );
    });
  });

  it('lists its change points', () => {
    expect(SF.toPoints(SF.fromPoints([[h(1), 2]]))).toEqual([[h(1), 2]]);
  });
});
