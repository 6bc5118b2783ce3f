import { describeReceived, SerializationError, ValidationError } from '@hetmtl/tensor';
import { centre } from './centre.js';
import { fusedLasso } from './fused-lasso.js';
import { type GraphOptions, graph } from './graph.js';
import { mcp } from './mcp.js';
import { none } from './none.js';
import type { PenaltyConfig, Penalty } from './penalty.js';
import { scad } from './scad.js';

/** Builds a penalty from its saved config. */
export type PenaltyFactory = (config: PenaltyConfig) => Penalty;

/**
 * Penalty factories keyed by `kind`, so that a saved model can rebuild its penalty from
 * `{ kind, config }`. The built-ins are registered at load time.
 */
export class PenaltyRegistry {
  readonly #factories = new Map<string, PenaltyFactory>();

  /**
   * Registers a factory under `kind`; registering a kind twice needs `{ replace: true }` (the option
   * name of every hetmtl registry: encoders, penalties, backends; `override` is its old name here).
   */
  register(
    kind: string,
    factory: PenaltyFactory,
    options: {
      readonly replace?: boolean;
      /** @deprecated The old name of `replace`. */
      readonly override?: boolean;
    } = {},
  ): void {
    if (typeof kind !== 'string' || kind.length === 0) {
      throw new ValidationError('similarityRegistry.register: invalid kind', {
        expected: 'a non-empty string',
        received: describeReceived(kind),
      });
    }
    if (typeof factory !== 'function') {
      throw new ValidationError(
        `similarityRegistry.register("${kind}"): the factory is not a function`,
        {
          expected: '(config) => SimilarityPenalty',
          received: describeReceived(factory),
        },
      );
    }
    if (this.#factories.has(kind) && options.replace !== true && options.override !== true) {
      throw new ValidationError(`A similarity penalty "${kind}" is already registered`, {
        fix: 'Choose another kind, or pass { replace: true } to replace it (override: true is its old name)',
      });
    }
    this.#factories.set(kind, factory);
  }

  /** Removes a kind; returns whether it was registered. */
  unregister(kind: string): boolean {
    return this.#factories.delete(kind);
  }

  has(kind: string): boolean {
    return this.#factories.has(kind);
  }

  /** The registered kinds, sorted. */
  kinds(): string[] {
    return [...this.#factories.keys()].sort();
  }

  /** The factory for `kind`; an unknown kind throws an error that says how to register it. */
  get(kind: string): PenaltyFactory {
    const f = this.#factories.get(kind);
    if (f === undefined) {
      throw new ValidationError(`Unknown similarity penalty kind ${JSON.stringify(kind)}`, {
        expected: `one of ${this.kinds().join(', ')}`,
        received: JSON.stringify(kind),
        fix:
          `Register it before loading: similarityRegistry.register(${JSON.stringify(kind)}, (config) => ` +
          `defineSimilarity({ kind: ${JSON.stringify(kind)}, config, value, prox }))`,
      });
    }
    return f;
  }

  /** Rebuilds a penalty from its JSON form `{ kind, config, specVersion? }`. */
  create(json: {
    readonly kind: string;
    readonly config?: PenaltyConfig;
    readonly specVersion?: number;
  }): Penalty {
    if (typeof json !== 'object' || json === null || typeof json.kind !== 'string') {
      throw new SerializationError('Not a saved similarity penalty', {
        expected: '{ kind: string, config: object }',
        received: describeReceived(json),
      });
    }
    if (json.specVersion !== undefined && json.specVersion !== 1) {
      throw new SerializationError(
        `Saved similarity penalty "${json.kind}" has an unsupported specVersion`,
        {
          expected: '1',
          received: describeReceived(json.specVersion),
          fix: 'Upgrade @hetmtl/regularizers',
        },
      );
    }
    const penalty = this.get(json.kind)(json.config ?? {});
    if (penalty?.kind !== json.kind) {
      throw new SerializationError(
        `The factory registered for "${json.kind}" returned another kind`,
        {
          expected: JSON.stringify(json.kind),
          received: describeReceived(penalty?.kind),
        },
      );
    }
    return penalty;
  }
}

/** The registry of similarity penalties (built-ins: mcp, scad, fusedLasso, centre, graph, none). */
export const penaltyRegistry = new PenaltyRegistry();
penaltyRegistry.register('mcp', (c) => mcp(c as { kappa?: number }));
penaltyRegistry.register('scad', (c) => scad(c as { kappa?: number }));
penaltyRegistry.register('fusedLasso', () => fusedLasso());
penaltyRegistry.register('centre', () => centre());
penaltyRegistry.register('graph', (c) => graph(c as unknown as GraphOptions));
penaltyRegistry.register('none', () => none());

/** Rebuilds a penalty from `{ kind, config }` with {@link similarityRegistry}. */
export function penaltyFromJSON(json: {
  readonly kind: string;
  readonly config?: PenaltyConfig;
  readonly specVersion?: number;
}): Penalty {
  return penaltyRegistry.create(json);
}

export interface DefinePenaltyOptions {
  /** The registry to add the kind to (default {@link similarityRegistry}). */
  readonly registry?: PenaltyRegistry;
  /** Replace a kind already registered (default false: that is an error). */
  readonly replace?: boolean;
}

/**
 * Defines a penalty kind: registers its factory, so that a saved model can rebuild the penalty from
 * `{ kind, config }`, and returns the factory — the same semantics as `defineEncoder` (define =
 * check + register + return the factory users call). The factory builds the penalty with
 * `defineSimilarity({ kind, config, … })`; a factory that returns another kind is an error.
 *
 * ```ts
 * import { definePenalty, defineSimilarity } from '@hetmtl/regularizers';
 *
 * // λ·t with λ capped at `cap`: its value and its proximal map on the norm (soft thresholding).
 * export const capped = definePenalty('my-org:capped', (c: { cap?: number }) => {
 *   const cap = c.cap ?? 1;
 *   return defineSimilarity({
 *     kind: 'my-org:capped',
 *     config: { cap },
 *     value: (t, lambda) => Math.min(lambda, cap) * t,
 *     proxNorm: (t, lambda, step) => Math.max(t - step * Math.min(lambda, cap), 0),
 *   });
 * });
 * ```
 */
export function definePenalty<O extends object>(
  kind: string,
  factory: (config: O) => Penalty,
  options: DefinePenaltyOptions = {},
): (config?: O) => Penalty {
  const make = (config?: O): Penalty => {
    const penalty = factory((config ?? {}) as O);
    if (penalty?.kind !== kind) {
      throw new ValidationError(`The factory of penalty "${kind}" returned another kind`, {
        expected: JSON.stringify(kind),
        received: describeReceived(penalty?.kind),
        fix: 'Build the penalty with defineSimilarity({ kind, ... }) using the kind it was defined with',
      });
    }
    return penalty;
  };
  (options.registry ?? penaltyRegistry).register(kind, (c) => make(c as O), {
    replace: options.replace ?? false,
  });
  return make;
}
