import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type BackendPlugin, unavailable, useBackend } from './backend.js';
import {
  BackendRegistry,
  backendRegistry,
  loadBackend,
  useBackendByName,
} from './backend-loader.js';
import { BackendUnavailableError, ValidationError } from './errors.js';
import { tf } from './tf.js';

const plugin = (
  name: string,
  config: Record<string, unknown> = {},
  available = true,
): BackendPlugin => ({
  kind: 'backend',
  specVersion: 1,
  name,
  tfBackendName: 'cpu',
  config,
  isAvailable: async () =>
    available ? { ok: true } : unavailable('no GPU here', 'Install a GPU driver', ['wasm', 'cpu']),
  setup: async () => {},
});

function registry(): BackendRegistry {
  const r = new BackendRegistry();
  r.register({
    name: 'fake',
    packageName: '@fake/backend',
    factory: 'fakeBackend',
    summary: 'a test backend',
    alternatives: ['cpu'],
  });
  return r;
}

describe('backendRegistry', () => {
  it("knows hetmtl's four backends in registration order, with their packages and factories", () => {
    expect(backendRegistry.kinds()).toEqual(['wasm', 'cpu', 'tfjs-node', 'native']);
    expect(backendRegistry.get('wasm')).toMatchObject({
      packageName: '@hetmtl/backend-wasm',
      factory: 'wasmBackend',
    });
    expect(backendRegistry.get('native').alternatives).toEqual(['wasm', 'cpu']);
  });

  it('registers a name once unless { replace: true }; unknown names list the known ones', () => {
    const r = registry();
    expect(() => r.register({ name: 'fake', packageName: 'x', factory: 'y', summary: '' })).toThrow(
      /already registered.*replace: true/,
    );
    r.register(
      { name: 'fake', packageName: '@fake/other', factory: 'y', summary: '' },
      { replace: true },
    );
    expect(r.get('fake').packageName).toBe('@fake/other');
    const err = (() => {
      try {
        r.get('gpu');
      } catch (e) {
        return e;
      }
    })();
    expect(ValidationError.isInstance(err)).toBe(true);
    expect((err as ValidationError).expected).toBe('one of fake');
  });
});

describe('loadBackend', () => {
  it('imports the package lazily, calls its factory with the options and returns the plugin', async () => {
    let imported = 0;
    const load = loadBackend('fake', {
      registry: registry(),
      options: { threads: 2 },
      import: async () => {
        imported++;
        return { fakeBackend: (o: Record<string, unknown>) => plugin('fake', o) };
      },
    });
    const p = await load;
    expect(imported).toBe(1);
    expect(p.config).toEqual({ threads: 2 });
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('resolves an installed package by name from resolveFrom (Node), importing it only when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-loader-'));
    const pkg = join(dir, 'node_modules', '@fake', 'backend');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: '@fake/backend',
        type: 'module',
        exports: { '.': { default: './index.js' } },
      }),
    );
    writeFileSync(
      join(pkg, 'index.js'),
      `globalThis.__fakeBackendImports = (globalThis.__fakeBackendImports ?? 0) + 1;
       export function fakeBackend() { return { kind: 'backend', specVersion: 1, name: 'fake', tfBackendName: 'cpu', config: {}, isAvailable: async () => ({ ok: true }), setup: async () => {} }; }`,
    );
    const g = globalThis as { __fakeBackendImports?: number };
    expect(g.__fakeBackendImports).toBeUndefined();
    const from = pathToFileURL(join(dir, 'app.js'));
    const p = await loadBackend('fake', { registry: registry(), resolveFrom: from });
    expect(p.name).toBe('fake');
    expect(g.__fakeBackendImports).toBe(1);
    expect((await useBackendByName('fake', { registry: registry(), resolveFrom: from })).name).toBe(
      'fake',
    );
    expect(tf.getBackend()).toBe('cpu');
  });

  it('a package that is not installed is a BackendUnavailableError with a structured remedy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-loader-empty-'));
    const err = await loadBackend('fake', { registry: registry(), resolveFrom: `${dir}/` }).catch(
      (e: unknown) => e,
    );
    expect(BackendUnavailableError.isInstance(err)).toBe(true);
    const e = err as BackendUnavailableError;
    expect(e.backend).toBe('fake');
    expect(e.remedy).toEqual({
      reason: '@fake/backend is not installed',
      fix: 'Install it with `pnpm add @fake/backend`',
      alternatives: ['cpu'],
    });
    // The message says it in the API's words; the remedy lets another interface use its own.
    expect(e.message).toBe(
      'Backend "fake" is not available: @fake/backend is not installed. Install it with `pnpm add @fake/backend`, or use cpuBackend() from @hetmtl/backend-cpu',
    );
  });

  it('a package that fails to load, or lacks the factory, or makes another backend, is reported', async () => {
    const boom = new Error('syntax error in the package');
    const failed = (await loadBackend('fake', {
      registry: registry(),
      import: () => Promise.reject(boom),
    }).catch((e: unknown) => e)) as BackendUnavailableError;
    expect(BackendUnavailableError.isInstance(failed)).toBe(true);
    expect(failed.cause).toBe(boom);
    expect(failed.remedy.alternatives).toEqual(['cpu']);
    await expect(
      loadBackend('fake', { registry: registry(), import: async () => ({}) }),
    ).rejects.toThrow(/has no factory fakeBackend\(\)/);
    await expect(
      loadBackend('fake', {
        registry: registry(),
        import: async () => ({ fakeBackend: () => plugin('other') }),
      }),
    ).rejects.toThrow(/made a backend named "other"/);
    await expect(loadBackend('gpu')).rejects.toSatisfy((e: unknown) =>
      ValidationError.isInstance(e),
    );
  });
});

describe('unavailable() and useBackend: the remedy as data', () => {
  it('keeps reason, fix and alternatives apart, and words the prose fix for the API', async () => {
    const a = unavailable('no GPU here', 'Install a GPU driver', ['wasm', 'cpu']);
    expect(a).toEqual({
      ok: false,
      reason: 'no GPU here',
      fix: 'Install a GPU driver, or use wasmBackend() from @hetmtl/backend-wasm or cpuBackend() from @hetmtl/backend-cpu',
      remedy: { reason: 'no GPU here', fix: 'Install a GPU driver', alternatives: ['wasm', 'cpu'] },
    });
    expect(unavailable('no WebAssembly', '', ['cpu'])).toMatchObject({
      fix: 'Use cpuBackend() from @hetmtl/backend-cpu',
    });
    const err = (await useBackend(plugin('gpu', {}, false)).catch(
      (e: unknown) => e,
    )) as BackendUnavailableError;
    expect(err.remedy).toEqual({
      reason: 'no GPU here',
      fix: 'Install a GPU driver',
      alternatives: ['wasm', 'cpu'],
    });
    expect(err.fix).toBe(a.ok ? undefined : a.fix);
  });

  it('a plugin that reports only prose still gets a remedy (its fix, no alternatives)', async () => {
    const old: BackendPlugin = {
      ...plugin('old'),
      isAvailable: async () => ({ ok: false, reason: 'r', fix: 'Do this' }),
    };
    const err = (await useBackend(old).catch((e: unknown) => e)) as BackendUnavailableError;
    expect(err.remedy).toEqual({ reason: 'r', fix: 'Do this', alternatives: [] });
    expect(new BackendUnavailableError('x', 'why').remedy).toEqual({
      reason: 'why',
      fix: '',
      alternatives: [],
    });
  });
});
