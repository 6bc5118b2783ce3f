import { tf } from '@hetmtl/tensor';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeBinding } from './addon.js';
import { BinaryOp, MAX_DIMS, ReduceOp, UnaryOp } from './ops.js';
import { allocate } from './pool.js';

type TensorInfo = tf.TensorInfo;
type KernelArgs = Parameters<tf.KernelFunc>[0];
type Output = TensorInfo | TensorInfo[];
/** A native implementation: returns undefined for the inputs it does not cover (the cpu kernel runs then). */
type NativeImpl = (args: KernelArgs, backend: MathBackendCPU) => Output | undefined;

/** How often each overridden kernel ran natively or fell back to tfjs's cpu kernel. */
export interface KernelCounts {
  native: number;
  fallback: number;
}

const counts = new Map<string, KernelCounts>();

/** Per-kernel counts of native runs and cpu fallbacks since the last reset (for tests and profiling). */
export function nativeKernelStats(): Readonly<Record<string, Readonly<KernelCounts>>> {
  return Object.fromEntries([...counts].map(([k, v]) => [k, { ...v }]));
}

export function resetNativeKernelStats(): void {
  for (const c of counts.values()) {
    c.native = 0;
    c.fallback = 0;
  }
}

function f32(backend: MathBackendCPU, t: TensorInfo | undefined): Float32Array | undefined {
  if (t === undefined || t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId)?.values;
  return values instanceof Float32Array && values.length === sizeOf(t.shape) ? values : undefined;
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function output(backend: MathBackendCPU, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}

// ---------------------------------------------------------------- matmul

interface Product {
  readonly values: Float32Array;
  readonly shape: number[];
  readonly rows: number;
  readonly cols: number;
}

function matmulNative(
  binding: NativeBinding,
  backend: MathBackendCPU,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): Product | undefined {
  const av = f32(backend, a);
  const bv = f32(backend, b);
  if (!av || !bv) return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return undefined;
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  // Mismatched inner sizes: the cpu kernel throws tfjs's own error.
  if (k !== kb || m === 0 || n === 0 || k === 0) return undefined;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  let outer: number[];
  try {
    outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return undefined;
  }
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  const batch = sizeOf(outer);
  // Batch broadcasting where one side has a single matrix, or none; mixed cases go to cpu.
  if (batch === 0 || (batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1))
    return undefined;
  const values = allocate(batch * m * n);
  binding.matmul(av, bv, values, batch, batchA, batchB, m, n, k, transposeA, transposeB);
  return { values, shape: [...outer, m, n], rows: batch * m, cols: n };
}

const FUSED_ACTIVATIONS: Record<string, number> = {
  linear: -1,
  relu: UnaryOp.Relu,
  relu6: UnaryOp.Relu6,
  elu: UnaryOp.Elu,
  sigmoid: UnaryOp.Sigmoid,
  leakyrelu: UnaryOp.LeakyRelu,
};

function batchMatMul(binding: NativeBinding): NativeImpl {
  return ({ inputs, attrs }, backend) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const p = matmulNative(binding, backend, a, b, Boolean(transposeA), Boolean(transposeB));
    return p && output(backend, p.shape, p.values);
  };
}

function fusedMatMul(binding: NativeBinding): NativeImpl {
  return ({ inputs, attrs }, backend) => {
    const { a, b, bias } = inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo };
    const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as {
      transposeA: boolean;
      transposeB: boolean;
      activation?: string;
      leakyreluAlpha?: number;
    };
    const act = FUSED_ACTIVATIONS[activation ?? 'linear'];
    if (act === undefined) return undefined; // prelu: the cpu kernel
    let biasValues: Float32Array | null = null;
    if (bias) {
      biasValues = f32(backend, bias) ?? null;
      // A scalar or a row vector ([n], [1, n], ...) no longer than the output broadcasts along the rows.
      const rowVector = bias.shape.every((d, i) => d === 1 || i === bias.shape.length - 1);
      if (!biasValues || !rowVector || bias.shape.length > Math.max(a.shape.length, b.shape.length))
        return undefined;
    }
    const p = matmulNative(binding, backend, a, b, Boolean(transposeA), Boolean(transposeB));
    if (!p) return undefined;
    if (biasValues && biasValues.length !== 1 && biasValues.length !== p.cols) return undefined;
    if (biasValues || act >= 0)
      binding.biasActivation(p.values, biasValues, p.rows, p.cols, act, leakyreluAlpha ?? 0.2);
    return output(backend, p.shape, p.values);
  };
}

// ---------------------------------------------------------------- elementwise binary

const PLAN = new Int32Array(1 + 3 * MAX_DIMS);

/**
 * Broadcasts two shapes (numpy rules), drops size-1 dimensions and merges adjacent dimensions that
 * both operands traverse contiguously; writes [ndim, shape, aStrides, bStrides] into PLAN. Returns the
 * output shape, or undefined for shapes the native kernel does not take (incompatible, empty, too many
 * dimensions after merging).
 */
export function broadcastPlan(sa: readonly number[], sb: readonly number[]): number[] | undefined {
  const rank = Math.max(sa.length, sb.length);
  const outShape = new Array<number>(rank);
  // Merged dimensions, innermost first.
  const dims: number[] = [];
  const stridesA: number[] = [];
  const stridesB: number[] = [];
  let strideA = 1;
  let strideB = 1;
  for (let d = rank - 1; d >= 0; d--) {
    const da = d - (rank - sa.length) >= 0 ? sa[d - (rank - sa.length)] : 1;
    const db = d - (rank - sb.length) >= 0 ? sb[d - (rank - sb.length)] : 1;
    if (da === 0 || db === 0 || (da !== db && da !== 1 && db !== 1)) return undefined;
    const size = Math.max(da, db);
    outShape[d] = size;
    const stA = da === 1 ? 0 : strideA;
    const stB = db === 1 ? 0 : strideB;
    strideA *= da;
    strideB *= db;
    if (size === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && stA === stridesA[last] * dims[last] && stB === stridesB[last] * dims[last]) {
      dims[last] = dims[last] * size;
    } else {
      dims.push(size);
      stridesA.push(stA);
      stridesB.push(stB);
    }
  }
  const ndim = dims.length;
  if (ndim > MAX_DIMS) return undefined;
  PLAN[0] = ndim;
  for (let i = 0; i < ndim; i++) {
    const j = ndim - 1 - i;
    PLAN[1 + i] = dims[j];
    PLAN[1 + ndim + i] = stridesA[j];
    PLAN[1 + 2 * ndim + i] = stridesB[j];
  }
  return outShape;
}

function binary(binding: NativeBinding, op: number): NativeImpl {
  return ({ inputs }, backend) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const av = f32(backend, a);
    const bv = f32(backend, b);
    if (!av || !bv) return undefined;
    const shape = broadcastPlan(a.shape, b.shape);
    if (!shape) return undefined;
    const out = allocate(sizeOf(shape));
    binding.binary(op, av, bv, out, PLAN);
    return output(backend, shape, out);
  };
}

// ---------------------------------------------------------------- unary and activation gradients

function unary(
  binding: NativeBinding,
  op: number,
  alphaOf?: (attrs: Record<string, unknown>) => number,
): NativeImpl {
  return ({ inputs, attrs }, backend) => {
    const { x } = inputs as { x: TensorInfo };
    const xv = f32(backend, x);
    if (!xv) return undefined;
    const out = allocate(xv.length);
    binding.unary(op, xv, out, alphaOf ? alphaOf((attrs ?? {}) as Record<string, unknown>) : 0);
    return output(backend, x.shape.slice(), out);
  };
}

function eluGrad(binding: NativeBinding): NativeImpl {
  return ({ inputs }, backend) => {
    const { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
    const dyv = f32(backend, dy);
    const yv = f32(backend, y);
    if (!dyv || !yv || dyv.length !== yv.length) return undefined;
    const out = allocate(yv.length);
    binding.eluGrad(dyv, yv, out);
    return output(backend, y.shape.slice(), out);
  };
}

function addN(binding: NativeBinding): NativeImpl {
  return ({ inputs }, backend) => {
    const tensors = (Array.isArray(inputs) ? inputs : Object.values(inputs)) as TensorInfo[];
    const first = tensors[0];
    if (!first) return undefined;
    const values: Float32Array[] = [];
    for (const t of tensors) {
      const v = f32(backend, t);
      if (
        !v ||
        t.shape.length !== first.shape.length ||
        t.shape.some((d, i) => d !== first.shape[i])
      )
        return undefined;
      values.push(v);
    }
    const out = allocate(values[0].length);
    binding.addN(values, out);
    return output(backend, first.shape.slice(), out);
  };
}

// ---------------------------------------------------------------- reductions

function reduction(
  binding: NativeBinding,
  op: number,
  axisAttr: 'axis' | 'reductionIndices',
): NativeImpl {
  return ({ inputs, attrs }, backend) => {
    const { x } = inputs as { x: TensorInfo };
    const xv = f32(backend, x);
    if (!xv) return undefined;
    const a = attrs as Record<string, unknown>;
    const shape = x.shape;
    const axes = [...new Set(tf.util.parseAxisParam(a[axisAttr] as number | number[], shape))].sort(
      (p, q) => p - q,
    );
    if (axes.length === 0) return undefined;
    const lo = axes[0];
    const hi = axes[axes.length - 1];
    if (hi - lo + 1 !== axes.length) return undefined; // not contiguous: the cpu kernel transposes
    let outer = 1;
    let reduced = 1;
    let inner = 1;
    for (let d = 0; d < shape.length; d++) {
      const s = shape[d];
      if (d < lo) outer *= s;
      else if (d <= hi) reduced *= s;
      else inner *= s;
    }
    if (reduced === 0) return undefined;
    const outShape: number[] = [];
    for (let d = 0; d < shape.length; d++) {
      if (d < lo || d > hi) outShape.push(shape[d]);
      else if (a.keepDims) outShape.push(1);
    }
    const out = allocate(outer * inner);
    binding.reduce(op, xv, out, outer, reduced, inner);
    return output(backend, outShape, out);
  };
}

// ---------------------------------------------------------------- the table

const alpha = (attrs: Record<string, unknown>) => Number(attrs.alpha ?? 0);

/** The kernels that run in C++, by tfjs kernel name. */
export function nativeImplementations(binding: NativeBinding): Record<string, NativeImpl> {
  return {
    BatchMatMul: batchMatMul(binding),
    _FusedMatMul: fusedMatMul(binding),
    Add: binary(binding, BinaryOp.Add),
    Sub: binary(binding, BinaryOp.Sub),
    Multiply: binary(binding, BinaryOp.Multiply),
    RealDiv: binary(binding, BinaryOp.RealDiv),
    SquaredDifference: binary(binding, BinaryOp.SquaredDifference),
    Maximum: binary(binding, BinaryOp.Maximum),
    Minimum: binary(binding, BinaryOp.Minimum),
    Relu: unary(binding, UnaryOp.Relu),
    Relu6: unary(binding, UnaryOp.Relu6),
    LeakyRelu: unary(binding, UnaryOp.LeakyRelu, alpha),
    Elu: unary(binding, UnaryOp.Elu),
    EluGrad: eluGrad(binding),
    Step: unary(binding, UnaryOp.Step, alpha),
    Sigmoid: unary(binding, UnaryOp.Sigmoid),
    Tanh: unary(binding, UnaryOp.Tanh),
    Square: unary(binding, UnaryOp.Square),
    Sqrt: unary(binding, UnaryOp.Sqrt),
    Rsqrt: unary(binding, UnaryOp.Rsqrt),
    Reciprocal: unary(binding, UnaryOp.Reciprocal),
    Neg: unary(binding, UnaryOp.Neg),
    Abs: unary(binding, UnaryOp.Abs),
    Exp: unary(binding, UnaryOp.Exp),
    Log: unary(binding, UnaryOp.Log),
    AddN: addN(binding),
    Sum: reduction(binding, ReduceOp.Sum, 'axis'),
    Mean: reduction(binding, ReduceOp.Mean, 'axis'),
    Max: reduction(binding, ReduceOp.Max, 'reductionIndices'),
  };
}

/**
 * The kernel configs for `backendName`: each runs its native implementation and falls back to the cpu
 * kernel (which works on the same storage) for what it does not cover.
 */
export function nativeKernelConfigs(
  binding: NativeBinding,
  backendName: string,
): tf.KernelConfig[] {
  return Object.entries(nativeImplementations(binding)).flatMap(([name, impl]) => {
    const cpu = tf.getKernel(name, 'cpu');
    if (!cpu) return [];
    let c = counts.get(name);
    if (!c) counts.set(name, (c = { native: 0, fallback: 0 }));
    const record = c;
    const cpuFunc = cpu.kernelFunc;
    const kernelFunc = ((args: KernelArgs) => {
      const out = impl(args, args.backend as unknown as MathBackendCPU);
      if (out !== undefined) {
        record.native++;
        return out;
      }
      record.fallback++;
      return cpuFunc(args);
    }) as tf.KernelFunc;
    const config: tf.KernelConfig = { ...cpu, kernelName: name, backendName, kernelFunc };
    return [config];
  });
}
