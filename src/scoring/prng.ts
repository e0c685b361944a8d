/**
 * Seeded randomness for scoring, specified bit for bit so an auditor reproduces it on any machine
 * (and in any language): no Math.random, no platform-dependent floating point.
 *
 * - SplitMix64 (Steele, Lea, Flood 2014; the reference `splitmix64.c` by Vigna), in BigInt: used for
 *   seeding and for the small shuffles of bracket groups.
 * - xoshiro128** 1.0 (Blackman, Vigna), 32-bit integer ops only: the fast generator behind the
 *   bootstrap (millions of draws), seeded from two SplitMix64 outputs.
 * - FNV-1a 64 over UTF-8 bytes: turns a text seed (e.g. a tournament seed) into 64 bits.
 *
 * Pure: no Nest, TypeORM or IO imports.
 */

const MASK64 = (1n << 64n) - 1n;
const GAMMA = 0x9e3779b97f4a7c15n;

/** SplitMix64. `next()` returns the next output as an unsigned 64-bit bigint. */
export class SplitMix64 {
  private state: bigint;

  constructor(seed: bigint) {
    this.state = BigInt.asUintN(64, seed);
  }

  next(): bigint {
    this.state = (this.state + GAMMA) & MASK64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }

  /** Uniform double in [0, 1): the top 53 bits of `next()` divided by 2^53. */
  nextDouble(): number {
    return Number(this.next() >> 11n) / 9007199254740992;
  }

  /** Uniform integer in [0, bound) as `next() mod bound` (bias below 2^-40 for bound < 2^24). */
  nextBelow(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 2 ** 32) throw new RangeError(`bad bound ${bound}`);
    return Number(this.next() % BigInt(bound));
  }
}

// Read once: a global read in the generator (called millions of times by the boss gate's bootstrap)
// is a slow lookup where the global object is a vm context's, as in every jest suite.
const { imul, floor } = Math;

/** xoshiro128** 1.0; `next()` returns an unsigned 32-bit integer. */
export class Xoshiro128StarStar {
  /**
   * s0..s3 in a Uint32Array: stores wrap to 32 bits by themselves, and V8 keeps the words unboxed
   * (as plain fields, values of 2^31 and above were boxed doubles: ten times slower; the boss gate's
   * bootstrap draws millions).
   */
  private readonly s = new Uint32Array(4);

  /** State words (s0, s1) = high, low halves of SplitMix64(seed)'s 1st output; (s2, s3) of its 2nd. */
  constructor(seed: bigint) {
    const sm = new SplitMix64(seed);
    const a = sm.next();
    const b = sm.next();
    this.s[0] = Number(a >> 32n);
    this.s[1] = Number(a & 0xffffffffn);
    this.s[2] = Number(b >> 32n);
    this.s[3] = Number(b & 0xffffffffn);
    // An all-zero state would stay zero forever; SplitMix64 never gives two zero outputs in a row,
    // so this cannot happen, but say so rather than loop silently.
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) throw new Error('xoshiro128** seeded with all zeros');
  }

  next(): number {
    const s = this.s;
    const s1 = s[1];
    const result = imul(rotl(imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s[2] ^= s[0];
    s[3] ^= s1;
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /**
   * Uniform-ish integer in [0, bound) by multiply-shift: floor(next() * bound / 2^32). Exact in
   * doubles for bound <= 2^21 (the product stays below 2^53); bias at most bound / 2^32.
   */
  nextBelow(bound: number): number {
    return floor((this.next() * bound) / 4294967296);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** FNV-1a, 64-bit, over the UTF-8 bytes of `text`. */
export function fnv1a64(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

/** Parses a published "0x" + 16 hex digit seed. */
export function parseSeed64(hex: string): bigint {
  if (!/^0x[0-9a-fA-F]{1,16}$/.test(hex)) throw new RangeError(`seed must be 0x + up to 16 hex digits, got ${hex}`);
  return BigInt(hex);
}

/** Deterministic Fisher-Yates shuffle (copy) driven by SplitMix64: for i = n-1..1, j = nextBelow(i+1). */
export function seededShuffle<T>(items: readonly T[], seed: bigint): T[] {
  const out = items.slice();
  const rng = new SplitMix64(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.nextBelow(i + 1);
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}
