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
 * **Fast paths.** Every row of every source is decoded here (about 1.2M rows per 1M events), and
 * io-ts's `t.type` allocates on each one a context array and an `Either` per property (plus
 * `mergeAll` copies for intersections and a context per array element): a fifth of the read's
 * allocations. So each codec of this module also has `fast`, a decoder that returns the value
 * `validate` succeeds with, or {@link FAIL} exactly where `validate` fails, and allocates
 * nothing but the decoded value (dates go through `Time.fromIsoNullable`, no `Option`). The row
 * combinators {@link struct}, {@link readonlyArrayOf} and {@link keyOf} build real io-ts codecs
 * (`t.type`, `t.readonlyArray`, `t.keyof` instances, so `decode`, `is`, `encode`, `name` and
 * `props` work as before) whose `validate` runs the fast path and, where it fails, the plain
 * io-ts codec: errors, and the rejections that quote them, are io-ts's own.
 * `__tests__/adapters.codecs.test.ts` checks every codec against its plain io-ts definition on
 * generated rows.
 *
 * @since 0.1.0
 * @module
 */
import * as O from 'fp-ts/Option';
import * as t from 'io-ts';
import * as T from '../lib/Time';

// -------------------------------------------------------------------------------------
// fast paths
// -------------------------------------------------------------------------------------

/**
 * What a fast path returns where `validate` fails. A symbol, so no decoded value can be it.
 *
 * @category fast paths
 * @since 0.1.0
 */
export const FAIL: unique symbol = Symbol('codecs.FAIL');

/** @category fast paths @since 0.1.0 */
export type Fail = typeof FAIL;

/**
 * A codec's fast path: the value its `validate` succeeds with, or {@link FAIL} where it fails,
 * with no `Either`, no context and no error built.
 *
 * @category fast paths
 * @since 0.1.0
 */
export interface Fast<A> {
/** Decodes `u`, or returns `Fail` where `validate` would fail (no error list built). */
  readonly fast: (u: unknown) => A | Fail;
}

/** An io-ts codec from `unknown` with a fast path. @category fast paths @since 0.1.0 */
export type FastType<A, O = A> = t.Type<A, O, unknown> & Fast<A>;

/**
 * A struct's fast path for a row the caller owns (a row the driver just made, that nobody else
 * holds): the same decoded value as `fast`, written into the row itself instead of a copy. The
 * columns are all decoded first, so a row that fails is left exactly as it was (its errors come
 * from `decode`). The runner decodes every source row this way: the copy per row was 0.8 s of
 * CPU and most of the garbage of CHI@TACC's read at Chameleon's real size.
 *
 * @category fast paths
 * @since 0.5.0
 */
export interface FastOwned<A> {
  /** Decodes `u` into `u` itself (it must be the caller's own object), or returns `Fail` and leaves it as it was. */
  readonly fastOwned: (u: unknown) => A | Fail;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Errors are never built on a fast path, so any context will do; this one is never read. */
const NO_CONTEXT: t.Context = [];

/**
 * The fast path of any codec: its own, or one made from `validate` (which allocates as io-ts
 * does, so only for codecs off the hot path).
 *
 * @example
 * fastOf(Int)('42') // 42
 * fastOf(t.string)(1) // FAIL
 * @category fast paths
 * @since 0.1.0
 */
export const fastOf = <A>(codec: t.Type<A, unknown, unknown>): ((u: unknown) => A | Fail) => {
  const own = (codec as Partial<Fast<A>>).fast;
  if (typeof own === 'function') return own;
  return (u) => {
    const r = codec.validate(u, NO_CONTEXT);
    return r._tag === 'Left' ? FAIL : r.right;
  };
};

/** `validate` by `fast`, and by `plain` (whose errors are the reference) where `fast` fails. */
const validateBy =
  <A>(fast: (u: unknown) => A | Fail, plain: t.Decoder<unknown, A>): t.Validate<unknown, A> =>
  (u, c) => {
    const a = fast(u);
    return a === FAIL ? plain.validate(u, c) : t.success(a);
  };

/**
 * Gives a codec built on `plain` its fast path, and a `decode` that builds the root context only
 * when it fails (io-ts's `decode` builds it for every row).
 */
const fastened = <C extends t.Type<A, unknown, unknown>, A>(codec: C, plain: t.Decoder<unknown, A>, fast: (u: unknown) => A | Fail): C & Fast<A> =>
  Object.assign(codec, {
    fast,
    decode: (u: unknown): t.Validation<A> => {
      const a = fast(u);
      return a === FAIL ? plain.validate(u, [{ key: '', type: codec, actual: u }]) : t.success(a);
    },
  });

/**
 * A primitive codec: `fast` is the decoder, `validate` reports where it fails with `reason(u)`.
 * One implementation serves both.
 */
const primitive = <A, O>(
  name: string,
  is: t.Is<A>,
  fast: (u: unknown) => A | Fail,
  reason: (u: unknown) => string,
  encode: t.Encode<A, O>,
): FastType<A, O> =>
  Object.assign(
    new t.Type<A, O, unknown>(
      name,
      is,
      (u, c) => {
        const a = fast(u);
        return a === FAIL ? t.failure(u, c, reason(u)) : t.success(a);
      },
      encode,
    ),
    { fast },
  );

// -------------------------------------------------------------------------------------
// primitives
// -------------------------------------------------------------------------------------

const utcDate = (u: unknown): T.Millis | null | Fail => {
  if (u === null || u === undefined) return null;
  if (typeof u === 'string') return T.fromIsoNullable(u);
  if (u instanceof Date) return O.toNullable(T.fromDate(u));
  if (typeof u === 'number') return O.toNullable(T.fromNumber(u));
  return FAIL;
};

/**
 * DATETIME as UTC millis; zero or unparseable dates decode to `null`, never fail.
 *
 * @since 0.1.0
 */
export const UtcDate: FastType<T.Millis | null, string | null> = primitive(
  'UtcDate',
  (u): u is T.Millis | null => u === null || (typeof u === 'number' && Number.isInteger(u)),
  utcDate,
  () => 'expected a DATETIME (string, Date or epoch millis)',
  (a) => (a === null ? null : T.toIso(a)),
);

/**
 * A required DATETIME: as `UtcDate`, but NULL, zero and unparseable dates fail.
 *
 * @since 0.1.0
 */
export const RequiredUtcDate: FastType<T.Millis, string> = primitive(
  'RequiredUtcDate',
  (u): u is T.Millis => typeof u === 'number' && Number.isInteger(u),
  (u) => {
    const d = utcDate(u);
    return d === null ? FAIL : d;
  },
  (u) => (utcDate(u) === FAIL ? 'expected a DATETIME (string, Date or epoch millis)' : 'expected a valid date, got NULL or a zero date'),
  (a) => T.toIso(a),
);

const INTEGER_TEXT = /^-?\d+(\.0*)?$/;

/**
 * An integer from a number, a numeric string (BIGINT, DECIMAL with no fraction) or a bigint.
 *
 * @since 0.1.0
 */
export const Int: FastType<number> = primitive(
  'Int',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u),
  (u) => {
    const n = typeof u === 'bigint' ? Number(u) : typeof u === 'string' && INTEGER_TEXT.test(u.trim()) ? Number(u) : u;
    return typeof n === 'number' && Number.isSafeInteger(n) ? n : FAIL;
  },
  () => 'expected an integer',
  t.identity,
);

/**
 * A finite number from a number or a numeric string (DECIMAL, FLOAT as text).
 *
 * @since 0.1.0
 */
export const Num: FastType<number> = primitive(
  'Num',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u) => {
    const n = typeof u === 'bigint' ? Number(u) : typeof u === 'string' && u.trim() !== '' ? Number(u) : u;
    return typeof n === 'number' && Number.isFinite(n) ? n : FAIL;
  },
  () => 'expected a number',
  t.identity,
);

/**
 * TINYINT(1) as a boolean.
 *
 * @since 0.1.0
 */
export const Bool: FastType<boolean, number> = primitive(
  'Bool',
  (u): u is boolean => typeof u === 'boolean',
  (u) => {
    if (typeof u === 'boolean') return u;
    if (u === 0 || u === '0' || u === 0n) return false;
    if (u === 1 || u === '1' || u === 1n) return true;
    return FAIL;
  },
  () => 'expected a TINYINT(1) boolean',
  (b) => (b ? 1 : 0),
);

/**
 * Text from a string, a Buffer or a number.
 *
 * @since 0.1.0
 */
export const Str: FastType<string> = primitive(
  'Str',
  (u): u is string => typeof u === 'string',
  (u) => {
    if (typeof u === 'string') return u;
    if (Buffer.isBuffer(u)) return u.toString('utf8');
    if ((typeof u === 'number' && Number.isFinite(u)) || typeof u === 'bigint') return String(u);
    return FAIL;
  },
  () => 'expected text',
  t.identity,
);

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * A nullable column of codec `c` (NULL and undefined decode to `null`).
 *
 * @since 0.1.0
 */
export const nullable = <A, O>(c: t.Type<A, O, unknown>): FastType<A | null, O | null> => {
  const inner = fastOf(c);
  const fast = (u: unknown): A | null | Fail => (u === null || u === undefined ? null : inner(u));
  return Object.assign(
    new t.Type<A | null, O | null, unknown>(
      `${c.name} | null`,
      (u): u is A | null => u === null || c.is(u),
      // where the fast path fails, u is neither NULL nor undefined: c says why
      (u, ctx) => {
        const a = fast(u);
        return a === FAIL ? c.validate(u, ctx) : t.success(a);
      },
      (a) => (a === null ? null : c.encode(a)),
    ),
    { fast },
  );
};

/**
 * The copy `t.type` makes (`Object.assign({}, o)`), by a spread where that is the same: V8
 * clones a spread source's layout in one allocation, while `Object.assign` grows the copy
 * property by property (a third of the decoded rows' bytes, measured on instance rows). They
 * differ only on an own `__proto__` property, which `Object.assign` sets as the prototype.
 */
const copy = (o: Record<string, unknown>): Record<string, unknown> => (hasOwn.call(o, '__proto__') ? Object.assign({}, o) : { ...o });

/**
 * `t.type(props)` with a fast path: the same decoded rows (a copy of the input with the decoded
 * columns, made only when a column's value changes; extra properties kept), the same errors and
 * name. The fast path reads the columns in order and stops at the first that fails; `validate`
 * then runs `t.type`, which names every failing column.
 *
 * @example
 * struct({ id: Int, at: UtcDate }).decode({ id: '7', at: '2024-01-01 00:00:00', x: 1 })
 * // right({ id: 7, at: 1704067200000, x: 1 })
 * @category combinators
 * @since 0.1.0
 */
export const struct = <P extends t.Props>(props: P, name?: string): t.TypeC<P> & Fast<t.TypeOf<t.TypeC<P>>> & FastOwned<t.TypeOf<t.TypeC<P>>> => {
  type A = t.TypeOf<t.TypeC<P>>;
  const plain = t.type(props, name);
  const keys = Object.keys(props);
  const fasts = keys.map((k) => fastOf(props[k]));
  const len = keys.length;
  // the loop of t.type's validate, without contexts or Eithers
  const fast = (u: unknown): A | Fail => {
    if (u === null || typeof u !== 'object' || Array.isArray(u)) return FAIL;
    const o = u as Record<string, unknown>;
    let a = o;
    for (let i = 0; i < len; i++) {
      const k = keys[i];
      const ak = a[k];
      const vak = fasts[i](ak);
      if (vak === FAIL) return FAIL;
      if (vak !== ak || (vak === undefined && !hasOwn.call(a, k))) {
        if (a === o) a = copy(o);
        a[k] = vak;
      }
    }
    return a as A;
  };
  // the decoded columns of the row being decoded in place, before any is written back
  const scratch: unknown[] = new Array(len);
  const fastOwned = (u: unknown): A | Fail => {
    if (u === null || typeof u !== 'object' || Array.isArray(u)) return FAIL;
    const o = u as Record<string, unknown>;
    for (let i = 0; i < len; i++) {
      const v = fasts[i](o[keys[i]]);
      if (v === FAIL) return FAIL;
      scratch[i] = v;
    }
    for (let i = 0; i < len; i++) {
      const k = keys[i];
      const v = scratch[i];
      scratch[i] = undefined;
      if (v !== o[k] || (v === undefined && !hasOwn.call(o, k))) o[k] = v;
    }
    return o as A;
  };
  const codec = new t.InterfaceType<P, A, t.OutputOf<t.TypeC<P>>, unknown>(plain.name, plain.is, validateBy(fast, plain), plain.encode, props);
  return Object.assign(fastened(codec, plain, fast), { fastOwned });
};

/**
 * `t.readonlyArray(item)` with a fast path: the input array itself when no element changes,
 * else one copy; the same errors (per element) and name.
 *
 * @category combinators
 * @since 0.1.0
 */
export const readonlyArrayOf = <C extends t.Mixed>(item: C, name?: string): t.ReadonlyArrayC<C> & Fast<ReadonlyArray<t.TypeOf<C>>> => {
  type A = ReadonlyArray<t.TypeOf<C>>;
  const plain = t.readonlyArray(item, name);
  const each = fastOf<t.TypeOf<C>>(item);
  const fast = (u: unknown): A | Fail => {
    if (!Array.isArray(u)) return FAIL;
    const us: unknown[] = u;
    let as = us;
    for (let i = 0; i < us.length; i++) {
      const ui = us[i];
      const ai = each(ui);
      if (ai === FAIL) return FAIL;
      if (ai !== ui) {
        if (as === us) as = us.slice();
        as[i] = ai;
      }
    }
    return as;
  };
  const codec = new t.ReadonlyArrayType<C, A, ReadonlyArray<t.OutputOf<C>>, unknown>(plain.name, plain.is, validateBy(fast, plain), plain.encode, item);
  return fastened(codec, plain, fast);
};

/**
 * `t.keyof(keys)` with a fast path (a string that is an own key of `keys`).
 *
 * @category combinators
 * @since 0.1.0
 */
export const keyOf = <D extends Record<string, unknown>>(keys: D, name?: string): t.KeyofC<D> & Fast<keyof D> => {
  const plain = t.keyof(keys, name);
  const fast = (u: unknown): keyof D | Fail => (typeof u === 'string' && hasOwn.call(keys, u) ? u : FAIL);
  const codec = new t.KeyofType<D>(plain.name, plain.is, validateBy(fast, plain), plain.encode, keys);
  return fastened(codec, plain, fast);
};

/**
 * Any io-ts codec with a fast path given by hand, for shapes the combinators above do not
 * build (a union). `fast` must succeed exactly where `plain.validate` does, with the same value;
 * where it fails, `plain` decodes and names the errors. Keeps `plain`'s name, `is` and `encode`.
 *
 * @example
 * const HostIds = readonlyArrayOf(Str)
 * withFast(t.union([t.null, HostIds]), (u) => (u === null ? null : HostIds.fast(u)))
 * @category combinators
 * @since 0.1.0
 */
export const withFast = <A, O>(plain: t.Type<A, O, unknown>, fast: (u: unknown) => A | Fail): FastType<A, O> =>
  fastened(new t.Type<A, O, unknown>(plain.name, plain.is, validateBy(fast, plain), plain.encode), plain, fast);

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

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
