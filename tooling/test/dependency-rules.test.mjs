import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDependencyRules, importsOf } from '../scripts/dependency-rules.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function fixture(packages) {
  const root = mkdtempSync(join(tmpdir(), 'hetmtl-deps-'));
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ private: true, devDependencies: { vitest: '4.1.12' } }),
  );
  for (const [dir, { pkg, files }] of Object.entries(packages)) {
    mkdirSync(join(root, dir, 'src'), { recursive: true });
    writeFileSync(join(root, dir, 'package.json'), JSON.stringify(pkg));
    for (const [f, text] of Object.entries(files)) writeFileSync(join(root, dir, 'src', f), text);
  }
  return root;
}

const tensor = {
  pkg: { name: '@hetmtl/tensor', dependencies: { '@tensorflow/tfjs': '4.22.0' } },
  files: { 'index.ts': "import * as tf from '@tensorflow/tfjs';" },
};

describe('dependency rules', () => {
  it('hold in this repository', () => {
    expect(checkDependencyRules(repoRoot)).toEqual([]);
  });

  it('accept a clean layout', () => {
    const root = fixture({
      'packages/tensor': tensor,
      'packages/encoders': {
        pkg: { name: '@hetmtl/encoders', dependencies: { '@hetmtl/tensor': 'workspace:^' } },
        files: { 'index.ts': "import { tf } from '@hetmtl/tensor';\nimport { x } from './x.js';" },
      },
    });
    expect(checkDependencyRules(root)).toEqual([]);
  });

  it('fail when model imports a backend', () => {
    const root = fixture({
      'packages/tensor': tensor,
      'packages/model': {
        pkg: {
          name: '@hetmtl/model',
          dependencies: { '@hetmtl/tensor': 'workspace:^', '@hetmtl/backend-wasm': 'workspace:^' },
        },
        files: { 'fit.ts': "import { wasmBackend } from '@hetmtl/backend-wasm';" },
      },
    });
    expect(checkDependencyRules(root)).toEqual([
      'packages/model/src/fit.ts: imports @hetmtl/backend-wasm: backends are chosen by the user, not imported by library packages',
    ]);
  });

  it('fail when a package imports model, a sibling it must not know, or tfjs directly', () => {
    const root = fixture({
      'packages/tensor': tensor,
      'packages/encoders': {
        pkg: {
          name: '@hetmtl/encoders',
          dependencies: {
            '@hetmtl/model': '*',
            '@hetmtl/data': '*',
            '@tensorflow/tfjs-core': '4.22.0',
          },
        },
        files: {
          'a.ts': "import { DualEncoderRegressor } from '@hetmtl/model';",
          'b.ts':
            "export { readCsv } from '@hetmtl/data';\n// import { x } from '@hetmtl/optimizer'; (a comment, ignored)",
          'c.ts': "const tf = await import('@tensorflow/tfjs-core');",
        },
      },
    });
    expect(checkDependencyRules(root)).toEqual([
      'packages/encoders/src/a.ts: imports @hetmtl/model: no package imports model (only apps do)',
      'packages/encoders/src/b.ts: imports @hetmtl/data: @hetmtl/encoders may import only @hetmtl/tensor',
      'packages/encoders/src/c.ts: imports @tensorflow/tfjs-core: use tf from @hetmtl/tensor (the one handle on TensorFlow.js)',
    ]);
  });

  it('let model and baselines import the estimator kit, which imports only tensor and data', () => {
    const dep = (names) => Object.fromEntries(names.map((n) => [n, 'workspace:^']));
    const root = fixture({
      'packages/tensor': tensor,
      'packages/estimator': {
        pkg: {
          name: '@hetmtl/estimator',
          dependencies: dep(['@hetmtl/tensor', '@hetmtl/data', '@hetmtl/regularizers']),
        },
        files: {
          'a.ts':
            "import { Standardizer } from '@hetmtl/data';\nimport { tf } from '@hetmtl/tensor';",
          'b.ts': "import { fuse } from '@hetmtl/regularizers';",
        },
      },
      'packages/model': {
        pkg: { name: '@hetmtl/model', dependencies: dep(['@hetmtl/estimator']) },
        files: { 'a.ts': "import { holdOutSplit } from '@hetmtl/estimator';" },
      },
      'packages/baselines': {
        pkg: { name: '@hetmtl/baselines', dependencies: dep(['@hetmtl/estimator']) },
        files: { 'a.ts': "import { Estimator } from '@hetmtl/estimator';" },
      },
    });
    expect(checkDependencyRules(root)).toEqual([
      'packages/estimator/src/b.ts: imports @hetmtl/regularizers: @hetmtl/estimator may import only @hetmtl/tensor, @hetmtl/data',
    ]);
  });

  it('fail on undeclared imports and on packages without a rule', () => {
    const root = fixture({
      'packages/tensor': {
        pkg: { name: '@hetmtl/tensor' },
        files: { 'index.ts': "import Papa from 'papaparse';" },
      },
      'packages/extra': { pkg: { name: '@hetmtl/extra' }, files: {} },
    });
    expect(checkDependencyRules(root)).toEqual([
      'packages/extra: package @hetmtl/extra has no dependency rule; add it to tooling/scripts/dependency-rules.mjs',
      'packages/tensor/src/index.ts: imports papaparse, which packages/tensor/package.json does not declare in dependencies',
    ]);
  });

  it('let tests import backends declared as devDependencies, but not model', () => {
    const root = fixture({
      'packages/tensor': tensor,
      'packages/optimizer': {
        pkg: {
          name: '@hetmtl/optimizer',
          dependencies: { '@hetmtl/tensor': '*' },
          devDependencies: { '@hetmtl/backend-cpu': '*', '@hetmtl/model': '*' },
        },
        files: {
          'a.test.ts':
            "import { it } from 'vitest';\nimport { cpuBackend } from '@hetmtl/backend-cpu';\nimport { m } from '@hetmtl/model';",
        },
      },
    });
    expect(checkDependencyRules(root)).toEqual([
      'packages/optimizer/src/a.test.ts: imports @hetmtl/model: no package imports model (only apps do)',
    ]);
  });

  it("let a backend's tests fit the model, but not its sources", () => {
    const root = fixture({
      'packages/tensor': tensor,
      'packages/backend-native': {
        pkg: {
          name: '@hetmtl/backend-native',
          dependencies: { '@hetmtl/tensor': '*' },
          devDependencies: { '@hetmtl/model': '*' },
        },
        files: {
          'fit.test.ts': "import { DualEncoderRegressor } from '@hetmtl/model';",
          'index.ts': "import { m } from '@hetmtl/model';",
        },
      },
    });
    expect(checkDependencyRules(root)).toEqual([
      'packages/backend-native/src/index.ts: imports @hetmtl/model: no package imports model (only apps do)',
      'packages/backend-native/src/index.ts: imports @hetmtl/model, which packages/backend-native/package.json does not declare in dependencies',
    ]);
  });

  it('finds static, dynamic, side-effect and require imports', () => {
    expect(
      importsOf(
        "import a from 'x';\nimport 'y/z';\nconst b = require('@s/p/deep');\nawait import(\"q\");\nimport { c } from './local.js';\nimport fs from 'node:fs';\nimport path from 'path';",
      ),
    ).toEqual(['x', 'y', '@s/p', 'q']);
    // "from" inside a string is not an import (a message: "Remove it from ', opt('features')").
    expect(
      importsOf("const fix = ['Remove it from ', opt('features')];\nimport q from 'q';"),
    ).toEqual(['q']);
  });
});
