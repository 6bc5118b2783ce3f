import { cpuBackend } from '@hetmtl/backend-cpu';
import {
  AbortError as TensorAbortError,
  countTensors,
  NumericError,
  tf,
  useBackend,
} from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { AbortError } from './abort.js';
import { AdamBlock, functionBlock } from './adam-block.js';
import { runAlternating } from './alternating.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

const value = (v: tf.Variable) => Array.from(v.dataSync());

describe('AdamBlock', () => {
  it('takes the textbook first Adam step: w − lr·g/(|g| + ε) after bias correction', async () => {
    const w = tf.variable(tf.tensor1d([1, -2, 0.5]));
    const target = tf.tensor1d([0, 0, 2]);
    const block = new AdamBlock('w', [w], () => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar, {
      steps: 1,
      learningRate: 0.1,
    });
    await block.run({ round: 1 });
    // g = 2(w − t) = [2, −4, −3]; m̂ = g, v̂ = g², step = lr·g/(|g| + 1e-8).
    const want = [1 - 0.1, -2 + 0.1, 0.5 + 0.1];
    for (const [i, x] of value(w).entries()) expect(x).toBeCloseTo(want[i], 5);
    block.dispose();
    tf.dispose([w, target]);
  });

  it('keeps its moments across runs: two runs of k steps equal one run of 2k', async () => {
    const make = () => tf.variable(tf.tensor1d([3, -1]));
    const loss = (w: tf.Variable) => () =>
      tf.sum(tf.mul(tf.tensor1d([1, 10]), tf.square(w))) as tf.Scalar;
    const a = make();
    const b = make();
    const ba = new AdamBlock('a', [a], loss(a), { steps: 5, learningRate: 0.05 });
    const bb = new AdamBlock('b', [b], loss(b), { steps: 10, learningRate: 0.05 });
    await ba.run({ round: 1 });
    await ba.run({ round: 2 });
    await bb.run({ round: 1 });
    for (const [i, x] of value(a).entries()) expect(x).toBeCloseTo(value(b)[i], 6);
    ba.dispose();
    bb.dispose();
    tf.dispose([a, b]);
  });

  it('converges to the least-squares solution (closed form) and leaks nothing', async () => {
    const before = countTensors();
    const X = tf.tensor2d([
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    const y = tf.tensor2d([[1], [3], [5], [7.5]]);
    const w = tf.tidy(() => tf.variable(tf.zeros([2, 1])));
    const block = new AdamBlock(
      'ls',
      [w],
      () => tf.mean(tf.squaredDifference(tf.matMul(X, w), y)) as tf.Scalar,
      { steps: 3000, learningRate: 0.05 },
    );
    await block.run({ round: 1 });
    // Normal equations: (XᵀX)⁻¹Xᵀy = [0.9, 2.15].
    for (const [i, x] of value(w).entries()) expect(x).toBeCloseTo([0.9, 2.15][i], 3);
    block.dispose();
    tf.dispose([X, y, w]);
    expect(countTensors()).toBe(before);
  });

  it('stops with a NumericError naming the block when the loss is not finite', async () => {
    const w = tf.variable(tf.tensor1d([1]));
    const block = new AdamBlock('bad', [w], () => tf.sum(tf.div(w, tf.scalar(0))) as tf.Scalar, {
      steps: 2,
    });
    const err = await block.run({ round: 3 }).catch((e: unknown) => e);
    expect(NumericError.isInstance(err)).toBe(true);
    expect((err as Error).message).toMatch(/block "bad" \(round 3, step 2\)/);
    block.dispose();
    w.dispose();
  });

  it('rejects invalid options', () => {
    expect(() => new AdamBlock('x', [], () => tf.scalar(0), { steps: 0 })).toThrow(
      /positive integer/,
    );
    expect(() => new AdamBlock('x', [], () => tf.scalar(0), { learningRate: -1 })).toThrow(
      /learningRate/,
    );
  });
});

describe('runAlternating', () => {
  // f(a, b) = (a − 1)² + (b + 2)² + a·b: exact coordinate minimisation converges to the joint minimiser.
  const f = (a: number, b: number) => (a - 1) ** 2 + (b + 2) ** 2 + a * b;

  it('block coordinate descent reaches the joint minimiser (closed form) and stops by tolerance', async () => {
    // ∇f = 0: 2a + b = 2, a + 2b = −4, so a = (2·2 − (−4))/3, b = (2·(−4) − 2)/3.
    const a0 = (2 * 2 - -4) / 3;
    const b0 = (2 * -4 - 2) / 3;
    const s = { a: 5, b: 5 };
    const result = await runAlternating({
      blocks: [
        functionBlock('a', () => {
          s.a = (2 - s.b) / 2;
        }),
        functionBlock('b', () => {
          s.b = (-4 - s.a) / 2;
        }),
      ],
      objective: () => f(s.a, s.b),
      snapshot: () => ({ ...s }),
      restore: (x) => Object.assign(s, x),
      tolerance: 1e-12,
      maxRounds: 200,
    });
    expect(s.a).toBeCloseTo(a0, 6);
    expect(s.b).toBeCloseTo(b0, 6);
    expect(result.stoppedBy).toBe('tolerance');
    expect(result.trace.filter((t) => t.step === 'round')).toHaveLength(result.rounds);
  });

  it('rolls back a block that raises the validation loss and never ends worse than it started', async () => {
    const s = { x: 0 };
    const result = await runAlternating({
      blocks: [
        functionBlock('good', () => {
          s.x += 1;
        }),
        functionBlock('harmful', () => {
          s.x += 10;
        }),
      ],
      objective: () => -s.x,
      validationLoss: () => (s.x - 3) ** 2,
      snapshot: () => ({ ...s }),
      restore: (x) => Object.assign(s, x),
      maxRounds: 10,
      patience: 2,
    });
    expect(result.trace.some((t) => t.step === 'harmful' && t.rolledBack)).toBe(true);
    expect(s.x).toBe(3);
    expect(result.bestValidationLoss).toBe(0);
    // Once x = 3 every update is rolled back, the objective stops moving.
    expect(result.stoppedBy).toBe('tolerance');
    expect(result.bestValidationLoss as number).toBeLessThanOrEqual(
      result.initialValidationLoss as number,
    );
  });

  it('stops on patience and restores the best state seen', async () => {
    const s = { x: 0 };
    const result = await runAlternating({
      blocks: [
        functionBlock('step', () => {
          s.x += 1;
        }),
      ],
      objective: () => -s.x,
      validationLoss: () => Math.abs(s.x - 4),
      snapshot: () => ({ ...s }),
      restore: (x) => Object.assign(s, x),
      rollback: false,
      patience: 3,
      maxRounds: 50,
    });
    expect(result.stoppedBy).toBe('patience');
    expect(result.bestRound).toBe(4);
    expect(result.rounds).toBe(7);
    expect(s.x).toBe(4);
  });

  it('honours an AbortSignal between blocks', async () => {
    const controller = new AbortController();
    const s = { x: 0 };
    const err = await runAlternating({
      blocks: [
        functionBlock('count', () => {
          s.x++;
          if (s.x === 3) controller.abort('user');
        }),
      ],
      objective: () => s.x,
      snapshot: () => ({ ...s }),
      restore: (x) => Object.assign(s, x),
      maxRounds: 100,
      tolerance: 0,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(AbortError.isInstance(err)).toBe(true);
    expect((err as AbortError).code).toBe('E_ABORTED');
    expect((err as AbortError).cause).toBe('user');
    expect(s.x).toBe(3);
  });

  it("re-exports the error family's AbortError (one class, importable from either package)", () => {
    expect(AbortError).toBe(TensorAbortError);
  });

  it('names the step when the objective becomes non-finite', async () => {
    const s = { x: 1 };
    await expect(
      runAlternating({
        blocks: [
          functionBlock('explode', () => {
            s.x = Number.NaN;
          }),
        ],
        objective: () => s.x,
        snapshot: () => ({ ...s }),
        restore: (x) => Object.assign(s, x),
      }),
    ).rejects.toThrow(/objective after block "explode" \(round 1\) is NaN/);
  });

  it('reports progress once per round', async () => {
    const events: number[] = [];
    const s = { x: 0 };
    await runAlternating({
      blocks: [
        functionBlock('s', () => {
          s.x++;
        }),
      ],
      objective: () => 1 / (1 + s.x),
      snapshot: () => ({ ...s }),
      restore: (x) => Object.assign(s, x),
      maxRounds: 4,
      tolerance: 0,
      onProgress: (e) => events.push(e.round),
    });
    expect(events).toEqual([1, 2, 3, 4]);
  });
});
