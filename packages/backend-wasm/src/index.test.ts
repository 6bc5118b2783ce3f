import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BackendUnavailableError, countTensors, tf, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTransposeARouted, setTransposeARouting, wasmBackend } from './index.js';

function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

async function onBackend(name: string, fn: () => tf.Tensor): Promise<Float32Array> {
  const prev = tf.getBackend();
  await tf.setBackend(name);
  const out = tf.tidy(fn);
  const data = (await out.data()) as Float32Array;
  out.dispose();
  await tf.setBackend(prev);
  return data;
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / scale;
}

beforeAll(async () => {
  await useBackend(wasmBackend());
});

describe('wasmBackend', () => {
  it('activates with SIMD in Node, one thread, without network', async () => {
    const info = await useBackend(wasmBackend());
    expect(info).toMatchObject({
      name: 'wasm',
      tfBackendName: 'wasm',
      simd: true,
      threads: 1,
      floatPrecision: 32,
    });
    expect(isTransposeARouted()).toBe(true);
  });

  it("a setup the initialised backend cannot honour fails with the family's BackendUnavailableError", async () => {
    const err = await wasmBackend({ simd: false })
      .setup()
      .catch((e: unknown) => e);
    expect(BackendUnavailableError.isInstance(err)).toBe(true);
    expect((err as BackendUnavailableError).backend).toBe('wasm');
    expect((err as BackendUnavailableError).code).toBe('E_BACKEND_UNAVAILABLE');
    expect((err as BackendUnavailableError).fix).toMatch(/new process/);
    // The backend in use is untouched.
    await useBackend(wasmBackend());
    expect(tf.getBackend()).toBe('wasm');
  });

  it('forces the plain binary with simd: false (fresh process)', () => {
    const script = `
      import { useBackend } from '@hetmtl/tensor';
      import { wasmBackend } from '${fileURLToPath(new URL('../dist/index.js', import.meta.url))}';
      const info = await useBackend(wasmBackend({ simd: false }));
      console.log(JSON.stringify(info));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toMatchObject({
      name: 'wasm',
      simd: false,
    });
  });

  it.each([
    ['2-D', [7, 5], [7, 3], false],
    ['2-D with transposeB', [7, 5], [3, 7], true],
    ['batched', [4, 6, 5], [4, 6, 3], false],
    ['batched, broadcast b', [4, 6, 5], [6, 3], false],
    ['batched with transposeB', [2, 6, 5], [2, 3, 6], true],
  ] as const)(
    'routes transposeA matMul (%s) to the same result as cpu',
    async (_label, sa, sb, tb) => {
      const f = () => tf.matMul(randomTensor([...sa], 1), randomTensor([...sb], 2), true, tb);
      const want = await onBackend('cpu', f);
      for (const routedOn of [true, false]) {
        setTransposeARouting(routedOn);
        const before = countTensors();
        const got = await onBackend('wasm', f);
        expect(countTensors()).toBe(before);
        expect(maxRelErr(got, want)).toBeLessThan(1e-5);
      }
      setTransposeARouting(true);
    },
  );

  it('routes fused matMul with bias and activation, and the matMul gradient', async () => {
    const fused = () =>
      tf.fused.matMul({
        a: randomTensor([6, 4], 3),
        b: randomTensor([6, 3], 4),
        transposeA: true,
        bias: tf.ones([3]),
        activation: 'relu',
      });
    expect(maxRelErr(await onBackend('wasm', fused), await onBackend('cpu', fused))).toBeLessThan(
      1e-5,
    );
    // d/dW sum(X·W) = Xᵀ·1 — the dense-layer weight gradient, the path the routing exists for.
    const grad = () =>
      tf.grad((w: tf.Tensor) =>
        tf
          .matMul(randomTensor([8, 5], 5), w)
          .square()
          .sum(),
      )(randomTensor([5, 2], 6));
    expect(maxRelErr(await onBackend('wasm', grad), await onBackend('cpu', grad))).toBeLessThan(
      1e-5,
    );
  });

  it('fixes tfjs-wasm 4.22 fused matMul with transposeA and a bias (wrong upstream)', async () => {
    const f = () =>
      tf.fused.matMul({
        a: tf.tensor2d([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
        b: tf.tensor2d([
          [1, 0],
          [0, 1],
          [1, 1],
        ]),
        transposeA: true,
        bias: tf.tensor1d([10, 20]),
      });
    // AᵀB = [[6, 8], [8, 10]]; plus the bias per column.
    expect(Array.from(await onBackend('wasm', f))).toEqual([16, 28, 18, 30]);
    setTransposeARouting(false);
    expect(Array.from(await onBackend('wasm', f))).not.toEqual([16, 28, 18, 30]);
    setTransposeARouting(true);
  });

  it('turning routing on and off is idempotent', () => {
    setTransposeARouting(true);
    setTransposeARouting(true);
    expect(isTransposeARouted()).toBe(true);
    setTransposeARouting(false);
    setTransposeARouting(false);
    expect(isTransposeARouted()).toBe(false);
    setTransposeARouting(true);
  });
});
