import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const run = (...args: string[]) =>
  execFileSync(process.execPath, [main, ...args], { encoding: 'utf8' });

describe('bench commands (tiny runs, so they cannot rot)', () => {
  it('demo --quick fits the method and prints per-task RMSE next to per-task ridge and the groups', () => {
    const out = run('demo', '--quick');
    expect(out).toMatch(
      /task\s+test RMSE \(hetmtl\)\s+test RMSE \(per-task ridge\)\s+group\s+true group/,
    );
    expect(out).toMatch(/^task1\s+\d\.\d{3}\s+\d\.\d{3}\s+\d\s+1$/m);
    expect(out).toMatch(/adjusted Rand index vs the true groups -?\d\.\d\d/);
  });

  it('conformance prints a passing row for cpu and wasm', () => {
    const out = run('conformance');
    expect(out).toMatch(/^cpu\s+false\s+1\s+\d+\s+0\s/m);
    expect(out).toMatch(/^wasm\s+true\s+1\s+\d+\s+0\s/m);
    expect(out).toMatch(/^tfjs-node\s.*(not available|ok)/m);
  });

  it('mlp-speed --quick times every backend', () => {
    const out = run('mlp-speed', '--quick');
    expect(out).toMatch(/wasm \(hetmtl: transposeA routed\)/);
    expect(out).toMatch(/transposeA routing on wasm: [\d.]+× faster/);
  });

  it('speed --quick prints the fixed-work table, a PyTorch row or the skip message, the profile and scaling', () => {
    const out = run('speed', '--quick');
    expect(out).toMatch(/backend\s+ms\/Adam step \(a\)\s+ms\/Adam step \(b\)\s+× PyTorch \(a\)/);
    expect(out).toMatch(/^cpu\s+\d+\.\d\d\s+\d+\.\d\d\s/m);
    expect(out).toMatch(/^wasm\s+\d+\.\d\d\s+\d+\.\d\d\s/m);
    expect(out).toMatch(
      /^PyTorch \S+ \(1 thread\)\s+\d+\.\d\d\s+\d+\.\d\d\s+1\.00×|^PyTorch reference not run: /m,
    );
    expect(out).toMatch(/kernels\/step \(a\)\s+kernels\/step \(b\)/);
    expect(out).toMatch(/^R\s+n_r\s+backend/m);
  });

  it('speed says why PyTorch did not run when python3 with torch is missing', () => {
    const out = execFileSync(
      process.execPath,
      [main, 'speed', '--quick', '--no-scaling', '--backend', 'cpu'],
      { encoding: 'utf8', env: { ...process.env, HETMTL_PYTHON: '/nonexistent/python3' } },
    );
    expect(out).toMatch(/^cpu\s+\d+\.\d\d\s/m);
    expect(out).toMatch(/^PyTorch reference not run: .*\/nonexistent\/python3 not found/m);
  });

  it('an unknown command is a usage error (exit 2)', () => {
    expect(() => run('nope')).toThrow(/unknown command "nope"/);
  });
});
