import type { MultiTaskDataset, Standardizer } from '@hetmtl/data';
import {
  checkSameShape,
  combineDatasets,
  holdOutSplit,
  kFoldSplits,
  type StandardizedTasks,
  standardizeTasks,
} from '@hetmtl/estimator';
import { ValidationError } from '@hetmtl/tensor';

import type { ResolvedOptions } from '../options.js';

/** One fold of the validation scheme. */
export interface Fold {
  readonly train: MultiTaskDataset;
  /** The fold's validation rows standardised with the given (training) statistics. */
  readonly validation: (st: Standardizer) => StandardizedTasks;
  /** Training and validation rows together (for the refit). */
  readonly all: MultiTaskDataset;
}

/**
 * The validation scheme: the given validation set; else one stratified split, or K folds by task
 * when tasks are too small for one split to say much (mean validation rows per task < 10). The
 * model's own splits keep at least one training row per task: a task too small to spare a
 * validation row trains on all its rows and is skipped by the validation score (`@hetmtl/estimator` holdOutSplit, kFoldSplits).
 * Each fold gives its training rows, its validation rows standardised with a fold's statistics
 * (aligned with the training tasks; empty for a task with none), and train + validation together.
 */
export function validationFolds(
  o: Pick<ResolvedOptions, 'validationFraction' | 'selection'>,
  dataset: MultiTaskDataset,
  validation: MultiTaskDataset | undefined,
  seed: number,
): Fold[] {
  if (validation) {
    checkSameShape(dataset, validation);
    return [
      {
        train: dataset,
        validation: (st) => standardizeTasks(validation, st),
        all: combineDatasets(dataset, validation),
      },
    ];
  }
  const folds = o.selection.folds;
  const meanValRows = (dataset.totalRows / dataset.numTasks) * o.validationFraction;
  const k =
    folds === 'auto' ? (meanValRows < 10 ? Math.min(5, Math.min(...dataset.sizes)) : 1) : folds;
  const splits =
    k >= 2 ? kFoldSplits(dataset, k, seed) : [holdOutSplit(dataset, o.validationFraction, seed)];
  const tasks = dataset.tasks();
  const p = dataset.numFeatures;
  return splits.map((sp) => ({
    train: dataset.subset(sp.train),
    validation: (st: Standardizer) => {
      const X: Float64Array[] = [];
      const y: Float64Array[] = [];
      tasks.forEach((t, r) => {
        const idx = sp.validation[r];
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
      return { X, y, p };
    },
    all: dataset.subset(sp.train.map((tr, r) => Int32Array.from([...tr, ...sp.validation[r]]))),
  }));
}
