import { Standardizer } from '@hetmtl/data';
import { checkEnvelope, parseDocument } from '@hetmtl/estimator';
import { penaltyFromJSON } from '@hetmtl/regularizers';
import { HetmtlError, SerializationError } from '@hetmtl/tensor';
import {
  GRID_OPTION_NAMES,
  OPTION_NAMES,
  resolveOptions,
  SELECTION_OPTION_NAMES,
} from './options.js';
import {
  encoderSpec,
  encoderWeights,
  FIX,
  fail,
  finite,
  integer,
  isObj,
  lambdaOk,
  matrixOf,
  names,
  numbers,
  type Obj,
  object,
} from './document-checks.js';

/**
 * The strict check of a model document (as PyTorch's strict `load_state_dict`): every field, its
 * type and range, the shapes that must agree across fields, and no unknown key at any level this
 * package defines. Needs no tensors and no backend (`hetmtl info` validates like `predict`).
 * Every failure is a SerializationError whose message names the field path (`dual.sd0[2]`), what
 * was expected and what was received.
 */

export const MODEL_FORMAT = 'hetmtl/dual-encoder-regressor';
export const MODEL_VERSION = 1;

/**
 * The saved options: every constructor option but the penalty, which the document keeps apart, and
 * jobs (how a fit runs, not what it made).
 */
const OPTION_KEYS = OPTION_NAMES.filter((k) => k !== 'similarity' && k !== 'jobs');
/** Saved only when set (documents written before it read the same). */
const OPTIONAL_OPTION_KEYS = ['shared', 'specific', 'logTarget', 'family'];

const CANDIDATE_KEYS = [
  'id',
  'kind',
  'settings',
  'lambda',
  'validationRmse',
  'numGroups',
  'chosen',
];
const CANDIDATE_OPTIONAL = [
  'startValidationRmse',
  'encoderValidationRmse',
  'rounds',
  'bestRound',
  'weight',
];

/** A checked model document (the shape `toJSON()` writes). */
export interface ModelDocument {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly options: Record<string, unknown>;
  readonly similarity: unknown;
  readonly taskNames: string[];
  readonly featureNames: string[];
  readonly preprocessing: unknown;
  readonly kind: 'dual' | 'linear' | 'blend';
  readonly lambda: number | 'Infinity';
  readonly groups: number[];
  readonly candidates: Record<string, unknown>[];
  readonly dual: Record<string, unknown> | null;
  readonly linear: { beta: number[][]; intercept: number[] } | null;
  /** Model averaging: the weighted components (kind "blend"; dual and linear are then null). */
  readonly blend?: { components: Record<string, unknown>[] };
  readonly folds?: number;
}

/**
 * Checks a model document without building it (no tensors, no backend): the JSON text or the
 * parsed object of `toJSON()`. Returns the parsed document; throws a SerializationError naming the
 * first field that is wrong. `DualEncoderRegressor.fromJSON` runs it before building anything.
 */
export function validateModelDocument(json: unknown): ModelDocument {
  const doc = parseDocument(
    json,
    'Pass the text written by JSON.stringify(model)',
    'model document',
  );
  checkEnvelope(doc, {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    name: 'hetmtl model',
    noun: 'model document',
  });
  const d = object(
    doc,
    'document',
    [
      'format',
      'version',
      'options',
      'similarity',
      'taskNames',
      'featureNames',
      'preprocessing',
      'kind',
      'lambda',
      'groups',
      'candidates',
      'dual',
      'linear',
    ],
    ['folds', 'blend'],
  );
  const taskNames = names(d.taskNames, 'taskNames');
  const featureNames = names(d.featureNames, 'featureNames');
  const R = taskNames.length;
  const p = featureNames.length;

  // Options: known keys only; values as the constructor checks them.
  const opts = object(
    d.options,
    'options',
    OPTION_KEYS.filter((k) => !OPTIONAL_OPTION_KEYS.includes(k)),
    OPTIONAL_OPTION_KEYS,
  );
  if (!lambdaOk(opts.lambda) && opts.lambda !== 'path')
    fail('options.lambda', '\'path\', a number ≥ 0 or "Infinity"', opts.lambda);
  // selection.trunk, .average and .glmEncoderPhase came later: documents written before them read
  // with the default.
  const later: readonly string[] = ['trunk', 'average', 'glmEncoderPhase'];
  object(
    opts.selection,
    'options.selection',
    SELECTION_OPTION_NAMES.filter((k) => !later.includes(k)),
    later,
  );
  object((opts.selection as Obj).grid, 'options.selection.grid', [], GRID_OPTION_NAMES);
  if (typeof opts.refit !== 'boolean') fail('options.refit', 'true or false', opts.refit);
  if (typeof (opts.selection as Obj).linearFloor !== 'boolean')
    fail('options.selection.linearFloor', 'true or false', (opts.selection as Obj).linearFloor);
  for (const [key, values] of Object.entries((opts.selection as Obj).grid as Obj))
    if (!Array.isArray(values) || !values.every((x) => typeof x === 'number' && Number.isFinite(x)))
      fail(`options.selection.grid.${key}`, 'an array of numbers', values);
  if (opts.shared !== undefined) encoderSpec(opts.shared, 'options.shared');
  if (opts.specific !== undefined && opts.specific !== null)
    encoderSpec(opts.specific, 'options.specific');
  try {
    resolveOptions({
      ...(opts as object),
      lambda: opts.lambda === 'Infinity' ? Number.POSITIVE_INFINITY : opts.lambda,
      shared: undefined,
      specific: undefined,
      similarity: undefined,
    } as Parameters<typeof resolveOptions>[0]);
  } catch (e) {
    if (!HetmtlError.isInstance(e)) throw e;
    const key = /Invalid option (\S+)/.exec(e.summary)?.[1];
    throw new SerializationError(`Corrupt model document at options${key ? `.${key}` : ''}`, {
      cause: e,
      expected: e.expected ?? 'a valid option',
      received: e.received ?? 'an invalid value',
      fix: FIX,
    });
  }
  try {
    penaltyFromJSON(d.similarity as Parameters<typeof penaltyFromJSON>[0]);
  } catch (e) {
    if (!HetmtlError.isInstance(e)) throw e;
    throw new SerializationError('Corrupt model document at similarity', {
      cause: e,
      expected: e.expected ?? 'a similarity penalty document',
      received: e.received ?? e.summary,
      fix: FIX,
    });
  }

  // Preprocessing: the data package's own strict check, and the same features.
  try {
    Standardizer.fromJSON(d.preprocessing);
  } catch (e) {
    if (!HetmtlError.isInstance(e)) throw e;
    throw new SerializationError(`Corrupt model document at preprocessing: ${e.summary}`, {
      cause: e,
      ...(e.expected !== undefined ? { expected: e.expected } : {}),
      ...(e.received !== undefined ? { received: e.received } : {}),
      fix: FIX,
    });
  }
  const stFeatures = (d.preprocessing as { featureNames?: unknown }).featureNames as string[];
  if (stFeatures.length !== p || stFeatures.some((f, j) => f !== featureNames[j]))
    fail(
      'preprocessing.featureNames',
      `the ${p} featureNames of the model (${featureNames.slice(0, 4).join(', ')}${p > 4 ? ', …' : ''})`,
      undefined,
      `${stFeatures.length} names (${stFeatures.slice(0, 4).join(', ')}${stFeatures.length > 4 ? ', …' : ''})`,
    );

  if (d.kind !== 'dual' && d.kind !== 'linear' && d.kind !== 'blend')
    fail('kind', '"dual", "linear" or "blend"', d.kind);
  if (!lambdaOk(d.lambda)) fail('lambda', 'a number ≥ 0 or "Infinity"', d.lambda);
  if (!Array.isArray(d.groups) || d.groups.length !== R)
    fail('groups', `an array of ${R} group labels (one per task)`, d.groups);
  (d.groups as unknown[]).forEach((g, r) => integer(g, `groups[${r}]`, 0));
  if (d.folds !== undefined) integer(d.folds, 'folds', 1);
  if (!Array.isArray(d.candidates)) fail('candidates', 'an array', d.candidates);
  (d.candidates as unknown[]).forEach((c, i) => {
    const path = `candidates[${i}]`;
    const o = object(c, path, CANDIDATE_KEYS, CANDIDATE_OPTIONAL);
    if (typeof o.id !== 'string') fail(`${path}.id`, 'a string', o.id);
    if (o.kind !== 'dual' && o.kind !== 'linear')
      fail(`${path}.kind`, '"dual" or "linear"', o.kind);
    if (!isObj(o.settings)) fail(`${path}.settings`, 'an object', o.settings);
    if (!lambdaOk(o.lambda)) fail(`${path}.lambda`, 'a number ≥ 0 or "Infinity"', o.lambda);
    for (const k of ['validationRmse', 'startValidationRmse', 'encoderValidationRmse'])
      if (o[k] !== undefined) finite(o[k], `${path}.${k}`, (x) => x >= 0, 'a finite number ≥ 0');
    integer(o.numGroups, `${path}.numGroups`, 1);
    for (const k of ['rounds', 'bestRound'])
      if (o[k] !== undefined) finite(o[k], `${path}.${k}`, (x) => x >= 0, 'a number ≥ 0');
    if (typeof o.chosen !== 'boolean') fail(`${path}.chosen`, 'true or false', o.chosen);
    if (o.weight !== undefined)
      finite(o.weight, `${path}.weight`, (x) => x >= 0 && x <= 1, 'a weight in [0, 1]');
  });

  if (d.kind === 'blend') {
    if (d.dual !== null) fail('dual', 'null (a blend keeps its components in blend)', d.dual);
    if (d.linear !== null) fail('linear', 'null (a blend keeps its components in blend)', d.linear);
    const b = object(d.blend, 'blend', ['components']);
    if (!Array.isArray(b.components) || b.components.length < 2)
      fail('blend.components', 'an array of 2 components or more', b.components);
    let total = 0;
    (b.components as unknown[]).forEach((c, i) => {
      const at = `blend.components[${i}]`;
      const o = object(c, at, ['weight', 'candidate', 'kind', 'dual', 'linear']);
      total += finite(o.weight, `${at}.weight`, (x) => x > 0 && x <= 1, 'a weight in (0, 1]');
      if (typeof o.candidate !== 'string') fail(`${at}.candidate`, 'a candidate id', o.candidate);
      if (o.kind !== 'dual' && o.kind !== 'linear')
        fail(`${at}.kind`, '"dual" or "linear"', o.kind);
      checkPredictor(o, R, p, at);
    });
    if (Math.abs(total - 1) > 1e-9)
      fail('blend.components', 'weights summing to 1', undefined, `weights summing to ${total}`);
  } else {
    if (d.blend !== undefined) fail('blend', 'nothing (a single model)', d.blend);
    checkPredictor(d, R, p, '');
  }
  return d as unknown as ModelDocument;
}

/** The fitted state of a dual or linear predictor: `dual` or `linear` under `at` (the other null). */
function checkPredictor(d: Obj, R: number, p: number, at: string): void {
  const path = (k: string) => (at ? `${at}.${k}` : k);
  if (d.kind === 'linear') {
    if (d.dual !== null) fail(path('dual'), 'null (a linear model)', d.dual);
    const lin = object(d.linear, path('linear'), ['beta', 'intercept']);
    matrixOf(lin.beta, path('linear.beta'), R, p);
    numbers(lin.intercept, path('linear.intercept'), R);
  } else {
    if (d.linear !== null) fail(path('linear'), 'null (a dual-encoder model)', d.linear);
    validateDual(d.dual, R, p, path('dual'));
  }
}

function validateDual(v: unknown, R: number, p: number, at = 'dual'): void {
  const s = object(v, at, [
    'p',
    'K0',
    'K1',
    'hasSpecific',
    'mu0',
    'sd0',
    'muS',
    'sdS',
    'gMin',
    'gMax',
    'beta',
    'gamma',
    'c',
    'shared',
    'specific',
  ]);
  if (s.p !== p) fail(`${at}.p`, `${p} (the number of featureNames)`, s.p);
  const K0 = integer(s.K0, `${at}.K0`, 1);
  const K1 = integer(s.K1, `${at}.K1`, 0);
  // K0 and K1 against the coefficient vectors, so that a wrong dimension is named as such.
  const b0 =
    Array.isArray(s.beta) && Array.isArray(s.beta[0]) ? (s.beta[0] as unknown[]).length : null;
  if (b0 !== null && b0 !== K0) fail(`${at}.K0`, `${b0} (the length of ${at}.beta[0])`, K0);
  const g0 =
    Array.isArray(s.gamma) && Array.isArray(s.gamma[0]) ? (s.gamma[0] as unknown[]).length : null;
  if (g0 !== null && g0 !== K1) fail(`${at}.K1`, `${g0} (the length of ${at}.gamma[0])`, K1);
  if ((s.specific === null) !== (K1 === 0))
    fail(
      `${at}.specific`,
      K1 === 0 ? 'null (K1 = 0)' : `a task-specific encoder (K1 = ${K1})`,
      s.specific,
    );
  if (!Array.isArray(s.hasSpecific) || s.hasSpecific.length !== R)
    fail(`${at}.hasSpecific`, `an array of ${R} booleans`, s.hasSpecific);
  (s.hasSpecific as unknown[]).forEach((h, r) => {
    if (typeof h !== 'boolean') fail(`${at}.hasSpecific[${r}]`, 'true or false', h);
    if (h && K1 === 0) fail(`${at}.hasSpecific[${r}]`, 'false (K1 = 0)', h);
  });
  const positive = (x: number) => x > 0;
  numbers(s.mu0, `${at}.mu0`, K0);
  numbers(s.sd0, `${at}.sd0`, K0, positive, 'a finite number > 0');
  matrixOf(s.muS, `${at}.muS`, R, K1);
  matrixOf(s.sdS, `${at}.sdS`, R, K1, positive, 'a finite number > 0');
  const lo = matrixOf(s.gMin, `${at}.gMin`, R, K1);
  const hi = matrixOf(s.gMax, `${at}.gMax`, R, K1);
  lo.forEach((row, r) =>
    row.forEach((l, k) => {
      const h = hi[r][k];
      if (l > h)
        fail(`${at}.gMin[${r}][${k}]`, `a lower clipping bound ≤ ${at}.gMax[${r}][${k}] = ${h}`, l);
    }),
  );
  matrixOf(s.beta, `${at}.beta`, R, K0);
  matrixOf(s.gamma, `${at}.gamma`, R, K1);
  numbers(s.c, `${at}.c`, R);
  const shared = object(s.shared, `${at}.shared`, ['spec', 'weights']);
  const sharedSpec = encoderSpec(shared.spec, `${at}.shared.spec`);
  encoderWeights(sharedSpec, shared.weights, `${at}.shared.weights`, 'shared', p, K0, null);
  if (s.specific !== null) {
    const specific = object(s.specific, `${at}.specific`, ['spec', 'weights']);
    const spec = encoderSpec(specific.spec, `${at}.specific.spec`);
    encoderWeights(spec, specific.weights, `${at}.specific.weights`, 'specific', p, K1, R);
  }
}
