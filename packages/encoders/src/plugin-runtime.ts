import { describeReceived, type Random, tf, ValidationError } from '@hetmtl/tensor';
import { checkForwardInput, checkNotDisposed } from './forward-input.js';
import { type Initializer, initialWeights } from './init.js';
import { makeSpec } from './spec.js';
import type {
  EncoderBuildContext,
  EncoderDefinition,
  EncoderInstance,
  EncoderWeights,
} from './types.js';
import { assignVariables, disposeVariables, makeVariable, readVariables } from './weights.js';

/**
 * How a parameter starts: He or Glorot normal (a 2-D [fanIn, fanOut] parameter), zeros, or a
 * function of the task's generator (it must draw from `rng` only: same seed, same weights).
 */
export type ParamInit =
  | Initializer
  | 'zeros'
  | ((rng: Random, shape: readonly number[]) => ArrayLike<number>);

/** One parameter of one task's copy of an encoder. */
export interface ParamDeclaration {
  /** Its shape for one task, e.g. [p, K]. */
  readonly shape: readonly number[];
  readonly init: ParamInit;
  /**
   * A row added to every row of the data (a bias): `apply` sees it as [T, 1, ...shape]; it is saved
   * as [...shape] unbatched and [R, 1, ...shape] batched (the built-ins' layout).
   */
  readonly row?: boolean;
}

/** The sizes an encoder is built for. */
export interface EncoderDims {
  /** p: the number of input features. */
  readonly inputDim: number;
  /** K: the number of factors. */
  readonly outputDim: number;
}

/** What `apply` gets: each parameter with a leading task axis T (R, or 1 for one encoder). */
export type EncoderParams<P extends string = string> = Readonly<Record<P, tf.Tensor>>;

/** One task's parameter values for the affine map x ↦ xW + b. */
export type LinearMap = (
  map: { readonly W: Float64Array; readonly b: Float64Array },
  dims: EncoderDims,
) => Readonly<Record<string, ArrayLike<number> | undefined>>;

/** Optional facts the model and the framework use. */
export interface EncoderTraits<C> {
  /** The output size the config forces (identity: the input size), or undefined. */
  fixedOutputDim?(config: C, inputDim: number): number | undefined;
  /**
   * For a config that makes the encoder linear, how to set it to the affine map x ↦ xW + b (W p×K
   * row-major, b of length K; the model's PCA start): the parameter values of one task. Leave out a
   * bias the encoder does not have (the framework then refuses b ≠ 0). Undefined: not linear.
   */
  linearMap?(config: C): LinearMap | undefined;
  /** The config with every hidden layer `width` wide (the model's width grid). */
  widen?(config: C, width: number): C;
  /**
   * The parameter the input enters through as x·W (per task [inputDim, ·]): the model folds a
   * projection of wide inputs onto their row space into it (W ← V·W). Undefined: none.
   */
  inputWeight?(config: C): string | undefined;
}

/**
 * An encoder plugin in the framework's terms: the parameters it has and the function it computes.
 * The framework (this runtime) owns variables, names, stacking over tasks, get/set weights, the
 * per-task forward, dispose and the disposed guard. Plugin vocabulary (shared with penalties and
 * backends): `kind` is the registry key, `specVersion` the version of the plugin's saved config
 * format (`migrate` reads older ones), and {@link defineEncoder} registers it.
 */
export interface EncoderPlugin<C, P extends string = string> {
  readonly kind: string;
  readonly specVersion: number;
  /** Validates a config and fills its defaults (idempotent; throws `ValidationError`). */
  normalizeConfig(config: unknown): C;
  /** The parameters of one task's copy, in the order they are drawn. */
  params(config: C, dims: EncoderDims): Readonly<Record<P, ParamDeclaration>>;
  /**
   * [T, n, p] → [T, n, K], task t with the t-th slice of every parameter (`tf.matMul` broadcasts).
   * `params` has the names `params()` declares (P, inferred by {@link defineEncoder}), so reading one
   * is a `tf.Tensor`, not `tf.Tensor | undefined`, even under `noUncheckedIndexedAccess`.
   */
  apply(config: C, params: EncoderParams<P>, x: tf.Tensor): tf.Tensor;
  readonly traits?: EncoderTraits<C>;
  /** Converts a saved config of an older `specVersion`. */
  migrate?(config: unknown, fromVersion: number): unknown;
}

function draw(decl: ParamDeclaration, rng: Random, name: string, kind: string): Float32Array {
  const { shape, init } = decl;
  const size = shape.reduce((a, b) => a * b, 1);
  if (init === 'zeros') return new Float32Array(size);
  if (typeof init === 'function') {
    const values = Float32Array.from(init(rng, shape));
    if (values.length !== size) {
      throw new ValidationError(
        `Encoder "${kind}": the initialiser of "${name}" returned ${values.length} values`,
        { expected: `${size} values for shape [${shape}]` },
      );
    }
    return values;
  }
  if (shape.length !== 2) {
    throw new ValidationError(`Encoder "${kind}": "${init}" needs a 2-D parameter`, {
      expected: '[fanIn, fanOut]',
      received: `[${shape}] for "${name}"`,
    });
  }
  return initialWeights(rng, init, shape[0], shape[1]);
}

function perTaskArrays(
  value: Float64Array | readonly Float64Array[],
  tasks: number | undefined,
  length: number,
  label: string,
  what: string,
): Float64Array[] {
  const count = tasks ?? 1;
  const list = ArrayBuffer.isView(value) ? Array.from({ length: count }, () => value) : [...value];
  if (list.length !== count) {
    throw new ValidationError(`setLinearMap of the ${what}: wrong number of ${label} arrays`, {
      expected:
        tasks === undefined ? 'one array' : `one array for all tasks or ${tasks} (one per task)`,
      received: `${list.length}`,
    });
  }
  list.forEach((a, r) => {
    if (!ArrayBuffer.isView(a) || a.length !== length) {
      throw new ValidationError(`setLinearMap of the ${what}: wrong ${label}`, {
        ...(tasks !== undefined ? { task: r } : {}),
        expected: `a Float64Array of length ${length}`,
        received: describeReceived(a),
      });
    }
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) {
        throw new ValidationError(
          `setLinearMap of the ${what}: non-finite ${label} at index ${i}`,
          { ...(tasks !== undefined ? { task: r } : {}), expected: 'finite numbers' },
        );
      }
    }
  });
  return list;
}

/** Builds an instance of a plugin: the framework's half of every encoder. */
function buildInstance<C>(
  plugin: EncoderPlugin<C>,
  definition: EncoderDefinition<C>,
  config: C,
  ctx: EncoderBuildContext,
): EncoderInstance {
  const { inputDim: p, outputDim: K, tasks } = ctx;
  const { kind } = plugin;
  const fixed = plugin.traits?.fixedOutputDim?.(config, p);
  if (fixed !== undefined && fixed !== K) {
    throw new ValidationError(`The ${kind} encoder cannot change the dimension`, {
      expected: `outputDim = ${fixed === p ? 'inputDim = ' : ''}${fixed}`,
      received: `outputDim ${K}`,
      fix: `Use K = ${fixed === p ? 'p' : fixed} with ${kind} (the factors are the features), or choose linear() or mlp() to reduce the dimension`,
    });
  }
  const dims: EncoderDims = { inputDim: p, outputDim: K };
  const prefix = ctx.name ? `${ctx.name}/` : '';
  const what = `${kind} encoder${ctx.name ? ` "${ctx.name}"` : ''}${tasks !== undefined ? ` (batched over ${tasks} tasks)` : ''}`;
  const decls = plugin.params(config, dims);
  const names = Object.keys(decls);
  // Task r draws from the r-th child of ctx.rng, one encoder from ctx.rng itself (the stacking
  // convention: a batched build equals R unbatched builds from the same seed).
  const perTask: Float32Array[][] = [];
  if (tasks === undefined) perTask.push(names.map((n) => draw(decls[n], ctx.rng, n, kind)));
  else
    for (let r = 0; r < tasks; r++) {
      const rng = ctx.rng.child();
      perTask.push(names.map((n) => draw(decls[n], rng, n, kind)));
    }
  const variables: Record<string, tf.Variable> = {};
  names.forEach((n, j) => {
    const { shape, row } = decls[n];
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(perTask.length * size);
    perTask.forEach((draws, r) => values.set(draws[j], r * size));
    const stored =
      tasks === undefined ? [...shape] : row ? [tasks, 1, ...shape] : [tasks, ...shape];
    variables[prefix + n] = makeVariable(prefix + n, values, stored);
  });
  Object.freeze(variables);

  let disposed = false;
  /** Applies the plugin to [T, n, p] with the parameters of tasks [from, from + T). */
  const run = (x3: tf.Tensor, from: number, count: number): tf.Tensor => {
    const params: Record<string, tf.Tensor> = {};
    for (const n of names) {
      const v = variables[prefix + n];
      const { shape, row } = decls[n];
      const view = row ? [count, 1, ...shape] : [count, ...shape];
      params[n] =
        tasks === undefined ? tf.reshape(v, view) : count === tasks ? v : tf.slice(v, from, count);
    }
    const y = plugin.apply(config, params, x3);
    const want = [count, x3.shape[1] as number, K];
    if (!(y instanceof tf.Tensor) || y.rank !== 3 || y.shape.some((d, i) => d !== want[i])) {
      throw new ValidationError(`Encoder plugin "${kind}": apply() returned the wrong shape`, {
        expected: `[${want}]`,
        received: y instanceof tf.Tensor ? `[${y.shape}]` : describeReceived(y),
      });
    }
    return y;
  };
  const alive = () => checkNotDisposed(disposed, what);
  const instance: EncoderInstance = {
    spec: makeSpec(definition, config),
    inputDim: p,
    outputDim: K,
    tasks,
    variables,
    forward(x: tf.Tensor): tf.Tensor {
      alive();
      return tf.tidy(() => {
        const input = checkForwardInput(x, p, tasks, what);
        const n = input.shape[tasks === undefined ? 0 : 1] as number;
        const y =
          tasks === undefined
            ? tf.reshape(run(tf.reshape(input, [1, n, p]), 0, 1), [n, K])
            : run(input, 0, tasks);
        // A new tensor, so that the caller may dispose the output but not the input.
        return y === x ? tf.clone(y) : y;
      });
    },
    forwardTask(x: tf.Tensor, task: number): tf.Tensor {
      alive();
      const count = tasks ?? 1;
      if (!Number.isInteger(task) || task < 0 || task >= count) {
        throw new ValidationError(`forwardTask of the ${what}: no task ${describeReceived(task)}`, {
          expected: `an integer in [0, ${count - 1}]`,
        });
      }
      return tf.tidy(() => {
        const input = checkForwardInput(x, p, undefined, what);
        const n = input.shape[0];
        return tf.reshape(run(tf.reshape(input, [1, n, p]), task, 1), [n, K]);
      });
    },
    getWeights(): EncoderWeights {
      alive();
      return readVariables(variables);
    },
    setWeights(weights: EncoderWeights): void {
      alive();
      assignVariables(variables, weights, what);
    },
    dispose(): void {
      disposed = true;
      disposeVariables(variables);
    },
  };
  const linearMap = plugin.traits?.linearMap?.(config);
  if (linearMap) {
    instance.setLinearMap = (W, mean) => {
      alive();
      const ws = perTaskArrays(W, tasks, p * K, 'W (p×K, row-major)', what);
      const means = perTaskArrays(mean, tasks, p, 'mean', what);
      const values: Record<string, Float32Array> = {};
      ws.forEach((w, r) => {
        const m = means[r];
        const b = new Float64Array(K);
        for (let j = 0; j < K; j++) {
          let s = 0;
          for (let i = 0; i < p; i++) s += m[i] * w[i * K + j];
          b[j] = -s;
        }
        const got = Object.fromEntries(
          Object.entries(linearMap({ W: w, b }, dims)).filter(([, v]) => v !== undefined),
        ) as Record<string, ArrayLike<number>>;
        if (!names.some((n) => decls[n]?.row && n in got) && b.some((v) => v !== 0)) {
          throw new ValidationError(
            `setLinearMap of the ${what}: this encoder has no bias, so the mean must be zero`,
            {
              fix: `Centre the data first, or build the encoder with ${kind}({ bias: true })`,
            },
          );
        }
        for (const [n, v] of Object.entries(got)) {
          const decl = decls[n];
          const size = decl ? decl.shape.reduce((a, c) => a * c, 1) : 0;
          if (!decl || v.length !== size) {
            throw new ValidationError(
              `Encoder plugin "${kind}": linearMap gave "${n}" ${decl ? `${v.length} values` : 'which is not a parameter'}`,
              { expected: decl ? `${size} values` : `one of ${names.join(', ')}` },
            );
          }
          values[n] ??= new Float32Array(ws.length * size);
          values[n].set(Float32Array.from(v), r * size);
        }
      });
      tf.tidy(() => {
        for (const [n, v] of Object.entries(values)) {
          const variable = variables[prefix + n];
          variable.assign(tf.tensor(v, variable.shape, 'float32'));
        }
      });
    };
  }
  return Object.freeze(instance);
}

/** The registry's definition of a plugin: batched, built by the runtime. */
export function pluginDefinition<C>(plugin: EncoderPlugin<C>): EncoderDefinition<C> {
  for (const key of ['normalizeConfig', 'params', 'apply'] as const) {
    if (typeof plugin?.[key] !== 'function') {
      throw new ValidationError(`Encoder "${plugin?.kind}" has no ${key}()`, {
        expected: 'a function',
        received: describeReceived(plugin?.[key]),
      });
    }
  }
  const traits = plugin.traits ?? {};
  const definition: EncoderDefinition<C> = Object.freeze<EncoderDefinition<C>>({
    kind: plugin.kind,
    specVersion: plugin.specVersion,
    batched: true,
    normalizeConfig: (config: unknown) => plugin.normalizeConfig(config),
    build: (config: C, ctx: EncoderBuildContext) => buildInstance(plugin, definition, config, ctx),
    ...(traits.fixedOutputDim ? { fixedOutputDim: traits.fixedOutputDim } : {}),
    ...(traits.widen ? { widen: traits.widen } : {}),
    ...(traits.inputWeight ? { inputWeight: traits.inputWeight } : {}),
    ...(plugin.migrate ? { migrate: plugin.migrate } : {}),
  });
  return definition;
}
