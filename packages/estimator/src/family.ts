import type { MultiTaskDataset } from '@hetmtl/data';
import { describeReceived, opt, ValidationError } from '@hetmtl/tensor';

/**
 * The response families of hetmtl, in one place: the estimator skeleton, the baselines and the
 * model read link, inverse link, variance, deviance and the IRLS working quantities from here.
 *
 * - `gaussian`: identity link, variance 1, unit deviance (y − μ)² (the squared error of today);
 * - `binomial`: logit link, variance μ(1 − μ), targets 0/1;
 * - `poisson`: log link, variance μ, non-negative integer targets, an optional offset per row
 *   (log exposure: η = offset + xᵀβ, μ = exposure · exp(xᵀβ)).
 *
 * Every link here is the canonical one, so the IRLS weight is the variance and Newton's method and
 * Fisher scoring coincide. Values are made safe where the formulas are not: the inverse link clamps
 * η (|η| ≤ 30 for the logit, η ≤ 700 for the log) and deviances clamp μ away from 0 and 1.
 */
export type FamilyName = 'gaussian' | 'binomial' | 'poisson';

export const FAMILY_NAMES: readonly FamilyName[] = Object.freeze([
  'gaussian',
  'binomial',
  'poisson',
]);

export interface Family {
  readonly name: FamilyName;
  readonly link: 'identity' | 'logit' | 'log';
  /** Whether a per-row offset on the link scale is meaningful (binomial and poisson). */
  readonly allowsOffset: boolean;
  /** η = g(μ). */
  linkfun(mu: number): number;
  /** μ = g⁻¹(η), clamped to a safe range. */
  linkinv(eta: number): number;
  /** dμ/dη at η. */
  muEta(eta: number): number;
  /** V(μ). */
  variance(mu: number): number;
  /** The unit deviance d(y, μ) ≥ 0 (0 at μ = y): twice the log-likelihood ratio to the saturated model. */
  unitDeviance(y: number, mu: number): number;
  /** A starting mean for IRLS from a target value (inside the family's range). */
  startMu(y: number): number;
  /** Whether y is a valid target, and what is expected when it is not. */
  readonly target: { readonly ok: (y: number) => boolean; readonly expected: string };
}

const LOGIT_ETA = 30;
const LOG_ETA = 700;
const MU_EPS = 1e-15;

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

function ylogy(y: number, mu: number): number {
  return y === 0 ? 0 : y * (Math.log(y) - Math.log(mu));
}

export const gaussian: Family = Object.freeze({
  name: 'gaussian' as const,
  link: 'identity' as const,
  allowsOffset: false,
  linkfun: (mu: number) => mu,
  linkinv: (eta: number) => eta,
  muEta: () => 1,
  variance: () => 1,
  unitDeviance: (y: number, mu: number) => (y - mu) * (y - mu),
  startMu: (y: number) => y,
  target: { ok: (y: number) => Number.isFinite(y), expected: 'a finite number' },
});

export const binomial: Family = Object.freeze({
  name: 'binomial' as const,
  link: 'logit' as const,
  allowsOffset: true,
  linkfun: (mu: number) => {
    const m = clamp(mu, MU_EPS, 1 - MU_EPS);
    return Math.log(m / (1 - m));
  },
  linkinv: (eta: number) => 1 / (1 + Math.exp(-clamp(eta, -LOGIT_ETA, LOGIT_ETA))),
  muEta: (eta: number) => {
    const e = Math.exp(-Math.abs(clamp(eta, -LOGIT_ETA, LOGIT_ETA)));
    return e / ((1 + e) * (1 + e));
  },
  variance: (mu: number) => mu * (1 - mu),
  unitDeviance: (y: number, mu: number) => {
    const m = clamp(mu, MU_EPS, 1 - MU_EPS);
    return 2 * (ylogy(y, m) + ylogy(1 - y, 1 - m));
  },
  startMu: (y: number) => (y + 0.5) / 2,
  target: { ok: (y: number) => y === 0 || y === 1, expected: '0 or 1' },
});

export const poisson: Family = Object.freeze({
  name: 'poisson' as const,
  link: 'log' as const,
  allowsOffset: true,
  linkfun: (mu: number) => Math.log(Math.max(mu, Number.MIN_VALUE)),
  linkinv: (eta: number) => Math.exp(Math.min(eta, LOG_ETA)),
  muEta: (eta: number) => Math.exp(Math.min(eta, LOG_ETA)),
  variance: (mu: number) => mu,
  unitDeviance: (y: number, mu: number) => {
    if (y === 0) return 2 * Math.max(mu, 0);
    return 2 * (ylogy(y, Math.max(mu, Number.MIN_VALUE)) - (y - mu));
  },
  startMu: (y: number) => y + 0.1,
  target: {
    ok: (y: number) => Number.isSafeInteger(y) && y >= 0,
    expected: 'a non-negative integer count',
  },
});

const FAMILIES: Readonly<Record<FamilyName, Family>> = { gaussian, binomial, poisson };

/** The family of a name (an option value); anything else is a ValidationError listing the three. */
export function familyOf(name: unknown): Family {
  if (typeof name === 'string' && Object.hasOwn(FAMILIES, name))
    return FAMILIES[name as FamilyName];
  throw new ValidationError('Invalid option family', {
    expected: '"gaussian", "binomial" or "poisson"',
    received: describeReceived(name),
    fix: ['Pass ', opt('family', 'binomial'), ' for 0/1 targets, "poisson" for counts'],
  });
}

/** Weighted mean unit deviance Σ wᵢ d(yᵢ, μᵢ) / Σ wᵢ (w: 1 per row when absent); NaN without weight. */
export function meanDeviance(
  family: Family,
  y: ArrayLike<number>,
  mu: ArrayLike<number>,
  w?: ArrayLike<number> | null,
): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    s += wi * family.unitDeviance(y[i], mu[i]);
    sw += wi;
  }
  return sw > 0 ? s / sw : Number.NaN;
}

/** What one IRLS step needs at the current linear predictor η (offset included). */
export interface Working {
  /** μ = g⁻¹(η). */
  readonly mu: Float64Array;
  /** Working weights wᵢ (dμ/dη)² / V(μ) (prior weight times it; = wᵢ V(μ) for these canonical links). */
  readonly weight: Float64Array;
  /** Working response z = η + (y − μ) / (dμ/dη) (the offset included, as in η). */
  readonly response: Float64Array;
}

/**
 * The working weights and response of IRLS at η: the weighted least-squares problem
 * min Σ Wᵢ (zᵢ − ηᵢ')² whose solution is one Newton step of the weighted deviance. dμ/dη is floored
 * at 1e-12 (a saturated fitted probability or a zero mean) so that z stays finite; its weight is then ~0.
 */
export function workingResponse(
  family: Family,
  y: ArrayLike<number>,
  eta: ArrayLike<number>,
  w?: ArrayLike<number> | null,
): Working {
  const n = y.length;
  const mu = new Float64Array(n);
  const weight = new Float64Array(n);
  const response = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = family.linkinv(eta[i]);
    const d = Math.max(family.muEta(eta[i]), 1e-12);
    const v = Math.max(family.variance(m), 1e-300);
    mu[i] = m;
    weight[i] = ((w ? w[i] : 1) * d * d) / v;
    response[i] = eta[i] + (y[i] - m) / d;
  }
  return { mu, weight, response };
}

/**
 * Checks every target of a dataset against the family: binomial 0/1, poisson non-negative
 * integers (gaussian: finite, which every dataset already is). The error names the task, the row
 * (1-based within the task), the target column, what is expected and how to fix it.
 */
export function checkFamilyTarget(
  family: Family,
  ds: MultiTaskDataset,
  what: 'training' | 'validation' | 'evaluation' = 'training',
): void {
  if (ds.offsets !== null && !family.allowsOffset) {
    throw new ValidationError('An offset with the gaussian family', {
      expected: 'no offset (offsets are on the link scale of binomial or poisson)',
      received: 'an offset per row',
      fix: ['Fit ', opt('family', 'poisson'), ' (log exposure), or drop the offset'],
    });
  }
  if (family.name === 'gaussian') return;
  for (const t of ds.tasks()) {
    for (let i = 0; i < t.n; i++) {
      const v = t.y[i];
      if (family.target.ok(v)) continue;
      throw new ValidationError(`A ${what} target the ${family.name} family cannot take`, {
        task: t.name,
        row: i + 1,
        column: ds.encoding.target,
        expected: family.target.expected,
        received: String(v),
        fix:
          family.name === 'binomial'
            ? [
                'Code the target 0/1 (readCsv reads a two-level text target with ',
                opt('family', 'binomial'),
                '), or fit another family',
              ]
            : ['Correct or remove the row, or fit ', opt('family', 'gaussian')],
      });
    }
  }
}
