import { opt, ValidationError } from '@hetmtl/tensor';

/** Tasks of two or more rows whose target is the same in every row: index, rows and the value. */
export function constantTargetTasks(
  ys: readonly Float64Array[],
): { index: number; rows: number; value: number }[] {
  const out: { index: number; rows: number; value: number }[] = [];
  ys.forEach((y, r) => {
    if (y.length < 2) return;
    const first = y[0];
    for (let i = 1; i < y.length; i++) if (y[i] !== first) return;
    out.push({ index: r, rows: y.length, value: first });
  });
  return out;
}

/** Throws when a task of two or more rows has the same target in every row (`constantTarget: "error"`). */
export function checkConstantTargets(
  taskNames: readonly string[],
  ys: readonly Float64Array[],
  target: string,
): void {
  ys.forEach((y, r) => {
    if (y.length < 2) return;
    const first = y[0];
    for (let i = 1; i < y.length; i++) if (y[i] !== first) return;
    throw new ValidationError('Constant target in a task', {
      task: taskNames[r],
      column: target,
      expected: 'a target that varies within each task',
      received: `all ${y.length} rows equal to ${first}`,
      fix: [
        'Check that the target column is the right one, or remove the task; pass ',
        opt('constantTarget', 'allow'),
        ' (the default) to keep it',
      ],
    });
  });
}
