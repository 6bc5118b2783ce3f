import { cpuBackend } from '@hetmtl/backend-cpu';
import { type BackendPlugin, tf } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { type BackendCase, backendCases } from './backend-cases.js';
import { checkBackendConformance } from './backend-conformance.js';

/** A backend that is tfjs's cpu backend with one kernel replaced. */
function cpuWithKernel(name: string, kernelName: string, kernelFunc: tf.KernelFunc): BackendPlugin {
  return {
    kind: 'backend',
    specVersion: 1,
    name,
    tfBackendName: name,
    config: {},
    isAvailable: async () => ({ ok: true }),
    async setup() {
      if (tf.findBackendFactory(name) !== null) return;
      const factory = tf.findBackendFactory('cpu');
      if (factory === null) throw new Error('cpu backend missing');
      tf.registerBackend(name, factory);
      for (const k of tf.getKernelsForBackend('cpu')) {
        tf.registerKernel({
          ...k,
          backendName: name,
          ...(k.kernelName === kernelName ? { kernelFunc } : {}),
        });
      }
    },
  };
}

describe('the backend conformance suite itself', () => {
  it('passes the cpu backend against itself', async () => {
    const report = await checkBackendConformance(cpuBackend());
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(backendCases.length);
  });

  it('catches a deliberately wrong Elu kernel (and only the cases that use it)', async () => {
    const eluKernel = tf.getKernel('Elu', 'cpu');
    if (!eluKernel) throw new Error('no cpu Elu');
    // Elu with the negative branch scaled by 0.5: plausible-looking, wrong.
    const wrongElu: tf.KernelFunc = ({ inputs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const cpu = backend as unknown as {
        data: { get(id: object): { values: Float32Array } };
        makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo;
      };
      const values = cpu.data
        .get(x.dataId)
        .values.map((v) => (v >= 0 ? v : 0.5 * (Math.exp(v) - 1)));
      return cpu.makeTensorInfo(x.shape, 'float32', values);
    };
    const report = await checkBackendConformance(cpuWithKernel('cpu-wrong-elu', 'Elu', wrongElu));
    const failed = report.results.filter((r) => !r.ok).map((r) => r.name);
    expect(failed).toContain('elu');
    expect(failed).toContain('gradient of an MLP loss (elu) w.r.t. every weight');
    expect(failed).toContain('Adam: 5 steps on an MLP');
    expect(failed).not.toContain('relu');
    expect(report.results.find((r) => r.name === 'elu')?.failure).toMatch(
      /relative error .* exceeds 0.0001/,
    );
    await tf.setBackend('cpu');
  });

  it('catches a wrong shape, a throwing kernel and a leaking case', async () => {
    const cases: BackendCase[] = [
      { name: 'leaks', group: 'optimizer', run: () => [tf.variable(tf.ones([2])).clone()] },
      { name: 'sum', group: 'reduction', run: () => [tf.sum(tf.ones([3, 2]), 0)] },
    ];
    const sumWrongShape: tf.KernelFunc = ({ inputs, backend }) => {
      const cpu = backend as unknown as {
        makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo;
      };
      void inputs;
      return cpu.makeTensorInfo([3], 'float32', new Float32Array([3, 3, 3]));
    };
    const report = await checkBackendConformance(
      cpuWithKernel('cpu-wrong-sum', 'Sum', sumWrongShape),
      { cases },
    );
    const byName = Object.fromEntries(report.results.map((r) => [r.name, r]));
    expect(byName.sum?.failure).toMatch(/shape \[3\], expected \[2\]/);
    expect(byName.leaks?.failure).toMatch(/leaked 1 tensor/);
    expect(report.failed).toBe(2);
    tf.disposeVariables();
    await tf.setBackend('cpu');
  });
});
