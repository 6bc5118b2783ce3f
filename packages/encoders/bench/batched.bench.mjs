// Batched task-specific encoders vs a loop of R separate models.
//
// One step = forward + backward: the gradient of a masked squared loss with respect to every
// variable of an mlp task-specific encoder (p = 50, hidden [16], K = 2, n_r uniform in 80..120).
// "batched" is one encoder built with ctx.tasks = R on the tasks padded to a common length
// (padTasks); "loop" is R unbatched encoders, each on its own rows, summed into one loss. Both are
// built from the same seed, so they hold the same weights and compute the same loss.
//
// Run after a build: `pnpm --filter @hetmtl/encoders bench` (node bench/batched.bench.mjs).
import { cpuBackend } from '@hetmtl/backend-cpu';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { Random, tf, useBackend } from '@hetmtl/tensor';
import { buildEncoder, mlp, padTasks } from '../dist/index.js';

const P = 50;
const K = 2;
const SPEC = mlp({ hidden: [16], activation: 'elu' });
const PLAN = [
  { backend: 'wasm', plugin: wasmBackend, tasks: [5, 50, 200] },
  { backend: 'cpu', plugin: cpuBackend, tasks: [5, 50] },
];
const TARGET_MS = Number(process.env.BENCH_MS ?? 1500);

function makeData(R, seed) {
  const rng = new Random(seed);
  const counts = Array.from({ length: R }, () => rng.integer(80, 121));
  const X = counts.map((n) => rng.normals(n * P));
  const Y = counts.map((n) => rng.normals(n * K));
  return { counts, X, Y, N: counts.reduce((a, b) => a + b, 0) };
}

function batchedSetup(data, seed) {
  const R = data.counts.length;
  const enc = buildEncoder(SPEC, {
    inputDim: P,
    outputDim: K,
    rng: new Random(seed),
    tasks: R,
    name: 'specific',
  });
  const { x, mask, nMax } = padTasks(data.X, P);
  const yPadded = new Float32Array(R * nMax * K);
  data.Y.forEach((y, r) => yPadded.set(y, r * nMax * K));
  const y = tf.tensor3d(yPadded, [R, nMax, K]);
  const vars = Object.values(enc.variables);
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.div(tf.sum(tf.mul(tf.squaredDifference(enc.forward(x), y), mask)), data.N),
        vars,
      );
      grads[vars[0].name].dataSync();
      return value.dataSync()[0];
    });
  return {
    step,
    dispose: () => {
      enc.dispose();
      tf.dispose([x, mask, y]);
    },
  };
}

function loopSetup(data, seed) {
  const rng = new Random(seed);
  // Task r from the r-th child of the seed: the same weights as the batched encoder.
  const encs = data.counts.map(() =>
    buildEncoder(SPEC, { inputDim: P, outputDim: K, rng: rng.child(), name: 'specific' }),
  );
  const xs = data.X.map((x, r) => tf.tensor2d(Float32Array.from(x), [data.counts[r], P]));
  const ys = data.Y.map((y, r) => tf.tensor2d(Float32Array.from(y), [data.counts[r], K]));
  const vars = encs.flatMap((e) => Object.values(e.variables));
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () =>
          tf.div(
            tf.addN(encs.map((e, r) => tf.sum(tf.squaredDifference(e.forward(xs[r]), ys[r])))),
            data.N,
          ),
        vars,
      );
      grads[vars[0].name].dataSync();
      return value.dataSync()[0];
    });
  return {
    step,
    dispose: () => {
      for (const e of encs) e.dispose();
      tf.dispose([...xs, ...ys]);
    },
  };
}

/**
 * Times both setups in alternating rounds (so that both see the same load on a shared machine) and
 * returns each one's median ms/step over the rounds.
 */
function timeInterleaved(a, b, rounds = 7) {
  const loss = [a.step(), b.step()];
  a.step(); // warm-up: kernel set-up, first allocations
  b.step();
  const per = [[], []];
  const steps = [0, 0];
  [a, b].forEach((s, i) => {
    // Steps per round so that a round takes about TARGET_MS / rounds.
    const t0 = performance.now();
    s.step();
    per[i].n = Math.max(1, Math.round(TARGET_MS / rounds / (performance.now() - t0)));
  });
  for (let round = 0; round < rounds; round++) {
    [a, b].forEach((s, i) => {
      const t0 = performance.now();
      for (let k = 0; k < per[i].n; k++) loss[i] = s.step();
      per[i].push((performance.now() - t0) / per[i].n);
      steps[i] += per[i].n;
    });
  }
  const median = (v) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
  return [0, 1].map((i) => ({ ms: median(per[i]), steps: steps[i], loss: loss[i] }));
}

const rows = [];
for (const { backend, plugin, tasks } of PLAN) {
  const info = await useBackend(plugin());
  for (const R of tasks) {
    const data = makeData(R, 1000 + R);
    const tensorsBefore = tf.memory().numTensors;
    const b = batchedSetup(data, 7);
    const l = loopSetup(data, 7);
    const [batched, loop] = timeInterleaved(b, l);
    b.dispose();
    l.dispose();
    if (tf.memory().numTensors !== tensorsBefore)
      throw new Error(`leaked ${tf.memory().numTensors - tensorsBefore} tensors`);
    const row = {
      backend: `${backend}${info.simd ? ' (SIMD)' : ''}`,
      R,
      N: data.N,
      batched: batched.ms,
      loop: loop.ms,
      speedup: loop.ms / batched.ms,
      lossDiff: Math.abs(batched.loss - loop.loss) / Math.abs(loop.loss),
    };
    rows.push(row);
    console.error(
      `  ${row.backend} R=${R}: batched ${row.batched.toFixed(2)} ms (${batched.steps} steps), loop ${row.loop.toFixed(2)} ms (${loop.steps} steps)`,
    );
  }
}

const header = [
  'backend',
  'R',
  'rows N',
  'batched ms/step',
  'loop ms/step',
  'loop / batched',
  'loss rel. diff',
];
const body = rows.map((r) => [
  r.backend,
  String(r.R),
  String(r.N),
  r.batched.toFixed(2),
  r.loop.toFixed(2),
  `${r.speedup.toFixed(1)}×`,
  r.lossDiff.toExponential(1),
]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(
  `\nmlp task-specific encoder (p = ${P}, hidden [16], elu, K = ${K}, n_r in 80..120): forward + gradient of a masked squared loss`,
);
console.log(
  `Node ${process.version}, ${process.platform}/${process.arch}; median ms/step over 7 interleaved rounds\n`,
);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const b of body) console.log(line(b));
