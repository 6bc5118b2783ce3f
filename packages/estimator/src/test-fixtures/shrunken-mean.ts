import { ValidationError } from '@hetmtl/tensor';
import {
  Estimator,
  type EstimatorOptions,
  type EstimatorSelection,
  type FitContext,
  type Selected,
  validationRmse,
} from '../estimator.js';
import type { StandardizedTasks } from '../estimator-input.js';
import type { StandardizedFold } from '../validation-scheme.js';
import { decodeVector } from '../json-numbers.js';

/** A tiny learner on the skeleton: each task's mean of y, shrunk toward 0 by a factor chosen on validation rows. */
export interface ShrinkSelection extends EstimatorSelection {
  readonly shrink?: number;
}

type Model = Float64Array;
const SHRINKS = [0, 0.5, 1];
const KNOWN = ['validationFraction', 'refit', 'seed', 'logTarget', 'family'];

const means = (d: StandardizedTasks, shrink: number) =>
  Float64Array.from(d.y, (y) =>
    y.length === 0 ? 0 : (shrink * y.reduce((a, b) => a + b, 0)) / y.length,
  );

export class ShrunkenMean extends Estimator<Model, EstimatorOptions, ShrinkSelection> {
  static readonly FORMAT = 'hetmtl-test/shrunken-mean';

  constructor(options: Partial<EstimatorOptions> = {}) {
    for (const k of Object.keys(options))
      if (!KNOWN.includes(k))
        throw new ValidationError(`Unknown option ${k}`, { column: k, expected: KNOWN.join(', ') });
    super({
      validationFraction: options.validationFraction ?? 0.2,
      refit: options.refit ?? true,
      seed: options.seed ?? 0,
      ...(options.logTarget ? { logTarget: true } : {}),
      ...(options.family !== undefined ? { family: options.family } : {}),
    });
  }

  protected get learner() {
    return 'ShrunkenMean';
  }
  protected get format() {
    return ShrunkenMean.FORMAT;
  }
  protected get documentVersion() {
    return 1;
  }
  protected needsValidation() {
    return true;
  }
  protected async select(
    [{ train, validation, yScale }]: readonly StandardizedFold[],
    ctx: FitContext,
  ): Promise<Selected<Model, ShrinkSelection>> {
    let best = { shrink: 1, rmse: Number.POSITIVE_INFINITY };
    SHRINKS.forEach((shrink, i) => {
      const m = means(train, shrink);
      const rmse = validation
        ? validationRmse(
            validation,
            (r, X) => new Float64Array(X.length / train.p).fill(m[r]),
            yScale,
          )
        : 0;
      if (rmse < best.rmse) best = { shrink, rmse };
      ctx.report({ fraction: (i + 1) / SHRINKS.length });
    });
    return {
      model: means(train, best.shrink),
      selection: { validationRmse: best.rmse, shrink: best.shrink },
    };
  }
  protected async refitAll(data: StandardizedTasks, selected: Selected<Model, ShrinkSelection>) {
    return means(data, selected.selection.shrink ?? 1);
  }
  protected predictStandardized(model: Model, task: number, X: Float64Array, p: number) {
    return new Float64Array(X.length / p).fill(model[task]);
  }
  protected override modelToJSON(model: Model) {
    return { means: Array.from(model) };
  }
  protected override optionsToJSON() {
    return { ...this.options };
  }
  protected override selectionToJSON(s: ShrinkSelection) {
    return s;
  }

  static fromJSON(json: unknown): ShrunkenMean {
    return Estimator.restoreEstimator<ShrunkenMean, Model, ShrinkSelection>(json, {
      format: ShrunkenMean.FORMAT,
      version: 1,
      learner: 'ShrunkenMean',
      create: (o) => new ShrunkenMean(o),
      readModel: (raw, { R }) =>
        decodeVector((raw as { means?: unknown })?.means, R, 'model.means'),
      readSelection: (raw) => raw as ShrinkSelection,
    });
  }
}
