import { ValidationError } from './errors.js';

/**
 * Seeded pseudo-random numbers: **xoshiro128\*\*** (Blackman & Vigna, 2018) on 32-bit words, its
 * 128-bit state filled by **SplitMix32** from the seed.
 *
 * Only integer operations (`Math.imul`, shifts, xor) and IEEE-754 basic arithmetic (+, −, ×, ÷, √)
 * are used — including the logarithm in the normal sampler, which is computed here by a series
 * instead of `Math.log` (whose last bit may differ between JavaScript engines) — so a seed gives the
 * same numbers in Node and every browser.
 */
export const RANDOM_ALGORITHM =
  'xoshiro128** seeded by splitmix32; normals by the Marsaglia polar method';

const TWO32 = 4294967296;
const LN2 = Math.LN2;
/** ln 2 split for exact argument reduction (fdlibm): LN2_HI ends in 21 zero bits, so k·LN2_HI is exact for |k| < 2^11. */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * e^x from basic arithmetic only (bit-identical across engines, as {@link portableLog}): x = k·ln 2 + r
 * with |r| ≤ ln 2 / 2, e^r by its Taylor series (18 terms reach 1e-20), then exact scalings by 2.
 */
export function portableExp(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x > 709.8) return Number.POSITIVE_INFINITY;
  if (x < -745.2) return 0;
  const k = Math.round(x / LN2);
  // r = x − k·ln 2 in two parts (Cody–Waite) so that r keeps its low bits for large |x|.
  const r = x - k * LN2_HI - k * LN2_LO;
  let term = 1;
  let sum = 1;
  for (let i = 1; i < 19; i++) {
    term *= r / i;
    sum += term;
  }
  // 2^k in two steps so that neither overflows nor underflows before the product.
  const half = Math.trunc(k / 2);
  return sum * 2 ** half * 2 ** (k - half);
}

/** One SplitMix32 step: returns [newState, output]. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [s, (z ^ (z >>> 15)) >>> 0];
}

/** Natural logarithm from basic arithmetic only (bit-identical across engines), for x > 0. */
export function portableLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) {
    if (x === 0) return Number.NEGATIVE_INFINITY;
    if (x === Number.POSITIVE_INFINITY) return x;
    return Number.NaN;
  }
  let m = x;
  let e = 0;
  // Bring m into [1/√2, √2): exact scalings by powers of two.
  while (m >= Math.SQRT2) {
    m *= 0.5;
    e++;
  }
  while (m < Math.SQRT1_2) {
    m *= 2;
    e--;
  }
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  // ln m = 2 atanh z = 2 Σ z^(2k+1)/(2k+1); |z| ≤ 0.1716 so 15 terms reach 1e-23.
  let term = z;
  let sum = z;
  for (let k = 1; k < 16; k++) {
    term *= z2;
    sum += term / (2 * k + 1);
  }
  return 2 * sum + e * LN2;
}

function seedWords(seed: number | string): number {
  if (typeof seed === 'string') {
    // FNV-1a over UTF-16 code units.
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    return h | 0;
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new ValidationError('Invalid random seed', {
      expected: 'a non-negative safe integer or a string',
      received: String(seed),
      fix: 'Pass an integer such as 42',
    });
  }
  const lo = seed % TWO32;
  const hi = Math.floor(seed / TWO32);
  return (lo ^ Math.imul(hi, 0x9e3779b9)) | 0;
}

/** Serializable generator state. */
export interface RandomState {
  readonly algorithm: 'xoshiro128**';
  readonly s: readonly [number, number, number, number];
  readonly spare: number | null;
}

/** A seeded random generator. Create one per seed; use {@link Random.child} for independent streams. */
export class Random {
  static readonly algorithm = RANDOM_ALGORITHM;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed: number | string = 0) {
    this.reseed(seedWords(seed));
  }

  /** Builds a generator directly from a 128-bit state (four uint32 words, not all zero). */
  static fromState(state: RandomState): Random {
    const r = new Random(0);
    const [a, b, c, d] = state.s;
    if ((a | b | c | d) === 0)
      throw new ValidationError('Invalid random state', {
        expected: 'a state that is not all zero',
      });
    r.s0 = a | 0;
    r.s1 = b | 0;
    r.s2 = c | 0;
    r.s3 = d | 0;
    r.spare = state.spare;
    return r;
  }

  private reseed(word: number): void {
    let st = word;
    const out: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [ns, o] = splitmix32(st);
      st = ns;
      out.push(o | 0);
    }
    [this.s0, this.s1, this.s2, this.s3] = out as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
  }

  state(): RandomState {
    return {
      algorithm: 'xoshiro128**',
      s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
      spare: this.spare,
    };
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [lo, hi) with 53 random bits. */
  uniform(lo = 0, hi = 1): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    const u = (a * 67108864 + b) / 9007199254740992;
    return lo + (hi - lo) * u;
  }

  /** Normal with the given mean and standard deviation (Marsaglia polar method). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.uniform(-1, 1);
      v = this.uniform(-1, 1);
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * portableLog(s)) / s);
    this.spare = v * f;
    return mean + sd * u * f;
  }

  /** An integer uniform on [lo, hi) (no modulo bias). The range must be at most 2^32. */
  integer(lo: number, hi: number): number {
    const n = hi - lo;
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || n <= 0 || n > TWO32) {
      throw new ValidationError('Invalid integer range', {
        expected: 'integers lo < hi with hi - lo ≤ 2^32',
        received: `[${lo}, ${hi})`,
      });
    }
    const limit = TWO32 - (TWO32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return lo + (x % n);
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T, A extends { length: number; [i: number]: T }>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.integer(0, i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** A Float64Array of standard normals (or with the given mean / sd). */
  normals(n: number, mean = 0, sd = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, sd);
    return out;
  }

  /** A Float64Array of uniforms on [lo, hi). */
  uniforms(n: number, lo = 0, hi = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  /**
   * An independent generator derived from this one (consumes one draw of this stream). Children of
   * the same parent state are reproducible: same parent seed, same sequence of children.
   */
  child(): Random {
    const r = new Random(0);
    r.reseed(this.nextUint32() ^ Math.imul(this.nextUint32(), 0x85ebca6b));
    return r;
  }

  /** A 31-bit non-negative integer seed, e.g. for a library that takes a plain number. */
  seed31(): number {
    return this.nextUint32() >>> 1;
  }
}
