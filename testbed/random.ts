/**
 * A seeded pseudo-random generator for the synthetic testbed: the same seed gives the same
 * sequence on every platform and Node version, so the same seed gives the same testbed.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG, 128-bit state, 32-bit
 * integer arithmetic only: no floating-point rounding that could differ between machines), seeded
 * through splitmix32 so that nearby seeds give unrelated streams.
 *
 * Invariants:
 * - `next()` is in `[0, 1)`, from 32 random bits;
 * - `fork(label)` gives an independent stream that depends only on the parent's seed and the
 *   label, not on how many numbers the parent has drawn: adding draws to one part of the
 *   simulation (a site, a generation) does not reshuffle the others.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A stream of pseudo-random numbers. @category model @since 0.1.0 */
export interface Random {
  /** Uniform in `[0, 1)`. */
  next(): number;
  /** Uniform integer in `[lo, hi]`. */
  int(lo: number, hi: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element, uniformly. */
  pick<A>(xs: ReadonlyArray<A>): A;
  /** One element, with probability proportional to its weight. */
  weighted<A>(xs: ReadonlyArray<readonly [A, number]>): A;
  /** Exponential with the given mean. */
  exp(mean: number): number;
  /** Log-normal with the given median and log-space standard deviation. */
  logNormal(median: number, sigma: number): number;
  /** A uuid-shaped id (version 4 layout), from this stream. */
  uuid(): string;
  /** `n` lowercase hex digits. */
  hex(n: number): string;
  /** An independent stream named `label`. */
  fork(label: string): Random;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** FNV-1a of a string, 32 bits. */
const hash32 = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
};

const splitmix32 = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t = t ^ (t >>> 15);
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
};

/**
 * A stream from a numeric seed (and an optional label, for forks).
 *
 * @example
 * const r = random(42)
 * r.int(1, 6) // the same die roll on every machine
 * @category constructors
 * @since 0.1.0
 */
export const random = (seed: number, label = ''): Random => {
  const base = hash32(`${seed}/${label}`);
  const sm = splitmix32(base);
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // warm up: the first outputs of sfc32 are correlated with the seed
  for (let i = 0; i < 12; i++) u32();
  const next = (): number => u32() / 4294967296;
  const hex = (n: number): string => {
    let s = '';
    while (s.length < n) s += u32().toString(16).padStart(8, '0');
    return s.slice(0, n);
  };
  const self: Random = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    weighted: (xs) => {
      let total = 0;
      for (const [, w] of xs) total += w;
      let x = next() * total;
      for (const [v, w] of xs) {
        x -= w;
        if (x < 0) return v;
      }
      return xs[xs.length - 1][0];
    },
    exp: (mean) => -Math.log(1 - next()) * mean,
    logNormal: (median, sigma) => {
      // Box-Muller; 1 - next() is in (0, 1], so the log is finite
      const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      return median * Math.exp(sigma * z);
    },
    uuid: () => {
      const h = hex(32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[u32() & 3]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    hex,
    fork: (l) => random(seed, `${label}/${l}`),
  };
  return self;
};
