import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { Random } from './random.js';
import { type RowSpace, rowSpace } from './row-space.js';

/** Row-major n×p blocks of standard normals, centred per block when asked (rank n − 1 each). */
function blocks(rng: Random, sizes: readonly number[], p: number, centre: boolean): Float64Array[] {
  return sizes.map((n) => {
    const X = rng.normals(n * p);
    if (centre)
      for (let a = 0; a < p; a++) {
        let m = 0;
        for (let i = 0; i < n; i++) m += X[i * p + a] / n;
        for (let i = 0; i < n; i++) X[i * p + a] = X[i * p + a] - m;
      }
    return X;
  });
}

/** The columns of Q, by expanding the unit coordinates (an oracle independent of the way). */
function columns(s: RowSpace): Float64Array[] {
  return Array.from({ length: s.q }, (_, k) => {
    const e = new Float64Array(s.q);
    e[k] = 1;
    return s.expand(e);
  });
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>, n: number, oa = 0, ob = 0) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[oa + i] * b[ob + i];
  return s;
};

/** max |QᵀQ − I|, max |Z_r − X_r Q| and max |X_r − Z_r Qᵀ| (the rows lie in the span). */
function defects(s: RowSpace, X: readonly Float64Array[], sizes: readonly number[], p: number) {
  const Q = columns(s);
  let orth = 0;
  Q.forEach((u, j) =>
    Q.forEach((v, k) => {
      orth = Math.max(orth, Math.abs(dot(u, v, p) - (j === k ? 1 : 0)));
    }),
  );
  let coords = 0;
  let span = 0;
  X.forEach((Xr, r) => {
    const Z = s.coords[r]!;
    expect(Z.length).toBe(sizes[r]! * s.q);
    for (let i = 0; i < sizes[r]!; i++) {
      Q.forEach((u, k) => {
        coords = Math.max(coords, Math.abs(Z[i * s.q + k]! - dot(Xr, u, p, i * p)));
      });
      for (let a = 0; a < p; a++) {
        let v = 0;
        Q.forEach((u, k) => {
          v += Z[i * s.q + k]! * u[a]!;
        });
        span = Math.max(span, Math.abs(Xr[i * p + a]! - v));
      }
    }
  });
  return { orth, coords, span };
}

describe('rowSpace', () => {
  const sizes = [7, 12, 9];
  const N = 28;

  for (const method of ['gram', 'gram-schmidt'] as const) {
    it(`(${method}) of task-centred wide rows: rank N − R, orthonormal Q, Z = XQ, the rows in the span`, () => {
      const p = 2 * N;
      const X = blocks(new Random(1), sizes, p, true);
      const s = rowSpace(X, sizes, p, { method });
      expect(s.method).toBe(method);
      expect(s.q).toBe(N - sizes.length);
      const d = defects(s, X, sizes, p);
      expect(d.orth).toBeLessThan(1e-12);
      expect(d.coords).toBeLessThan(1e-11);
      expect(d.span).toBeLessThan(1e-11);
    });

    it(`(${method}) with fewer features than rows spans all of R^p; duplicated and zero rows add nothing`, () => {
      const p = 5;
      const X = blocks(new Random(2), [10, 8], p, false);
      const full = rowSpace(X, [10, 8], p, { method });
      expect(full.q).toBe(p);
      expect(defects(full, X, [10, 8], p).span).toBeLessThan(1e-12);
      // 3 distinct rows of 12 features, each repeated, plus a zero row: rank 3.
      const base = new Random(3).normals(3 * 12);
      const rows = [0, 1, 0, 2, 1, 2, -1, 0];
      const Y = new Float64Array(rows.length * 12);
      rows.forEach((k, i) => {
        if (k >= 0) Y.set(base.subarray(k * 12, (k + 1) * 12), i * 12);
      });
      const dup = rowSpace([Y.subarray(0, 48), Y.subarray(48)], [4, 4], 12, { method });
      expect(dup.q).toBe(3);
      expect(defects(dup, [Y.subarray(0, 48), Y.subarray(48)], [4, 4], 12).span).toBeLessThan(
        1e-12,
      );
    });
  }

  it('the two ways span the same space (equal projections QQᵀv)', () => {
    const p = 40;
    const X = blocks(new Random(4), sizes, p, true);
    const a = rowSpace(X, sizes, p, { method: 'gram' });
    const b = rowSpace(X, sizes, p, { method: 'gram-schmidt' });
    const v = new Random(5).normals(p);
    const project = (s: RowSpace) => s.expand(Float64Array.from(columns(s), (u) => dot(u, v, p)));
    const pa = project(a);
    const pb = project(b);
    for (let i = 0; i < p; i++) expect(Math.abs(pa[i]! - pb[i]!)).toBeLessThan(1e-12);
  });

  it("'auto' takes the Gram way when well conditioned and Gram–Schmidt when not", () => {
    const p = 60;
    const X = blocks(new Random(6), sizes, p, true);
    expect(rowSpace(X, sizes, p).method).toBe('gram');
    // Two nearly parallel rows: λ_min/λ_max of XXᵀ ≈ 1e-10, inside the rank tolerance's margin.
    const rng = new Random(7);
    const u = rng.normals(p);
    const w = rng.normals(p);
    const Y = new Float64Array(3 * p);
    for (let a = 0; a < p; a++) {
      Y[a] = u[a]!;
      Y[p + a] = u[a]! + 1e-5 * w[a]!;
      Y[2 * p + a] = rng.normal();
    }
    const s = rowSpace([Y], [3], p);
    expect(s.method).toBe('gram-schmidt');
    expect(s.q).toBe(3);
    expect(defects(s, [Y], [3], p).orth).toBeLessThan(1e-12);
  });

  it('project and expandColumns are R·Q and Q·G for the basis Q, both ways', () => {
    const p = 60;
    const X = blocks(new Random(8), [3, 4], p, false);
    const R = new Random(9).normals(5 * p);
    for (const method of ['gram', 'gram-schmidt'] as const) {
      const s = rowSpace(X, [3, 4], p, { method });
      const { q } = s;
      // Q column by column, through expand of unit coordinates.
      const Q = new Float64Array(p * q);
      for (let k = 0; k < q; k++) {
        const e = new Float64Array(q);
        e[k] = 1;
        const col = s.expand(e);
        for (let a = 0; a < p; a++) Q[a * q + k] = col[a]!;
      }
      const proj = s.project(R);
      for (let i = 0; i < 5; i++)
        for (let k = 0; k < q; k++) {
          let want = 0;
          for (let a = 0; a < p; a++) want += R[i * p + a]! * Q[a * q + k]!;
          expect(proj[i * q + k]).toBeCloseTo(want, 10);
        }
      const G = new Random(10).normals(q * 2);
      const up = s.expandColumns(G, 2);
      for (let a = 0; a < p; a++)
        for (let c = 0; c < 2; c++) {
          let want = 0;
          for (let k = 0; k < q; k++) want += Q[a * q + k]! * G[k * 2 + c]!;
          expect(up[a * 2 + c]).toBeCloseTo(want, 10);
        }
    }
  });

  it('refuses blocks that do not match their row counts, an unknown way, and wrong coordinates', () => {
    expect(() => rowSpace([new Float64Array(6)], [2], 4)).toThrow(ValidationError);
    expect(() => rowSpace([new Float64Array(8)], [2], 4, { method: 'qr' as 'gram' })).toThrow(
      /row-space method/,
    );
    const s = rowSpace([new Random(9).normals(8)], [2], 4);
    expect(() => s.expand(new Float64Array(3))).toThrow(/wrong length/);
  });
});
