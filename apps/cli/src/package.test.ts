// The published package: not private, a `hetmtl` bin that is the built command (with its
// shebang), the workspace packages as ^ ranges, `--version` from package.json. `pnpm check:packs`
// installs the packed tarball and runs `npx hetmtl` from it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hetmtl, MAIN } from './test-fixtures/run.js';

const root = resolve(dirname(MAIN), '..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

describe('@hetmtl/cli package', () => {
  it('is publishable with the hetmtl bin and ^ ranges on the workspace packages', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(resolve(root, pkg.bin.hetmtl)).toBe(MAIN);
    expect(readFileSync(MAIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(pkg.files).toContain('dist');
    const hetmtlDeps = Object.entries(pkg.dependencies).filter(([k]) => k.startsWith('@hetmtl/'));
    expect(hetmtlDeps.length).toBeGreaterThan(5);
    for (const [name, range] of hetmtlDeps) expect(`${name}@${range}`).toBe(`${name}@workspace:^`);
  });

  it('--version prints the package version', async () => {
    const r = await hetmtl(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
