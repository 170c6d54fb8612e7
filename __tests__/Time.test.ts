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

describe('Time.fromIso fast path', () => {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  /** A DATETIME as databases print it, fields anywhere in and just beyond their ranges. */
  const datetime = fc
    .record({
      y: fc.oneof(fc.integer({ min: 1960, max: 2040 }), fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 99, 100, 1600, 1900, 2000, 2100, 9999)),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.oneof(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 32 })),
      h: fc.integer({ min: 0, max: 25 }),
      mi: fc.integer({ min: 0, max: 61 }),
      se: fc.integer({ min: 0, max: 61 }),
      sep: fc.constantFrom(' ', 'T', ' ', 't', '_'),
      frac: fc.option(fc.stringMatching(/^[0-9]{0,9}$/), { nil: undefined }),
      zone: fc.constantFrom('', '', 'Z', 'z', '+00:00', '-0000', '+01:00', 'ZZ'),
      before: fc.constantFrom('', '', ' ', '\t', '\n', '\u00a0', '\ufeff'),
      after: fc.constantFrom('', '', ' ', '\r\n', '\u2028'),
    })
    .map(({ y, mo, d, h, mi, se, sep, frac, zone, before, after }) =>
      `${before}${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}${sep}${pad(h, 2)}:${pad(mi, 2)}:${pad(se, 2)}${frac === undefined ? '' : `.${frac}`}${zone}${after}`,
    );
  /** One character replaced, removed or inserted. */
  const nearly = fc
    .tuple(datetime, fc.nat(), fc.constantFrom('0', '9', '-', ':', '.', ' ', 'T', 'Z', 'x', '\u0663', '\uff11', ''), fc.constantFrom('replace', 'insert'))
    .map(([s, at, c, how]) => {
      const i = s.length === 0 ? 0 : at % s.length;
      return how === 'replace' ? s.slice(0, i) + c + s.slice(i + 1) : s.slice(0, i) + c + s.slice(i);
    });
  const anyString = fc.oneof(datetime, nearly, fc.string({ maxLength: 30 }), fc.stringMatching(/^[0-9TZ:. -]{15,30}$/));

  it('gives the regex path\'s result for every string, valid or nearly valid', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        expect(T.fromIso(s)).toEqual(T.fromIsoByRegex(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads the forms MySQL and SQLite return, to the millisecond', () => {
    expect(T.fromIso('2024-02-29 23:59:59')).toEqual(O.some(Date.UTC(2024, 1, 29, 23, 59, 59)));
    expect(T.fromIso('2000-02-29T00:00:00Z')).toEqual(O.some(Date.UTC(2000, 1, 29)));
    expect(T.fromIso('1969-12-31 23:59:59.999999')).toEqual(O.some(-1));
    expect(T.fromIso('2024-01-01 00:00:00.5Z')).toEqual(O.some(Date.UTC(2024, 0, 1, 0, 0, 0, 500)));
    expect(T.fromIso('0100-03-01 00:00:00')).toEqual(O.some(Date.UTC(100, 2, 1)));
    expect(T.fromIso('9999-12-31 23:59:59')).toEqual(O.some(Date.UTC(9999, 11, 31, 23, 59, 59)));
  });

  it('gives none for zero dates, days a month does not have and fields out of range, like the regex', () => {
    for (const s of [
      '0000-00-00 00:00:00',
      '2024-00-10 00:00:00',
      '2024-01-00 00:00:00',
      '2023-02-29 00:00:00',
      '1900-02-29 00:00:00',
      '2024-04-31 00:00:00',
      '2024-01-01 24:00:00',
      '2024-01-01 00:60:00',
      '2024-01-01 00:00:60',
      '2024-01-01 00:00:00.',
      '2024-01-01 00:00:00z',
      '0050-06-01 00:00:00', // Date.UTC reads year 50 as 1950: the regex path refuses it
    ]) {
      expect([s, T.fromIso(s)]).toEqual([s, O.none]);
      expect([s, T.fromIsoByRegex(s)]).toEqual([s, O.none]);
    }
  });

  it('reads a DATETIME with surrounding whitespace through the regex, which trims it', () => {
    expect(T.fromIso(' 2024-01-01 00:00:00\n')).toEqual(O.some(Date.UTC(2024, 0, 1)));
  });
});
