import { NumericError, type Scalar, tf, ValidationError, type Variable } from '@hetmtl/tensor';
import { throwIfAborted, yieldToEventLoop } from './abort.js';
import { FusedAdamState } from './fused-adam.js';

export interface AdamBlockOptions {
  /** Adam steps per call of run() (default 20). */
  readonly steps?: number;
  /** Learning rate (default 1e-2). */
  readonly learningRate?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  /** Yield to the event loop every this many steps (default 5). */
  readonly yieldEvery?: number;
  /**
   * The update: 'tfjs' (default) runs `tf.train.adam`; 'fused' the same arithmetic in one kernel
   * for all the variables ({@link FusedAdamState}; equal bit for bit on the cpu backend).
   */
  readonly update?: 'tfjs' | 'fused';
}

/** What a block reports after a run. */
export interface BlockResult {
  /** The block's own training loss after its last step, if it has one. */
  readonly loss?: number;
}

/** One step of an alternating scheme: Adam on some variables, a closed-form solve, a rescaling. */
export interface Block {
  readonly name: string;
  run(context: BlockContext): Promise<BlockResult>;
  dispose?(): void;
}

export interface BlockContext {
  readonly round: number;
  readonly signal?: AbortSignal;
}

/**
 * Adam on a given list of variables for a loss closure; the optimizer state (moments) persists
 * across calls of `run`, as it would in one long run split into rounds.
 */
export class AdamBlock implements Block {
  readonly name: string;
  private readonly optimizer: tf.AdamOptimizer | null;
  private readonly fused: FusedAdamState | null;
  private readonly steps: number;
  private readonly yieldEvery: number;

  constructor(
    name: string,
    private readonly variables: readonly Variable[],
    private readonly loss: () => Scalar,
    options: AdamBlockOptions = {},
  ) {
    this.name = name;
    this.steps = options.steps ?? 20;
    if (!Number.isInteger(this.steps) || this.steps < 1) {
      throw new ValidationError(`Adam block "${name}": invalid steps`, {
        expected: 'a positive integer',
        received: String(options.steps),
      });
    }
    const lr = options.learningRate ?? 1e-2;
    if (!(lr > 0) || !Number.isFinite(lr)) {
      throw new ValidationError(`Adam block "${name}": invalid learningRate`, {
        expected: 'a positive finite number',
        received: String(lr),
      });
    }
    this.yieldEvery = options.yieldEvery ?? 5;
    const [b1, b2, eps] = [options.beta1 ?? 0.9, options.beta2 ?? 0.999, options.epsilon ?? 1e-8];
    const fused = options.update === 'fused';
    this.optimizer = fused ? null : tf.train.adam(lr, b1, b2, eps);
    this.fused = fused ? new FusedAdamState(variables, lr, b1, b2, eps) : null;
  }

  /** One step: the loss (before the step) and the update. */
  private step(): Scalar | null {
    if (this.optimizer) return this.optimizer.minimize(this.loss, true, [...this.variables]);
    const { value, grads } = tf.variableGrads(this.loss, [...this.variables]);
    const list = this.variables.map((v) => grads[v.name]);
    try {
      (this.fused as FusedAdamState).apply(list);
    } finally {
      tf.dispose(list);
    }
    return value;
  }

  async run(context: BlockContext): Promise<BlockResult> {
    if (this.variables.length === 0) return {};
    let last = Number.NaN;
    for (let i = 0; i < this.steps; i++) {
      throwIfAborted(context.signal);
      const cost = this.step();
      if (i === this.steps - 1 || (i + 1) % this.yieldEvery === 0) {
        last = (await (cost as Scalar).data())[0];
        cost?.dispose();
        if (!Number.isFinite(last)) {
          throw new NumericError(
            `The loss became ${last} in block "${this.name}" (round ${context.round}, step ${i + 1})`,
            {
              fix: 'Lower the learning rate, or standardise the data',
            },
          );
        }
        await yieldToEventLoop();
      } else cost?.dispose();
    }
    return { loss: last };
  }

  dispose(): void {
    this.optimizer?.dispose();
    this.fused?.dispose();
  }
}

/** A block that runs a function (a closed-form solve, a rescaling). */
// biome-ignore lint/suspicious/noConfusingVoidType: a plain function with no result is a valid block
type BlockFn = (context: BlockContext) => BlockResult | void | Promise<BlockResult | void>;

export function functionBlock(name: string, fn: BlockFn): Block {
  return {
    name,
    async run(context) {
      throwIfAborted(context.signal);
      return (await fn(context)) ?? {};
    },
  };
}
