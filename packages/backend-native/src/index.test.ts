import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BackendUnavailableError,
  defineBackend,
  tf,
  useBackend,
  ValidationError,
} from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import {
  NATIVE_KERNELS,
  nativeBackend,
  nativeInfo,
  nativeMemory,
  PRIORITY,
  releaseNativeMemory,
  TF_BACKEND_NAME,
} from './index.js';
import { loadBinding } from './addon.js';
import { nativeKernelNames } from './register.js';
import { skipNative, skipOpenBLAS } from './test-fixtures/native.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function runNode(script: string, cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    env,
    encoding: 'utf8',
  });
}

describe('nativeBackend()', () => {
  it('is a backend plugin with a JSON-safe config', () => {
    const plugin = nativeBackend();
    expect(defineBackend(plugin)).toBe(plugin);
    expect(plugin).toMatchObject({
      kind: 'backend',
      specVersion: 1,
      name: 'native',
      tfBackendName: 'hetmtl-native',
    });
    expect(plugin.config).toEqual({ gemm: 'auto', threads: 1 });
    expect(
      JSON.parse(JSON.stringify(nativeBackend({ gemm: 'builtin', threads: 2 }).config)),
    ).toEqual({ gemm: 'builtin', threads: 2 });
  });

  it('rejects invalid options with a ValidationError that says what to pass', () => {
    expect(() => nativeBackend({ gemm: 'mkl' as never })).toThrow(ValidationError);
    expect(() => nativeBackend({ gemm: 'mkl' as never })).toThrow(
      /expected 'auto', 'openblas' or 'builtin'/,
    );
    expect(() => nativeBackend({ threads: 0 })).toThrow(/an integer from 1 to 256/);
    expect(() => nativeBackend({ threads: 1.5 })).toThrow(ValidationError);
  });

  it('is never chosen by default: registered below cpu', () => {
    expect(PRIORITY).toBeLessThan(1);
  });
});

describe.skipIf(skipNative)('the native backend here', () => {
  it('activates, with SIMD and one thread by default', async () => {
    const info = await useBackend(nativeBackend({ gemm: 'builtin' }));
    expect(info).toMatchObject({
      name: 'native',
      tfBackendName: TF_BACKEND_NAME,
      simd: true,
      threads: 1,
      floatPrecision: 32,
    });
    expect(nativeInfo().gemm).toBe('builtin');
    const registry = (
      tf.engine() as unknown as { registryFactory: Record<string, { priority: number }> }
    ).registryFactory;
    expect(registry[TF_BACKEND_NAME]?.priority).toBe(PRIORITY);
    expect(registry[TF_BACKEND_NAME]?.priority).toBeLessThan(registry.cpu?.priority);
  });

  it('reports the threads it was given', async () => {
    const info = await useBackend(nativeBackend({ gemm: 'builtin', threads: 2 }));
    expect(info.threads).toBe(2);
    await useBackend(nativeBackend({ gemm: 'builtin' }));
    expect(nativeInfo().threads).toBe(1);
  });

  it('registers every cpu kernel, and the native ones over it', () => {
    const loaded = loadBinding();
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(nativeKernelNames(loaded.binding).sort()).toEqual([...NATIVE_KERNELS].sort());
    const cpu = tf.getKernelsForBackend('cpu').map((k) => k.kernelName);
    const native = new Set(tf.getKernelsForBackend(TF_BACKEND_NAME).map((k) => k.kernelName));
    expect(cpu.filter((k) => !native.has(k))).toEqual([]);
  });

  it('nativeInfo() says which GEMM runs and where OpenBLAS is', () => {
    const info = nativeInfo();
    expect(info.available).toBe(true);
    expect(info.build.ok).toBe(true);
    expect(['avx2+fma', 'generic']).toContain(info.builtinKernel);
    if (!skipOpenBLAS) expect(info.openblasPath).toMatch(/openblas/);
  });

  it.skipIf(skipOpenBLAS)("gemm: 'auto' picks OpenBLAS when it is installed", async () => {
    await useBackend(nativeBackend());
    expect(nativeInfo().gemm).toBe('openblas');
    await useBackend(nativeBackend({ gemm: 'builtin' }));
    expect(nativeInfo().gemm).toBe('builtin');
  });

  it.each([
    ['turned off', 'none', /turned off by HETMTL_OPENBLAS=none/],
    [
      'not at the given path',
      '/nonexistent/libopenblas.so.0',
      /tried \/nonexistent\/libopenblas.so.0: .*No such file/,
    ],
  ])(
    "without OpenBLAS (%s), gemm: 'openblas' is unavailable and says what to install; 'auto' uses the built-in GEMM",
    (_label, value, reason) => {
      const script = `
      import { nativeBackend, nativeInfo } from './dist/index.js';
      import { useBackend } from '@hetmtl/tensor';
      const a = await nativeBackend({ gemm: 'openblas' }).isAvailable();
      await useBackend(nativeBackend());
      console.log(JSON.stringify({ a, gemm: nativeInfo().gemm }));`;
      const out = runNode(script, packageDir, { ...process.env, HETMTL_OPENBLAS: value });
      const r = JSON.parse(out.trim().split('\n').pop() as string);
      expect(r.a).toMatchObject({ ok: false });
      expect(r.a.reason).toMatch(reason);
      expect(r.a.fix).toMatch(/apt-get install -y libopenblas0/);
      expect(r.gemm).toBe('builtin');
    },
  );

  it('pools large outputs and can release them', async () => {
    await useBackend(nativeBackend({ gemm: 'builtin' }));
    const x = tf.ones([200, 100]);
    for (let i = 0; i < 4; i++) tf.dispose(tf.exp(x));
    const m = nativeMemory();
    expect(m.hits).toBeGreaterThan(0);
    expect(m.pooledBytes).toBeGreaterThan(0);
    releaseNativeMemory();
    expect(nativeMemory().pooledBytes).toBe(0);
    x.dispose();
  });
});

describe('install without a compiler', () => {
  it('still installs, and isAvailable() says why and names wasm', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-native-nocc-'));
    try {
      for (const f of ['package.json', 'binding.gyp', 'native', 'scripts', 'dist'])
        cpSync(join(packageDir, f), join(dir, f), { recursive: true });
      symlinkSync(join(packageDir, 'node_modules'), join(dir, 'node_modules'));
      // A PATH with no compiler, make or python: the install script must exit 0 and explain.
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: dirname(process.execPath) === '/usr/bin' ? '/nonexistent' : dirname(process.execPath),
      };
      delete env.CXX;
      delete env.npm_config_node_gyp;
      const log = execFileSync(process.execPath, ['scripts/build-addon.mjs', '--install'], {
        cwd: dir,
        env,
        encoding: 'utf8',
      });
      expect(log).toMatch(/native addon not built: the build tools are missing/);
      const status = JSON.parse(readFileSync(join(dir, 'build', 'status.json'), 'utf8'));
      expect(status).toMatchObject({ ok: false, kind: 'no-toolchain' });
      expect(existsSync(join(dir, 'build', 'Release', 'hetmtl_native.node'))).toBe(false);
      const out = runNode(
        `import { nativeBackend, nativeInfo } from './dist/index.js';
         console.log(JSON.stringify({ a: await nativeBackend().isAvailable(), info: nativeInfo() }));`,
        dir,
      );
      const { a, info } = JSON.parse(out.trim().split('\n').pop() as string);
      expect(a.ok).toBe(false);
      expect(a.reason).toMatch(/not built: the build tools are missing: a C\+\+17 compiler/);
      expect(a.fix).toMatch(/wasmBackend\(\) from @hetmtl\/backend-wasm/);
      expect(info).toMatchObject({ available: false, build: { kind: 'no-toolchain' } });
      // useBackend turns it into a BackendUnavailableError carrying the fix.
      const err = runNode(
        `import { nativeBackend } from './dist/index.js';
         import { useBackend } from '@hetmtl/tensor';
         try { await useBackend(nativeBackend()); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`,
        dir,
      );
      const e = JSON.parse(err.trim().split('\n').pop() as string);
      expect(e.code).toBe(new BackendUnavailableError('x', 'y').code);
      expect(e.message).toMatch(/Backend "native" is not available: .*wasmBackend/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an addon that was never built (install scripts disabled)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-native-noscripts-'));
    try {
      for (const f of ['package.json', 'dist'])
        cpSync(join(packageDir, f), join(dir, f), { recursive: true });
      symlinkSync(join(packageDir, 'node_modules'), join(dir, 'node_modules'));
      const out = runNode(
        `import { nativeBackend } from './dist/index.js'; console.log(JSON.stringify(await nativeBackend().isAvailable()));`,
        dir,
      );
      const a = JSON.parse(out.trim().split('\n').pop() as string);
      expect(a).toMatchObject({ ok: false });
      expect(a.reason).toMatch(/never built/);
      expect(a.fix).toMatch(/npm rebuild @hetmtl\/backend-native.*wasmBackend/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
