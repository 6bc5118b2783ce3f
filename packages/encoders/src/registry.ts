import { describeReceived, Random, SerializationError, ValidationError } from '@hetmtl/tensor';
import { isPositiveInteger } from './config.js';
import { loopOverTasks } from './loop-over-tasks.js';
import { makeSpec } from './spec.js';
import type {
  EncoderBuildContext,
  EncoderDefinition,
  EncoderInstance,
  EncoderSpec,
} from './types.js';

// Definitions are stored with their config type erased; methods are bivariant in their parameters.
type AnyDefinition = EncoderDefinition<unknown>;

const REGISTER_FIX =
  'Register the plugin before building or loading: call defineEncoder({ kind, ... }) (it registers in the default registry) — ' +
  'for a plugin from another package, import that package first — or call registry.register(definition) on the registry you use';

/** Throws unless `def` has the shape of an {@link EncoderDefinition}. */
export function validateDefinition(def: unknown): asserts def is AnyDefinition {
  const d = def as Partial<AnyDefinition> | null;
  if (typeof d !== 'object' || d === null) {
    throw new ValidationError('Not an encoder definition', {
      expected: 'an object { kind, specVersion, batched, normalizeConfig, build }',
      received: describeReceived(def),
    });
  }
  if (typeof d.kind !== 'string' || !/^[A-Za-z][\w.:-]*$/.test(d.kind)) {
    throw new ValidationError('Invalid encoder kind', {
      expected:
        'a non-empty name of letters, digits, _, ., : or - starting with a letter (e.g. "my-org:attention")',
      received: describeReceived(d.kind),
    });
  }
  if (!isPositiveInteger(d.specVersion)) {
    throw new ValidationError(`Invalid specVersion for encoder "${d.kind}"`, {
      expected: 'an integer ≥ 1',
      received: describeReceived(d.specVersion),
    });
  }
  if (typeof d.batched !== 'boolean') {
    throw new ValidationError(`Encoder "${d.kind}" does not say whether it is batched`, {
      expected:
        'batched: true (build() supports ctx.tasks) or false (the registry loops over tasks)',
      received: describeReceived(d.batched),
    });
  }
  for (const key of ['normalizeConfig', 'build'] as const) {
    if (typeof d[key] !== 'function') {
      throw new ValidationError(`Encoder "${d.kind}" has no ${key}()`, {
        expected: 'a function',
        received: describeReceived(d[key]),
      });
    }
  }
  for (const key of ['fixedOutputDim', 'widen', 'inputWeight', 'migrate'] as const) {
    if (d[key] !== undefined && typeof d[key] !== 'function') {
      throw new ValidationError(`Encoder "${d.kind}": ${key} is not a function`, {
        expected: 'a function or nothing',
        received: describeReceived(d[key]),
      });
    }
  }
}

function validateContext(ctx: EncoderBuildContext, kind: string): void {
  if (typeof ctx !== 'object' || ctx === null) {
    throw new ValidationError(`Cannot build encoder "${kind}" without a build context`, {
      expected: '{ inputDim, outputDim, rng, tasks?, name? }',
      received: describeReceived(ctx),
    });
  }
  for (const key of ['inputDim', 'outputDim'] as const) {
    if (!isPositiveInteger(ctx[key])) {
      throw new ValidationError(`Invalid ${key} for encoder "${kind}"`, {
        expected: 'an integer ≥ 1',
        received: describeReceived(ctx[key]),
        ...(key === 'outputDim' && ctx[key] === 0
          ? { fix: 'K = 0 means no encoder: do not build one' }
          : {}),
      });
    }
  }
  if (
    !(ctx.rng instanceof Random) &&
    typeof (ctx.rng as Partial<Random> | undefined)?.normal !== 'function'
  ) {
    throw new ValidationError(`Encoder "${kind}" needs a random generator`, {
      expected: 'rng: a Random from @hetmtl/tensor',
      received: describeReceived(ctx.rng),
      fix: 'Pass new Random(seed): every initial weight comes from it',
    });
  }
  if (ctx.tasks !== undefined && !isPositiveInteger(ctx.tasks)) {
    throw new ValidationError(`Invalid number of tasks for encoder "${kind}"`, {
      expected: 'an integer ≥ 1, or undefined for an unbatched encoder',
      received: describeReceived(ctx.tasks),
    });
  }
  if (ctx.name !== undefined && (typeof ctx.name !== 'string' || ctx.name.length === 0)) {
    throw new ValidationError(`Invalid variable name prefix for encoder "${kind}"`, {
      expected: 'a non-empty string or undefined',
      received: describeReceived(ctx.name),
    });
  }
}

/**
 * Encoder plugins by kind. A saved model stores specs (`{ kind, specVersion, config }`) and rebuilds
 * its encoders with {@link EncoderRegistry.build}; an unknown kind is an error that says how to
 * register it.
 */
export class EncoderRegistry {
  private readonly definitions = new Map<string, AnyDefinition>();

  constructor(definitions: Iterable<EncoderDefinition<unknown>> = []) {
    for (const def of definitions) this.register(def);
  }

  /**
   * Adds a plugin. Registering the same definition again is a no-op; another definition of a kind
   * already registered is an error unless `replace` is true.
   */
  register<C>(def: EncoderDefinition<C>, options: { readonly replace?: boolean } = {}): this {
    validateDefinition(def);
    const existing = this.definitions.get(def.kind);
    if (existing !== undefined && existing !== def && options.replace !== true) {
      throw new ValidationError(`Encoder kind "${def.kind}" is already registered`, {
        fix: 'Choose another kind (prefix it with your package name, e.g. "my-org:encoder"), or pass { replace: true } to override it',
      });
    }
    this.definitions.set(def.kind, def as AnyDefinition);
    return this;
  }

  /** Removes a plugin; returns whether it was registered. */
  unregister(kind: string): boolean {
    return this.definitions.delete(kind);
  }

  has(kind: string): boolean {
    return this.definitions.has(kind);
  }

  /** The registered kinds, in registration order. */
  kinds(): string[] {
    return [...this.definitions.keys()];
  }

  /** The definition of a kind; an unknown kind is a ValidationError that says how to register it. */
  get(kind: string): AnyDefinition {
    const def = this.definitions.get(kind);
    if (def === undefined) {
      throw new ValidationError(`Unknown encoder kind ${JSON.stringify(kind)}`, {
        expected: `one of ${this.kinds()
          .map((k) => `"${k}"`)
          .join(', ')}`,
        received: JSON.stringify(kind),
        fix: REGISTER_FIX,
      });
    }
    return def;
  }

  /**
   * Validates a spec (for instance one read from a saved model) and returns it normalized: config
   * checked and completed by the plugin, older spec versions migrated when the plugin can.
   */
  normalize(spec: EncoderSpec): EncoderSpec {
    if (typeof spec !== 'object' || spec === null || typeof spec.kind !== 'string') {
      throw new ValidationError('Not an encoder spec', {
        expected: '{ kind, specVersion, config }, e.g. from mlp({ hidden: [32] })',
        received: describeReceived(spec),
      });
    }
    const def = this.get(spec.kind);
    const version = spec.specVersion ?? def.specVersion;
    if (version === def.specVersion) return makeSpec(def, spec.config);
    if (isPositiveInteger(version) && version < def.specVersion && def.migrate !== undefined) {
      return makeSpec(def, def.migrate(spec.config, version));
    }
    throw new SerializationError(
      `Encoder "${spec.kind}" cannot read spec version ${describeReceived(version)}`,
      {
        expected: `spec version ${def.specVersion}${def.migrate ? ' or older' : ''}`,
        received: describeReceived(version),
        fix: 'Install the version of the package defining this encoder that wrote the spec',
      },
    );
  }

  /**
   * Builds an encoder from a spec. With `ctx.tasks` and a plugin that is not batched, returns a
   * loop over R unbatched instances (correct, slower).
   */
  build(spec: EncoderSpec, ctx: EncoderBuildContext): EncoderInstance {
    const normalized = this.normalize(spec);
    const def = this.get(normalized.kind);
    validateContext(ctx, def.kind);
    if (ctx.tasks !== undefined && !def.batched) {
      return loopOverTasks(
        def,
        normalized.config,
        normalized,
        ctx as EncoderBuildContext & { tasks: number },
      );
    }
    const instance = def.build(normalized.config, ctx);
    if (
      instance?.outputDim !== ctx.outputDim ||
      instance.inputDim !== ctx.inputDim ||
      instance.tasks !== ctx.tasks
    ) {
      const got =
        instance === undefined || instance === null
          ? String(instance)
          : `inputDim ${instance.inputDim}, outputDim ${instance.outputDim}, tasks ${instance.tasks}`;
      instance?.dispose?.();
      throw new ValidationError(
        `Encoder plugin "${def.kind}" built an encoder that does not match its build context`,
        {
          expected: `inputDim ${ctx.inputDim}, outputDim ${ctx.outputDim}, tasks ${ctx.tasks}`,
          received: got,
          fix: "Fix the plugin's build(): it must honour ctx.inputDim, ctx.outputDim and ctx.tasks",
        },
      );
    }
    return instance;
  }

  /** The output dimension a spec forces (identity: the input dimension), or undefined. */
  fixedOutputDim(spec: EncoderSpec, inputDim: number): number | undefined {
    const normalized = this.normalize(spec);
    return this.get(normalized.kind).fixedOutputDim?.(normalized.config, inputDim);
  }

  /**
   * The spec with every hidden layer `width` wide (the model's width grid), or undefined when the
   * plugin has no width (its definition has no `widen`).
   */
  widen(spec: EncoderSpec, width: number): EncoderSpec | undefined {
    const normalized = this.normalize(spec);
    const def = this.get(normalized.kind);
    return def.widen === undefined ? undefined : makeSpec(def, def.widen(normalized.config, width));
  }

  /** The parameter a spec's input enters through as x·W (the `inputWeight` trait), or undefined. */
  inputWeight(spec: EncoderSpec): string | undefined {
    const normalized = this.normalize(spec);
    return this.get(normalized.kind).inputWeight?.(normalized.config);
  }
}
