import { type MultiTaskDataset, Standardizer, type StandardizerOptions } from '@hetmtl/data';
import { ValidationError } from '@hetmtl/tensor';
import { combineDatasets, type StandardizedTasks, standardizeTasks } from './estimator-input.js';
import { holdOutDatasets, type IndexSplit } from './splits.js';

/**
 * The validation scheme of the estimator skeleton: the folds a learner chooses its setting on. A
 * fold gives its training rows, its validation rows standardised with statistics fitted on the
 * training rows (null: nothing to validate on), and the rows a refit after selection uses.
 */
export interface Fold {
  readonly train: MultiTaskDataset;
  /** The fold's validation rows on the given (training) statistics, aligned with the training tasks. */
  readonly validation: ((st: Standardizer) => StandardizedTasks) | null;
  /** The rows of the refit after selection: training + validation rows (all of the dataset for K folds). */
  readonly all: MultiTaskDataset;
}

/** A fold on its own training statistics: what a learner's `select` sees. */
export interface StandardizedFold {
  readonly train: StandardizedTasks;
  readonly validation: StandardizedTasks | null;
  /** The statistics fitted on the fold's training rows. */
  readonly standardizer: Standardizer;
  /** The pooled standard deviation of y on the training rows: multiplies standardised RMSE into units of y (1 when the target is not standardised). */
  readonly yScale: number;
}

/**
 * A fold on statistics of its training rows: pooled feature and target statistics by default;
 * `{ target: 'none' }` for the binomial and poisson families, whose target is not standardised.
 */
export function standardizeFold(fold: Fold, options: StandardizerOptions = {}): StandardizedFold {
  const standardizer = new Standardizer(options).fit(fold.train);
  return {
    train: standardizeTasks(fold.train, standardizer),
    validation: fold.validation ? fold.validation(standardizer) : null,
    standardizer,
    yScale: standardizer.targetScaling().scale,
  };
}

/** The caller's validation rows (same tasks and features, checked by the skeleton) as the one fold. */
export function givenValidationFold(dataset: MultiTaskDataset, validation: MultiTaskDataset): Fold {
  return {
    train: dataset,
    validation: (st) => standardizeTasks(validation, st, dataset.taskNames),
    all: combineDatasets(dataset, validation),
  };
}

/**
 * The default scheme: the given validation rows; else one stratified hold-out split of
 * `fraction` of each task's rows (refused when no task can spare a row); for a learner that needs
 * no validation, one fold of every row (the given validation rows added) with nothing to validate.
 */
export function defaultFolds(
  dataset: MultiTaskDataset,
  validation: MultiTaskDataset | undefined,
  { needsValidation, fraction, seed }: { needsValidation: boolean; fraction: number; seed: number },
): Fold[] {
  if (!needsValidation) {
    const all = validation !== undefined ? combineDatasets(dataset, validation) : dataset;
    return [{ train: all, validation: null, all }];
  }
  if (validation !== undefined) return [givenValidationFold(dataset, validation)];
  const split = holdOutDatasets(dataset, fraction, seed);
  return [
    {
      train: split.train,
      validation: (st) => standardizeTasks(split.validation, st, split.train.taskNames),
      all: combineDatasets(split.train, split.validation),
    },
  ];
}

/**
 * Folds from row splits within tasks (holdOutSplit, kFoldSplits). A task without validation rows in
 * a fold has empty validation arrays (the validation score skips it); a value of a validation row
 * that the fold's statistics cannot standardise is an error naming its task, its row as numbered in
 * the task, and its column. With several splits (K folds) the refit uses the dataset as given.
 */
export function foldsFromSplits(dataset: MultiTaskDataset, splits: readonly IndexSplit[]): Fold[] {
  const tasks = dataset.tasks();
  const p = dataset.numFeatures;
  return splits.map((sp) => ({
    train: dataset.subset(sp.train),
    validation: (st: Standardizer) => {
      const X: Float64Array[] = [];
      const y: Float64Array[] = [];
      const w: Float64Array[] = [];
      const o: Float64Array[] = [];
      tasks.forEach((t, r) => {
        const idx = sp.validation[r];
        if (t.weight) w.push(Float64Array.from(idx, (i) => (t.weight as Float64Array)[i]));
        if (t.offset) o.push(Float64Array.from(idx, (i) => (t.offset as Float64Array)[i]));
        const rows = new Float64Array(idx.length * p);
        const ys = new Float64Array(idx.length);
        idx.forEach((i, j) => {
          rows.set(t.X.subarray(i * p, (i + 1) * p), j * p);
          ys[j] = t.y[i];
        });
        // Rows of this fold's validation part are numbered as in the task (errors say so).
        const inTask = <T>(f: () => T): T => {
          try {
            return f();
          } catch (e) {
            if (!ValidationError.isInstance(e) || e.row === undefined) throw e;
            throw e.at({ task: t.name, row: idx[e.row - 1] + 1 });
          }
        };
        const far = (k: number, column: string, value: number) =>
          new ValidationError('A value far outside the range of the rows it is validated against', {
            task: t.name,
            row: idx[k] + 1,
            column,
            expected: 'values of the same order as the rest of the column',
            received: String(value),
            fix: 'Rescale the column (other units, or its logarithm), or remove the row if the value is an error',
          });
        const Xs = inTask(() => st.transformX(rows, t.name));
        for (let k = 0; k < Xs.length; k++)
          if (!(Math.abs(Xs[k]) < 1e30))
            throw far(Math.floor(k / p), dataset.featureNames[k % p], rows[k]);
        const Ys = inTask(() => st.transformY(ys, t.name));
        for (let k = 0; k < Ys.length; k++)
          if (!(Math.abs(Ys[k]) < 1e30)) throw far(k, dataset.encoding.target, ys[k]);
        X.push(Xs);
        y.push(Ys);
      });
      return {
        X,
        y,
        p,
        ...(dataset.weights !== null ? { weights: w } : {}),
        ...(dataset.offsets !== null ? { offsets: o } : {}),
      };
    },
    all:
      splits.length > 1
        ? dataset
        : dataset.subset(sp.train.map((tr, r) => Int32Array.from([...tr, ...sp.validation[r]]))),
  }));
}
