import fc from 'fast-check';
import { NumberIds } from '../lib/NumberIds';

describe('NumberIds', () => {
  it('numbers keys in first-seen order, as a Map would', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.maxSafeNat(), fc.integer({ min: 0, max: 2 ** 26 }).map((a) => a * 2 ** 26 + 3))), (keys) => {
        const ids = new NumberIds(2);
        const model = new Map<number, number>();
        for (const k of keys) {
          if (!model.has(k)) model.set(k, model.size);
          expect(ids.intern(k)).toBe(model.get(k));
        }
        for (const k of keys) expect(ids.get(k)).toBe(model.get(k));
        expect(ids.size).toBe(model.size);
      }),
    );
  });

  it('answers -1 for a key never interned, negative or fractional', () => {
    const ids = new NumberIds();
    ids.intern(7);
    expect([ids.get(8), ids.get(-1), ids.get(7.5), ids.get(7)]).toEqual([-1, -1, -1, 0]);
  });

  it('refuses to intern what is not an integer in [0, 2^53)', () => {
    const ids = new NumberIds();
    for (const k of [-1, 0.5, NaN, 2 ** 53]) expect(() => ids.intern(k)).toThrow(/NumberIds/);
  });
});
