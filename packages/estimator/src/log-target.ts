import type { MultiTaskDataset } from '@hetmtl/data';
import { opt, ValidationError } from '@hetmtl/tensor';

/**
 * The dataset with log y in place of y (the `logTarget` option of every estimator). A target that
 * is not positive is refused, naming its task and row (1-based within the task).
 */
export function logOfTarget(
  ds: MultiTaskDataset,
  what: 'training' | 'validation',
): MultiTaskDataset {
  return ds.withTarget(
    ds.tasks().map((t) =>
      Float64Array.from(t.y, (v, i) => {
        if (!(v > 0))
          throw new ValidationError(`A ${what} target that is not positive, with the log target`, {
            task: t.name,
            row: i + 1,
            column: ds.encoding.target,
            expected: 'a target > 0 (its logarithm is fitted)',
            received: String(v),
            fix: ['Fit without ', opt('logTarget', true), ', or remove or correct the row'],
          });
        return Math.log(v);
      }),
    ),
  );
}
