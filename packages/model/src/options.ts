import { editDistance } from '@hetmtl/data';
import { type EncoderSpec, linear } from '@hetmtl/encoders';
import { mcp, type Penalty } from '@hetmtl/regularizers';
import { type FamilyName, familyOf } from '@hetmtl/estimator';
import { describeReceived, opt, ValidationError } from '@hetmtl/tensor';

/** Options of {@link DualEncoderRegressor}; every one has the default of method.md. */
export interface DualEncoderOptions {
  /** Shared encoder g0 (default `linear()`; `mlp(...)` for nonlinear structure, `identity()` for linear MTL). */
  readonly shared?: EncoderSpec;
  /** Task-specific encoders g_r (default `linear()`); `null` for none (K1 = 0). */
  readonly specific?: EncoderSpec | null;
  /** Shared factors K0 (default 4; with an identity shared encoder, p). */
  readonly K0?: number;
  /** Task factors K1 (default 2; 0 for none). */
  readonly K1?: number;
  /** Weight μ of the disentanglement term (default 0.1). */
  readonly mu?: number;
  /** Weight ω of the reconstruction term (default 1; 0: purely supervised). */
  readonly omega?: number;
  /** Ridge τ on γ_r (default 1e-3). */
  readonly tau?: number;
  /** Weight decay ν on encoder weights (default 1e-4). */
  readonly nu?: number;
  /** Ridge on every β_r (default 1e-3). */
  readonly ridge?: number;
  /** The coefficient-similarity penalty (default `mcp()`). */
  readonly similarity?: Penalty;
  /** `'path'` (default): choose λ along an increasing path by validation; a number fixes λ (0: no fusion; Infinity: one common β). */
  readonly lambda?: number | 'path';
  /**
   * How λ is chosen on the path given the encoders: `'bic'` (default), the modified BIC of method.md
   * §5, or `'validation'` (mean validation RMSE; with K folds, the path point with the lowest
   * RMSE averaged over the folds, and the refit on all rows at that point of its own path).
   * Candidates are always compared on validation.
   */
  readonly lambdaSelection?: 'bic' | 'validation';
  /** Points on the λ path (default 20). */
  readonly numLambdas?: number;
  /** Task weights w_r: `'size'` (n_r/N, default) or `'equal'` (1/R). */
  readonly taskWeights?: 'size' | 'equal';
  /** Adam learning rate of the encoder blocks (default 1e-2). */
  readonly learningRate?: number;
  /** Adam steps per block and round (default 20). */
  readonly stepsPerBlock?: number;
  /** Rounds of the alternating encoder phase at most (default 30). */
  readonly maxRounds?: number;
  /** Rounds without a better validation loss before stopping (default 3). */
  readonly patience?: number;
  /** Relative change of the objective over a round that stops the encoder phase (default 1e-4). */
  readonly tolerance?: number;
  /** Share of each task's rows held out for validation when fit() gets no validation set (default 0.2). */
  readonly validationFraction?: number;
  /** Model selection: a grid of alternatives, the linear MTL floor, the metric. */
  readonly selection?: SelectionOptions;
  /** Refit on train + validation with the chosen settings (default true). */
  readonly refit?: boolean;
  /** One seed determines everything (default 0). */
  readonly seed?: number;
  /**
   * Fit log y and predict exp of the fitted log: the conditional median on the original scale, for
   * a positive, right-skewed response such as a time to tumour doubling (default false).
   */
  readonly logTarget?: boolean;
  /**
   * Worker threads for model selection: its candidates × folds run in parallel, each worker with
   * its own copy of the active backend, and the result is identical to the serial run. 1 (default):
   * on this thread; `'auto'`: one per core. Where there are no worker threads (browsers, for now)
   * selection runs on this thread. Not saved with the model.
   */
  readonly jobs?: number | 'auto';
  /**
   * The response family (default `'gaussian'`). `'binomial'` (0/1 targets, logit link) and
   * `'poisson'` (counts, log link, an optional offset per row: the log exposure): fitted by the GLM
   * floor (glm-floor.ts: mean-regularised and pooled GLM with task intercepts); the dual-encoder
   * candidates are not fitted for them yet. Predictions are probabilities / expected counts
   * (`predict(X, { task, type: 'link' })`: η). Saved only when not gaussian.
   */
  readonly family?: FamilyName;
}

export interface SelectionOptions {
  /** Alternative values tried besides the options themselves (each alone, one factor at a time). */
  readonly grid?: {
    readonly K0?: readonly number[];
    readonly K1?: readonly number[];
    readonly mu?: readonly number[];
    readonly omega?: readonly number[];
    /** Hidden-layer width of mlp encoders (every hidden layer of both encoders). */
    readonly width?: readonly number[];
  };
  /** Include the closed-form linear MTL candidate (identity encoder, K1 = 0, centre penalty; default true). */
  readonly linearFloor?: boolean;
  /**
   * Include the shared-trunk candidate (default true): an `mlp()` shared encoder learned under one
   * common head (β pooled over the tasks, intercepts per task) with no task encoders and no
   * reconstruction term, its heads then fused task by task along the λ path — the nonlinear
   * analogue of the linear floor. See docs/method.md §5.
   */
  readonly trunk?: boolean;
  /**
   * Model averaging (default true): the final model is Σ_m a_m f_m over the candidates, a ≥ 0 with
   * Σ a = 1 the stacking weights that minimise the squared error of their validation predictions
   * (out-of-fold with K folds), each candidate with a weight ≥ 0.01 refitted on every row. When one
   * candidate takes all the weight, or there is no refit, it is the model alone. The weights are in
   * `candidates()`. See docs/method.md §5.
   */
  readonly average?: boolean;
  /**
   * The GLM dual candidate's encoder phase on the deviance (binomial, poisson; default false, not yet
   * measured on the public sets): Adam
   * on the encoders with the coefficients fixed, then the IRLS coefficient block, alternating, with
   * early stopping on the validation rows. false: the PCA start's encoders. See docs/method.md §4.
   */
  readonly glmEncoderPhase?: boolean;
  /** Mean validation RMSE across tasks, `'mean'` (default) or weighted by task size. */
  readonly metric?: 'mean' | 'weighted';
  /**
   * K-fold by task instead of one validation split: a number of folds, 1 for one split, or `'auto'`
   * (default): 5 folds when the tasks leave fewer than 10 validation rows each on average.
   */
  readonly folds?: number | 'auto';
}

export type ResolvedOptions = Required<Omit<DualEncoderOptions, 'selection' | 'specific'>> & {
  readonly specific: EncoderSpec | null;
  readonly selection: Required<Omit<SelectionOptions, 'grid'>> & {
    readonly grid: NonNullable<SelectionOptions['grid']>;
  };
};

function num(
  o: Record<string, unknown>,
  key: string,
  fallback: number,
  check: (v: number) => boolean,
  expected: string,
): number {
  const v = o[key] ?? fallback;
  if (typeof v !== 'number' || !check(v)) {
    throw new ValidationError(`Invalid option ${key}`, { expected, received: describeReceived(v) });
  }
  return v;
}

function bool(v: unknown, key: string, fallback: boolean): boolean {
  const x = v ?? fallback;
  if (typeof x !== 'boolean')
    throw new ValidationError(`Invalid option ${key}`, {
      expected: 'true or false',
      received: describeReceived(x),
    });
  return x;
}

const nonNeg = (v: number) => Number.isFinite(v) && v >= 0;
const posInt = (v: number) => Number.isInteger(v) && v >= 1;

/** Every option name of {@link DualEncoderOptions}, to refuse a typo instead of ignoring it. */
export const OPTION_NAMES = [
  'shared',
  'specific',
  'K0',
  'K1',
  'mu',
  'omega',
  'tau',
  'nu',
  'ridge',
  'similarity',
  'lambda',
  'lambdaSelection',
  'numLambdas',
  'taskWeights',
  'learningRate',
  'stepsPerBlock',
  'maxRounds',
  'patience',
  'tolerance',
  'validationFraction',
  'selection',
  'refit',
  'seed',
  'logTarget',
  'jobs',
  'family',
] as const;
export const SELECTION_OPTION_NAMES = [
  'grid',
  'linearFloor',
  'trunk',
  'average',
  'glmEncoderPhase',
  'metric',
  'folds',
] as const;
export const GRID_OPTION_NAMES = ['K0', 'K1', 'mu', 'omega', 'width'] as const;

/** Edit distance ignoring case, for "did you mean". */
const distance = (a: string, b: string) => editDistance(a.toLowerCase(), b.toLowerCase());

function checkOptionNames(o: Record<string, unknown>, known: readonly string[], prefix: string) {
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    const near = [...known].sort((a, b) => distance(key, a) - distance(key, b))[0];
    const close = distance(key, near) <= Math.max(2, Math.floor(key.length / 3));
    throw new ValidationError(`Unknown option ${prefix}${key} for DualEncoderRegressor`, {
      expected: `one of ${known.map((k) => prefix + k).join(', ')}`,
      received: JSON.stringify(key),
      fix: close
        ? `Did you mean ${prefix}${near}? Option names are case-sensitive`
        : 'Check the spelling; option names are case-sensitive',
    });
  }
}

export function resolveOptions(options: DualEncoderOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('Invalid options', {
      expected: 'an object',
      received: describeReceived(options),
    });
  }
  const o = options as Record<string, unknown>;
  checkOptionNames(o, OPTION_NAMES, '');
  if (typeof o.selection === 'object' && o.selection !== null) {
    const sel = o.selection as Record<string, unknown>;
    checkOptionNames(sel, SELECTION_OPTION_NAMES, 'selection.');
    if (typeof sel.grid === 'object' && sel.grid !== null)
      checkOptionNames(sel.grid as Record<string, unknown>, GRID_OPTION_NAMES, 'selection.grid.');
  }
  const lambda = options.lambda ?? 'path';
  if (lambda !== 'path' && !(typeof lambda === 'number' && lambda >= 0 && !Number.isNaN(lambda))) {
    throw new ValidationError('Invalid option lambda', {
      expected: "'path', a number ≥ 0 or Infinity",
      received: describeReceived(lambda),
    });
  }
  const taskWeights = options.taskWeights ?? 'size';
  if (taskWeights !== 'size' && taskWeights !== 'equal') {
    throw new ValidationError('Invalid option taskWeights', {
      expected: "'size' or 'equal'",
      received: describeReceived(taskWeights),
    });
  }
  const metric = options.selection?.metric ?? 'mean';
  if (metric !== 'mean' && metric !== 'weighted') {
    throw new ValidationError('Invalid option selection.metric', {
      expected: "'mean' or 'weighted'",
      received: describeReceived(metric),
    });
  }
  const validationFraction = num(
    o,
    'validationFraction',
    0.2,
    (v) => v > 0 && v < 1,
    'a number in (0, 1)',
  );
  return Object.freeze({
    shared: options.shared ?? linear(),
    specific: options.specific === undefined ? linear() : options.specific,
    K0: num(o, 'K0', 4, posInt, 'an integer ≥ 1'),
    K1: num(o, 'K1', 2, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0'),
    mu: num(o, 'mu', 0.1, nonNeg, 'a number ≥ 0'),
    omega: num(o, 'omega', 1, nonNeg, 'a number ≥ 0'),
    tau: num(o, 'tau', 1e-3, nonNeg, 'a number ≥ 0'),
    nu: num(o, 'nu', 1e-4, nonNeg, 'a number ≥ 0'),
    ridge: num(o, 'ridge', 1e-3, nonNeg, 'a number ≥ 0'),
    similarity: options.similarity ?? mcp(),
    lambda,
    lambdaSelection: ((v) => {
      if (v !== 'bic' && v !== 'validation')
        throw new ValidationError('Invalid option lambdaSelection', {
          expected: "'bic' or 'validation'",
          received: describeReceived(v),
        });
      return v;
    })(options.lambdaSelection ?? 'bic'),
    numLambdas: num(o, 'numLambdas', 20, posInt, 'an integer ≥ 1'),
    taskWeights,
    learningRate: num(o, 'learningRate', 1e-2, (v) => v > 0 && Number.isFinite(v), 'a number > 0'),
    stepsPerBlock: num(o, 'stepsPerBlock', 20, posInt, 'an integer ≥ 1'),
    maxRounds: num(o, 'maxRounds', 30, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0'),
    patience: num(o, 'patience', 3, posInt, 'an integer ≥ 1'),
    tolerance: num(o, 'tolerance', 1e-4, nonNeg, 'a number ≥ 0'),
    validationFraction,
    selection: {
      grid: options.selection?.grid ?? {},
      linearFloor: options.selection?.linearFloor ?? true,
      trunk: bool(options.selection?.trunk, 'selection.trunk', true),
      average: bool(options.selection?.average, 'selection.average', true),
      glmEncoderPhase: bool(options.selection?.glmEncoderPhase, 'selection.glmEncoderPhase', false),
      metric,
      folds: ((v) => {
        if (v !== 'auto' && !(typeof v === 'number' && Number.isInteger(v) && v >= 1)) {
          throw new ValidationError('Invalid option selection.folds', {
            expected: "'auto' or an integer ≥ 1",
            received: describeReceived(v),
          });
        }
        return v;
      })(options.selection?.folds ?? 'auto'),
    },
    refit: options.refit ?? true,
    seed: num(o, 'seed', 0, (v) => Number.isSafeInteger(v) && v >= 0, 'a non-negative integer'),
    logTarget: bool(options.logTarget, 'logTarget', false),
    jobs: ((v) => {
      if (v !== 'auto' && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 1))
        throw new ValidationError('Invalid option jobs', {
          expected: "a whole number of worker threads ≥ 1, or 'auto' (one per core)",
          received: describeReceived(v),
          fix: ['Pass ', opt('jobs', 1), ' to select on this thread, or more for worker threads'],
        });
      return v;
    })(options.jobs ?? 1),
    family: familyOf(options.family ?? 'gaussian').name,
  });
}
