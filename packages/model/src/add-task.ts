import { metrics, toRowMajor } from '@hetmtl/estimator';
import { encoderRegistry } from '@hetmtl/encoders';
import {
  crossprod,
  describeReceived,
  gram,
  Random,
  tf,
  ValidationError,
  predictLinear,
  solveWithJitter,
  topEigen,
} from '@hetmtl/tensor';
import { nearestGroupCentre, pullToward } from '@hetmtl/regularizers';
import {
  buildCoefficientProblem,
  type CoefficientProblem,
  profiledIntercepts,
} from './dual/coefficient-block.js';
import { hasOwnEncoder } from './dual/trainer.js';
import { linearTask } from './linear-mtl.js';
import { BlendPredictor } from './predictors/blend.js';
import { FittedDual } from './predictors/dual.js';
import type { LinearPredictor } from './predictors/linear.js';
import type { TaskPredictor } from './predictors/predictor.js';
import type { FittedState } from './types.js';

/** Pull strengths toward the nearest group centre tried for a new task (∞: join the group). */
export const ADD_TASK_LAMBDAS = [0, 0.01, 0.1, 1, 10, Number.POSITIVE_INFINITY] as const;

/** Rows of a new task split for choosing the pull (80/20, seeded), or all rows twice when too few. */
function holdout(n: number, rng: Random): { fit: number[]; val: number[] } {
  if (n < 10) return { fit: [...Array(n).keys()], val: [...Array(n).keys()] };
  const perm = Array.from(rng.permutation(n));
  const nv = Math.max(2, Math.round(0.2 * n));
  return {
    fit: perm.slice(nv).sort((a, b) => a - b),
    val: perm.slice(0, nv).sort((a, b) => a - b),
  };
}

const rows = (X: Float64Array, idx: number[], k: number) => {
  const out = new Float64Array(idx.length * k);
  idx.forEach((i, j) => out.set(X.subarray(i * k, (i + 1) * k), j * k));
  return out;
};

export interface AddedDual {
  readonly fitted: FittedDual;
  readonly group: number | null;
  readonly lambda: number;
}

/**
 * method.md §6 for a dual-encoder model: g0 and its standardisation frozen; a task-specific map for
 * the new task from the principal directions of what the shared factors leave of its X (set exactly
 * for linear encoders; other encoders keep their seeded initial weights); β pulled toward the
 * nearest group centre with the pull chosen on a held-out part of the new task. The fitted tasks'
 * weights and coefficients are copied unchanged.
 */
export function addDualTask(
  old: FittedDual,
  Xs: Float64Array,
  ys: Float64Array,
  groups: readonly number[],
  tau: number,
  ridge: number,
  rng: Random,
): AddedDual {
  const s = old.state;
  const { p, K0, K1 } = s;
  const n = ys.length;
  const R = old.R;
  const F = old.sharedFactors(Xs);
  const hasSpec = old.specific !== null && hasOwnEncoder(n, K1);
  let specific = old.specific;
  let G = new Float64Array(n * K1);
  let stats = {
    mu: new Float64Array(K1),
    sd: new Float64Array(K1).fill(1),
    lo: new Float64Array(K1),
    hi: new Float64Array(K1),
  };
  if (old.specific) {
    const one = encoderRegistry.build(old.specific.spec, {
      inputDim: p,
      outputDim: K1,
      rng: rng.child(),
      tasks: 1,
      name: 'specific',
    });
    try {
      if (hasSpec && one.setLinearMap) {
        // Residual of the task's centred X on its shared factors, then its top-K1 directions.
        const mean = new Float64Array(p);
        for (let i = 0; i < n * p; i++) mean[i % p] = mean[i % p] + Xs[i] / n;
        const Xc = Xs.map((v, i) => v - mean[i % p]);
        const FtF = gram(F, n, K0);
        for (let k = 0; k < K0; k++) FtF[k * K0 + k] = FtF[k * K0 + k] + 1e-8;
        const coef = solveWithJitter(FtF, crossprod(F, Xc, n, K0, p), K0, p).x;
        for (let i = 0; i < n; i++)
          for (let a = 0; a < p; a++)
            for (let k = 0; k < K0; k++)
              Xc[i * p + a] = Xc[i * p + a] - F[i * K0 + k] * coef[k * p + a];
        const C = gram(Xc, n, p).map((v) => v / n);
        one.setLinearMap([topEigen(C, p, K1, rng.child()).vectors], [mean]);
      }
      if (hasSpec) {
        const out = tf.tidy(() => one.forward(tf.tensor3d(Float32Array.from(Xs), [1, n, p])));
        const raw = Float64Array.from(out.dataSync());
        out.dispose();
        const mu = new Float64Array(K1);
        const sd = new Float64Array(K1);
        for (let i = 0; i < n * K1; i++) mu[i % K1] = mu[i % K1] + raw[i] / n;
        for (let i = 0; i < n * K1; i++) sd[i % K1] = sd[i % K1] + (raw[i] - mu[i % K1]) ** 2 / n;
        for (let k = 0; k < K1; k++) sd[k] = Math.max(Math.sqrt(sd[k]), 1e-6);
        G = raw.map((v, i) => (v - mu[i % K1]) / sd[i % K1]);
        const lo = new Float64Array(K1).fill(Number.POSITIVE_INFINITY);
        const hi = new Float64Array(K1).fill(Number.NEGATIVE_INFINITY);
        G.forEach((v, i) => {
          lo[i % K1] = Math.min(lo[i % K1], v);
          hi[i % K1] = Math.max(hi[i % K1], v);
        });
        stats = { mu, sd, lo, hi };
      }
      // The batched encoder for R + 1 tasks: the fitted tasks' weights, then the new task's.
      const oldW = old.specific.getWeights();
      const newW = one.getWeights();
      const merged = Object.fromEntries(
        Object.entries(oldW).map(([name, w]) => {
          const add = newW[name] as { shape: number[]; values: number[] };
          return [
            name,
            { shape: [R + 1, ...w.shape.slice(1)], values: [...w.values, ...add.values] },
          ];
        }),
      );
      specific = encoderRegistry.build(old.specific.spec, {
        inputDim: p,
        outputDim: K1,
        rng: rng.child(),
        tasks: R + 1,
        name: 'specific',
      });
      specific.setWeights(merged);
    } finally {
      one.dispose();
    }
  }
  // β pulled toward the nearest group centre; the pull chosen on held-out rows.
  const cpAll = buildCoefficientProblem([F], [G], [ys], [hasSpec], K0, K1, tau, [1], true, 'dense');
  const unfused = pullToward(
    denseA(cpAll),
    cpAll.fusion.b[0] as Float64Array,
    new Float64Array(K0),
    0,
    ridge,
  );
  const { centre, group } = nearestGroupCentre(s.beta, groups, unfused);
  const { fit, val } = holdout(n, rng);
  const cpFit = buildCoefficientProblem(
    [rows(F, fit, K0)],
    [rows(G, fit, K1)],
    [rows(ys, fit, 1)],
    [hasSpec],
    K0,
    K1,
    tau,
    [1],
    true,
    'dense',
  );
  let best = { lambda: 0, score: Number.POSITIVE_INFINITY };
  for (const lambda of ADD_TASK_LAMBDAS) {
    const beta = pullToward(
      denseA(cpFit),
      cpFit.fusion.b[0] as Float64Array,
      centre,
      lambda,
      ridge,
    );
    const u = profiledIntercepts(cpFit, [beta]);
    const pred = predictLinear(
      rows(F, val, K0),
      rows(G, val, K1),
      val.length,
      beta,
      u.gamma[0],
      u.c[0],
    );
    const score = metrics(rows(ys, val, 1), pred).rmse;
    if (score < best.score) best = { lambda, score };
  }
  const beta = pullToward(
    denseA(cpAll),
    cpAll.fusion.b[0] as Float64Array,
    centre,
    best.lambda,
    ridge,
  );
  const u = profiledIntercepts(cpAll, [beta]);
  const state = {
    ...s,
    hasSpecific: [...s.hasSpecific, hasSpec],
    muS: [...s.muS, stats.mu],
    sdS: [...s.sdS, stats.sd],
    gMin: [...s.gMin, stats.lo],
    gMax: [...s.gMax, stats.hi],
    beta: [...s.beta, beta],
    gamma: [...s.gamma, u.gamma[0]],
    c: Float64Array.from([...s.c, u.c[0]]),
  };
  return {
    fitted: new FittedDual(state, old.shared, specific),
    group: best.lambda === Number.POSITIVE_INFINITY ? group : null,
    lambda: best.lambda,
  };
}

/** method.md §6 for the linear MTL model: β pulled toward the mean of the fitted tasks' β. */
export function addLinearTask(
  beta: readonly Float64Array[],
  Xs: Float64Array,
  ys: Float64Array,
  p: number,
  ridge: number,
  rng: Random,
) {
  const n = ys.length;
  const centre = new Float64Array(p);
  for (const b of beta) for (let a = 0; a < p; a++) centre[a] = centre[a] + b[a] / beta.length;
  const { fit, val } = holdout(n, rng);
  const solve = (idx: number[], lambda: number) => {
    const t = linearTask(rows(Xs, idx, p), rows(ys, idx, 1), idx.length, p);
    const b = pullToward(t.A, t.b, centre, lambda, ridge);
    return {
      beta: b,
      intercept: t.yMean - t.xMean.reduce((s, v, a) => s + v * b[a], 0),
    };
  };
  let best = { lambda: 0, score: Number.POSITIVE_INFINITY };
  for (const lambda of ADD_TASK_LAMBDAS) {
    const f = solve(fit, lambda);
    const Xv = rows(Xs, val, p);
    const pred = Float64Array.from(
      { length: val.length },
      (_, i) => f.intercept + f.beta.reduce((s, v, a) => s + v * Xv[i * p + a], 0),
    );
    const score = metrics(rows(ys, val, 1), pred).rmse;
    if (score < best.score) best = { lambda, score };
  }
  return { ...solve([...Array(n).keys()], best.lambda), lambda: best.lambda };
}

/**
 * Adds a new task to a fitted state (method.md §6): the shared encoder and every fitted task stay as
 * they are; the new task gets its own factors and coefficients, β pulled toward the nearest
 * learned group. Returns the new state (the old predictor's encoders are reused or freed).
 */
export function addTask(
  s: FittedState,
  o: { readonly seed: number; readonly tau: number; readonly ridge: number },
  name: string,
  data: {
    readonly X: Float64Array | Float32Array | readonly (readonly number[])[];
    readonly y: ArrayLike<number>;
  },
): FittedState {
  if (typeof name !== 'string' || name.length === 0)
    throw new ValidationError('Invalid task name', {
      expected: 'a non-empty string',
      received: describeReceived(name),
    });
  if (s.taskNames.includes(name)) {
    throw new ValidationError('The task already exists', {
      task: name,
      fix: 'Choose a new name; refit the model to change a fitted task',
    });
  }
  const p = s.featureNames.length;
  const X = toRowMajor(data?.X as Float64Array, p, name);
  const n = X.length / p;
  const y = Float64Array.from(data?.y ?? []);
  if (y.length !== n || n < 2) {
    throw new ValidationError(
      'The new task needs X and y with the same number of rows (at least 2)',
      {
        task: name,
        expected: `${n} targets`,
        received: `${y.length}`,
      },
    );
  }
  y.forEach((v, i) => {
    if (!Number.isFinite(v))
      throw new ValidationError('Non-finite target', {
        task: name,
        row: i,
        expected: 'finite numbers',
        received: String(v),
      });
  });
  const Xs = s.standardizer.transformX(X);
  const ys = s.standardizer.transformY(y);
  const rng = new Random(o.seed).child();
  const taskNames = [...s.taskNames, name];
  const nextGroup = Math.max(...s.groups) + 1;
  // A blend adds the task to every component, each on its own stream: the heaviest with the model's
  // groups, the others with every task its own group (their groups are not kept).
  let added: { predictor: TaskPredictor; group: number | undefined };
  if (s.predictor.kind === 'blend') {
    const parts = (s.predictor as BlendPredictor).parts.map((part, m) => ({
      ...part,
      added: addToPredictor(
        part.predictor,
        Xs,
        ys,
        m === 0 ? s.groups : s.groups.map((_, r) => r),
        o,
        p,
        m === 0 ? rng : rng.child(),
      ),
    }));
    added = {
      predictor: new BlendPredictor(
        parts.map(({ added: a, ...part }) => ({ ...part, predictor: a.predictor })),
      ),
      group: parts[0].added.group,
    };
  } else
    added = addToPredictor(
      s.predictor as FittedDual | LinearPredictor,
      Xs,
      ys,
      s.groups,
      o,
      p,
      rng,
    );
  return {
    ...s,
    taskNames,
    predictor: added.predictor,
    groups: [...s.groups, added.group ?? nextGroup],
  };
}

/** One dual or linear predictor with the new task (the old one's encoders reused or freed). */
function addToPredictor(
  predictor: FittedDual | LinearPredictor,
  Xs: Float64Array,
  ys: Float64Array,
  groups: readonly number[],
  o: { readonly tau: number; readonly ridge: number },
  p: number,
  rng: Random,
): { predictor: FittedDual | LinearPredictor; group: number | undefined } {
  if (predictor.kind === 'dual') {
    const added = addDualTask(predictor, Xs, ys, groups, o.tau, o.ridge, rng);
    if (added.fitted.specific !== predictor.specific) predictor.specific?.dispose();
    return { predictor: added.fitted, group: added.group ?? undefined };
  }
  const added = addLinearTask(predictor.beta, Xs, ys, p, o.ridge, rng);
  return { predictor: predictor.withTask(added.beta, added.intercept), group: undefined };
}

/** The one task's A (add-task builds its problems dense). */
function denseA(cp: CoefficientProblem): Float64Array {
  return (cp.fusion as { A: readonly { data: Float64Array }[] }).A[0].data;
}
