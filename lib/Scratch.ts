/**
 * Scratch columns: typed arrays the core reuses for its temporaries, call after call.
 *
 * Why: V8 counts the bytes of array buffers toward the heap, so allocating a few hundred MB of
 * short-lived columns per site (sort buffers, deltas, group indices) sets off a full garbage
 * collection every few dozen MB, and each one walks the whole heap; at ten million events that
 * was a fifth of the core's time. Reusing the buffers takes the allocation out of the loop.
 *
 * Rules, which keep this invisible from outside (the functions stay pure):
 * - a slot is a name; a function takes its slots at the start and stops using them before it
 *   returns; no two live uses share a slot (each caller has its own slot names, and a callee's
 *   slots are distinct from its caller's);
 * - what a slot gives is stale: callers write before they read (`zeroed` when they need 0s);
 * - never return a scratch array or keep it: outputs are always new arrays;
 * - requests above `MAX` elements get a fresh array (a giant site does not pin its peak memory
 *   for the rest of the process).
 *
 * @since 0.2.0
 */

/** Requests of more elements than this are never pooled. */
export const MAX = 1 << 21;

const f64 = new Map<string, Float64Array>();
const u32 = new Map<string, Uint32Array>();

const size = (n: number): number => {
  let c = 1024;
  while (c < n) c *= 2;
  return c;
};

/**
 * A `Float64Array` of length `n` for slot `slot` (stale contents).
 *
 * @since 0.2.0
 */
export const float64 = (slot: string, n: number): Float64Array => {
  if (n > MAX) return new Float64Array(n);
  let b = f64.get(slot);
  if (b === undefined || b.length < n) {
    b = new Float64Array(size(n));
    f64.set(slot, b);
  }
  return b.subarray(0, n);
};

/**
 * A `Uint32Array` of length `n` for slot `slot` (stale contents).
 *
 * @since 0.2.0
 */
export const uint32 = (slot: string, n: number): Uint32Array => {
  if (n > MAX) return new Uint32Array(n);
  let b = u32.get(slot);
  if (b === undefined || b.length < n) {
    b = new Uint32Array(size(n));
    u32.set(slot, b);
  }
  return b.subarray(0, n);
};

/**
 * A `Uint32Array` of length `n` for slot `slot`, filled with 0.
 *
 * @since 0.2.0
 */
export const zeroed = (slot: string, n: number): Uint32Array => uint32(slot, n).fill(0);

/**
 * Bytes held by the pooled slots (what the pool adds to the process's memory, at most).
 *
 * @since 0.2.0
 */
export const pooledBytes = (): number => {
  let n = 0;
  for (const b of f64.values()) n += b.byteLength;
  for (const b of u32.values()) n += b.byteLength;
  return n;
};

/**
 * Drops every pooled slot (the next request allocates again). For the shell, once a batch of
 * large calls is over: the pool holds up to a few dozen slots of up to `MAX` elements each
 * (about 120 MB after a 500k-event site), which a caller that goes on to other work need not keep.
 *
 * @since 0.2.0
 */
export const release = (): void => {
  f64.clear();
  u32.clear();
};
