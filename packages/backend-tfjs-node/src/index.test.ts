import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendUnavailableError, tf, useBackend } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { tfjsNodeBackend } from './index.js';

function fakeInstall(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hetmtl-tfjs-node-'));
  const pkg = join(dir, 'node_modules', '@tensorflow', 'tfjs-node');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.22.0', main: 'index.js' }),
  );
  writeFileSync(join(pkg, 'index.js'), body);
  return dir;
}

describe('tfjsNodeBackend without @tensorflow/tfjs-node', () => {
  it('isAvailable says it is not installed and how to get it or what to use instead', async () => {
    const a = await tfjsNodeBackend({
      resolveFrom: mkdtempSync(join(tmpdir(), 'empty-')),
    }).isAvailable();
    expect(a.ok).toBe(false);
    if (!a.ok) {
      expect(a.reason).toBe('@tensorflow/tfjs-node is not installed');
      expect(a.fix).toMatch(/pnpm add @tensorflow\/tfjs-node@4\.22\.0.*wasmBackend\(\)/);
    }
  });

  it('useBackend and setup fail with BackendUnavailableError naming the remedy; the current backend stays', async () => {
    await tf.setBackend('cpu');
    const plugin = tfjsNodeBackend({ resolveFrom: mkdtempSync(join(tmpdir(), 'empty-')) });
    const err = await useBackend(plugin).catch((e: unknown) => e);
    expect(BackendUnavailableError.isInstance(err)).toBe(true);
    expect((err as Error).message).toMatch(
      /^Backend "tfjs-node" is not available: @tensorflow\/tfjs-node is not installed\. Install it/,
    );
    await expect(plugin.setup()).rejects.toSatisfy((e: unknown) =>
      BackendUnavailableError.isInstance(e),
    );
    expect(tf.getBackend()).toBe('cpu');
  });

  it('reports an installed package whose native addon does not load', async () => {
    const dir = fakeInstall(
      "throw new Error('The specified module could not be found: tfjs_binding.node');",
    );
    const a = await tfjsNodeBackend({ resolveFrom: dir }).isAvailable();
    expect(a).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/installed but failed to load \(The specified module/),
    });
  });

  it('is available when the package loads', async () => {
    const dir = fakeInstall('module.exports = {};');
    expect(await tfjsNodeBackend({ resolveFrom: dir }).isAvailable()).toEqual({ ok: true });
  });
});
