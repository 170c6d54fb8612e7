/**
 * io-ts codecs for what database drivers return (mysql2 and better-sqlite3), in the style of
 * io-ts-types `NumberFromString`. They decode at the edge, so the core sees clean values:
 *
 * - `UtcDate`: a DATETIME read as **naive UTC** from a string (`'2024-01-01 00:00:00'`), a `Date`
 *   (only when the driver was configured with `timezone: 'Z'`; see `Source.ts`) or epoch millis;
 *   zero dates and unparseable dates are `null` (reconstruction rules, section 0).
 * - `Int`: an integer from a number, a BIGINT/DECIMAL string or a bigint.
 * - `Bool`: a TINYINT(1) (0/1, '0'/'1', true/false).
 * - `Str`: a string, also from a Buffer (VARCHAR BINARY) or a number (ids are compared as text).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import * as t from 'io-ts';
import * as T from '../lib/Time';

/**
 * DATETIME as UTC millis; zero or unparseable dates decode to `null`, never fail.
 *
 * @since 0.1.0
 */
export const UtcDate = new t.Type<T.Millis | null, string | null, unknown>(
  'UtcDate',
  (u): u is T.Millis | null => u === null || (typeof u === 'number' && Number.isInteger(u)),
  (u, c) => {
    if (u === null || u === undefined) return t.success(null);
    if (u instanceof Date) return t.success(O.toNullable(T.fromDate(u)));
    if (typeof u === 'string') return t.success(O.toNullable(T.fromIso(u)));
    if (typeof u === 'number') return t.success(O.toNullable(T.fromNumber(u)));
    return t.failure(u, c, 'expected a DATETIME (string, Date or epoch millis)');
  },
  (a) => (a === null ? null : T.toIso(a)),
);

/**
 * A required DATETIME: as `UtcDate`, but NULL, zero and unparseable dates fail.
 *
 * @since 0.1.0
 */
export const RequiredUtcDate = new t.Type<T.Millis, string, unknown>(
  'RequiredUtcDate',
  (u): u is T.Millis => typeof u === 'number' && Number.isInteger(u),
  (u, c) => {
    const d = UtcDate.validate(u, c);
    if (E.isLeft(d)) return d;
    return d.right === null ? t.failure(u, c, 'expected a valid date, got NULL or a zero date') : t.success(d.right);
  },
  (a) => T.toIso(a),
);

/**
 * An integer from a number, a numeric string (BIGINT, DECIMAL with no fraction) or a bigint.
 *
 * @since 0.1.0
 */
export const Int = new t.Type<number, number, unknown>(
  'Int',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u),
  (u, c) => {
    const n = typeof u === 'bigint' ? Number(u) : typeof u === 'string' && /^-?\d+(\.0*)?$/.test(u.trim()) ? Number(u) : u;
    return typeof n === 'number' && Number.isSafeInteger(n) ? t.success(n) : t.failure(u, c, 'expected an integer');
  },
  t.identity,
);

/**
 * A finite number from a number or a numeric string (DECIMAL, FLOAT as text).
 *
 * @since 0.1.0
 */
export const Num = new t.Type<number, number, unknown>(
  'Num',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => {
    const n = typeof u === 'bigint' ? Number(u) : typeof u === 'string' && u.trim() !== '' ? Number(u) : u;
    return typeof n === 'number' && Number.isFinite(n) ? t.success(n) : t.failure(u, c, 'expected a number');
  },
  t.identity,
);

/**
 * TINYINT(1) as a boolean.
 *
 * @since 0.1.0
 */
export const Bool = new t.Type<boolean, number, unknown>(
  'Bool',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => {
    if (typeof u === 'boolean') return t.success(u);
    if (u === 0 || u === '0' || u === 0n) return t.success(false);
    if (u === 1 || u === '1' || u === 1n) return t.success(true);
    return t.failure(u, c, 'expected a TINYINT(1) boolean');
  },
  (b) => (b ? 1 : 0),
);

/**
 * Text from a string, a Buffer or a number.
 *
 * @since 0.1.0
 */
export const Str = new t.Type<string, string, unknown>(
  'Str',
  (u): u is string => typeof u === 'string',
  (u, c) => {
    if (typeof u === 'string') return t.success(u);
    if (Buffer.isBuffer(u)) return t.success(u.toString('utf8'));
    if ((typeof u === 'number' && Number.isFinite(u)) || typeof u === 'bigint') return t.success(String(u));
    return t.failure(u, c, 'expected text');
  },
  t.identity,
);

/**
 * A nullable column of codec `c` (NULL and undefined decode to `null`).
 *
 * @since 0.1.0
 */
export const nullable = <A, O>(c: t.Type<A, O, unknown>): t.Type<A | null, O | null, unknown> =>
  new t.Type<A | null, O | null, unknown>(
    `${c.name} | null`,
    (u): u is A | null => u === null || c.is(u),
    (u, ctx) => (u === null || u === undefined ? t.success(null) : c.validate(u, ctx)),
    (a) => (a === null ? null : c.encode(a)),
  );

/**
 * One line per failing column: `column: reason (got value)`. Values are cut at 60 characters.
 *
 * @since 0.1.0
 */
export const describeErrors = (errors: t.Errors): string =>
  errors
    .map((e) => {
      const path = e.context
        .map((x) => x.key)
        .filter((k) => k !== '')
        .join('.');
      const shown = JSON.stringify(e.value) ?? String(e.value);
      return `${path || '(row)'}: ${e.message ?? `expected ${e.context[e.context.length - 1]?.type.name}`} (got ${shown.slice(0, 60)})`;
    })
    .join('; ');

/**
 * The first failing column's name, for grouping rejections.
 *
 * @since 0.1.0
 */
export const failingColumn = (errors: t.Errors): string =>
  errors[0]?.context.map((x) => x.key).filter((k) => k !== '')[0] ?? '(row)';
