// @hetmtl/tensor's Float64 kernels in JavaScript against OpenBLAS through the native backend, in the
// same run: milliseconds per call and the ratio JS / native, at the issue's sizes (gram XᵀX of 20,000
// rows at p = 500, the row Gram XXᵀ of 180 × 20,000, symmetricEigen at 180 and 1,000, matmul 1,000²,
// Cholesky at 1,000) and a sweep of small sizes for the crossover (FLOAT64_CROSSOVER).
// Run after `pnpm build`:  node packages/backend-native/bench/float64.bench.mjs [--quick]
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const load = (pkg) => import(resolve(root, 'packages', pkg, 'dist/index.js'));
const [tensor, { nativeBackend, nativeInfo }] = await Promise.all([
  load('tensor'),
  load('backend-native'),
]);
const { withFloat64Kernels, setFloat64Kernels, float64Kernels } = tensor;
const quick = process.argv.includes('--quick');

await tensor.useBackend(nativeBackend());
const info = nativeInfo();
if (float64Kernels().provider === null) {
  console.log(
    `OpenBLAS is not in use (${info.openblasErrors?.join('; ') || info.gemm}): nothing to compare`,
  );
  process.exit(0);
}
console.log(`OpenBLAS: ${info.openblasPath} (${info.openblasConfig}), threads ${info.threads}`);
// Every kernel native from size 1, for the crossover sweep; the installed provider for the rest.
const installed = setFloat64Kernels(undefined);
setFloat64Kernels(installed);
const always = { ...installed, crossover: { gemm: 0, syrk: 0, potrf: 0, syevd: 0 } };

let seed = 12345;
function uniform(n) {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    out[i] = seed / 2 ** 31 - 1;
  }
  return out;
}
function spd(n) {
  const X = uniform(2 * n * n);
  const G = withFloat64Kernels(undefined, () => tensor.gram(X, 2 * n, n));
  for (let i = 0; i < n; i++) G[i * n + i] += 1;
  return G;
}

/** Best milliseconds per call over repeats filling ~`budget` ms (at least one call, at most 200). */
function time(fn, budget) {
  fn();
  let best = Number.POSITIVE_INFINITY;
  let spent = 0;
  for (let r = 0; r < 200 && (r < 1 || spent < budget); r++) {
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    best = Math.min(best, dt);
    spent += dt;
  }
  return best;
}
function maxRel(a, b) {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err / Math.max(scale, 1e-300);
}

function compare(label, fn, provider, budget, check) {
  const js = time(() => withFloat64Kernels(undefined, fn), budget);
  const nat = time(() => withFloat64Kernels(provider, fn), budget);
  const err = check
    ? check(withFloat64Kernels(provider, fn), withFloat64Kernels(undefined, fn))
    : undefined;
  console.log(
    `${label.padEnd(34)} js ${js.toFixed(3).padStart(10)} ms   native ${nat.toFixed(3).padStart(9)} ms   js/native ${(js / nat).toFixed(2).padStart(7)}×${err === undefined ? '' : `   max rel diff ${err.toExponential(1)}`}`,
  );
  return js / nat;
}
const eigenCheck = (a, b) => maxRel(a.values, b.values);

console.log('\n— crossover sweep (every kernel native from size 1) —');
for (const n of [8, 16, 24, 32, 48, 64, 96, 128]) {
  const A = tensor.matrix(n, n, uniform(n * n));
  const B = tensor.matrix(n, n, uniform(n * n));
  const X = uniform(4 * n * n);
  const S = spd(n);
  const Sm = tensor.matrix(n, n, S);
  const budget = 150;
  compare(`matmul ${n}×${n}·${n}×${n}`, () => tensor.matmul(A, B).data, always, budget, maxRel);
  compare(`gram XᵀX ${4 * n}×${n}`, () => tensor.gram(X, 4 * n, n), always, budget, maxRel);
  compare(`cholesky ${n}`, () => tensor.cholesky(Sm).data, always, budget, maxRel);
  compare(`symmetricEigen ${n}`, () => tensor.symmetricEigen(S, n), always, budget, eigenCheck);
}

console.log('\n— the issue’s sizes (installed crossover) —');
const big = quick ? 0.25 : 1;
{
  const n = 180;
  const p = Math.round(20000 * big);
  const X = uniform(n * p);
  const rows = Array.from({ length: n }, (_, i) => X.subarray(i * p, (i + 1) * p));
  compare(`rowGram XXᵀ ${n}×${p}`, () => tensor.rowGram(rows, p), installed, 1000, maxRel);
}
{
  const n = Math.round(20000 * big);
  const p = 500;
  const X = uniform(n * p);
  compare(`gram XᵀX ${n}×${p}`, () => tensor.gram(X, n, p), installed, 1000, maxRel);
}
for (const n of [180, Math.round(1000 * Math.sqrt(big))]) {
  const S = spd(n);
  compare(`symmetricEigen ${n}`, () => tensor.symmetricEigen(S, n), installed, 1000, eigenCheck);
}
{
  const n = Math.round(1000 * Math.sqrt(big));
  const A = tensor.matrix(n, n, uniform(n * n));
  const B = tensor.matrix(n, n, uniform(n * n));
  compare(`matmul ${n}²`, () => tensor.matmul(A, B).data, installed, 1000, maxRel);
  const Sm = tensor.matrix(n, n, spd(n));
  compare(`cholesky ${n}`, () => tensor.cholesky(Sm).data, installed, 1000, maxRel);
}
