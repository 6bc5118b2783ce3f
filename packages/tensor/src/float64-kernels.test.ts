// The Float64 kernel registry with a stand-in provider written here independently of the library's
// loops (a naive triple loop, a Cholesky–Crout column sweep with LAPACK's info convention, and cyclic
// Jacobi for the eigen-decomposition): the call sites route to it above the crossover and keep the
// JavaScript kernels below it, map its results and errors back to the library's, fall back to the
// JavaScript kernels when it fails, and obey the provider's TensorFlow.js backend.
import { afterEach, describe, expect, it } from 'vitest';
import { symmetricEigen } from './eigen.js';
import { NotPositiveDefiniteError, ValidationError } from './errors.js';
import {
  FLOAT64_CROSSOVER,
  type Float64KernelProvider,
  float64Kernels,
  setFloat64Kernels,
  withFloat64Kernels,
} from './float64-kernels.js';
import { cholesky, choleskyWithJitter, gram, matmul, matrix } from './linalg.js';
import { rowGram } from './principal.js';
import { Random } from './random.js';
import { tf } from './tf.js';

type Calls = Record<'gemm' | 'syrk' | 'potrf' | 'syevd', unknown[][]>;

/** A provider in plain loops, recording every call's arguments. */
function standIn(overrides: Partial<Float64KernelProvider> = {}): {
  provider: Float64KernelProvider;
  calls: Calls;
} {
  const calls: Calls = { gemm: [], syrk: [], potrf: [], syevd: [] };
  const provider: Float64KernelProvider = {
    name: 'stand-in',
    gemm(transA, transB, m, n, k, A, B, C) {
      calls.gemm.push([transA, transB, m, n, k, A, B]);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let l = 0; l < k; l++)
            s += (transA ? A[l * m + i] : A[i * k + l]) * (transB ? B[j * k + l] : B[l * n + j]);
          C[i * n + j] = s;
        }
    },
    syrk(trans, n, k, A, C) {
      calls.syrk.push([trans, n, k, A]);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let l = 0; l < k; l++)
            s += trans ? A[l * n + i] * A[l * n + j] : A[i * k + l] * A[j * k + l];
          C[i * n + j] = s;
        }
    },
    potrf(n, A) {
      calls.potrf.push([n]);
      for (let j = 0; j < n; j++) {
        let d = A[j * n + j];
        for (let l = 0; l < j; l++) d -= A[j * n + l] * A[j * n + l];
        if (!(d > 0)) {
          A[j * n + j] = d;
          return j + 1;
        }
        const r = Math.sqrt(d);
        A[j * n + j] = r;
        for (let i = j + 1; i < n; i++) {
          let s = A[i * n + j];
          for (let l = 0; l < j; l++) s -= A[i * n + l] * A[j * n + l];
          A[i * n + j] = s / r;
        }
      }
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) A[i * n + j] = 0;
      return 0;
    },
    syevd(n, A, values) {
      calls.syevd.push([n]);
      jacobi(A, n, values);
      return 0;
    },
    ...overrides,
  };
  return { provider, calls };
}

/** Cyclic Jacobi: A (symmetric, lower triangle mirrored first) becomes its eigenvectors, sorted. */
function jacobi(A: Float64Array, n: number, values: Float64Array): void {
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      S[i * n + j] = A[i * n + j];
      S[j * n + i] = A[i * n + j];
    }
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) off += S[i * n + j] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = S[p * n + q];
        if (apq === 0) continue;
        const theta = (S[q * n + q] - S[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const skp = S[k * n + p];
          const skq = S[k * n + q];
          S[k * n + p] = c * skp - s * skq;
          S[k * n + q] = s * skp + c * skq;
        }
        for (let k = 0; k < n; k++) {
          const spk = S[p * n + k];
          const sqk = S[q * n + k];
          S[p * n + k] = c * spk - s * sqk;
          S[q * n + k] = s * spk + c * sqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => S[a * n + a] - S[b * n + b]);
  order.forEach((j, jj) => {
    values[jj] = S[j * n + j];
    for (let i = 0; i < n; i++) A[i * n + jj] = V[i * n + j];
  });
}

function normals(rng: Random, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

function maxRel(a: Float64Array, b: Float64Array): number {
  let scale = 1e-300;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / scale;
}

/** Σ_j λ_j v_j v_jᵀ. */
function reconstruct(values: Float64Array, V: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += V[i * n + j] * values[j] * V[k * n + j];
      out[i * n + k] = s;
    }
  return out;
}

afterEach(() => {
  setFloat64Kernels(undefined);
});

describe('the Float64 kernel registry', () => {
  it('runs the JavaScript kernels by default', () => {
    const info = float64Kernels();
    expect(info.provider).toBeNull();
    expect(info.kernels).toEqual({ gemm: 'js', syrk: 'js', potrf: 'js', syevd: 'js' });
    expect(info.crossover).toEqual(FLOAT64_CROSSOVER);
  });

  it('routes gram, rowGram, matmul, cholesky and symmetricEigen to the provider above the crossover, to the same numbers', () => {
    const rng = new Random(1);
    const { provider, calls } = standIn();
    const n = 80;
    const p = 50;
    const X = normals(rng, n * p);
    const rows = Array.from({ length: n }, (_, i) => X.subarray(i * p, (i + 1) * p));
    const A = matrix(50, 60, normals(rng, 3000));
    const B = matrix(60, 45, normals(rng, 2700));
    const S = gram(X, n, p);
    for (let i = 0; i < p; i++) S[i * p + i] += 1;
    const run = () => ({
      gram: gram(X, n, p),
      rowGram: rowGram(rows, p),
      matmul: matmul(A, B).data,
      matmulT: matmul(B, A, { transA: true, transB: true }).data,
      chol: cholesky(matrix(p, p, S)).data,
      eig: symmetricEigen(S, p),
    });
    const js = run();
    const native = withFloat64Kernels(provider, run);
    expect(calls.syrk.map((c) => c.slice(0, 3))).toEqual([
      [true, p, n],
      [false, n, p],
    ]);
    // Consecutive rows of one buffer are passed as a view of it, not copied.
    expect((calls.syrk[1][3] as Float64Array).buffer).toBe(X.buffer);
    expect(calls.gemm.map((c) => c.slice(0, 5))).toEqual([
      [false, false, 50, 45, 60],
      [true, true, 45, 50, 60],
    ]);
    expect(calls.potrf).toEqual([[p]]);
    expect(calls.syevd).toEqual([[p]]);
    expect(maxRel(native.gram, js.gram)).toBeLessThan(1e-13);
    expect(maxRel(native.rowGram, js.rowGram)).toBeLessThan(1e-13);
    expect(maxRel(native.matmul, js.matmul)).toBeLessThan(1e-13);
    expect(maxRel(native.matmulT, js.matmulT)).toBeLessThan(1e-13);
    expect(maxRel(native.chol, js.chol)).toBeLessThan(1e-12);
    expect(maxRel(native.eig.values, js.eig.values)).toBeLessThan(1e-12);
    expect(maxRel(reconstruct(native.eig.values, native.eig.vectors, p), S)).toBeLessThan(1e-12);
    // Back to JavaScript: bit-for-bit the default results.
    expect(run()).toEqual(js);
  });

  it('keeps problems below the crossover in JavaScript, and obeys a provider’s own crossover', () => {
    const rng = new Random(2);
    const { provider, calls } = standIn();
    const n = FLOAT64_CROSSOVER.potrf - 1;
    const X = normals(rng, 2 * n * n);
    const G = withFloat64Kernels(provider, () => gram(X, 3, 10));
    expect(calls.syrk).toEqual([]);
    expect(G).toEqual(gram(X, 3, 10));
    const S = gram(X, 2 * n, n);
    withFloat64Kernels(provider, () => cholesky(matrix(n, n, S)));
    expect(calls.potrf).toEqual([]);
    const eager = { ...provider, crossover: { potrf: 1, gemm: 0 } };
    withFloat64Kernels(eager, () => {
      cholesky(matrix(2, 2, new Float64Array([2, 1, 1, 2])));
      matmul(matrix(1, 1, new Float64Array([2])), matrix(1, 1, new Float64Array([3])));
      expect(float64Kernels().crossover.potrf).toBe(1);
    });
    expect(calls.potrf).toEqual([[2]]);
    expect(calls.gemm).toHaveLength(1);
  });

  it('copies rows that are not consecutive in one buffer', () => {
    const rng = new Random(3);
    const { provider, calls } = standIn();
    const rows = Array.from({ length: 40 }, () => normals(rng, 50));
    const native = withFloat64Kernels(provider, () => rowGram(rows, 50));
    expect(calls.syrk).toHaveLength(1);
    expect((calls.syrk[0][3] as Float64Array).length).toBe(40 * 50);
    expect(maxRel(native, rowGram(rows, 50))).toBeLessThan(1e-13);
  });

  it('reports a non-positive pivot as the JavaScript Cholesky does: same pivot, same value', () => {
    const rng = new Random(4);
    const { provider } = standIn();
    const p = 60;
    const S = gram(normals(rng, 2 * p * p), 2 * p, p);
    // Pivot 37 (after the earlier ones) becomes −1: subtract its Schur complement + 1.
    const L = cholesky(matrix(p, p, S)).data;
    const d = L[37 * p + 37] ** 2;
    S[37 * p + 37] -= d + 1;
    const caught = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      throw new Error('expected a throw');
    };
    const js = caught(() => cholesky(matrix(p, p, S)));
    const native = caught(() => withFloat64Kernels(provider, () => cholesky(matrix(p, p, S))));
    expect(NotPositiveDefiniteError.isInstance(js)).toBe(true);
    expect(NotPositiveDefiniteError.isInstance(native)).toBe(true);
    const a = js as NotPositiveDefiniteError;
    const b = native as NotPositiveDefiniteError;
    expect(b.pivot).toBe(37);
    expect(a.pivot).toBe(37);
    expect(Math.abs(b.value - a.value)).toBeLessThan(1e-10 * Math.abs(a.value));
    expect(a.value).toBeCloseTo(-1, 8);
  });

  it('applies the relative pivot floor a rank-deficient Gram needs (LAPACK accepts rounding-size pivots)', () => {
    const rng = new Random(5);
    const { provider } = standIn();
    const n = 30;
    const p = 60; // rank 30: pivot 30 is rounding noise
    const G = gram(normals(rng, n * p), n, p);
    const pivotOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        if (NotPositiveDefiniteError.isInstance(e)) return e.pivot;
        throw e;
      }
      return -1;
    };
    // A pivot of 1e-20 is positive for LAPACK but below the floor (scale·n·ε ≈ 1e-14).
    const D = new Float64Array(p * p);
    for (let i = 0; i < p; i++) D[i * p + i] = i === 25 ? 1e-20 : 1;
    expect(pivotOf(() => cholesky(matrix(p, p, D)))).toBe(25);
    expect(pivotOf(() => withFloat64Kernels(provider, () => cholesky(matrix(p, p, D))))).toBe(25);
    const js = pivotOf(() => cholesky(matrix(p, p, G)));
    expect(js).toBe(n);
    expect(pivotOf(() => withFloat64Kernels(provider, () => cholesky(matrix(p, p, G))))).toBe(js);
    // choleskyWithJitter then chooses the same jitter on both paths.
    const a = choleskyWithJitter(G, p);
    const b = withFloat64Kernels(provider, () => choleskyWithJitter(G, p));
    expect(b.jitter).toBe(a.jitter);
    expect(a.jitter).toBeGreaterThan(0);
  });

  it('falls back to the JavaScript kernels when the provider fails', () => {
    const rng = new Random(6);
    const p = 50;
    const S = gram(normals(rng, 2 * p * p), 2 * p, p);
    const failing = standIn({
      syevd: () => 1,
      potrf: () => -1,
    });
    const js = { eig: symmetricEigen(S, p), chol: cholesky(matrix(p, p, S)) };
    const native = withFloat64Kernels(failing.provider, () => ({
      eig: symmetricEigen(S, p),
      chol: cholesky(matrix(p, p, S)),
    }));
    expect(native).toEqual(js);
  });

  it('runs a provider only while its TensorFlow.js backend is current', () => {
    const { provider, calls } = standIn({ tfBackend: 'no-such-backend' });
    const A = matrix(64, 64, normals(new Random(7), 4096));
    withFloat64Kernels(provider, () => {
      expect(float64Kernels().provider).toBeNull();
      matmul(A, A);
    });
    expect(calls.gemm).toEqual([]);
    withFloat64Kernels({ ...provider, tfBackend: tf.getBackend() }, () => {
      expect(float64Kernels().kernels.gemm).toBe('stand-in');
      matmul(A, A);
    });
    expect(calls.gemm).toHaveLength(1);
  });

  it('checks a provider, returns the one it replaces and restores it after withFloat64Kernels', () => {
    const { provider } = standIn();
    expect(() => setFloat64Kernels({ name: '' })).toThrow(ValidationError);
    expect(() =>
      setFloat64Kernels({ name: 'bad', gemm: 3 as unknown as Float64KernelProvider['gemm'] }),
    ).toThrow(/gemm is not a function/);
    expect(setFloat64Kernels(provider)).toBeUndefined();
    expect(setFloat64Kernels(undefined)?.name).toBe('stand-in');
    expect(() =>
      withFloat64Kernels(provider, () => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(float64Kernels().provider).toBeNull();
  });
});
