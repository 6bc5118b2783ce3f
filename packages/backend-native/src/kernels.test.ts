// Every native kernel against tfjs's cpu kernel on the cases the conformance suite does not reach:
// all transpose / batch / broadcast cases of matmul on both GEMMs and across the small/blocked
// boundary, general broadcasting up to 5-D, NaN semantics, and the fallbacks (int32, non-contiguous
// reduction axes, mixed batch broadcasting, prelu), which must give cpu's results.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { countTensors, type Tensor, tf, useBackend } from '@hetmtl/tensor';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { broadcastPlan } from './kernels.js';
import {
  nativeBackend,
  nativeKernelStats,
  resetNativeKernelStats,
  TF_BACKEND_NAME,
} from './index.js';
import { GEMMS, rand, relErr, runOn, skipNative } from './test-fixtures/native.js';

const NATIVE = TF_BACKEND_NAME;

async function expectSameAsCpu(fn: () => Tensor | Tensor[], tolerance = 1e-5) {
  const want = await runOn('cpu', fn);
  const before = countTensors();
  const got = await runOn(NATIVE, fn);
  expect(countTensors()).toBe(before);
  expect(got.length).toBe(want.length);
  for (let k = 0; k < want.length; k++) {
    expect(got[k]?.shape).toEqual(want[k]?.shape);
    expect(got[k]?.dtype).toBe(want[k]?.dtype);
    expect(relErr(got[k]?.values ?? [], want[k]?.values ?? [])).toBeLessThanOrEqual(tolerance);
  }
}

function counts(kernel: string) {
  return nativeKernelStats()[kernel] ?? { native: 0, fallback: 0 };
}

describe.skipIf(skipNative)('native kernels against cpu', () => {
  beforeAll(async () => {
    await useBackend(cpuBackend());
    await useBackend(nativeBackend({ gemm: 'builtin' }));
  });
  beforeEach(() => resetNativeKernelStats());

  describe.each(GEMMS)('matMul with the %s GEMM', (gemm) => {
    beforeAll(async () => {
      await useBackend(nativeBackend({ gemm }));
    });
    const sizes = [
      [1, 1, 1],
      [1, 40, 30],
      [40, 1, 30],
      [40, 30, 1],
      [7, 5, 3],
      [17, 33, 9],
      [37, 53, 41],
      [130, 70, 300],
      [300, 17, 260],
    ] as const;
    for (const [m, n, k] of sizes) {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        it(`[${m}×${k}]·[${k}×${n}] transposeA=${ta} transposeB=${tb}`, async () => {
          const f = () =>
            tf.matMul(rand(ta ? [k, m] : [m, k], 1), rand(tb ? [n, k] : [k, n], 2), ta, tb);
          await expectSameAsCpu(f, 1e-5);
          expect(counts('BatchMatMul').fallback).toBe(0);
        });
      }
    }

    it.each([
      ['batched', [4, 20, 30], [4, 30, 18], false, false],
      ['batched, transposes', [4, 30, 20], [4, 18, 30], true, true],
      ['broadcast right operand', [4, 20, 30], [30, 18], false, false],
      ['broadcast left operand', [30, 20], [3, 30, 18], true, false],
      ['batch dim 1', [1, 20, 30], [5, 30, 18], false, false],
      ['4-D batches', [2, 3, 20, 30], [2, 3, 30, 18], false, false],
      ['4-D with a broadcast batch', [2, 3, 20, 30], [1, 1, 30, 18], false, false],
    ] as const)('%s', async (_label, sa, sb, ta, tb) => {
      await expectSameAsCpu(() => tf.matMul(rand([...sa], 3), rand([...sb], 4), ta, tb), 1e-5);
      expect(counts('BatchMatMul')).toEqual({ native: 1, fallback: 0 });
    });

    it('fused matMul: bias (vector, scalar, [1, n]) and every native activation', async () => {
      for (const activation of [
        'linear',
        'relu',
        'relu6',
        'elu',
        'sigmoid',
        'leakyrelu',
      ] as const) {
        for (const biasShape of [[12], [], [1, 12]]) {
          await expectSameAsCpu(
            () =>
              tf.fused.matMul({
                a: rand([40, 25], 5),
                b: rand([12, 25], 6),
                transposeB: true,
                bias: rand(biasShape, 7),
                activation,
                leakyreluAlpha: 0.3,
              }),
            1e-5,
          );
        }
      }
      expect(counts('_FusedMatMul').fallback).toBe(0);
    });
  });

  it.each(GEMMS)(
    'matMul with 2 threads (%s GEMM) on products large enough to split',
    async (gemm) => {
      await useBackend(nativeBackend({ gemm, threads: 2 }));
      for (const [ta, tb] of [
        [false, false],
        [true, true],
      ] as const) {
        await expectSameAsCpu(
          () =>
            tf.matMul(
              rand(ta ? [150, 401] : [401, 150], 1),
              rand(tb ? [120, 150] : [150, 120], 2),
              ta,
              tb,
            ),
          1e-5,
        );
      }
      await useBackend(nativeBackend({ gemm: 'builtin' }));
    },
  );

  describe('matMul fallbacks', () => {
    it('mixed batch broadcasting ([2,1] with [1,3] batches) goes to cpu with cpu results', async () => {
      await expectSameAsCpu(() => tf.matMul(rand([2, 1, 5, 4], 1), rand([1, 3, 4, 6], 2)));
      expect(counts('BatchMatMul')).toEqual({ native: 0, fallback: 1 });
    });
    it('int32 goes to cpu', async () => {
      await expectSameAsCpu(() =>
        tf.matMul(
          tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'),
          tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32'),
        ),
      );
      expect(counts('BatchMatMul').fallback).toBe(1);
    });
    it('fused prelu and a bias that is not a row vector go to cpu', async () => {
      await expectSameAsCpu(() => [
        tf.fused.matMul({
          a: rand([8, 5], 1),
          b: rand([5, 4], 2),
          bias: rand([4], 3),
          activation: 'prelu',
          preluActivationWeights: rand([4], 4),
        }),
        tf.fused.matMul({
          a: rand([8, 5], 1),
          b: rand([5, 4], 2),
          bias: rand([8, 1], 3),
          activation: 'relu',
        }),
      ]);
      expect(counts('_FusedMatMul')).toEqual({ native: 0, fallback: 2 });
    });
    it('mismatched inner sizes give tfjs error', async () => {
      await tf.setBackend(NATIVE);
      expect(() => tf.matMul(rand([3, 4], 1), rand([5, 2], 2))).toThrow(/inner shapes/);
    });
  });

  describe('binary ops with broadcasting', () => {
    const ops = {
      add: tf.add,
      sub: tf.sub,
      mul: tf.mul,
      div: tf.div,
      squaredDifference: tf.squaredDifference,
      maximum: tf.maximum,
      minimum: tf.minimum,
    };
    const shapes: [number[], number[]][] = [
      [
        [6, 4],
        [6, 4],
      ],
      [[6, 4], []],
      [[], [6, 4]],
      [[6, 4], [4]],
      [
        [6, 4],
        [6, 1],
      ],
      [
        [6, 1],
        [1, 4],
      ],
      [
        [5, 48, 12],
        [5, 48, 1],
      ],
      [
        [5, 1, 1],
        [5, 48, 12],
      ],
      [
        [5, 48, 2],
        [5, 1, 2],
      ],
      [
        [2, 3, 4, 5, 6],
        [2, 1, 4, 1, 6],
      ],
      [
        [2, 1, 4, 1, 6],
        [1, 3, 1, 5, 1],
      ],
      [[1, 1, 7], [7]],
      [[], []],
    ];
    const kernels: Record<string, string> = {
      add: 'Add',
      sub: 'Sub',
      mul: 'Multiply',
      div: 'RealDiv',
      squaredDifference: 'SquaredDifference',
      maximum: 'Maximum',
      minimum: 'Minimum',
    };
    for (const [name, op] of Object.entries(ops)) {
      it(`${name} on ${shapes.length} shape pairs, natively`, async () => {
        for (const [sa, sb] of shapes)
          await expectSameAsCpu(() => op(rand(sa, 1), rand(sb, 2)), 1e-6);
        expect(counts(kernels[name])).toEqual({ native: shapes.length, fallback: 0 });
      });
    }

    it('more than 8 dimensions left after merging go to cpu', async () => {
      await expectSameAsCpu(() =>
        tf.add(rand([3, 1, 2, 1, 2, 1, 2, 1, 3], 1), rand([1, 2, 1, 2, 1, 2, 1, 2, 1], 2)),
      );
      expect(counts('Add')).toEqual({ native: 0, fallback: 1 });
    });

    it('collapses dimensions into the fewest strided loops', () => {
      expect(broadcastPlan([5, 48, 12], [5, 48, 1])).toEqual([5, 48, 12]);
      expect(broadcastPlan([2, 3], [4])).toBeUndefined();
      expect(broadcastPlan([0, 3], [3])).toBeUndefined();
    });

    it('int32, bool and mixed dtypes go to cpu with cpu results', async () => {
      const i32 = (v: number[], s: number[]) => tf.tensor(Int32Array.from(v), s, 'int32');
      await expectSameAsCpu(() => [
        tf.add(i32([1, 2, 3, 4, 5, 6], [2, 3]), i32([10, 20, 30], [3])),
        tf.mul(i32([1, 2, 3, 4, 5, 6], [2, 3]), i32([-1], [])),
        tf.sub(i32([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor([0.5, 1.5, 2.5], [3])),
        tf.maximum(i32([1, -2, 3], [3]), i32([0, 0, 0], [3])),
        tf.div(i32([7, 8, 9], [3]), i32([2, 3, 4], [3])),
      ]);
      for (const k of ['Add', 'Multiply', 'Sub', 'Maximum'])
        expect(counts(k)).toEqual({ native: 0, fallback: 1 });
    });

    it('NaN and infinities as in tfjs', async () => {
      const special = () =>
        tf.tensor([Number.NaN, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0]);
      const other = () => tf.tensor([0, Number.NaN, 2, 1, -1, 0]);
      await expectSameAsCpu(() => [
        tf.maximum(special(), other()),
        tf.minimum(special(), other()),
        tf.div(special(), other()),
        tf.relu(special()),
        tf.elu(special()),
        tf.sigmoid(special()),
        tf.tanh(special()),
        tf.exp(special()),
        tf.sqrt(special()),
        tf.log(special()),
        tf.max(special()),
        tf.sum(special()),
      ]);
    });
  });

  describe('unary ops and activation gradients', () => {
    const ops: Record<string, (x: Tensor) => Tensor> = {
      relu: tf.relu,
      relu6: tf.relu6,
      leakyRelu: (x) => tf.leakyRelu(x, 0.1),
      elu: tf.elu,
      sigmoid: tf.sigmoid,
      tanh: tf.tanh,
      square: tf.square,
      sqrt: (x) => tf.sqrt(tf.abs(x)),
      rsqrt: (x) => tf.rsqrt(tf.add(tf.abs(x), 0.1)),
      reciprocal: (x) => tf.reciprocal(tf.add(tf.abs(x), 0.1)),
      neg: tf.neg,
      abs: tf.abs,
      exp: tf.exp,
      log: (x) => tf.log(tf.add(tf.abs(x), 0.01)),
      step: (x) => tf.step(x, 0.25),
    };
    for (const [name, op] of Object.entries(ops)) {
      it(`${name} (wide range of inputs, 5-D)`, async () => {
        await expectSameAsCpu(() => op(tf.mul(rand([2, 3, 4, 5, 6], 9), 12)), 2e-6);
      });
    }

    it('gradients of elu, relu, sigmoid, tanh, sqrt', async () => {
      for (const f of [
        tf.elu,
        tf.relu,
        tf.sigmoid,
        tf.tanh,
        (x: Tensor) => tf.sqrt(tf.add(tf.square(x), 1)),
      ]) {
        await expectSameAsCpu(
          () =>
            tf.grad((x: Tensor) => tf.sum(tf.mul(f(x), rand([40, 30], 2))))(
              tf.mul(rand([40, 30], 1), 3),
            ),
          1e-5,
        );
      }
      expect(counts('EluGrad').native).toBeGreaterThan(0);
      expect(counts('Step').native).toBeGreaterThan(0);
    });

    it('int32 inputs go to cpu', async () => {
      await expectSameAsCpu(() => [
        tf.neg(tf.tensor([1, -2, 3], [3], 'int32')),
        tf.square(tf.tensor([1, -2, 3], [3], 'int32')),
        tf.abs(tf.tensor([1, -2, 3], [3], 'int32')),
      ]);
      expect(counts('Neg')).toEqual({ native: 0, fallback: 1 });
    });

    it('addN natively for float32 of one shape, cpu otherwise', async () => {
      await expectSameAsCpu(() =>
        tf.addN([rand([30, 40], 1), rand([30, 40], 2), rand([30, 40], 3)]),
      );
      await expectSameAsCpu(() =>
        tf.addN([tf.tensor([1, 2], [2], 'int32'), tf.tensor([3, 4], [2], 'int32')]),
      );
      expect(counts('AddN')).toEqual({ native: 1, fallback: 1 });
    });
  });

  describe('reductions', () => {
    const cases: [string, number[], number | number[] | undefined, boolean][] = [
      ['all', [8, 5], undefined, false],
      ['axis 0', [300, 70], 0, false],
      ['axis 1 keepDims', [70, 300], 1, true],
      ['axes [1, 2] of 3-D', [5, 96, 100], [1, 2], false],
      ['axes [2, 1] (unsorted)', [5, 6, 7], [2, 1], true],
      ['axis -1 of 5-D', [2, 3, 4, 5, 6], -1, false],
      ['middle axes of 5-D', [2, 3, 4, 5, 6], [1, 2, 3], true],
    ];
    for (const op of ['sum', 'mean', 'max'] as const) {
      it(`${op} over contiguous axes, natively`, async () => {
        for (const [, shape, axis, keep] of cases)
          await expectSameAsCpu(() => tf[op](rand(shape, 4), axis, keep), 1e-6);
        const kernel = { sum: 'Sum', mean: 'Mean', max: 'Max' }[op];
        expect(counts(kernel)).toEqual({ native: cases.length, fallback: 0 });
      });
      it(`${op} over non-contiguous axes and on int32 falls back to cpu`, async () => {
        await expectSameAsCpu(() => [
          tf[op](rand([3, 4, 5], 4), [0, 2]),
          tf[op](rand([2, 3, 4, 5, 6], 5), [0, 2, 4], true),
          tf[op](tf.tensor([1, 5, 3, 4], [2, 2], 'int32'), 1),
        ]);
      });
    }
  });

  describe('memory', () => {
    it('arrays read by the user stay intact after their tensor is disposed and others are computed', async () => {
      await tf.setBackend(NATIVE);
      const x = rand([100, 100], 1);
      const y = tf.exp(x);
      const seen = y.dataSync();
      const copy = Float32Array.from(seen);
      y.dispose();
      for (let i = 0; i < 5; i++) tf.dispose([tf.exp(x), tf.neg(x)]);
      expect(seen).toEqual(copy);
      const z = tf.sigmoid(x);
      const asyncSeen = await z.data();
      const asyncCopy = Float32Array.from(asyncSeen);
      z.dispose();
      for (let i = 0; i < 5; i++) tf.dispose(tf.tidy(() => tf.tanh(x)));
      expect(asyncSeen).toEqual(asyncCopy);
      x.dispose();
    });

    it('a slice (a view of its input in tfjs-cpu) outlives its input', async () => {
      await tf.setBackend(NATIVE);
      const x = rand([100, 100], 2);
      const y = tf.relu(x);
      const s = tf.slice(y, [10, 0], [20, 100]);
      const want = Float32Array.from(await tf.slice(tf.relu(x), [10, 0], [20, 100]).data());
      y.dispose();
      for (let i = 0; i < 5; i++) tf.dispose(tf.tidy(() => tf.neg(x)));
      expect(Float32Array.from(await s.data())).toEqual(want);
      tf.dispose([x, s]);
    });

    it('views made by cpu kernels (unstack, split) stay intact after the viewed output is freed', async () => {
      await tf.setBackend(NATIVE);
      const x = rand([64, 100], 3);
      const y = tf.tanh(x);
      const rows = tf.unstack(y);
      const parts = tf.split(y, [16, 48], 0);
      const want = [Array.from(await tf.tanh(x).data())];
      y.dispose();
      for (let i = 0; i < 8; i++) tf.dispose([tf.neg(x), tf.exp(x), tf.sigmoid(x)]);
      const gotRows = (await Promise.all(rows.map((r) => r.data()))).flatMap((r) => Array.from(r));
      const gotParts = (await Promise.all(parts.map((p) => p.data()))).flatMap((p) =>
        Array.from(p),
      );
      expect(gotRows).toEqual(want[0]);
      expect(gotParts).toEqual(want[0]);
      tf.dispose([x, ...rows, ...parts]);
    });

    it('kernels leave no tensors behind', async () => {
      await tf.setBackend(NATIVE);
      const before = countTensors();
      tf.tidy(() => {
        tf.fused.matMul({
          a: rand([30, 20], 1),
          b: rand([20, 10], 2),
          bias: rand([10], 3),
          activation: 'elu',
        });
        tf.sum(tf.mul(rand([30, 20], 4), rand([20], 5)), [0, 1]);
      });
      expect(countTensors()).toBe(before);
    });
  });
});
