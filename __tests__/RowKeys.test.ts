import fc from 'fast-check';
import { FirstByKey } from '../lib/RowKeys';

const cols = ['a', 'b', 'c'];
/** Few distinct values, so keys repeat; numbers and their texts must count as the same key. */
const value = fc.oneof(fc.constantFrom('x', 'y', '', 'xy', '1', 'é', '\u0000'), fc.integer({ min: 0, max: 3 }), fc.constant(null), fc.constant(undefined));
const row = fc.record({ a: value, b: value, c: value, d: fc.integer() });

/** The model: a map of each row's column texts as JSON (no separator can be ambiguous). */
const naive = (rows: ReadonlyArray<Record<string, unknown>>): number[] => {
  const seen = new Map<string, number>();
  return rows.map((r, i) => {
    const k = JSON.stringify(cols.map((c) => String(r[c])));
    const f = seen.get(k);
    if (f !== undefined) return f;
    seen.set(k, i);
    return -1;
  });
};

describe('FirstByKey', () => {
  it('answers the first row of each key as a map of the key texts does', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 300 }), (rows) => {
        const s = new FirstByKey(cols);
        expect(rows.map((r, i) => s.firstOrAdd(r, i))).toEqual(naive(rows));
      }),
    );
  });

  it('keeps every key when it grows past its first table', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ a: `s${i % 2500}`, b: i % 2500, c: 'k' }));
    const s = new FirstByKey(cols);
    const got = rows.map((r, i) => s.firstOrAdd(r, i));
    expect(got).toEqual(naive(rows));
    expect(got.filter((x) => x < 0)).toHaveLength(2500);
  });

  it('does not join columns: ("ab", "") and ("a", "b") are different keys', () => {
    const s = new FirstByKey(['a', 'b']);
    expect(s.firstOrAdd({ a: 'ab', b: '' }, 0)).toBe(-1);
    expect(s.firstOrAdd({ a: 'a', b: 'b' }, 1)).toBe(-1);
    expect(s.firstOrAdd({ a: 'a', b: 'b' }, 2)).toBe(1);
  });
});
