// docs/architecture.md names a file and a function for every step of a fit: each must exist.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The rows `| n | step | \`file\` | \`function\` |` of the page. */
function steps(markdown) {
  const out = [];
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*(\d+)\s*\|.*\|\s*`([^`]+\.ts)`\s*\|\s*`([A-Za-z_$][\w$]*)`\s*\|\s*$/.exec(
      line,
    );
    if (m) out.push({ step: Number(m[1]), file: m[2], fn: m[3] });
  }
  return out;
}

/** Why a step does not match the code (undefined when it does). */
function mismatch(root, { file, fn }) {
  const path = join(root, file);
  if (!existsSync(path)) return `${file} does not exist`;
  const src = readFileSync(path, 'utf8');
  const def = new RegExp(
    `(function\\*?|class|const|let|interface)\\s+${fn}\\b|^\\s+(async\\s+)?(static\\s+)?${fn}\\s*[(<]`,
    'm',
  );
  return def.test(src) ? undefined : `${file} defines no ${fn}`;
}

describe('docs/architecture.md', () => {
  const rows = steps(readFileSync(join(repoRoot, 'docs', 'architecture.md'), 'utf8'));

  it('lists the steps of a fit in order, from the CLI to the model file', () => {
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.map((r) => r.step)).toEqual(rows.map((_, i) => i + 1));
    expect(rows[0].file).toMatch(/^apps\/cli\//);
    expect(rows.some((r) => r.fn === 'solve' && r.file.endsWith('fusion.ts'))).toBe(true);
  });

  it('names files that exist and functions they define', () => {
    expect(rows.map((r) => mismatch(repoRoot, r)).filter(Boolean)).toEqual([]);
  });

  it('would notice a renamed function or a moved file', () => {
    expect(
      mismatch(repoRoot, { file: 'packages/model/src/dual/sequence.ts', fn: 'fitDual' }),
    ).toMatch(/defines no fitDual/);
    expect(
      mismatch(repoRoot, { file: 'packages/model/src/trainer.ts', fn: 'DualTrainer' }),
    ).toMatch(/does not exist/);
  });
});
