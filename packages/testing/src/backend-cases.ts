import { type Random, type Tensor, tf } from '@hetmtl/tensor';

/**
 * One check of a backend: `run` builds its inputs from the seeded generator it is given (so the
 * reference and the backend under test see identical numbers) and returns the tensors to compare.
 * It runs inside `tf.tidy`; anything it creates outside tidy's reach (variables, optimizers) it
 * must dispose itself.
 */
export interface BackendCase {
  readonly name: string;
  readonly group:
    | 'matmul'
    | 'elementwise'
    | 'activation'
    | 'reduction'
    | 'shape'
    | 'gradient'
    | 'optimizer'
    | 'int32';
  run(rng: Random): Tensor[];
}

function randn(rng: Random, shape: number[], scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from(rng.normals(n, 0, scale)), shape, 'float32');
}

function positive(rng: Random, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from(rng.uniforms(n, 0.1, 3)), shape, 'float32');
}

const matmulCases: BackendCase[] = [
  ...(
    [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const
  ).map(
    ([ta, tb]): BackendCase => ({
      name: `matMul 2-D transposeA=${ta} transposeB=${tb}`,
      group: 'matmul',
      run: (r) => [
        tf.matMul(randn(r, ta ? [33, 17] : [17, 33]), randn(r, tb ? [9, 33] : [33, 9]), ta, tb),
      ],
    }),
  ),
  ...(
    [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const
  ).map(
    ([ta, tb]): BackendCase => ({
      name: `matMul batched [R,n,p] transposeA=${ta} transposeB=${tb}`,
      group: 'matmul',
      run: (r) => [
        tf.matMul(
          randn(r, ta ? [5, 12, 20] : [5, 20, 12]),
          randn(r, tb ? [5, 7, 12] : [5, 12, 7]),
          ta,
          tb,
        ),
      ],
    }),
  ),
  {
    name: 'matMul batched with broadcast right operand',
    group: 'matmul',
    run: (r) => [tf.matMul(randn(r, [4, 10, 6]), randn(r, [6, 3]))],
  },
  {
    name: 'matMul batched with broadcast batch dim 1',
    group: 'matmul',
    run: (r) => [tf.matMul(randn(r, [4, 10, 6]), randn(r, [1, 6, 3]))],
  },
  {
    name: 'matMul vector-like shapes (n×1, 1×k)',
    group: 'matmul',
    run: (r) => [tf.matMul(randn(r, [30, 1]), randn(r, [1, 4]))],
  },
  ...(['linear', 'relu', 'elu'] as const).map(
    (activation): BackendCase => ({
      name: `fused matMul + bias + ${activation}`,
      group: 'matmul',
      run: (r) => [
        tf.fused.matMul({
          a: randn(r, [16, 8]),
          b: randn(r, [8, 5]),
          bias: randn(r, [5]),
          activation,
        }),
      ],
    }),
  ),
  {
    name: 'fused matMul transposeA + bias',
    group: 'matmul',
    run: (r) => [
      tf.fused.matMul({
        a: randn(r, [8, 16]),
        b: randn(r, [8, 5]),
        transposeA: true,
        bias: randn(r, [5]),
      }),
    ],
  },
];

const binaryOps = {
  add: tf.add,
  sub: tf.sub,
  mul: tf.mul,
  div: tf.div,
  squaredDifference: tf.squaredDifference,
  maximum: tf.maximum,
  minimum: tf.minimum,
} as const;

const broadcastShapes: [string, number[], number[]][] = [
  ['same shape', [6, 4], [6, 4]],
  ['scalar', [6, 4], []],
  ['trailing broadcast', [6, 4], [4]],
  ['batched [R,1,k]', [3, 6, 4], [3, 1, 4]],
  ['column [n,1]', [6, 4], [6, 1]],
];

const elementwiseCases: BackendCase[] = Object.entries(binaryOps).flatMap(([name, op]) =>
  broadcastShapes.map(
    ([label, sa, sb]): BackendCase => ({
      name: `${name} (${label})`,
      group: 'elementwise',
      // Divisors are kept away from zero so that the comparison is about the kernel, not rounding.
      run: (r) => [
        (op as (a: Tensor, b: Tensor) => Tensor)(
          randn(r, sa),
          name === 'div' ? positive(r, sb) : randn(r, sb),
        ),
      ],
    }),
  ),
);

const unaryCases: BackendCase[] = [
  { name: 'neg', group: 'elementwise', run: (r) => [tf.neg(randn(r, [7, 5]))] },
  { name: 'square', group: 'elementwise', run: (r) => [tf.square(randn(r, [7, 5]))] },
  { name: 'sqrt', group: 'elementwise', run: (r) => [tf.sqrt(positive(r, [7, 5]))] },
  { name: 'exp', group: 'elementwise', run: (r) => [tf.exp(randn(r, [7, 5]))] },
  { name: 'log', group: 'elementwise', run: (r) => [tf.log(positive(r, [7, 5]))] },
  { name: 'abs', group: 'elementwise', run: (r) => [tf.abs(randn(r, [7, 5]))] },
  { name: 'relu', group: 'activation', run: (r) => [tf.relu(randn(r, [9, 6]))] },
  { name: 'elu', group: 'activation', run: (r) => [tf.elu(randn(r, [9, 6]))] },
  { name: 'tanh', group: 'activation', run: (r) => [tf.tanh(randn(r, [9, 6], 2))] },
  { name: 'sigmoid', group: 'activation', run: (r) => [tf.sigmoid(randn(r, [9, 6], 2))] },
];

const reductionCases: BackendCase[] = (['sum', 'mean', 'max'] as const).flatMap((op) =>
  (
    [
      ['all', [8, 5], undefined, false],
      ['axis 0', [8, 5], 0, false],
      ['axis 1 keepDims', [8, 5], 1, true],
      ['axis -1 of [R,n,k]', [3, 8, 5], -1, false],
      ['axis 1 of [R,n,k]', [3, 8, 5], 1, true],
    ] as const
  ).map(
    ([label, shape, axis, keep]): BackendCase => ({
      name: `${op} ${label}`,
      group: 'reduction',
      run: (r) => [tf[op](randn(r, [...shape]), axis, keep)],
    }),
  ),
);

const shapeCases: BackendCase[] = [
  {
    name: 'concat axis 1',
    group: 'shape',
    run: (r) => [tf.concat([randn(r, [5, 2]), randn(r, [5, 3])], 1)],
  },
  { name: 'slice', group: 'shape', run: (r) => [tf.slice(randn(r, [6, 5]), [1, 2], [3, 2])] },
  {
    name: 'transpose [R,n,k] → [R,k,n]',
    group: 'shape',
    run: (r) => [tf.transpose(randn(r, [3, 4, 5]), [0, 2, 1])],
  },
  {
    name: 'reshape + expandDims + tile',
    group: 'shape',
    run: (r) => [tf.tile(tf.expandDims(tf.reshape(randn(r, [6]), [2, 3]), 0), [2, 1, 1])],
  },
];

function mlpLoss(
  x: Tensor,
  y: Tensor,
  w1: Tensor,
  b1: Tensor,
  w2: Tensor,
  act: 'elu' | 'relu' | 'tanh',
): Tensor {
  const h = tf[act](tf.add(tf.matMul(x, w1), b1));
  return tf.mean(tf.squaredDifference(tf.matMul(h, w2), y));
}

const gradientCases: BackendCase[] = [
  ...(['elu', 'relu', 'tanh'] as const).map(
    (act): BackendCase => ({
      name: `gradient of an MLP loss (${act}) w.r.t. every weight`,
      group: 'gradient',
      run: (r) => {
        const x = randn(r, [24, 6]);
        const y = randn(r, [24, 1]);
        return tf.grads((w1: Tensor, b1: Tensor, w2: Tensor) => mlpLoss(x, y, w1, b1, w2, act))([
          randn(r, [6, 8], 0.5),
          randn(r, [8], 0.1),
          randn(r, [8, 1], 0.5),
        ]);
      },
    }),
  ),
  {
    name: 'gradient through batched matMul with a mask',
    group: 'gradient',
    run: (r) => {
      const x = randn(r, [3, 10, 4]);
      const mask = tf.tensor(
        Float32Array.from({ length: 30 }, (_, i) => (i % 10 < 7 ? 1 : 0)),
        [3, 10, 1],
      );
      return tf.grads((w: Tensor) => tf.sum(tf.mul(tf.square(tf.matMul(x, w)), mask)))([
        randn(r, [3, 4, 2]),
      ]);
    },
  },
  {
    name: 'gradient of the orthogonality term ‖F̃ᵀG̃/n‖²',
    group: 'gradient',
    run: (r) => {
      const n = 20;
      return tf.grads((f: Tensor, g: Tensor) => {
        const fc = tf.sub(f, tf.mean(f, 0, true));
        const gc = tf.sub(g, tf.mean(g, 0, true));
        return tf.sum(tf.square(tf.div(tf.matMul(fc, gc, true, false), n)));
      })([randn(r, [n, 4]), randn(r, [n, 2])]);
    },
  },
  {
    name: 'gradient through concat, slice and sqrt',
    group: 'gradient',
    run: (r) =>
      tf.grads((a: Tensor, b: Tensor) =>
        tf.sum(tf.sqrt(tf.add(tf.square(tf.slice(tf.concat([a, b], 1), [0, 1], [4, 3])), 1))),
      )([randn(r, [4, 2]), randn(r, [4, 2])]),
  },
];

const optimizerCases: BackendCase[] = [
  {
    name: 'Adam: 5 steps on an MLP',
    group: 'optimizer',
    run: (r) => {
      const x = randn(r, [32, 5]);
      const y = randn(r, [32, 1]);
      const vars = [
        tf.variable(randn(r, [5, 8], 0.5)),
        tf.variable(randn(r, [8], 0.1)),
        tf.variable(randn(r, [8, 1], 0.5)),
      ] as const;
      const opt = tf.train.adam(0.05);
      for (let i = 0; i < 5; i++)
        opt.minimize(() => mlpLoss(x, y, vars[0], vars[1], vars[2], 'elu') as tf.Scalar, false, [
          ...vars,
        ]);
      const out = vars.map((v) => v.clone());
      opt.dispose();
      for (const v of vars) v.dispose();
      return out;
    },
  },
];

const intCases: BackendCase[] = [
  {
    name: 'int32 add and sum',
    group: 'int32',
    run: (r) => {
      const a = tf.tensor(
        Int32Array.from({ length: 12 }, () => r.integer(-50, 50)),
        [3, 4],
        'int32',
      );
      const b = tf.tensor(
        Int32Array.from({ length: 4 }, () => r.integer(-50, 50)),
        [4],
        'int32',
      );
      return [tf.add(a, b), tf.sum(a, 1)];
    },
  },
];

/** Every op and gradient hetmtl's training loop uses, each as a case. */
export const backendCases: readonly BackendCase[] = Object.freeze([
  ...matmulCases,
  ...elementwiseCases,
  ...unaryCases,
  ...reductionCases,
  ...shapeCases,
  ...gradientCases,
  ...optimizerCases,
  ...intCases,
]);
