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
 * Parses an ISO-8601 date or date-time **as UTC**. A string without a zone is read as UTC
 * (database DATETIMEs are naive UTC); only `Z` or a zero offset is accepted as an explicit zone.
 * Zero dates (`0000-00-00 ...`) and impossible dates (month 13, Feb 30) are `none`.
 *
 * @example
 * assert.deepStrictEqual(fromIso('2024-01-01T00:00:00Z'), O.some(1704067200000))
 * assert.deepStrictEqual(fromIso('2024-01-01 00:00:00'), O.some(1704067200000))
 * assert.deepStrictEqual(fromIso('0000-00-00 00:00:00'), O.none)
 * @category constructors
 * @since 0.1.0
 */
export const fromIso = (s: string): O.Option<Millis> => {
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
