import { cpuBackend } from '@hetmtl/backend-cpu';
import {
  countTensors,
  Random,
  SerializationError,
  tf,
  useBackend,
  ValidationError,
} from '@hetmtl/tensor';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildEncoder, encoderRegistry } from './default-registry.js';
import { defineEncoder } from './define-encoder.js';
import { type LinearConfig, linear, linearDefinition } from './linear.js';
import { mlp } from './mlp.js';
import { EncoderRegistry } from './registry.js';
import type { EncoderDefinition, EncoderInstance } from './types.js';
import { assignVariables, disposeVariables, makeVariable, readVariables } from './weights.js';

let before = 0;
beforeAll(async () => {
  await useBackend(cpuBackend());
});
beforeEach(() => {
  before = countTensors();
});
afterEach(() => {
  expect(countTensors()).toBe(before);
});

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}

type ScaleConfig = { readonly scale: number };

/** A user's plugin, unbatched: g(x) = scale · x W (no bias). */
const scaledDefinition: EncoderDefinition<ScaleConfig> = {
  kind: 'test:scaled',
  specVersion: 2,
  batched: false,
  normalizeConfig(config) {
    const c = { scale: 1, ...(config as object) } as ScaleConfig;
    if (typeof c.scale !== 'number') throw new ValidationError('scale must be a number');
    return { scale: c.scale };
  },
  migrate: (config, from) =>
    from === 1 ? { scale: (config as { factor: number }).factor } : config,
  build(config, ctx): EncoderInstance {
    const key = `${ctx.name ? `${ctx.name}/` : ''}w`;
    const variables = {
      [key]: makeVariable(key, ctx.rng.normals(ctx.inputDim * ctx.outputDim), [
        ctx.inputDim,
        ctx.outputDim,
      ]),
    };
    return {
      spec: { kind: 'test:scaled', specVersion: 2, config },
      inputDim: ctx.inputDim,
      outputDim: ctx.outputDim,
      tasks: undefined,
      variables,
      forward: (x) => tf.tidy(() => tf.mul(tf.matMul(x, variables[key]!), config.scale)),
      getWeights: () => readVariables(variables),
      setWeights: (w) => assignVariables(variables, w, 'scaled encoder'),
      setLinearMap: (W) =>
        assignVariables(
          variables,
          {
            [key]: { shape: [ctx.inputDim, ctx.outputDim], values: Array.from(W as Float64Array) },
          },
          'scaled',
        ),
      dispose: () => disposeVariables(variables),
    };
  },
};

describe('defineEncoder and the default registry', () => {
  it('has the built-ins', () => {
    expect(encoderRegistry.kinds()).toEqual(['identity', 'linear', 'mlp']);
  });

  it('registers a plugin and returns its spec factory', () => {
    const scaled = defineEncoder(scaledDefinition);
    try {
      expect(scaled.kind).toBe('test:scaled');
      expect(scaled.definition).toBe(scaledDefinition);
      expect(scaled({ scale: 3 })).toEqual({
        kind: 'test:scaled',
        specVersion: 2,
        config: { scale: 3 },
      });
      expect(encoderRegistry.has('test:scaled')).toBe(true);
      // Same definition again: a no-op; another definition of the kind: an error.
      defineEncoder(scaledDefinition);
      expect(thrown(() => defineEncoder({ ...scaledDefinition })).message).toMatch(
        /"test:scaled" is already registered.*replace: true/,
      );
      defineEncoder({ ...scaledDefinition }, { replace: true });
      const e = buildEncoder(scaled({ scale: 2 }), {
        inputDim: 2,
        outputDim: 1,
        rng: new Random(1),
      });
      const [w0, w1] = e.getWeights().w!.values as [number, number];
      expect(tf.tidy(() => Array.from(e.forward(tf.tensor2d([[1, 1]])).dataSync()))[0]).toBeCloseTo(
        2 * (w0 + w1),
        5,
      );
      e.dispose();
    } finally {
      encoderRegistry.unregister('test:scaled');
    }
  });

  it('registers into another registry when asked, not the default one', () => {
    const registry = new EncoderRegistry();
    defineEncoder(scaledDefinition, { registry });
    expect(registry.kinds()).toEqual(['test:scaled']);
    expect(encoderRegistry.has('test:scaled')).toBe(false);
  });

  it('checks the definition', () => {
    expect(thrown(() => defineEncoder({ ...scaledDefinition, kind: '' })).message).toMatch(
      /Invalid encoder kind/,
    );
    expect(thrown(() => defineEncoder({ ...scaledDefinition, specVersion: 0 })).message).toMatch(
      /Invalid specVersion/,
    );
    expect(
      thrown(() => defineEncoder({ ...scaledDefinition, batched: undefined as never })).message,
    ).toMatch(/does not say whether it is batched/);
    expect(
      thrown(() => defineEncoder({ ...scaledDefinition, build: undefined as never })).message,
    ).toMatch(/has no build\(\)/);
  });

  it('refuses configs that are not JSON-safe', () => {
    const registry = new EncoderRegistry();
    const bad = defineEncoder<{ f: unknown }>(
      {
        kind: 'bad',
        specVersion: 1,
        batched: true,
        normalizeConfig: (c) => c as { f: unknown },
        build: () => ({}) as never,
      },
      { registry },
    );
    expect(thrown(() => bad({ f: () => 1 })).message).toMatch(/not JSON-safe at config.f/);
    expect(thrown(() => bad({ f: Number.NaN })).message).toMatch(/not JSON-safe at config.f/);
    expect(thrown(() => bad({ f: [1, new Date()] })).message).toMatch(/config.f\[1\]/);
    expect(bad({ f: { a: [1, 'x', null, true] } }).config).toEqual({
      f: { a: [1, 'x', null, true] },
    });
  });
});

describe('EncoderRegistry.build', () => {
  it('an unknown kind is a ValidationError that says how to register it', () => {
    const e = thrown(() =>
      buildEncoder(
        { kind: 'attention', specVersion: 1, config: {} },
        { inputDim: 2, outputDim: 1, rng: new Random(1) },
      ),
    );
    expect(ValidationError.isInstance(e)).toBe(true);
    expect(e.message).toMatch(
      /Unknown encoder kind "attention": expected one of "identity", "linear", "mlp"/,
    );
    expect(e.message).toMatch(
      /defineEncoder\(.*import that package first.*registry.register\(definition\)/,
    );
  });

  it('normalizes saved configs, migrates older spec versions, refuses newer ones', () => {
    const registry = new EncoderRegistry([scaledDefinition, linearDefinition]);
    expect(
      registry.normalize({ kind: 'test:scaled', specVersion: 1, config: { factor: 4 } }),
    ).toEqual({ kind: 'test:scaled', specVersion: 2, config: { scale: 4 } });
    const e = thrown(() => registry.normalize({ kind: 'test:scaled', specVersion: 3, config: {} }));
    expect(SerializationError.isInstance(e)).toBe(true);
    expect(e.message).toMatch(/cannot read spec version 3: expected spec version 2 or older/);
    expect(
      thrown(() => registry.normalize({ kind: 'linear', specVersion: 0, config: {} })).message,
    ).toMatch(/expected spec version 1, received 0/);
    expect(thrown(() => registry.normalize('mlp' as never)).message).toMatch(/Not an encoder spec/);
    expect(registry.normalize({ kind: 'linear', specVersion: 1, config: {} })).toEqual(linear());
  });

  it('validates the build context', () => {
    const rng = new Random(1);
    expect(thrown(() => buildEncoder(mlp(), { inputDim: 0, outputDim: 1, rng })).message).toMatch(
      /Invalid inputDim.*expected an integer ≥ 1, received 0/,
    );
    expect(thrown(() => buildEncoder(mlp(), { inputDim: 2, outputDim: 0, rng })).message).toMatch(
      /K = 0 means no encoder/,
    );
    expect(
      thrown(() => buildEncoder(mlp(), { inputDim: 2, outputDim: 1, rng: undefined as never }))
        .message,
    ).toMatch(/needs a random generator.*new Random\(seed\)/);
    expect(
      thrown(() => buildEncoder(mlp(), { inputDim: 2, outputDim: 1, rng, tasks: 1.5 })).message,
    ).toMatch(/Invalid number of tasks/);
  });

  it('rejects a plugin whose build ignores the context, and disposes what it built', () => {
    const registry = new EncoderRegistry([
      {
        ...linearDefinition,
        kind: 'wrong-dims',
        build: (c, ctx) =>
          linearDefinition.build(c as LinearConfig, { ...ctx, outputDim: ctx.outputDim + 1 }),
      },
    ]);
    expect(
      thrown(() =>
        registry.build(
          { kind: 'wrong-dims', specVersion: 1, config: {} },
          { inputDim: 2, outputDim: 1, rng: new Random(1) },
        ),
      ).message,
    ).toMatch(
      /does not match its build context: expected inputDim 2, outputDim 1, tasks undefined, received inputDim 2, outputDim 2/,
    );
  });
});

describe("the registry's loop over tasks (plugins that are not batched)", () => {
  const registry = new EncoderRegistry([scaledDefinition]);
  const spec = { kind: 'test:scaled', specVersion: 2, config: { scale: 2 } };

  it('builds R instances from children of ctx.rng, forward [R, n, p] → [R, n, K] equals each task’s own forward', () => {
    const e = registry.build(spec, {
      inputDim: 3,
      outputDim: 2,
      rng: new Random(5),
      tasks: 3,
      name: 'specific',
    });
    expect(Object.keys(e.variables)).toEqual(['specific/w@0', 'specific/w@1', 'specific/w@2']);
    expect(e.tasks).toBe(3);
    const rng = new Random(5);
    const single = [0, 1, 2].map(() =>
      registry.build(spec, { inputDim: 3, outputDim: 2, rng: rng.child(), name: 'specific' }),
    );
    const x = tf.tensor3d(Float32Array.from(new Random(6).normals(3 * 4 * 3)), [3, 4, 3]);
    const got = tf.tidy(() => e.forward(x).dataSync());
    const want = tf.tidy(() =>
      tf.stack(tf.unstack(x).map((xr, r) => single[r]!.forward(xr))).dataSync(),
    );
    expect(Array.from(got)).toEqual(Array.from(want));
    for (const s of single) s.dispose();
    x.dispose();
    e.dispose();
  });

  it('getWeights/setWeights stack over tasks; a bad weight changes nothing', () => {
    const e = registry.build(spec, { inputDim: 2, outputDim: 1, rng: new Random(5), tasks: 2 });
    const w = e.getWeights();
    expect(w.w!.shape).toEqual([2, 2, 1]);
    const changed = { w: { shape: [2, 2, 1], values: [1, 2, 3, 4] } };
    e.setWeights(changed);
    expect(e.getWeights()).toEqual(changed);
    expect(
      SerializationError.isInstance(
        thrown(() => e.setWeights({ w: { shape: [3, 2, 1], values: [1, 2, 3, 4, 5, 6] } })),
      ),
    ).toBe(true);
    expect(
      thrown(() => e.setWeights({ w: { shape: [2, 1, 2], values: [9, 9, 9, 9] } })).message,
    ).toMatch(/wrong shape: expected \[2,1\], received \[1,2\]/);
    expect(
      thrown(() => e.setWeights({ ...changed, v: { shape: [2, 1], values: [0, 0] } })).message,
    ).toMatch(/Unknown weight "v"/);
    expect(e.getWeights()).toEqual(changed);
    e.setLinearMap!([new Float64Array([5, 6]), new Float64Array([7, 8])], new Float64Array(2));
    expect(e.getWeights().w!.values).toEqual([5, 6, 7, 8]);
    e.dispose();
    e.dispose();
  });
});

describe('weights', () => {
  it('setWeights validates names, shapes and values before assigning anything (SerializationError)', () => {
    const e = buildEncoder(mlp({ hidden: [2] }), {
      inputDim: 2,
      outputDim: 1,
      rng: new Random(1),
      name: 'shared',
    });
    const good = e.getWeights();
    expect(Object.keys(good)).toEqual(['shared/w0', 'shared/b0', 'shared/w1', 'shared/b1']);
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { ...good, 'shared/w0': { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] } },
        /"shared\/w0".*wrong shape: expected \[2,2\], received \[2,3\]/,
      ],
      [
        { ...good, 'shared/w0': { shape: [2, 2], values: [1, 2, 3] } },
        /wrong number of values: expected 4 values/,
      ],
      [
        { ...good, 'shared/b1': { shape: [1], values: [Number.NaN] } },
        /non-finite value at index 0/,
      ],
      [{ ...good, 'shared/b1': null }, /malformed/],
      [
        { ...good, extra: { shape: [1], values: [1] } },
        /Unknown weight "extra".*expected only the weights "shared\/w0"/,
      ],
      [{ 'shared/w0': good['shared/w0'] }, /Missing weight "shared\/b0"/],
    ];
    for (const [weights, message] of cases) {
      const error = thrown(() => e.setWeights(weights as never));
      expect(SerializationError.isInstance(error)).toBe(true);
      expect(error.message).toMatch(message);
      expect(e.getWeights()).toEqual(good);
    }
    expect(JSON.parse(JSON.stringify(good))).toEqual(good);
    e.dispose();
  });

  it('variable engine names are unique across encoders with the same prefix', () => {
    const a = buildEncoder(linear(), {
      inputDim: 2,
      outputDim: 1,
      rng: new Random(1),
      name: 'shared',
    });
    const b = buildEncoder(linear(), {
      inputDim: 2,
      outputDim: 1,
      rng: new Random(1),
      name: 'shared',
    });
    expect(a.variables['shared/w0']!.name).not.toBe(b.variables['shared/w0']!.name);
    expect(a.variables['shared/w0']!.name).toMatch(/^shared\/w0#\d+$/);
    a.dispose();
    b.dispose();
    expect(a.variables['shared/w0']!.isDisposed).toBe(true);
  });
});

describe('the inputWeight trait', () => {
  it('names the parameter the input enters through (linear, mlp), none for identity', async () => {
    const { identity } = await import('./identity.js');
    expect(encoderRegistry.inputWeight(linear())).toBe('w0');
    expect(encoderRegistry.inputWeight(mlp({ hidden: [4] }))).toBe('w0');
    expect(encoderRegistry.inputWeight(identity())).toBeUndefined();
    // x·w0 is the first operation: an input projection folds into it (x V)·W = x (V W).
    const enc = buildEncoder(mlp({ hidden: [3] }), {
      inputDim: 2,
      outputDim: 1,
      rng: new Random(1),
      name: 'fold',
    });
    const V = [
      [1, 2],
      [0, 1],
      [3, -1],
    ]; // 3 → 2
    const w = enc.getWeights();
    const w0 = w['fold/w0']!;
    const lifted: number[] = [];
    for (let a = 0; a < 3; a++)
      for (let k = 0; k < 3; k++)
        lifted.push(V[a]![0]! * w0.values[k]! + V[a]![1]! * w0.values[3 + k]!);
    const big = buildEncoder(mlp({ hidden: [3] }), {
      inputDim: 3,
      outputDim: 1,
      rng: new Random(2),
      name: 'fold',
    });
    big.setWeights({ ...w, 'fold/w0': { shape: [3, 3], values: lifted } });
    const x = [[0.5, -1, 2]];
    const xV = x.map((r) => [0, 1].map((j) => r.reduce((s, v, a) => s + v * V[a]![j]!, 0)));
    const a = tf.tidy(() => enc.forward(tf.tensor2d(xV)).dataSync());
    const b = tf.tidy(() => big.forward(tf.tensor2d(x)).dataSync());
    expect(b[0]).toBeCloseTo(a[0]!, 5);
    enc.dispose();
    big.dispose();
  });
});
