import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from './tf.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// tfjs-core registers no gradients and no chained ops by itself: src/tf.ts does (in Node from the
// bundle of scripts/bundle-registrations.mjs). Checked against closed forms.
describe('the tf handle', () => {
  it('has the gradients of tfjs-core ops: d/dx (x²/2 + sin x + exp(2x)) = x + cos x + 2 exp(2x)', () => {
    const xs = [0.5, -1, 2, 0];
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) =>
          tf.add(tf.add(tf.mul(tf.square(x), 0.5), tf.sin(x)), tf.exp(tf.mul(x, 2))).sum(),
        )(tf.tensor1d(xs))
        .arraySync(),
    ) as number[];
    xs.forEach((x, i) => {
      expect(g[i]).toBeCloseTo(x + Math.cos(x) + 2 * Math.exp(2 * x), 4);
    });
  });

  it('has the gradient of a matrix product: d/dW ‖XW‖²/2 = Xᵀ X W', () => {
    const X = [
      [1, 2],
      [3, -1],
      [0.5, 4],
    ];
    const W = [[0.3], [-0.7]];
    const g = tf.tidy(() =>
      tf
        .grad((w: tf.Tensor) => tf.mul(tf.square(tf.matMul(tf.tensor2d(X), w)).sum(), 0.5))(
          tf.tensor2d(W),
        )
        .arraySync(),
    ) as number[][];
    const XW = X.map((r) => r[0]! * W[0]![0]! + r[1]! * W[1]![0]!);
    for (const j of [0, 1]) {
      const expected = X.reduce((s, r, i) => s + r[j]! * XW[i]!, 0);
      expect(g[j]![0]).toBeCloseTo(expected, 4);
    }
  });

  it('has the chained ops (tensor methods) and the cpu backend', () => {
    expect(tf.findBackendFactory('cpu')).not.toBeNull();
    const v = tf.tidy(() => tf.tensor1d([1, 2, 3]).square().sum().arraySync());
    expect(v).toBe(14);
  });
});
