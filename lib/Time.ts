/**
 * Time inside the core: UTC epoch milliseconds as a branded number.
 *
 * Invariants:
 * - every `Millis` is a finite integer number of milliseconds since 1970-01-01T00:00:00Z;
 * - the core never sees a `Date` or a zone: conversion happens at the edges with {@link fromIso},
 *   {@link fromDate} and {@link toIso};
 * - intervals built from `Millis` are half-open `[start, end)`.
 *
 * @since 0.1.0
 * @module
 */
import * as N from 'fp-ts/number';
import * as O from 'fp-ts/Option';
import type { Ord as OrdT } from 'fp-ts/Ord';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

interface MillisBrand {
  readonly Millis: unique symbol;
}

/**
 * UTC epoch milliseconds.
 *
 * @category model
 * @since 0.1.0
 */
export type Millis = number & MillisBrand;

/** One second, minute, hour and day in milliseconds. @since 0.1.0 */
export const SECOND = 1000;
/** @since 0.1.0 */
export const MINUTE = 60 * SECOND;
/** @since 0.1.0 */
export const HOUR = 60 * MINUTE;
/** @since 0.1.0 */
export const DAY = 24 * HOUR;

/** The largest instant a JavaScript `Date` can hold (about 275,760 years from 1970). */
const MAX_DATE = 8.64e15;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A `Millis` from a number, if it is an integer a `Date` can hold.
 *
 * @example
 * assert.deepStrictEqual(fromNumber(0), O.some(0))
 * assert.deepStrictEqual(fromNumber(NaN), O.none)
 * assert.deepStrictEqual(fromNumber(2 ** 53), O.none) // beyond what a Date can hold
 * @category constructors
 * @since 0.1.0
 */
export const fromNumber = (n: number): O.Option<Millis> =>
  Number.isInteger(n) && Math.abs(n) <= MAX_DATE ? O.some(n as Millis) : O.none;

/**
 * A `Millis` from a number the caller knows is a finite integer (e.g. arithmetic on `Millis`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const unsafeMillis = (n: number): Millis => n as Millis;

/**
 * A `Millis` from a `Date`; an invalid date is `none`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromDate = (d: Date): O.Option<Millis> => fromNumber(d.getTime());

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(Z|[+-]00:?00)?$/;

/**
 * {@link fromIso} by its regular expression alone: the reference the fast path of `fromIso` is
 * property-tested against, and the parser of every form the fast path does not take.
 *
 * @example
 * assert.deepStrictEqual(fromIsoByRegex(' 2024-01-01 '), O.some(1704067200000))
 * @category constructors
 * @since 0.1.0
 */
export const fromIsoByRegex = (s: string): O.Option<Millis> => {
  const m = ISO_RE.exec(s.trim());
  if (m === null) return O.none;
  const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return O.none;
  const t = Date.UTC(y, mo - 1, d, h, mi, se, ms);
  const back = new Date(t);
  // Date.UTC rolls Feb 30 over into March: reject instead of guessing.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return O.none;
  return fromNumber(t);
};

/** The digit at `i` of `s` (0 to 9), or -1 for any other character. */
const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};

/** Two digits at `i`, or -1. */
const two = (s: string, i: number): number => {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`), for
 * `y >= 1`.
 */
const daysFromCivil = (y: number, m: number, d: number): number => {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
};

/**
 * The exact forms MySQL and SQLite return, `YYYY-MM-DD HH:MM:SS` with an optional fraction, `T`
 * for the space and an optional `Z`, read by index; `undefined` for anything else (whitespace,
 * a date alone, an offset, no seconds, years 1 to 99), which the regex then reads.
 */
const fromIsoFast = (s: string): Millis | null | undefined => {
  const n = s.length;
  if (n < 19) return undefined;
  const sep = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (sep !== 32 && sep !== 84) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const hi = two(s, 0);
  const lo = two(s, 2);
  const mo = two(s, 5);
  const d = two(s, 8);
  const h = two(s, 11);
  const mi = two(s, 14);
  const se = two(s, 17);
  if (hi < 0 || lo < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return undefined;
  const end = s.charCodeAt(n - 1) === 90 ? n - 1 : n; // 'Z'
  let ms = 0;
  if (end > 19) {
    if (s.charCodeAt(19) !== 46 || end === 20) return undefined; // '.' and at least one digit
    for (let i = 20; i < end; i++) {
      const c = digit(s, i);
      if (c < 0) return undefined;
      // milliseconds are the first three digits; the rest is cut, as the regex does
      if (i < 23) ms = ms * 10 + c;
    }
    for (let i = end; i < 23; i++) ms *= 10;
  }
  const y = hi * 100 + lo;
  if (y === 0 || mo === 0 || d === 0) return null; // zero dates
  // Date.UTC reads years 0 to 99 as 1900 to 1999: the regex path keeps that behaviour
  if (y < 100) return undefined;
  if (mo > 12 || h > 23 || mi > 59 || se > 59) return null;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1])) return null;
  return (daysFromCivil(y, mo, d) * DAY + h * HOUR + mi * MINUTE + se * SECOND + ms) as Millis;
};

/**
 * Parses an ISO-8601 date or date-time **as UTC**. A string without a zone is read as UTC
 * (database DATETIMEs are naive UTC); only `Z` or a zero offset is accepted as an explicit zone.
 * Zero dates (`0000-00-00 ...`) and impossible dates (month 13, Feb 30) are `none`.
 *
 * The forms databases return (`YYYY-MM-DD HH:MM:SS[.f...][Z]`, space or `T`) are read by a
 * hand-written scan, with no regex, array or `Date`: every DATETIME of every row goes through
 * here. Anything else goes to {@link fromIsoByRegex}; both give the same result for every
 * string (property-tested).
 *
 * @example
 * assert.deepStrictEqual(fromIso('2024-01-01T00:00:00Z'), O.some(1704067200000))
 * assert.deepStrictEqual(fromIso('2024-01-01 00:00:00'), O.some(1704067200000))
 * assert.deepStrictEqual(fromIso('0000-00-00 00:00:00'), O.none)
 * @category constructors
 * @since 0.1.0
 */
export const fromIso = (s: string): O.Option<Millis> => O.fromNullable(fromIsoNullable(s));

/**
 * `fromIso` as the instant or `null`, without an `Option` per call (the codecs read every
 * DATETIME of every row through it).
 *
 * @example
 * assert.strictEqual(fromIsoNullable('0000-00-00 00:00:00'), null)
 * @category constructors
 * @since 0.2.0
 */
export const fromIsoNullable = (s: string): Millis | null => {
  const fast = fromIsoFast(s);
  return fast !== undefined ? fast : O.toNullable(fromIsoByRegex(s));
};

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * ISO-8601 UTC with `Z`; milliseconds only when not zero.
 *
 * @example
 * assert.strictEqual(toIso(unsafeMillis(1704067200000)), '2024-01-01T00:00:00Z')
 * @category destructors
 * @since 0.1.0
 */
export const toIso = (t: Millis): string => {
  const s = new Date(t).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
};

/**
 * Hours between two instants, as a float (`b - a`).
 *
 * @category destructors
 * @since 0.1.0
 */
export const hoursBetween = (a: Millis, b: Millis): number => (b - a) / HOUR;

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * Chronological order.
 *
 * @category instances
 * @since 0.1.0
 */
export const Ord: OrdT<Millis> = N.Ord as OrdT<Millis>;
