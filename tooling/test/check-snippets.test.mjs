import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkSnippets, extractSnippets } from '../scripts/check-snippets.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('the snippet check', () => {
  it('extracts ```ts blocks with their first line, names and nocheck, from markdown and TSDoc', () => {
    const md = [
      '# x', // 1
      '```ts', // 2
      'const a = 1;', // 3
      '```',
      '```ts nocheck',
      'interface X { a: JSON-ish }',
      '```',
      '```ts file=lib.ts',
      'export const b = 2;', // 9
      '```',
      '```sh',
      'pnpm add x',
      '```',
    ].join('\n');
    expect(extractSnippets(md)).toEqual([
      { line: 3, code: 'const a = 1;\n' },
      { line: 9, code: 'export const b = 2;\n', name: 'lib.ts' },
    ]);
    const src = ['/**', ' * Example:', ' * ```ts', ' * f(1);', ' * ```', ' */'].join('\n');
    expect(extractSnippets(src, { tsdoc: true })).toEqual([{ line: 4, code: 'f(1);\n' }]);
  });

  it('reports a type error at its README line, and passes a block importing a named one', () => {
    const root = mkdtempSync(join(tmpdir(), 'hetmtl-snippet-test-'));
    try {
      symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
      mkdirSync(join(root, 'packages'));
      writeFileSync(
        join(root, 'README.md'),
        [
          '# demo',
          '```ts file=lib.ts',
          'export const n: number = 1;',
          '```',
          '```ts',
          "import { n } from './lib.js';",
          'const s: string = n;',
          '```',
        ].join('\n'),
      );
      const { count, errors } = checkSnippets(root);
      expect(count).toBe(2);
      expect(errors).toEqual([
        "README.md:7:7: error TS2322: Type 'number' is not assignable to type 'string'.",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
