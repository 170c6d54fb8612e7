import fc from 'fast-check';
import * as O from 'fp-ts/Option';
import * as T from '../lib/Time';

describe('Time', () => {
  it('reads a naive DATETIME as UTC', () => {
    expect(T.fromIso('2024-01-01 00:00:00')).toEqual(O.some(Date.UTC(2024, 0, 1)));
    expect(T.fromIso('2024-01-01T12:30:15Z')).toEqual(O.some(Date.UTC(2024, 0, 1, 12, 30, 15)));
  });

  it('reads a DATE as midnight UTC', () => {
    expect(T.fromIso('2019-07-04')).toEqual(O.some(Date.UTC(2019, 6, 4)));
  });

  it('keeps milliseconds when a value has them', () => {
    expect(T.fromIso('2024-01-01 00:00:00.250')).toEqual(O.some(Date.UTC(2024, 0, 1, 0, 0, 0, 250)));
  });

  it('turns zero dates, impossible dates and garbage into none', () => {
    for (const s of ['0000-00-00 00:00:00', '0000-00-00', '2024-02-30 00:00:00', '2024-13-01', 'yesterday', '', '2024-01-01+05:00']) {
      expect(T.fromIso(s)).toEqual(O.none);
    }
  });

  it('reads DATETIMEs as UTC while the process runs in a zone with daylight saving time', () => {
    // jest.config.js sets TZ=America/Chicago for every test; 2024-03-10 02:30 does not exist there
    expect(new Date(2024, 0, 1).getTimezoneOffset()).toBe(360);
    expect(T.fromIso('2024-03-10 02:30:00')).toEqual(O.some(Date.UTC(2024, 2, 10, 2, 30)));
  });

  it('prints ISO-8601 with Z and no milliseconds when they are zero', () => {
    expect(T.toIso(T.unsafeMillis(Date.UTC(2024, 0, 1)))).toBe('2024-01-01T00:00:00Z');
    expect(T.toIso(T.unsafeMillis(Date.UTC(2024, 0, 1, 0, 0, 0, 5)))).toBe('2024-01-01T00:00:00.005Z');
  });

  it('round-trips every instant through toIso and fromIso', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }), (n) => {
        expect(T.fromIso(T.toIso(T.unsafeMillis(n)))).toEqual(O.some(n));
      }),
    );
  });

  it('rejects non-integer and non-finite numbers', () => {
    expect(T.fromNumber(1.5)).toEqual(O.none);
    expect(T.fromNumber(Infinity)).toEqual(O.none);
    expect(T.fromNumber(2 ** 53 + 2)).toEqual(O.none);
    expect(T.fromNumber(-8.64e15 - 1)).toEqual(O.none);
    expect(T.fromDate(new Date('nope'))).toEqual(O.none);
  });
});
