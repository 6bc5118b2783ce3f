// @hetmtl/tensor's Float64 kernels through OpenBLAS (dgemm, dsyrk, dpotrf, dsyevd) against the
// JavaScript kernels, the reference, to 1e-10 relative: gram / rowGram / matmul at square and
// non-square shapes, Cholesky (factor, not-positive-definite errors, jitter), symmetricEigen
// (eigenvalues, reconstructions and the subspaces of repeated eigenvalues, never raw vector signs),
// and the principal directions built on them. Skipped, with the reason printed, without OpenBLAS.
import { cpuBackend } from '@hetmtl/backend-cpu';
import {
  cholesky,
  choleskyWithJitter,
  type Float64KernelProvider,
  float64Kernels,
  gram,
  matmul,
  matrix,
  NotPositiveDefiniteError,
  orthonormalize,
  Random,
  rowGram,
  setFloat64Kernels,
  symmetricEigen,
  topPrincipalDirections,
  useBackend,
  withFloat64Kernels,
} from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from './addon.js';
import { openblasFloat64Kernels } from './float64.js';
import { nativeBackend } from './index.js';
import { skipOpenBLAS } from './test-fixtures/native.js';

const TOL = 1e-10;

function normals(rng: Random, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** max |a − b| / max |b|. */
function relErr(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let scale = 1e-300;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / scale;
}

/** The JavaScript kernels' result. */
const js = <T>(fn: () => T): T => withFloat64Kernels(undefined, fn);

/** V_S V_Sᵀ for the columns S of the row-major n×n V (the projector on their span). */
function projector(V: Float64Array, n: number, cols: readonly number[]): Float64Array {
  const P = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (const j of cols) s += V[i * n + j] * V[k * n + j];
      P[i * n + k] = s;
    }
  return P;
}

function reconstruct(values: Float64Array, V: Float64Array, n: number): Float64Array {
  return projectorWeighted(V, n, values);
}

function projectorWeighted(V: Float64Array, n: number, w: Float64Array): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += V[i * n + j] * w[j] * V[k * n + j];
      out[i * n + k] = s;
    }
  return out;
}

/** Q diag(values) Qᵀ for a random orthogonal Q. */
function planted(rng: Random, values: readonly number[]): Float64Array {
  const n = values.length;
  const Q = normals(rng, n * n);
  orthonormalize(Q, n, n);
  return projectorWeighted(Q, n, Float64Array.from(values));
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** The installed provider, wrapped to count its calls. */
function counting(): { calls: Record<string, number>; provider: Float64KernelProvider } {
  const installed = setFloat64Kernels(undefined);
  setFloat64Kernels(installed);
  if (!installed) throw new Error('no Float64 kernels installed');
  const calls: Record<string, number> = { gemm: 0, syrk: 0, potrf: 0, syevd: 0 };
  const wrap =
    <F extends (...args: never[]) => unknown>(name: string, f: F | undefined) =>
    (...args: Parameters<F>) => {
      calls[name]++;
      return f?.(...args);
    };
  return {
    calls,
    provider: {
      ...installed,
      gemm: wrap('gemm', installed.gemm) as Float64KernelProvider['gemm'],
      syrk: wrap('syrk', installed.syrk) as Float64KernelProvider['syrk'],
      potrf: wrap('potrf', installed.potrf) as Float64KernelProvider['potrf'],
      syevd: wrap('syevd', installed.syevd) as Float64KernelProvider['syevd'],
    },
  };
}

describe.skipIf(skipOpenBLAS)('Float64 kernels through OpenBLAS', () => {
  beforeAll(async () => {
    await useBackend(nativeBackend());
  });

  it('are installed with the native backend when OpenBLAS is the GEMM', () => {
    const info = float64Kernels();
    expect(info.provider).toBe('openblas');
    expect(info.kernels).toEqual({
      gemm: 'openblas',
      syrk: 'openblas',
      potrf: 'openblas',
      syevd: 'openblas',
    });
  });

  it.each([
    [300, 70],
    [64, 200],
    [1000, 64],
  ])('gram XᵀX of %i×%i', (n, p) => {
    const X = normals(new Random(n + p), n * p);
    const { calls, provider } = counting();
    const native = withFloat64Kernels(provider, () => gram(X, n, p));
    expect(calls.syrk).toBe(1);
    expect(
      relErr(
        native,
        js(() => gram(X, n, p)),
      ),
    ).toBeLessThan(TOL);
    // From a Float32 copy too (converted to Float64 first).
    const X32 = Float32Array.from(X);
    expect(
      relErr(
        gram(X32, n, p),
        js(() => gram(X32, n, p)),
      ),
    ).toBeLessThan(TOL);
  });

  it.each([
    [60, 500],
    [180, 2000],
    [100, 100],
  ])('rowGram XXᵀ of %i×%i (rows of one buffer, and separate rows)', (n, p) => {
    const X = normals(new Random(n * p), n * p);
    const rows = Array.from({ length: n }, (_, i) => X.subarray(i * p, (i + 1) * p));
    const separate = rows.map((r) => r.slice());
    const { calls, provider } = counting();
    const native = withFloat64Kernels(provider, () => rowGram(rows, p));
    expect(calls.syrk).toBe(1);
    const ref = js(() => rowGram(rows, p));
    expect(relErr(native, ref)).toBeLessThan(TOL);
    expect(relErr(rowGram(separate, p), ref)).toBeLessThan(TOL);
  });

  it.each([
    [70, 40, 90, false, false],
    [33, 100, 65, true, false],
    [120, 50, 35, false, true],
    [64, 80, 200, true, true],
    [500, 1, 500, false, false],
    [1, 3000, 400, false, false],
  ])('matmul: %i×%i times %i columns (transA %s, transB %s)', (m, k, n, transA, transB) => {
    const rng = new Random(m * k + n);
    const a = transA ? matrix(k, m, normals(rng, k * m)) : matrix(m, k, normals(rng, m * k));
    const b = transB ? matrix(n, k, normals(rng, n * k)) : matrix(k, n, normals(rng, k * n));
    const { calls, provider } = counting();
    const native = withFloat64Kernels(provider, () => matmul(a, b, { transA, transB }));
    expect(calls.gemm).toBe(1);
    expect([native.rows, native.cols]).toEqual([m, n]);
    expect(relErr(native.data, js(() => matmul(a, b, { transA, transB })).data)).toBeLessThan(TOL);
  });

  it.each([64, 300])('cholesky of an SPD matrix of order %i', (p) => {
    const rng = new Random(p);
    const S = gram(normals(rng, 2 * p * p), 2 * p, p);
    const { calls, provider } = counting();
    const L = withFloat64Kernels(provider, () => cholesky(matrix(p, p, S)));
    expect(calls.potrf).toBe(1);
    expect(relErr(L.data, js(() => cholesky(matrix(p, p, S))).data)).toBeLessThan(TOL);
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) expect(L.data[i * p + j]).toBe(0);
  });

  it.each([
    [80, 37],
    [400, 333],
  ])(
    'cholesky of a %i×%i matrix that is not positive definite at pivot %i: the same error, the same value',
    (p, at) => {
      const rng = new Random(p + at);
      const S = gram(normals(rng, 2 * p * p), 2 * p, p);
      const d = js(() => cholesky(matrix(p, p, S))).data[at * p + at] ** 2;
      S[at * p + at] -= d + 0.5; // the pivot becomes −0.5
      const a = caught(() => js(() => cholesky(matrix(p, p, S))));
      const b = caught(() => cholesky(matrix(p, p, S)));
      if (!NotPositiveDefiniteError.isInstance(a) || !NotPositiveDefiniteError.isInstance(b))
        throw new Error(`expected NotPositiveDefiniteError, got ${a} and ${b}`);
      expect(b.pivot).toBe(at);
      expect(a.pivot).toBe(at);
      expect(Math.abs(b.value - a.value)).toBeLessThan(TOL * Math.abs(a.value));
      expect(a.value).toBeCloseTo(-0.5, 6);
      expect(b.message).toBe(a.message.replace(String(a.value), String(b.value)));
    },
  );

  it('choleskyWithJitter of a rank-deficient Gram: the same jitter, L·Lᵀ = A + jitter·I', () => {
    const n = 40;
    const p = 120;
    const G = gram(normals(new Random(9), n * p), n, p);
    const a = js(() => choleskyWithJitter(G, p));
    const b = choleskyWithJitter(G, p);
    expect(a.jitter).toBeGreaterThan(0);
    expect(b.jitter).toBe(a.jitter);
    const LLt = matmul(b.L, b.L, { transB: true }).data;
    const target = G.slice();
    for (let i = 0; i < p; i++) target[i * p + i] += b.jitter;
    expect(relErr(LLt, target)).toBeLessThan(TOL);
  });

  it.each([100, 257])('symmetricEigen of a random symmetric matrix of order %i', (n) => {
    const rng = new Random(n);
    const B = normals(rng, n * n);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) A[i * n + j] = B[i * n + j] + B[j * n + i];
    const { calls, provider } = counting();
    const native = withFloat64Kernels(provider, () => symmetricEigen(A, n));
    expect(calls.syevd).toBe(1);
    const ref = js(() => symmetricEigen(A, n));
    expect(relErr(native.values, ref.values)).toBeLessThan(TOL);
    for (let j = 1; j < n; j++)
      expect(native.values[j]).toBeGreaterThanOrEqual(native.values[j - 1]);
    expect(relErr(reconstruct(native.values, native.vectors, n), A)).toBeLessThan(TOL);
    const identity = new Float64Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 1;
    const all = Array.from({ length: n }, (_, j) => j);
    // VᵀV = I: V's rows are orthonormal too, so VVᵀ = I (the projector on every column).
    expect(relErr(projector(native.vectors, n, all), identity)).toBeLessThan(TOL);
    // Distinct eigenvalues: each eigenvector's projector v vᵀ agrees (signs aside).
    for (const j of [0, Math.floor(n / 2), n - 1])
      expect(
        relErr(projector(native.vectors, n, [j]), projector(ref.vectors, n, [j])),
      ).toBeLessThan(1e-8);
  });

  it('symmetricEigen with repeated eigenvalues: the same values and the same eigenspaces', () => {
    const spectrum = [
      ...Array(20).fill(1),
      ...Array(30).fill(2),
      ...Array(15).fill(5),
      ...Array.from({ length: 35 }, (_, i) => 10 + i),
    ];
    const n = spectrum.length;
    const A = planted(new Random(11), spectrum);
    const native = symmetricEigen(A, n);
    const ref = js(() => symmetricEigen(A, n));
    expect(relErr(native.values, Float64Array.from(spectrum))).toBeLessThan(TOL);
    expect(relErr(native.values, ref.values)).toBeLessThan(TOL);
    for (const [from, to] of [
      [0, 20],
      [20, 50],
      [50, 65],
    ]) {
      const cols = Array.from({ length: to - from }, (_, j) => from + j);
      expect(
        relErr(projector(native.vectors, n, cols), projector(ref.vectors, n, cols)),
      ).toBeLessThan(TOL);
    }
    expect(relErr(reconstruct(native.values, native.vectors, n), A)).toBeLessThan(TOL);
  });

  it('topPrincipalDirections (dual side: rowGram + symmetricEigen) spans the same directions', () => {
    const n = 90;
    const p = 3000;
    const k = 5;
    const X = normals(new Random(12), n * p);
    for (let a = 0; a < p; a++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += X[i * p + a] / n;
      for (let i = 0; i < n; i++) X[i * p + a] -= m;
    }
    const native = topPrincipalDirections(X, n, p, k, new Random(13));
    const ref = js(() => topPrincipalDirections(X, n, p, k, new Random(13)));
    expect(native.side).toBe('dual');
    expect(relErr(native.values, ref.values)).toBeLessThan(TOL);
    // With the sign convention (largest entry positive) the vectors themselves agree.
    expect(relErr(native.vectors, ref.vectors)).toBeLessThan(1e-8);
  });

  it('switching to another backend turns them off; gemm: builtin uninstalls them', async () => {
    const A = matrix(200, 200, normals(new Random(14), 40000));
    const { calls, provider } = counting();
    await useBackend(cpuBackend());
    try {
      expect(float64Kernels().provider).toBeNull();
      const onCpu = withFloat64Kernels(provider, () => matmul(A, A));
      expect(calls.gemm).toBe(0);
      expect(onCpu.data).toEqual(js(() => matmul(A, A)).data);
      await useBackend(nativeBackend({ gemm: 'builtin' }));
      expect(float64Kernels().provider).toBeNull();
    } finally {
      await useBackend(nativeBackend());
    }
    expect(float64Kernels().provider).toBe('openblas');
  });

  it('the addon checks its arguments', () => {
    const loaded = loadBinding();
    if (!loaded.ok) throw new Error(loaded.reason);
    const b = loaded.binding;
    expect(openblasFloat64Kernels(b)?.name).toBe('openblas');
    expect(() =>
      b.dgemm(new Float64Array(3), new Float64Array(4), new Float64Array(4), 2, 2, 2, false, false),
    ).toThrow(/shorter than its shape/);
    expect(() => b.dsyrk(new Float32Array(4) as never, new Float64Array(4), 2, 2, false)).toThrow(
      /wrong element type/,
    );
    expect(() => b.dpotrf(new Float64Array(3), 2)).toThrow(/invalid size/);
    expect(() => b.dsyevd(new Float64Array(4), new Float64Array(1), 2)).toThrow(/invalid size/);
  });
});
