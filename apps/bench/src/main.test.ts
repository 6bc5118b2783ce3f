import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const run = (...args: string[]) => execFileSync(process.execPath, [main, ...args], { encoding: 'utf8' });

describe('bench commands (tiny runs, so they cannot rot)', () => {
  it('demo prints a passing conformance row for cpu and wasm', () => {
    const out = run('demo');
    expect(out).toMatch(/^cpu\s+false\s+1\s+\d+\s+0\s/m);
    expect(out).toMatch(/^wasm\s+true\s+1\s+\d+\s+0\s/m);
    expect(out).toMatch(/^tfjs-node\s.*(not available|ok)/m);
  });

  it('mlp-speed --quick times every backend', () => {
    const out = run('mlp-speed', '--quick');
    expect(out).toMatch(/wasm \(hetmtl: transposeA routed\)/);
    expect(out).toMatch(/transposeA routing on wasm: [\d.]+× faster/);
  });

  it('an unknown command is a usage error (exit 2)', () => {
    expect(() => run('nope')).toThrow(/unknown command "nope"/);
  });
});
