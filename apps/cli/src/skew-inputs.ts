import { RidgeRegressor } from '@hetmtl/baselines';
import {
  log1pColumns,
  type MultiTaskDataset,
  type SkewedColumn,
  skewedColumns,
} from '@hetmtl/data';

export type SkewMode = 'auto' | 'log1p' | 'off';

/** What `--skew` did: the skewed columns found, whether log1p was applied, and why. */
export interface SkewChoice {
  readonly mode: SkewMode;
  readonly columns: readonly SkewedColumn[];
  readonly applied: boolean;
  /** With auto: pooled ridge's validation RMSE on the training rows without and with log1p. */
  readonly validation?: { readonly raw: number; readonly log1p: number };
}

/** Whether a column (by name) takes a negative value in any row of a dataset. */
function hasNegative(ds: MultiTaskDataset, name: string): boolean {
  const f = ds.featureNames.indexOf(name);
  const p = ds.numFeatures;
  return ds.tasks().some((t) => {
    for (let i = 0; i < t.n; i++) if (t.X[i * p + f] < 0) return true;
    return false;
  });
}

/**
 * `--skew`: the skewed non-negative numeric columns of the training rows (`skewedColumns`; a column
 * with a negative value among the held-out rows is not one), log-transformed when `mode` is log1p,
 * or with auto when that lowers the validation RMSE of pooled ridge with task intercepts (its own
 * seeded hold-out split of the training rows, the same split both ways). The held-out rows get the
 * same transform; the returned training encoding records it for the saved model.
 */
export async function skewInputs(
  train: MultiTaskDataset,
  evaluation: MultiTaskDataset,
  mode: SkewMode,
  seed: number,
  signal?: AbortSignal,
  /** --log-target: pooled ridge compares on the log of the target, as the model is fitted. */
  logTarget = false,
): Promise<{ train: MultiTaskDataset; evaluation: MultiTaskDataset; choice: SkewChoice }> {
  const columns =
    mode === 'off'
      ? []
      : skewedColumns(train).filter(
          (c) => evaluation === train || !hasNegative(evaluation, c.name),
        );
  const none = { train, evaluation, choice: { mode, columns, applied: false } };
  if (columns.length === 0) return none;
  const names = columns.map((c) => c.name);
  const logged = log1pColumns(train, names);
  const apply = () => ({
    train: logged,
    evaluation: evaluation === train ? logged : log1pColumns(evaluation, names),
  });
  if (mode === 'log1p') return { ...apply(), choice: { mode, columns, applied: true } };
  const score = async (ds: MultiTaskDataset) => {
    const ridge = await new RidgeRegressor({ mode: 'pooled', seed, logTarget }).fit(ds, { signal });
    const rmse = ridge.selection.validationRmse ?? Number.POSITIVE_INFINITY;
    ridge.dispose();
    return rmse;
  };
  const validation = { raw: await score(train), log1p: await score(logged) };
  if (!(validation.log1p < validation.raw))
    return { ...none, choice: { ...none.choice, validation } };
  return { ...apply(), choice: { mode, columns, applied: true, validation } };
}

/** The report's line about `--skew` (null when no column is skewed). */
export function skewLine(c: SkewChoice): string | null {
  if (c.columns.length === 0) return null;
  const list = c.columns.map((x) => `${x.name} (skewness ${x.skewness.toFixed(1)})`).join(', ');
  const n = c.columns.length;
  const cols = `${n} skewed non-negative column${n === 1 ? '' : 's'}`;
  const v = c.validation
    ? `pooled ridge's validation RMSE ${c.validation.raw.toFixed(3)} → ${c.validation.log1p.toFixed(3)} with log1p`
    : '';
  if (c.applied)
    return `Inputs: log(1 + v) of ${cols}: ${list}${v ? ` (${v}; --skew auto)` : ' (--skew log1p)'}; --skew off keeps them as they are`;
  return `Inputs: ${cols} kept as they are: ${list} (${v}; --skew log1p transforms them anyway)`;
}
