import { fromTaskArrays, type MultiTaskDataset, type Standardizer } from '@hetmtl/data';

/** Per-task rows on the learner's standardised scale: X row-major n_r × p, y of length n_r. */
export interface TaskArrays {
  readonly X: readonly Float64Array[];
  readonly y: readonly Float64Array[];
  readonly p: number;
}

/** Every task of a dataset, standardised with the given (fitted) standardizer. */
export function standardiseTasks(ds: MultiTaskDataset, st: Standardizer): TaskArrays {
  const X: Float64Array[] = [];
  const y: Float64Array[] = [];
  for (const t of ds.tasks()) {
    X.push(st.transformX(t.X));
    y.push(st.transformY(t.y));
  }
  return { X, y, p: ds.numFeatures };
}

export function sizesOf(data: TaskArrays): number[] {
  return data.y.map((y) => y.length);
}

/** Train and validation rows of each task together, as one dataset (tasks in the order of `a`). */
export function combineDatasets(a: MultiTaskDataset, b: MultiTaskDataset): MultiTaskDataset {
  const list: { name: string; X: Float64Array; y: Float64Array }[] = [];
  const p = a.numFeatures;
  for (const t of a.tasks()) {
    const u = b.task(t.name);
    const X = new Float64Array((t.n + u.n) * p);
    X.set(t.X, 0);
    X.set(u.X, t.n * p);
    const y = new Float64Array(t.n + u.n);
    y.set(t.y, 0);
    y.set(u.y, t.n);
    list.push({ name: t.name, X, y });
  }
  return fromTaskArrays(list, { featureNames: [...a.featureNames], constantTarget: 'allow' });
}
