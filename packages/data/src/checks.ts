import { ValidationError } from '@hetmtl/tensor';

/** Throws when a task of two or more rows has the same target in every row. */
export function checkConstantTargets(taskNames: readonly string[], ys: readonly Float64Array[], target: string): void {
  ys.forEach((y, r) => {
    if (y.length < 2) return;
    const first = y[0] as number;
    for (let i = 1; i < y.length; i++) if (y[i] !== first) return;
    throw new ValidationError('Constant target in a task', {
      task: taskNames[r],
      column: target,
      expected: 'a target that varies within each task',
      received: `all ${y.length} rows equal to ${first}`,
      fix: 'Check that the target column is the right one, or remove the task; pass constantTarget: "allow" to keep it',
    });
  });
}
