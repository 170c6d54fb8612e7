/**
 * Dense ids for integer keys, without allocating per lookup.
 *
 * A `Map<number, number>` boxes every key above 2^31 into a heap number: the composite keys of
 * the columnar core (`a * 2^26 + b`, pairs of string ids) would allocate once per row and per
 * lookup. This table keeps keys in a `Float64Array` with open addressing (linear probing) and
 * numbers them 0, 1, 2, ... in first-seen order.
 *
 * Keys must be integers in `[0, 2^53)`; anything else is a broken invariant and throws.
 *
 * @since 0.2.0
 */

import * as S from './Scratch';

const EMPTY = -1;

/**
 * @example
 * const ids = new NumberIds()
 * ids.intern(2 ** 40 + 7) // 0
 * ids.intern(5) // 1
 * ids.get(2 ** 40 + 7) // 0
 * ids.get(6) // -1
 * @since 0.2.0
 */
export class NumberIds {
  private keys: Float64Array;
  private ids: Int32Array;
  private mask: number;
  /** Keys interned so far (the next id). */
  size = 0;

  /**
   * With `scratch`, the table lives in scratch slots (see `Scratch.ts`): for a table used within one
   * call of the core and dropped before the next table of the same slot is made.
   */
  constructor(
    capacity = 16,
    private readonly scratch?: string,
  ) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.keys = this.floats(cap);
    this.ids = this.ints(cap);
    this.mask = cap - 1;
  }

  private floats(cap: number): Float64Array {
    return this.scratch === undefined ? new Float64Array(cap) : S.float64(`${this.scratch}.keys`, cap);
  }

  private ints(cap: number): Int32Array {
    if (this.scratch === undefined) return new Int32Array(cap).fill(EMPTY);
    const u = S.uint32(`${this.scratch}.ids`, cap);
    return new Int32Array(u.buffer, u.byteOffset, cap).fill(EMPTY);
  }

  private slot(k: number): number {
    // mix the high and low halves (k < 2^53), then probe linearly
    const lo = k % 4294967296;
    const hi = (k - lo) / 4294967296;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    let s = h & this.mask;
    while (this.ids[s] !== EMPTY && this.keys[s] !== k) s = (s + 1) & this.mask;
    return s;
  }

  private grow(): void {
    // the old table is copied out first: in scratch, the new one may reuse its slot
    const keys = this.keys.slice();
    const ids = this.ids.slice();
    const cap = keys.length * 2;
    this.keys = this.floats(cap);
    this.ids = this.ints(cap);
    this.mask = cap - 1;
    for (let s = 0; s < keys.length; s++) {
      if (ids[s] === EMPTY) continue;
      const t = this.slot(keys[s]);
      this.keys[t] = keys[s];
      this.ids[t] = ids[s];
    }
  }

  /** The id of `k`, a new one if unseen. */
  intern(k: number): number {
    if (!(k >= 0 && k < 9007199254740992 && k === Math.floor(k))) throw new Error(`NumberIds: not an integer key in [0, 2^53): ${k}`);
    let s = this.slot(k);
    if (this.ids[s] !== EMPTY) return this.ids[s];
    if (this.size * 2 >= this.keys.length) {
      this.grow();
      s = this.slot(k);
    }
    this.keys[s] = k;
    this.ids[s] = this.size;
    return this.size++;
  }

  /** The id of `k`, or -1. */
  get(k: number): number {
    if (!(k >= 0 && k < 9007199254740992)) return -1;
    return this.ids[this.slot(k)];
  }
}
