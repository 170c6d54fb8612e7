/**
 * Sort permutations of numeric columns in linear time, for the columnar core's hot loops.
 *
 * The core sorts millions of instants (the sweep's deltas, a site's events). A comparator sort
 * calls back into JavaScript `n log n` times; here an LSD radix sort moves the keys with their
 * indices, a few passes of counting and scattering over typed arrays:
 * - instants are integers (epoch milliseconds), so `key - min` is an exact non-negative integer;
 *   up to 2^48 (any span of 8900 years) it takes at most 3 passes of 16 bits, and 2016-2026 in
 *   milliseconds takes 3 passes of 13 bits, or 2 of 15 when every instant is a whole second (as
 *   DATETIMEs are); keys move as two 32-bit words, so digits are integer shifts;
 * - anything else (a fraction, `NaN`, a span beyond 2^48, or a handful of keys) falls back to a
 *   comparator sort. The result is the same either way.
 *
 * Every sort here is **stable** and returns a permutation `p` (`keys[p[0]] <= keys[p[1]] <= ...`,
 * equal keys in input order), so callers can sort by a second key first and by a first key
 * after, and so the result never depends on the engine's sort algorithm.
 *
 * @since 0.2.0
 * @module
 */

import * as S from './Scratch';

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** Below this many keys the comparator sort is as fast and allocates less. */
const SMALL = 256;
const MAX_SPAN = 2 ** 48;

const identity = (n: number): Uint32Array => {
  const p = S.uint32('radix.identity', n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
};

/** Stable comparator sort of `order` (a permutation) by `keys`. */
const comparatorSort = (keys: ArrayLike<number>, order: Uint32Array): Uint32Array => {
  const a = Array.from(order);
  a.sort((x, y) => {
    const kx = keys[x];
    const ky = keys[y];
    // NaN last, then input order
    if (kx < ky) return -1;
    if (kx > ky) return 1;
    if (kx === ky) return 0;
    return Number.isNaN(kx) ? (Number.isNaN(ky) ? 0 : 1) : -1;
  });
  return Uint32Array.from(a);
};

// -------------------------------------------------------------------------------------
// sorting
// -------------------------------------------------------------------------------------

/**
 * The stable ascending permutation of `keys` (the first `n` of them).
 *
 * @example
 * sortIndex(Float64Array.of(30, 10, 20, 10)) // Uint32Array [1, 3, 2, 0]
 * @since 0.2.0
 */
export const sortIndex = (keys: ArrayLike<number>, n: number = keys.length): Uint32Array => reorder(keys, identity(n));

/**
 * `order` (a permutation of some of the indices of `keys`) stably sorted by `keys`: ties keep
 * their place in `order`. A new array; `order` is not mutated.
 *
 * @example
 * // by time, then stably by series: sort by time first, then by series
 * const p = reorder(series, sortIndex(times))
 * @since 0.2.0
 */
export const reorder = (keys: ArrayLike<number>, order: Uint32Array): Uint32Array => {
  const n = order.length;
  if (n < 2) return Uint32Array.from(order);
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  let seconds = true;
  for (let i = 0; i < n; i++) {
    const k = keys[order[i]];
    if (k < min) min = k;
    if (k > max) max = k;
    if (k !== Math.floor(k)) integral = false; // also false for NaN and infinities
    else if (k % 1000 !== 0) seconds = false;
  }
  if (min === max) return Uint32Array.from(order);
  if (!integral || n < SMALL || !(max - min < MAX_SPAN)) return comparatorSort(keys, order);
  // whole seconds (DATETIME has no fraction): sort k / 1000, the same order in 10 fewer bits
  const unit = seconds ? 1000 : 1;
  const span = (max - min) / unit;
  const bits = Math.ceil(Math.log2(span + 1));
  // keys as two unsigned ints (low and high 32 bits of key - min), moved along with the indices;
  // the working columns are scratch, the result is copied out
  const lo = S.uint32('radix.r.lo', n);
  const hi = S.uint32('radix.r.hi', n);
  const p = S.uint32('radix.r.p', n);
  for (let i = 0; i < n; i++) {
    const j = order[i];
    const k = (keys[j] - min) / unit;
    const l = k % 4294967296;
    lo[i] = l;
    hi[i] = (k - l) / 4294967296;
    p[i] = j;
  }
  return passes(lo, hi, p, bits, 'radix.r').payload.slice();
};

/**
 * Indices stably grouped by a small non-negative integer key (`groups[i] < size`): a counting
 * sort in one pass. Sorts `order` when given (a permutation of some indices), else `0..n-1`.
 * With `slot`, the result is that scratch slot (see `Scratch.ts`), for the core's temporaries.
 *
 * @example
 * groupIndex(Uint32Array.of(1, 0, 1, 0), 2) // [1, 3, 0, 2]
 * @since 0.2.0
 */
export const groupIndex = (groups: ArrayLike<number>, size: number, order?: Uint32Array, slot?: string): Uint32Array => {
  const n = order === undefined ? groups.length : order.length;
  const start = S.zeroed('radix.group.start', size + 1);
  if (order === undefined) for (let i = 0; i < n; i++) start[groups[i] + 1]++;
  else for (let i = 0; i < n; i++) start[groups[order[i]] + 1]++;
  for (let g = 0; g < size; g++) start[g + 1] += start[g];
  const out = slot === undefined ? new Uint32Array(n) : S.uint32(slot, n);
  if (order === undefined) for (let i = 0; i < n; i++) out[start[groups[i]]++] = i;
  else {
    for (let i = 0; i < n; i++) {
      const j = order[i];
      out[start[groups[j]]++] = j;
    }
  }
  return out;
};

/**
 * Where each group starts in `groupIndex(groups, size)`: group `g` is `offsets[g]` to
 * `offsets[g + 1]`. With `slot`, the result is that scratch slot.
 *
 * @example
 * groupOffsets(Uint32Array.of(1, 0, 1, 0), 2) // [0, 2, 4]
 * @since 0.2.0
 */
export const groupOffsets = (groups: ArrayLike<number>, size: number, slot?: string): Uint32Array => {
  const start = slot === undefined ? new Uint32Array(size + 1) : S.zeroed(slot, size + 1);
  for (let i = 0; i < groups.length; i++) start[groups[i] + 1]++;
  for (let g = 0; g < size; g++) start[g + 1] += start[g];
  return start;
};

/**
 * Keys given as two 32-bit words (`hi * 2^32 + lo`, below `2^bits`, `bits <= 48`) sorted
 * ascending with a payload, stably. Sorts in place or into second buffers: use the arrays it
 * returns, not the ones given.
 *
 * @since 0.2.0
 */
export const sortWords = (
  lo: Uint32Array,
  hi: Uint32Array,
  payload: Float64Array,
  bits: number,
): { readonly lo: Uint32Array; readonly hi: Uint32Array; readonly payload: Float64Array } => passes(lo, hi, payload, bits, undefined);

/**
 * `sortWords` with its second buffers in scratch slots (`radix.*`): what it returns may be
 * scratch, so the caller reads it before its next call to this module and keeps none of it.
 * For the core's own temporaries only.
 *
 * @since 0.2.0
 */
export const sortWordsInScratch = (
  lo: Uint32Array,
  hi: Uint32Array,
  payload: Float64Array,
  bits: number,
): { readonly lo: Uint32Array; readonly hi: Uint32Array; readonly payload: Float64Array } => passes(lo, hi, payload, bits, 'radix.w');

/**
 * The LSD passes of every radix sort here: keys as two 32-bit words, `bits` of them significant,
 * moved with their payload. Second buffers come from scratch slots under `slot` (or are new when
 * `slot` is undefined); the result is in whichever buffers hold it last.
 */
const passes = <P extends Float64Array | Uint32Array>(
  lo: Uint32Array,
  hi: Uint32Array,
  payload: P,
  bits: number,
  slot: string | undefined,
): { readonly lo: Uint32Array; readonly hi: Uint32Array; readonly payload: P } => {
  const n = lo.length;
  if (n < 2 || bits <= 0) return { lo, hi, payload };
  const count = Math.ceil(bits / 16);
  const width = Math.ceil(bits / count);
  const buckets = 1 << width;
  const mask = buckets - 1;
  const u32 = (name: string, k: number): Uint32Array => (slot === undefined ? new Uint32Array(k) : S.uint32(`${slot}.${name}`, k));
  const histogram = u32('count', buckets);
  const digits = u32('digits', n);
  let lo2 = u32('lo2', n);
  let hi2 = u32('hi2', n);
  let pay = payload;
  let pay2 = (payload instanceof Float64Array
    ? slot === undefined
      ? new Float64Array(n)
      : S.float64(`${slot}.pay2`, n)
    : u32('pay2', n)) as P;
  for (let pass = 0; pass < count; pass++) {
    const shift = pass * width;
    // the digit of each key: from the low word, the high word, or across both
    if (shift + width <= 32) for (let i = 0; i < n; i++) digits[i] = (lo[i] >>> shift) & mask;
    else if (shift >= 32) for (let i = 0; i < n; i++) digits[i] = (hi[i] >>> (shift - 32)) & mask;
    else for (let i = 0; i < n; i++) digits[i] = ((lo[i] >>> shift) | (hi[i] << (32 - shift))) & mask;
    histogram.fill(0);
    for (let i = 0; i < n; i++) histogram[digits[i]]++;
    // a pass where every key has the same digit changes nothing
    if (histogram[digits[0]] === n) continue;
    let sum = 0;
    for (let d = 0; d < buckets; d++) {
      const c = histogram[d];
      histogram[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = histogram[digits[i]]++;
      lo2[at] = lo[i];
      hi2[at] = hi[i];
      pay2[at] = pay[i];
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
    [pay, pay2] = [pay2, pay];
  }
  return { lo, hi, payload: pay };
};

/**
 * Keys (integers in `[0, 2^48)`) sorted ascending together with a payload, stably: new arrays
 * `keys` and `payload` in key order. The keys move with their payload through every pass, so
 * the caller reads the result sequentially (no permutation to chase). Keys outside the range
 * are a broken invariant and throw.
 *
 * @example
 * sortWithPayload(Float64Array.of(3, 1, 2), Float64Array.of(30, 10, 20)) // keys [1, 2, 3], payload [10, 20, 30]
 * @since 0.2.0
 */
export const sortWithPayload = (keys: Float64Array, payload: Float64Array): { readonly keys: Float64Array; readonly payload: Float64Array } => {
  const n = keys.length;
  let max = 0;
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    if (!(k >= 0 && k < MAX_SPAN && k === Math.floor(k))) throw new Error(`sortWithPayload: key ${k} is not an integer in [0, 2^48)`);
    if (k > max) max = k;
    const l = k % 4294967296;
    lo[i] = l;
    hi[i] = (k - l) / 4294967296;
  }
  const r = sortWords(lo, hi, Float64Array.from(payload), max > 0 ? Math.ceil(Math.log2(max + 1)) : 0);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = r.hi[i] * 4294967296 + r.lo[i];
  return { keys: out, payload: r.payload };
};
