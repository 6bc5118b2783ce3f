// Operation codes shared with native/elementwise.h: keep both in the same order.

export const BinaryOp = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  SquaredDifference: 4,
  Maximum: 5,
  Minimum: 6,
} as const;

export const UnaryOp = {
  Relu: 0,
  Relu6: 1,
  Elu: 2,
  Step: 3,
  Sigmoid: 4,
  Tanh: 5,
  Square: 6,
  Sqrt: 7,
  Neg: 8,
  Exp: 9,
  Log: 10,
  Abs: 11,
  Rsqrt: 12,
  Reciprocal: 13,
  LeakyRelu: 14,
} as const;

export const ReduceOp = { Sum: 0, Mean: 1, Max: 2 } as const;

/** The largest rank the broadcasting binary kernel takes after collapsing dimensions. */
export const MAX_DIMS = 8;
