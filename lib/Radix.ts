/**
 * Sort permutations of numeric columns in linear time, for the columnar core's hot loops.
 *
 * The core sorts millions of instants (the sweep's deltas, a site's events). A comparator sort
 * calls back into JavaScript `n log n` times; here an LSD radix sort moves the keys with their
 * indices, a few passes of counting and scattering over typed arrays:
 * - instants are integers (epoch milliseconds), so `key - min` is an exact non-negative integer;
 *   up to 2^48 (any span of 8900 years) it takes at most 3 passes of 16 bits, and 2016-2026 in
 *   milliseconds takes 3 passes of 13 bits;
 * - anything else (a fraction, `NaN`, a span beyond 2^48, or a handful of keys) falls back to a
 *   comparator sort. The result is the same either way.
 *
 * Every sort here is **stable** and returns a permutation `p` (`keys[p[0]] <= keys[p[1]] <= ...`,
 * equal keys in input order), so callers can sort by a second key first and by a first key
 * after, and so the result never depends on the engine's sort algorithm.
 *
 * @since 0.2.0
 */

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** Below this many keys the comparator sort is as fast and allocates less. */
const SMALL = 256;
const MAX_SPAN = 2 ** 48;

const identity = (n: number): Uint32Array => {
  const p = new Uint32Array(n);
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
  for (let i = 0; i < n; i++) {
    const k = keys[order[i]];
    if (k < min) min = k;
    if (k > max) max = k;
    if (k !== Math.floor(k)) integral = false; // also false for NaN and infinities
  }
  if (min === max) return Uint32Array.from(order);
  const span = max - min;
  if (!integral || n < SMALL || !(span < MAX_SPAN)) return comparatorSort(keys, order);
  const bits = Math.ceil(Math.log2(span + 1));
  const passes = Math.ceil(bits / 16);
  const width = Math.ceil(bits / passes);
  // below 2^32 the digits come from one unsigned int; above, from the float itself
  const small = span < 4294967296;
  let k = new Float64Array(n);
  let p = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const j = order[i];
    k[i] = keys[j] - min;
    p[i] = j;
  }
  let k2 = new Float64Array(n);
  let p2 = new Uint32Array(n);
  const buckets = 1 << width;
  const mask = buckets - 1;
  const count = new Uint32Array(buckets);
  for (let pass = 0; pass < passes; pass++) {
    const shift = pass * width;
    const div = 2 ** shift;
    count.fill(0);
    if (small) for (let i = 0; i < n; i++) count[(k[i] >>> shift) & mask]++;
    else for (let i = 0; i < n; i++) count[Math.floor(k[i] / div) % buckets]++;
    // a pass where every key has the same digit changes nothing
    let skip = false;
    for (let d = 0; d < buckets; d++) {
      if (count[d] === n) skip = true;
      if (count[d] !== 0) break;
    }
    if (skip) continue;
    let sum = 0;
    for (let d = 0; d < buckets; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    if (small) {
      for (let i = 0; i < n; i++) {
        const at = count[(k[i] >>> shift) & mask]++;
        k2[at] = k[i];
        p2[at] = p[i];
      }
    } else {
      for (let i = 0; i < n; i++) {
        const at = count[Math.floor(k[i] / div) % buckets]++;
        k2[at] = k[i];
        p2[at] = p[i];
      }
    }
    [k, k2] = [k2, k];
    [p, p2] = [p2, p];
  }
  return p;
};

/**
 * Indices stably grouped by a small non-negative integer key (`groups[i] < size`): a counting
 * sort in one pass. Sorts `order` when given (a permutation of some indices), else `0..n-1`.
 *
 * @example
 * groupIndex(Uint32Array.of(1, 0, 1, 0), 2) // [1, 3, 0, 2]
 * @since 0.2.0
 */
export const groupIndex = (groups: ArrayLike<number>, size: number, order?: Uint32Array): Uint32Array => {
  const n = order === undefined ? groups.length : order.length;
  const start = new Uint32Array(size + 1);
  if (order === undefined) for (let i = 0; i < n; i++) start[groups[i] + 1]++;
  else for (let i = 0; i < n; i++) start[groups[order[i]] + 1]++;
  for (let g = 0; g < size; g++) start[g + 1] += start[g];
  const out = new Uint32Array(n);
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
 * `offsets[g + 1]`.
 *
 * @example
 * groupOffsets(Uint32Array.of(1, 0, 1, 0), 2) // [0, 2, 4]
 * @since 0.2.0
 */
export const groupOffsets = (groups: ArrayLike<number>, size: number): Uint32Array => {
  const start = new Uint32Array(size + 1);
  for (let i = 0; i < groups.length; i++) start[groups[i] + 1]++;
  for (let g = 0; g < size; g++) start[g + 1] += start[g];
  return start;
};
