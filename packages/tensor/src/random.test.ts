import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { portableExp, portableLog, Random } from './random.js';

describe('Random (xoshiro128**)', () => {
  it('matches the reference C implementation of xoshiro128** (Blackman & Vigna)', () => {
    // Printed by the authors' xoshiro128starstar.c with s = {1, 2, 3, 4}.
    const r = Random.fromState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 4], spare: null });
    const got = Array.from({ length: 8 }, () => r.nextUint32());
    expect(got).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849,
    ]);
    const r2 = Random.fromState({
      algorithm: 'xoshiro128**',
      s: [0xdeadbeef, 0x12345678, 0xcafebabe, 0x0badf00d],
      spare: null,
    });
    for (let i = 0; i < 1000; i++) r2.nextUint32();
    expect(r2.nextUint32()).toBe(3651887776);
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const a = new Random(42).uniforms(5);
    const b = new Random(42).uniforms(5);
    const c = new Random(43).uniforms(5);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(new Random('abc').uniforms(3))).toEqual(
      Array.from(new Random('abc').uniforms(3)),
    );
    // Seeds above 2^32 are not truncated to their low word.
    expect(new Random(2 ** 32 + 5).nextUint32()).not.toBe(new Random(5).nextUint32());
  });

  it('restores from its state mid-stream, including the cached normal', () => {
    const r = new Random(7);
    r.normal();
    const s = r.state();
    const x = [r.normal(), r.uniform(), r.normal()];
    const r2 = Random.fromState(s);
    expect([r2.normal(), r2.uniform(), r2.normal()]).toEqual(x);
  });

  it('uniforms lie in [lo, hi) with the right mean and variance', () => {
    const u = new Random(1).uniforms(200_000);
    let m = 0;
    let v = 0;
    for (const x of u) {
      expect(x >= 0 && x < 1).toBe(true);
      m += x;
    }
    m /= u.length;
    for (const x of u) v += (x - m) ** 2;
    v /= u.length;
    expect(Math.abs(m - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(v - 1 / 12)).toBeLessThan(0.002);
  });

  it('normals have mean 0, variance 1, kurtosis 3 and the right tail mass', () => {
    const n = 200_000;
    const z = new Random(2).normals(n);
    let m = 0;
    for (const x of z) m += x;
    m /= n;
    let v = 0;
    let k = 0;
    let tail = 0;
    for (const x of z) {
      v += (x - m) ** 2;
      k += (x - m) ** 4;
      if (Math.abs(x) > 1.959963984540054) tail++;
    }
    v /= n;
    k /= n * v * v;
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(v - 1)).toBeLessThan(0.015);
    expect(Math.abs(k - 3)).toBeLessThan(0.06);
    expect(Math.abs(tail / n - 0.05)).toBeLessThan(0.003);
    const shifted = new Random(3).normals(50_000, 10, 2);
    expect(Math.abs(shifted.reduce((s, x) => s + x, 0) / 50_000 - 10)).toBeLessThan(0.05);
  });

  it('integers are uniform (chi-square) and unbiased for ranges that do not divide 2^32', () => {
    const r = new Random(4);
    const k = 7;
    const n = 70_000;
    const counts = new Array(k).fill(0);
    for (let i = 0; i < n; i++) counts[r.integer(0, k)]++;
    const e = n / k;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(22.46); // 99.9% quantile of chi-square with 6 df
    expect(r.integer(-3, -2)).toBe(-3);
    expect(() => r.integer(2, 2)).toThrow(ValidationError);
    expect(() => r.integer(0, 2 ** 33)).toThrow(/2\^32/);
  });

  it('shuffles into a permutation, every position equally likely', () => {
    const r = new Random(5);
    const p = r.permutation(50);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const firstCounts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) firstCounts[r.shuffle([0, 1, 2, 3])[0]]++;
    for (const c of firstCounts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it('child streams are reproducible and distinct from the parent and from each other', () => {
    const p1 = new Random(9);
    const p2 = new Random(9);
    const a = p1.child();
    const b = p1.child();
    expect(a.nextUint32()).toBe(p2.child().nextUint32());
    const xs = Array.from(a.uniforms(1000));
    const ys = Array.from(b.uniforms(1000));
    let c = 0;
    for (let i = 0; i < 1000; i++) c += (xs[i] - 0.5) * (ys[i] - 0.5);
    expect(Math.abs(c / 1000 / (1 / 12))).toBeLessThan(0.1); // uncorrelated
    expect(xs).not.toEqual(ys);
  });

  it('rejects invalid seeds with a clear error', () => {
    expect(() => new Random(-1)).toThrow(/non-negative safe integer/);
    expect(() => new Random(1.5)).toThrow(ValidationError);
  });
});

describe('portableLog', () => {
  it('agrees with Math.log to within 2 ulp over a wide range', () => {
    const r = new Random(11);
    for (let i = 0; i < 20_000; i++) {
      const x = Math.exp(r.uniform(-700, 700));
      const want = Math.log(x);
      const got = portableLog(x);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(4.5e-16 * Math.max(1, Math.abs(want)));
    }
    expect(portableLog(1)).toBe(0);
    expect(portableLog(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(portableLog(-1)).toBeNaN();
  });
});

describe('portableExp', () => {
  it('agrees with Math.exp to within a few ulp over the whole range', () => {
    const r = new Random(12);
    for (let i = 0; i < 20_000; i++) {
      const x = r.uniform(-740, 709);
      const want = Math.exp(x);
      expect(Math.abs(portableExp(x) - want)).toBeLessThanOrEqual(8e-16 * want);
    }
    expect(portableExp(0)).toBe(1);
    expect(portableExp(1)).toBeCloseTo(Math.E, 15);
    expect(portableExp(800)).toBe(Number.POSITIVE_INFINITY);
    expect(portableExp(-800)).toBe(0);
    expect(portableExp(Number.NaN)).toBeNaN();
    // The inverse of portableLog (the log error is amplified by |log x| ≤ 691 in the composition).
    for (const x of [1e-300, 0.3, 2, 1e10])
      expect(portableExp(portableLog(x)) / x).toBeCloseTo(1, 12);
  });
});
