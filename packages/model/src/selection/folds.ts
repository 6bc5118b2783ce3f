import type { MultiTaskDataset } from '@hetmtl/data';
import {
  type Fold,
  foldsFromSplits,
  givenValidationFold,
  holdOutSplit,
  kFoldSplits,
} from '@hetmtl/estimator';
import type { ResolvedOptions } from '../options.js';

/**
 * The model's validation scheme (the skeleton's `validationFolds`): the given validation set;
 * else one stratified split, or K folds by task when tasks are too small for one split to say much
 * (mean validation rows per task < 10). The model's own splits keep at least one training row per
 * task: a task too small to spare a validation row trains on all its rows and is skipped by the
 * validation score (`@hetmtl/estimator` holdOutSplit, kFoldSplits, foldsFromSplits).
 */
export function validationFolds(
  o: Pick<ResolvedOptions, 'validationFraction' | 'selection'>,
  dataset: MultiTaskDataset,
  validation: MultiTaskDataset | undefined,
  seed: number,
): Fold[] {
  if (validation) return [givenValidationFold(dataset, validation)];
  const folds = o.selection.folds;
  const meanValRows = (dataset.totalRows / dataset.numTasks) * o.validationFraction;
  const k =
    folds === 'auto' ? (meanValRows < 10 ? Math.min(5, Math.min(...dataset.sizes)) : 1) : folds;
  return foldsFromSplits(
    dataset,
    k >= 2 ? kFoldSplits(dataset, k, seed) : [holdOutSplit(dataset, o.validationFraction, seed)],
  );
}
