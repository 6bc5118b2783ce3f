// Independent reference learners for the model's tests: per-task ridge and pooled ridge with task
// intercepts, written directly (normal equations with @hetmtl/tensor's solveSPD), with λ chosen on a
// stratified validation split of the training rows and a refit on all of them.
import { type MultiTaskDataset, trainTestSplit } from '@hetmtl/data';
import { matrix, solveSPD } from '@hetmtl/tensor';

const LAMBDAS = [1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100, 1000];

interface Scale {
  mean: Float64Array;
  sd: Float64Array;
}

function featureScale(ds: MultiTaskDataset): Scale {
  const p = ds.numFeatures;
  const mean = new Float64Array(p);
  const sd = new Float64Array(p);
  let n = 0;
  for (const t of ds.tasks())
    for (let i = 0; i < t.n; i++) for (let j = 0; j < p; j++) mean[j]! += t.X[i * p + j]!;
  for (const t of ds.tasks()) n += t.n;
  for (let j = 0; j < p; j++) mean[j]! /= n;
  for (const t of ds.tasks())
    for (let i = 0; i < t.n; i++)
      for (let j = 0; j < p; j++) sd[j]! += (t.X[i * p + j]! - mean[j]!) ** 2;
  for (let j = 0; j < p; j++) sd[j] = Math.sqrt(sd[j]! / n) || 1;
  return { mean, sd };
}

/** Rows of [1, standardised x, (task dummies)] for least squares. */
function design(
  X: ArrayLike<number>,
  n: number,
  s: Scale,
  extra: (i: number) => number[] = () => [],
): number[][] {
  const p = s.mean.length;
  return Array.from({ length: n }, (_, i) => [
    1,
    ...Array.from({ length: p }, (_, j) => (X[i * p + j]! - s.mean[j]!) / s.sd[j]!),
    ...extra(i),
  ]);
}

/** Ridge (intercept unpenalised) by the normal equations. */
function ridge(
  rows: number[][],
  y: ArrayLike<number>,
  lambda: number,
  unpenalised: (j: number) => boolean,
): Float64Array {
  const q = rows[0]!.length;
  const A = matrix(q, q);
  const b = new Float64Array(q);
  rows.forEach((r, i) => {
    for (let a = 0; a < q; a++) {
      b[a]! += r[a]! * y[i]!;
      for (let c = 0; c < q; c++) A.data[a * q + c]! += r[a]! * r[c]!;
    }
  });
  for (let a = 0; a < q; a++) A.data[a * q + a]! += unpenalised(a) ? 1e-9 : lambda * rows.length;
  return solveSPD(A, b);
}

const dot = (r: number[], w: Float64Array) => r.reduce((s, v, j) => s + v * w[j]!, 0);

function rmseOf(pairs: [number, number][]): number {
  return Math.sqrt(pairs.reduce((s, [a, b]) => s + (a - b) ** 2, 0) / pairs.length);
}

type Learner = (
  train: MultiTaskDataset,
  lambda: number,
) => (task: string, X: ArrayLike<number>, n: number) => number[];

const perTaskRidge: Learner = (train, lambda) => {
  const s = featureScale(train);
  const w = new Map(
    train.tasks().map((t) => [t.name, ridge(design(t.X, t.n, s), t.y, lambda, (j) => j === 0)]),
  );
  return (task, X, n) => design(X, n, s).map((r) => dot(r, w.get(task)!));
};

const pooledRidge: Learner = (train, lambda) => {
  const s = featureScale(train);
  const R = train.numTasks;
  const names = train.taskNames;
  const dummies = (r: number) => () =>
    Array.from({ length: R - 1 }, (_, k) => (k + 1 === r ? 1 : 0));
  const rows: number[][] = [];
  const y: number[] = [];
  train.tasks().forEach((t, r) => {
    rows.push(...design(t.X, t.n, s, dummies(r)));
    y.push(...t.y);
  });
  const p = train.numFeatures;
  const w = ridge(rows, y, lambda, (j) => j === 0 || j > p);
  return (task, X, n) => design(X, n, s, dummies(names.indexOf(task))).map((r) => dot(r, w));
};

function fitSelected(learner: Learner, train: MultiTaskDataset, seed: number) {
  const split = trainTestSplit(train, { test: 0.2, seed });
  let best = { lambda: 1, score: Number.POSITIVE_INFINITY };
  for (const lambda of LAMBDAS) {
    const f = learner(split.train, lambda);
    const pairs: [number, number][] = [];
    for (const t of split.test.tasks())
      f(t.name, t.X, t.n).forEach((v, i) => pairs.push([v, t.y[i]!]));
    const score = rmseOf(pairs);
    if (score < best.score) best = { lambda, score };
  }
  return learner(train, best.lambda);
}

/** Test RMSE (all rows, and mean over tasks) of a learner fitted on train. */
export function evaluateBaseline(
  kind: 'per-task ridge' | 'pooled ridge',
  train: MultiTaskDataset,
  test: MultiTaskDataset,
  seed = 0,
) {
  const f = fitSelected(kind === 'per-task ridge' ? perTaskRidge : pooledRidge, train, seed);
  const pairs: [number, number][] = [];
  const perTask: number[] = [];
  for (const t of test.tasks()) {
    const tp = f(t.name, t.X, t.n).map((v, i) => [v, t.y[i]!] as [number, number]);
    pairs.push(...tp);
    perTask.push(rmseOf(tp));
  }
  return { rmse: rmseOf(pairs), meanTaskRmse: perTask.reduce((a, b) => a + b, 0) / perTask.length };
}
