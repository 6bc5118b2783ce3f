import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryFor, WASM_BINARIES } from './binaries.js';
import { wasmBackend } from './index.js';
import { locator as browserLocator } from './locate.browser.js';
import { locator as nodeLocator } from './locate.node.js';

describe('where the wasm binaries are', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/assets/tfjs-backend-wasm-simd.wasm')
        res.writeHead(200, { 'content-type': 'application/wasm' }).end();
      else if (
        req.url === '/spa/tfjs-backend-wasm-simd.wasm' ||
        req.url === '/node_modules/.vite/deps/tfjs-backend-wasm-simd.wasm'
      )
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('picks the binary TensorFlow.js loads', () => {
    expect(binaryFor(false, false)).toBe('tfjs-backend-wasm.wasm');
    expect(binaryFor(false, true)).toBe('tfjs-backend-wasm.wasm');
    expect(binaryFor(true, false)).toBe('tfjs-backend-wasm-simd.wasm');
    expect(binaryFor(true, true)).toBe('tfjs-backend-wasm-threaded-simd.wasm');
  });

  it('in browsers, defaults to the copies next to the module (relative to it, not to the page)', async () => {
    const paths = await browserLocator.defaultPaths();
    expect(typeof paths).toBe('object');
    for (const f of WASM_BINARIES) {
      expect((paths as Record<string, string>)[f]).toBe(new URL(`./${f}`, import.meta.url).href);
    }
  });

  it('in browsers, says which fetch failed', async () => {
    const prefix = `${origin}/assets/`;
    expect(await browserLocator.problem(prefix, 'tfjs-backend-wasm-simd.wasm')).toBeUndefined();
    expect(await browserLocator.problem(prefix, 'tfjs-backend-wasm.wasm')).toBe(
      `fetching tfjs-backend-wasm.wasm from ${prefix}tfjs-backend-wasm.wasm gave HTTP 404`,
    );
    // A dev server's fallback page for a file it does not have.
    expect(await browserLocator.problem(`${origin}/spa/`, 'tfjs-backend-wasm-simd.wasm')).toBe(
      `fetching tfjs-backend-wasm-simd.wasm from ${origin}/spa/tfjs-backend-wasm-simd.wasm gave an HTML page, not the binary`,
    );
    expect(
      await browserLocator.problem(
        `${origin}/node_modules/.vite/deps/`,
        'tfjs-backend-wasm-simd.wasm',
      ),
    ).toMatch(
      /gave an HTML page, not the binary \(Vite's dev server pre-bundled .*optimizeDeps\.exclude/,
    );
  });

  it('in Node, finds the installed binaries and says which file is missing', async () => {
    const dir = await nodeLocator.defaultPaths();
    for (const f of WASM_BINARIES) expect(await nodeLocator.problem(dir, f)).toBeUndefined();
    expect(await nodeLocator.problem('/no/such/dir/', 'tfjs-backend-wasm-simd.wasm')).toBe(
      'the binary tfjs-backend-wasm-simd.wasm is missing (no file /no/such/dir/tfjs-backend-wasm-simd.wasm)',
    );
  });

  it('a wrong wasmPaths is unavailable with a fix naming wasmPaths', async () => {
    const a = await wasmBackend({ wasmPaths: '/no/such/dir/' }).isAvailable();
    expect(a.ok).toBe(false);
    if (a.ok) return;
    expect(a.reason).toMatch(/tfjs-backend-wasm(-simd)?\.wasm is missing/);
    expect(a.fix).toMatch(/^Check wasmBackend\(\{ wasmPaths \}\)/);
    expect(a.remedy?.alternatives).toEqual(['cpu']);
  });
});
