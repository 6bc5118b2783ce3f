import { linear, mlp } from '@hetmtl/encoders';
import type { FamilyName } from '@hetmtl/estimator';
import type { DualEncoderOptions } from '@hetmtl/model';
import { UsageError } from './errors.js';

/** The model-tuning flags shared by fit and demo. */
export interface ModelFlags {
  readonly seed: number;
  readonly quick?: boolean;
  readonly maxRounds?: number;
  readonly numLambdas?: number;
  readonly k0?: number;
  readonly k1?: number;
  readonly encoder?: 'linear' | 'mlp';
  readonly hidden?: number[];
  readonly lambda?: number | 'path';
  /** Commander's --no-linear-floor. */
  readonly linearFloor?: boolean;
  /** Commander's --no-trunk. */
  readonly trunk?: boolean;
  /** Commander's --no-average. */
  readonly average?: boolean;
  /** --log-target (fit only). */
  readonly logTarget?: boolean;
  /** --jobs: worker threads for model selection (default: the cores). */
  readonly jobs?: number;
  /** --family (fit only): the response family (default gaussian). */
  readonly family?: FamilyName;
}

/** Settings of --quick: a small, fast fit (seconds), for trying things out and for tests. */
export const QUICK = Object.freeze({ maxRounds: 3, numLambdas: 8, stepsPerBlock: 10 });

/**
 * DualEncoderRegressor options from the flags; explicit flags win over --quick. With `p` features,
 * the default K0 = 4 and K1 = 2 are lowered to fit (a file with 3 features gets K0 = 3, K1 = 0); an
 * explicit --k0 or --k1 above p is a usage error.
 */
export function modelOptions(f: ModelFlags, p?: number): DualEncoderOptions {
  let dims: { K0?: number; K1?: number; specific?: null } = {};
  if (p !== undefined) {
    for (const [flag, v] of [
      ['--k0', f.k0],
      ['--k1', f.k1],
    ] as const) {
      if (v !== undefined && v > p)
        throw new UsageError(
          `${flag} ${v} is more than the ${p} feature${p === 1 ? '' : 's'} of the data`,
          `Pass ${flag} ${p} or less`,
        );
    }
    const K0 = f.k0 ?? Math.min(4, p);
    const K1 = f.k1 ?? Math.min(2, Math.max(0, p - K0));
    if (f.k0 === undefined && K0 !== 4) dims = { ...dims, K0 };
    if (f.k1 === undefined && K1 !== 2)
      dims = { ...dims, K1, ...(K1 === 0 ? { specific: null } : {}) };
  }
  if (f.logTarget && f.family !== undefined && f.family !== 'gaussian')
    throw new UsageError(
      `--log-target fits log(target) by least squares, and the family is ${f.family}`,
      `Drop --log-target (the ${f.family} family has its own ${f.family === 'poisson' ? 'log' : 'logit'} link)`,
    );
  if (f.hidden !== undefined && f.encoder !== 'mlp')
    throw new UsageError(
      `--hidden sets the hidden layers of mlp encoders, and the encoders are ${f.encoder ?? 'linear (the default)'}`,
      `Pass --encoder mlp --hidden ${f.hidden.join(',')}, or drop --hidden`,
    );
  const kind = f.encoder;
  const encoder =
    kind === 'mlp'
      ? {
          shared: mlp({ hidden: f.hidden ?? [32] }),
          specific: mlp({ hidden: f.hidden ?? [16] }),
        }
      : kind === 'linear'
        ? { shared: linear(), specific: linear() }
        : {};
  // --no-linear-floor, --no-trunk, --no-average: only the flags given.
  const selection = Object.fromEntries(
    (['linearFloor', 'trunk', 'average'] as const)
      .filter((k) => f[k] === false)
      .map((k) => [k, false]),
  );
  return {
    seed: f.seed,
    ...(f.quick ? QUICK : {}),
    ...encoder,
    ...(f.maxRounds !== undefined ? { maxRounds: f.maxRounds } : {}),
    ...(f.numLambdas !== undefined ? { numLambdas: f.numLambdas } : {}),
    ...(f.k0 !== undefined ? { K0: f.k0 } : {}),
    ...(f.k1 !== undefined ? { K1: f.k1, ...(f.k1 === 0 ? { specific: null } : {}) } : {}),
    ...(f.lambda !== undefined ? { lambda: f.lambda } : {}),
    ...(Object.keys(selection).length > 0 ? { selection } : {}),
    ...(f.logTarget ? { logTarget: true } : {}),
    ...(f.family !== undefined && f.family !== 'gaussian' ? { family: f.family } : {}),
    jobs: f.jobs ?? 'auto',
    ...dims,
  };
}
