import { Standardizer, type StandardizerJSON } from '@hetmtl/data';
import type { EncoderSpec } from '@hetmtl/encoders';
import { type PenaltyJSON, penaltyFromJSON, penaltyToJSON } from '@hetmtl/regularizers';
import { SerializationError } from '@hetmtl/tensor';
import { MODEL_FORMAT, MODEL_VERSION, validateModelDocument } from './document.js';
import { checkFiniteDocument } from './finite.js';
import type { DualEncoderOptions, ResolvedOptions } from './options.js';
import { type BlendJSON, type BlendPart, BlendPredictor } from './predictors/blend.js';
import { type DualStateJSON, FittedDual } from './predictors/dual.js';
import { type LinearJSON, LinearPredictor } from './predictors/linear.js';
import type { TaskPredictor } from './predictors/predictor.js';
import type { Candidate, FittedState } from './types.js';

/** The model document (format {@link MODEL_FORMAT}); λ = ∞ is written as the string "Infinity". */
export interface ModelJSON {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly options: Record<string, unknown>;
  readonly similarity: PenaltyJSON;
  readonly taskNames: string[];
  readonly featureNames: string[];
  readonly preprocessing: StandardizerJSON;
  readonly kind: 'dual' | 'linear' | 'blend';
  readonly lambda: number | 'Infinity';
  readonly groups: number[];
  readonly candidates: Candidate[];
  readonly dual: DualStateJSON | null;
  readonly linear: LinearJSON | null;
  readonly blend?: BlendJSON;
  readonly folds?: number;
}

const writeLambda = <T>(l: T): T | 'Infinity' => (l === Number.POSITIVE_INFINITY ? 'Infinity' : l);
const readLambda = (l: unknown): number =>
  l === 'Infinity' ? Number.POSITIVE_INFINITY : (l as number);

/** One versioned JSON document: options, preprocessing, task names, encoders and weights. */
export function modelToJSON(options: ResolvedOptions, s: FittedState): ModelJSON {
  const { similarity, shared, specific, logTarget, family, jobs: _jobs, ...rest } = options;
  const p = s.predictor;
  const doc: ModelJSON = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    options: {
      ...rest,
      lambda: writeLambda(rest.lambda),
      shared,
      specific,
      ...(logTarget ? { logTarget } : {}),
      ...(family !== 'gaussian' ? { family } : {}),
    },
    similarity: penaltyToJSON(similarity),
    taskNames: s.taskNames,
    featureNames: s.featureNames,
    preprocessing: s.standardizer.toJSON(),
    kind: p.kind,
    lambda: writeLambda(s.lambda),
    groups: s.groups,
    candidates: s.candidates.map((c) => ({ ...c, lambda: writeLambda(c.lambda) as number })),
    dual: p.kind === 'dual' ? (p.toJSON() as DualStateJSON) : null,
    linear: p.kind === 'linear' ? (p.toJSON() as LinearJSON) : null,
    ...(p.kind === 'blend' ? { blend: p.toJSON() as BlendJSON } : {}),
    folds: s.folds,
  };
  checkFiniteDocument(doc);
  return doc;
}

/**
 * The model (made by `make` from the document's options) and fitted state of a model document (or its JSON text), checked strictly first
 * ({@link validateModelDocument}): every field, the shapes that must agree, no unknown keys; any
 * fault is a SerializationError naming the field path, never a half model.
 */
export function modelFromJSON<M>(
  json: unknown,
  make: (options: DualEncoderOptions) => M,
): { model: M; state: FittedState } {
  const doc = validateModelDocument(json) as unknown as ModelJSON;
  const R = doc.taskNames.length;
  try {
    const opts = doc.options;
    const options: DualEncoderOptions = {
      ...(opts as DualEncoderOptions),
      lambda:
        opts.lambda === 'Infinity' ? Number.POSITIVE_INFINITY : (opts.lambda as number | 'path'),
      shared: opts.shared as EncoderSpec,
      specific: (opts.specific as EncoderSpec | null) ?? null,
      similarity: penaltyFromJSON(doc.similarity),
    };
    const model = make(options);
    const standardizer = Standardizer.fromJSON(doc.preprocessing);
    const p = doc.featureNames.length;
    const predictor: TaskPredictor =
      doc.kind === 'blend' && doc.blend
        ? blendFromJSON(doc.blend, R, p)
        : singleFromJSON(doc as Pick<ModelJSON, 'kind' | 'dual' | 'linear'>, R, p);
    const state: FittedState = {
      taskNames: [...doc.taskNames],
      featureNames: [...doc.featureNames],
      standardizer,
      predictor,
      lambda: readLambda(doc.lambda),
      groups: [...doc.groups],
      candidates: (doc.candidates ?? []).map((c) => ({ ...c, lambda: readLambda(c.lambda) })),
      path: [],
      trace: [],
      folds: typeof doc.folds === 'number' ? doc.folds : 1,
    };
    return { model, state };
  } catch (e) {
    if (SerializationError.isInstance(e)) throw e;
    throw new SerializationError('The model document could not be loaded', {
      cause: e,
      fix: `Check the document; the cause says what failed (${(e as Error).message})`,
    });
  }
}

function singleFromJSON(
  d: {
    readonly kind: string;
    readonly dual: DualStateJSON | null;
    readonly linear: LinearJSON | null;
  },
  R: number,
  p: number,
): FittedDual | LinearPredictor {
  if (d.kind === 'dual' && d.dual) return FittedDual.fromJSON(d.dual, R);
  if (d.kind === 'linear' && d.linear) return linearFromJSON(d.linear, R, p);
  throw new SerializationError('Corrupt model document: no fitted coefficients', {
    expected: `kind "dual" with dual state or kind "linear" with linear state`,
    received: String(d.kind),
  });
}

function blendFromJSON(json: BlendJSON, R: number, p: number): BlendPredictor {
  const parts: BlendPart[] = [];
  try {
    for (const c of json.components)
      parts.push({ weight: c.weight, candidate: c.candidate, predictor: singleFromJSON(c, R, p) });
  } catch (e) {
    for (const part of parts) part.predictor.dispose();
    throw e;
  }
  return new BlendPredictor(parts);
}

function linearFromJSON(json: LinearJSON, R: number, p: number): LinearPredictor {
  const ok =
    json.beta?.length === R &&
    json.beta.every((b) => Array.isArray(b) && b.length === p && b.every(Number.isFinite)) &&
    json.intercept?.length === R &&
    json.intercept.every(Number.isFinite);
  if (!ok)
    throw new SerializationError('Corrupt model document: linear coefficients', {
      expected: `${R} vectors of ${p} finite numbers and ${R} intercepts`,
    });
  return new LinearPredictor(
    json.beta.map((b) => Float64Array.from(b)),
    Float64Array.from(json.intercept),
  );
}
