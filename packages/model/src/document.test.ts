// fromJSON is strict (issue #11): every tampering of a real fitted model's document is a
// SerializationError naming the field path, what was expected and what was received; an untampered
// document round-trips to identical predictions; validateModelDocument needs no tensors.
import { wasmBackend } from '@hetmtl/backend-wasm';
import { simulateFactor } from '@hetmtl/data';
import { countTensors, HetmtlError, SerializationError, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateModelDocument } from './document.js';
import { DualEncoderRegressor } from './regressor.js';

const quick = { maxRounds: 2, stepsPerBlock: 5, numLambdas: 6 } as const;
// biome-ignore lint/suspicious/noExplicitAny: tampering with a parsed JSON document
type Doc = any;

let dualText = '';
let linearText = '';
const sim = simulateFactor({ seed: 1, numTasks: 4, n: 60, p: 8, testRows: 10 });

beforeAll(async () => {
  await useBackend(wasmBackend());
  const dual = await new DualEncoderRegressor({
    seed: 1,
    ...quick,
    selection: { linearFloor: false, trunk: false, average: false },
  }).fit(sim.train);
  dualText = JSON.stringify(dual);
  dual.dispose();
  const linear = await new DualEncoderRegressor({
    seed: 1,
    ...quick,
    shared: undefined,
    selection: { trunk: false, average: false },
  }).fit(sim.train, {});
  linearText = JSON.stringify(linear);
  linear.dispose();
});

function tampered(text: string, edit: (d: Doc) => void): Doc {
  const d = JSON.parse(text);
  edit(d);
  return d;
}

function loadError(doc: Doc): HetmtlError {
  const before = countTensors();
  try {
    DualEncoderRegressor.fromJSON(doc);
  } catch (e) {
    expect(countTensors()).toBe(before);
    if (HetmtlError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected fromJSON to refuse the document');
}

const DUAL: [string, (d: Doc) => void, string][] = [
  ['a factor scale 0 (every prediction NaN)', (d) => (d.dual.sd0[2] = 0), 'dual.sd0[2]'],
  ['a negative factor scale', (d) => (d.dual.sd0[1] = -0.5), 'dual.sd0[1]'],
  ['a task-factor scale 0', (d) => (d.dual.sdS[0][1] = 0), 'dual.sdS[0][1]'],
  [
    'swapped clipping bounds (lo > hi)',
    (d) => {
      const lo = d.dual.gMin[1][0];
      d.dual.gMin[1][0] = d.dual.gMax[1][0];
      d.dual.gMax[1][0] = lo;
    },
    'dual.gMin[1][0]',
  ],
  ['duplicate task names', (d) => (d.taskNames[2] = d.taskNames[0]), 'taskNames[2]'],
  ['one feature name too few', (d) => d.featureNames.pop(), 'preprocessing.featureNames'],
  ['one feature name too many', (d) => d.featureNames.push('extra'), 'preprocessing.featureNames'],
  ['an empty feature name', (d) => (d.featureNames[0] = ''), 'featureNames[0]'],
  ['options.lambda "abc"', (d) => (d.options.lambda = 'abc'), 'options.lambda'],
  ['options.lambda −1', (d) => (d.options.lambda = -1), 'options.lambda'],
  ['the fitted lambda "abc"', (d) => (d.lambda = 'abc'), 'at lambda'],
  ['the fitted lambda −1', (d) => (d.lambda = -1), 'at lambda'],
  ['a K0 that does not match the weights', (d) => (d.dual.K0 = 5), 'dual.K0'],
  ['a K1 that does not match the coefficients', (d) => (d.dual.K1 = 1), 'dual.K1'],
  ['a wrong p', (d) => (d.dual.p = 7), 'dual.p'],
  ['an unknown top-level key', (d) => (d.extra = 1), 'document.extra'],
  ['an unknown option', (d) => (d.options.lamda = 0.1), 'options.lamda'],
  ['an unknown selection option', (d) => (d.options.selection.fold = 2), 'options.selection.fold'],
  ['an unknown key in the dual state', (d) => (d.dual.scale = [1]), 'dual.scale'],
  ['an unknown key in a candidate', (d) => (d.candidates[0].note = 'x'), 'candidates[0].note'],
  ['an unknown key in an encoder', (d) => (d.dual.shared.extra = {}), 'dual.shared.extra'],
  [
    'an unknown encoder weight',
    (d) => (d.dual.shared.weights['shared/w9'] = { shape: [1], values: [0] }),
    'dual.shared.weights.shared/w9',
  ],
  ['groups not an array', (d) => (d.groups = 'abc'), 'at groups'],
  ['groups of the wrong length', (d) => d.groups.pop(), 'at groups'],
  ['a group label that is not an integer', (d) => (d.groups[1] = 0.5), 'groups[1]'],
  ['a group label that is a string', (d) => (d.groups[0] = '0'), 'groups[0]'],
  ['a null coefficient (a NaN saved)', (d) => (d.dual.c[3] = null), 'dual.c[3]'],
  ['a β of the wrong length', (d) => d.dual.beta[2].pop(), 'dual.beta[2]'],
  ['a γ that is not a number', (d) => (d.dual.gamma[0][0] = '1'), 'dual.gamma[0][0]'],
  ['a non-boolean hasSpecific', (d) => (d.dual.hasSpecific[0] = 1), 'dual.hasSpecific[0]'],
  ['hasSpecific for too few tasks', (d) => d.dual.hasSpecific.pop(), 'dual.hasSpecific'],
  [
    'a weight of the wrong shape',
    (d) => (d.dual.shared.weights['shared/w0'].shape = [4, 8]),
    'dual.shared.weights.shared/w0.shape',
  ],
  [
    'a null weight value',
    (d) => (d.dual.specific.weights['specific/w0'].values[3] = null),
    'dual.specific.weights.specific/w0.values[3]',
  ],
  ['a missing specific encoder with K1 > 0', (d) => (d.dual.specific = null), 'dual.specific'],
  ['kind "linear" with a dual state', (d) => (d.kind = 'linear'), 'at dual'],
  ['an unknown kind', (d) => (d.kind = 'tree'), 'at kind'],
  [
    'a candidate score null',
    (d) => (d.candidates[0].validationRmse = null),
    'candidates[0].validationRmse',
  ],
  ['folds 0', (d) => (d.folds = 0), 'at folds'],
  [
    'an unknown similarity penalty',
    (d) => (d.similarity = { kind: 'nope', specVersion: 1, config: {} }),
    'at similarity',
  ],
  [
    'a preprocessing scale 0',
    (d) => (d.preprocessing.features.pooled.scale[0] = 0),
    'preprocessing',
  ],
  ['options.K0 0', (d) => (d.options.K0 = 0), 'options.K0'],
  ['options.refit "yes"', (d) => (d.options.refit = 'yes'), 'options.refit'],
];

describe('the model document is checked strictly', () => {
  it('a document written before selection.trunk and selection.average loads with their defaults', () => {
    for (const text of [dualText, linearText]) {
      const doc = JSON.parse(text);
      expect(doc.options.selection).toMatchObject({ trunk: false, average: false });
      delete doc.options.selection.trunk;
      delete doc.options.selection.average;
      const old = DualEncoderRegressor.fromJSON(doc);
      const now = DualEncoderRegressor.fromJSON(text);
      const t = sim.test.task(0);
      expect(Array.from(old.predict(t.X as Float64Array, { task: t.name }))).toEqual(
        Array.from(now.predict(t.X as Float64Array, { task: t.name })),
      );
      expect(old.options.selection).toMatchObject({ trunk: true, average: true });
      old.dispose();
      now.dispose();
    }
  });

  it('an untampered document round-trips to identical predictions and validates without tensors', () => {
    const before = countTensors();
    expect(validateModelDocument(dualText).taskNames).toEqual([...sim.train.taskNames]);
    validateModelDocument(JSON.parse(linearText));
    expect(countTensors()).toBe(before);
    for (const text of [dualText, linearText]) {
      const a = DualEncoderRegressor.fromJSON(text);
      const b = DualEncoderRegressor.fromJSON(JSON.stringify(a));
      for (const t of sim.test.tasks()) {
        const pa = a.predict(t.X as Float64Array, { task: t.name });
        expect(b.predict(t.X as Float64Array, { task: t.name })).toEqual(pa);
      }
      expect(JSON.stringify(b)).toBe(text);
      a.dispose();
      b.dispose();
    }
    expect(countTensors()).toBe(before);
  });

  for (const [label, edit, path] of DUAL) {
    it(`refuses ${label}, naming ${path}`, () => {
      const doc = tampered(dualText, edit);
      const e = loadError(doc);
      expect(SerializationError.isInstance(e)).toBe(true);
      expect(e.message).toContain(path);
      expect(e.expected).toBeTruthy();
      expect(e.received).toBeTruthy();
      // The tensor-free check refuses it the same way.
      expect(() => validateModelDocument(doc)).toThrow(e.message);
    });
  }

  for (const [label, edit, path] of [
    ['a linear β one too short', (d: Doc) => d.linear.beta[0].pop(), 'linear.beta[0]'],
    [
      'a linear intercept that is text',
      (d: Doc) => (d.linear.intercept[1] = 'x'),
      'linear.intercept[1]',
    ],
    ['a linear state with an unknown key', (d: Doc) => (d.linear.centre = []), 'linear.centre'],
    ['kind "dual" with a linear state', (d: Doc) => (d.kind = 'dual'), 'at linear'],
  ] as const) {
    it(`refuses ${label} (linear model), naming ${path}`, () => {
      expect(JSON.parse(linearText).kind).toBe('linear');
      const e = loadError(tampered(linearText, edit));
      expect(SerializationError.isInstance(e)).toBe(true);
      expect(e.message).toContain(path);
    });
  }
});
