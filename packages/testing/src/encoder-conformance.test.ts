import { cpuBackend } from '@hetmtl/backend-cpu';
import {
  assignVariables,
  type EncoderDefinition,
  type EncoderInstance,
  EncoderRegistry,
  type EncoderWeights,
  disposeVariables,
  linear,
  makeVariable,
  mlp,
  readVariables,
} from '@hetmtl/encoders';
import { countTensors, Random, tf, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkEncoderConformance,
  type EncoderCheckName,
  encoderChecks,
  formatEncoderConformanceReport,
} from './encoder-conformance.js';

type Flaw =
  | 'none'
  | 'ignores-bias'
  | 'loses-weight'
  | 'unseeded'
  | 'leaks'
  | 'keeps-random-state'
  | 'tasks-share-weights'
  | 'lenient-setWeights'
  | 'returns-wrong-shape';

/**
 * A linear encoder g(x) = xW + b written by hand, with one deliberate flaw. Batched natively only
 * for 'tasks-share-weights' (which uses task 0's weights for every task).
 */
function flawed(flaw: Flaw): EncoderDefinition<Record<string, never>> {
  return {
    kind: `flawed:${flaw}`,
    specVersion: 1,
    batched: flaw === 'tasks-share-weights',
    normalizeConfig: () => ({}),
    build(_config, ctx): EncoderInstance {
      const { inputDim: p, outputDim: K, tasks } = ctx;
      const rng = flaw === 'unseeded' ? new Random(Math.floor(Math.random() * 2 ** 31)) : ctx.rng;
      const R = tasks ?? 1;
      const variables: Record<string, tf.Variable> = {
        w: makeVariable('w', rng.normals(R * p * K), tasks === undefined ? [p, K] : [R, p, K]),
        b: makeVariable('b', rng.normals(R * K, 0, 0.5), tasks === undefined ? [K] : [R, 1, K]),
      };
      const w = variables.w;
      const b = variables.b;
      // A fixed random offset that is neither a weight nor derived from the config.
      const offset =
        flaw === 'keeps-random-state' ? tf.tensor1d(Float32Array.from(rng.normals(K))) : undefined;
      const kept: tf.Tensor[] = [];
      return {
        spec: { kind: `flawed:${flaw}`, specVersion: 1, config: {} },
        inputDim: p,
        outputDim: K,
        tasks,
        variables,
        forward: (x) =>
          tf.tidy(() => {
            if (x.shape[x.rank - 1] !== p) throw new Error('wrong p');
            if (flaw === 'tasks-share-weights' && tasks !== undefined)
              return tf.add(tf.matMul(x, tf.tile(tf.slice(w, [0, 0, 0], [1, p, K]), [R, 1, 1])), b);
            if (flaw === 'ignores-bias') return tf.matMul(x, w);
            let out = tf.add(tf.matMul(x, w), b);
            if (offset) out = tf.add(out, offset);
            if (flaw === 'leaks') kept.push(tf.keep(out.clone()));
            if (flaw === 'returns-wrong-shape') out = tf.transpose(out);
            return out;
          }),
        getWeights(): EncoderWeights {
          const all = readVariables(variables);
          if (flaw === 'loses-weight') delete all.b;
          return all;
        },
        setWeights(weights) {
          if (flaw === 'loses-weight' || flaw === 'lenient-setWeights') {
            for (const [k, v] of Object.entries(weights)) {
              const target = variables[k];
              if (target)
                tf.tidy(() =>
                  target.assign(
                    tf.tensor(
                      v.values
                        .slice(0, target.size)
                        .concat(new Array(Math.max(0, target.size - v.values.length)).fill(0)),
                      target.shape,
                    ),
                  ),
                );
            }
            return;
          }
          assignVariables(variables, weights, `flawed:${flaw}`);
        },
        dispose() {
          offset?.dispose();
          disposeVariables(variables);
        },
      };
    },
  };
}

const registry = new EncoderRegistry();
const FLAWS: Flaw[] = [
  'none',
  'ignores-bias',
  'loses-weight',
  'unseeded',
  'leaks',
  'keeps-random-state',
  'tasks-share-weights',
  'lenient-setWeights',
  'returns-wrong-shape',
];
for (const flaw of FLAWS) registry.register(flawed(flaw));

async function failures(flaw: Flaw): Promise<Partial<Record<EncoderCheckName, string>>> {
  const report = await checkEncoderConformance(
    { kind: `flawed:${flaw}`, specVersion: 1, config: {} },
    { registry },
  );
  return Object.fromEntries(
    report.results.filter((r) => !r.ok).map((r) => [r.name, r.failure as string]),
  );
}

beforeAll(async () => {
  await useBackend(cpuBackend());
});

describe('the encoder conformance suite itself', () => {
  it('passes a correct hand-written plugin (batched by the registry’s loop), and reports every check', async () => {
    const report = await checkEncoderConformance(
      { kind: 'flawed:none', specVersion: 1, config: {} },
      { registry },
    );
    expect(report.failed).toBe(0);
    expect(report.results.map((r) => r.name)).toEqual([...encoderChecks]);
    expect(report.nativelyBatched).toBe(false);
    expect(
      report.results.find((r) => r.name === 'batched output shape: [R, n, p] → [R, n, K]')?.detail,
    ).toMatch(/loop over tasks/);
    expect(formatEncoderConformanceReport(report)).toMatch(
      /encoder flawed:none \{\} on cpu \(p = 5, K = 3, R = 3, n = 7\): 11 passed, 0 failed/,
    );
  });

  it('passes the built-ins, with dimensions chosen by the plugin (identity: K = p)', async () => {
    for (const spec of [mlp({ hidden: [4], activation: 'relu' }), linear({ bias: false })]) {
      const report = await checkEncoderConformance(spec, { tasks: 2, inputDim: 4, outputDim: 2 });
      expect(report.failed, formatEncoderConformanceReport(report)).toBe(0);
    }
  });

  it('catches a forward that ignores a variable (and only that)', async () => {
    const f = await failures('ignores-bias');
    expect(Object.keys(f)).toEqual(['gradients reach every variable (non-zero, finite)']);
    expect(f['gradients reach every variable (non-zero, finite)']).toMatch(
      /unbatched: no gradient for variable "b"/,
    );
  });

  it('catches a JSON round trip that loses a weight', async () => {
    const f = await failures('loses-weight');
    expect(f['JSON round trip gives identical outputs']).toMatch(
      /unbatched: output 0 is .* after the round trip/,
    );
    expect(f['setWeights rejects a wrong shape, a missing and an unknown weight']).toMatch(
      /setWeights accepted/,
    );
  });

  it('catches fixed random state that is neither a weight nor in the config', async () => {
    const f = await failures('keeps-random-state');
    expect(Object.keys(f)).toContain('JSON round trip gives identical outputs');
    expect(Object.keys(f)).toContain(
      'batched forward equals the per-task forward with the same weights',
    );
  });

  it('catches weights that do not come from ctx.rng', async () => {
    const f = await failures('unseeded');
    expect(Object.keys(f)).toEqual([
      'same seed gives identical weights, another seed different weights',
    ]);
    expect(f['same seed gives identical weights, another seed different weights']).toMatch(
      /two builds with seed 2505: weight "w" differs at index 0.*draw every initial weight from ctx.rng/,
    );
  });

  it('catches a forward that keeps tensors', async () => {
    const before = countTensors();
    const f = await failures('leaks');
    expect(f['forward inside tidy leaks nothing; dispose() frees every variable']).toMatch(
      /forward inside tidy left 1 tensor\(s\) alive/,
    );
    // 1 kept tensor unbatched + 3 in the loop over R = 3 tasks.
    expect(f['outputs are finite']).toMatch(/leaked 4 tensor\(s\)/);
    // The suite disposed every encoder it built: what is left is exactly what forward kept.
    expect(countTensors()).toBeGreaterThan(before);
  });

  it('catches a batched plugin that mixes up tasks', async () => {
    const f = await failures('tasks-share-weights');
    expect(Object.keys(f)).toEqual([
      'batched forward equals the per-task forward with the same weights',
    ]);
    expect(f['batched forward equals the per-task forward with the same weights']).toMatch(
      /^task 1: the batched output differs/,
    );
  });

  it('catches a setWeights that does not validate', async () => {
    const f = await failures('lenient-setWeights');
    expect(Object.keys(f)).toEqual([
      'setWeights rejects a wrong shape, a missing and an unknown weight',
    ]);
    expect(f['setWeights rejects a wrong shape, a missing and an unknown weight']).toMatch(
      /unbatched: setWeights accepted an unknown weight/,
    );
  });

  it('catches wrong output shapes', async () => {
    const f = await failures('returns-wrong-shape');
    expect(f['output shape: [n, p] → [n, K]']).toMatch(
      /forward of \[7, 5\] returned \[3, 7\], expected \[7, 3\]/,
    );
    expect(f['batched output shape: [R, n, p] → [R, n, K]']).toMatch(
      /returned \[3, 7, 3\]|expected \[3, 7, 3\]/,
    );
  });

  it('reports an unknown kind in every check, with the fix', async () => {
    const report = await checkEncoderConformance(
      { kind: 'nope', specVersion: 1, config: {} },
      { registry },
    );
    expect(report.failed).toBe(encoderChecks.length);
    expect(report.results[0]?.failure).toMatch(/Unknown encoder kind "nope".*defineEncoder/);
  });
});
