// The model README example bundled for the browser by esbuild and by Vite with no bundler
// configuration (package.json: `bundle:esbuild`, `bundle:vite`), run in headless Chromium (Debian's
// `chromium`, driven by playwright-core) and compared with the same code run here in Node. No
// request may leave the local server. Also: the esbuild bundle served without its .wasm files fails
// with a BackendUnavailableError (its name intact in the minified bundle) whose message names wasmPaths.
import { execFileSync } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CHROMIUM_ARGS,
  CHROMIUM_INSTALL,
  CHROMIUM_PATH,
  chromiumMissing,
  inCi,
  keepLocal,
  serveStatic,
} from '@hetmtl/tooling/vitest/browser';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readmeExample } from './readme-example.js';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (chromiumMissing && !inCi) {
  console.warn(
    `[browser-examples] skipped: no Chromium at ${CHROMIUM_PATH}. Install it: ${CHROMIUM_INSTALL}`,
  );
}

test.runIf(chromiumMissing && inCi)('Chromium is installed for the bundler examples', () => {
  throw new Error(
    `No Chromium at ${CHROMIUM_PATH}: the bundler examples need it in CI. Install it: ${CHROMIUM_INSTALL}`,
  );
});

type Result = Awaited<ReturnType<typeof readmeExample>>;

describe.skipIf(chromiumMissing)('the README example bundled for the browser', () => {
  let browser: Browser | undefined;
  let inNode: Result;
  const servers: Server[] = [];

  beforeAll(async () => {
    // Both bundlers, as a user runs them (the build is part of what is tested).
    execFileSync('pnpm', ['run', 'bundle'], { cwd: appDir, stdio: 'pipe' });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
    inNode = await readmeExample();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  });

  /** Opens `root` served locally; returns the #result once the example is done or failed. */
  async function run(root: string, refuse?: (path: string) => boolean) {
    const server = await serveStatic(root, refuse ? { refuse } : {});
    servers.push(server);
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const outside = await keepLocal(page, origin);
    await page.goto(`${origin}/`);
    const result = page.locator('#result:not([data-state="running"])');
    await result.waitFor({ timeout: 110_000 });
    const state = await result.getAttribute('data-state');
    const value = JSON.parse((await result.textContent()) ?? 'null') as unknown;
    await page.close();
    return { state, value, problems, outside };
  }

  function expectSameAsNode(value: unknown) {
    const got = value as Result;
    // Same groups, same document, and the same metrics: bit for bit where the wasm binary and the
    // JavaScript are the same as in Node (they are: one tfjs-backend-wasm, one V8).
    expect(got.groups).toEqual(inNode.groups);
    expect(got.truth).toEqual(inNode.truth);
    expect(got.documentLength).toBe(inNode.documentLength);
    expect(got.tasks).toEqual(inNode.tasks);
    expect(got.reloaded).toEqual(inNode.reloaded);
    expect(Object.keys(got.tasks)).toHaveLength(5);
  }

  test('esbuild (--bundle --platform=browser --format=esm, the .wasm files next to the bundle)', async () => {
    const { state, value, problems, outside } = await run(join(appDir, 'esbuild'));
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
    expect(state, JSON.stringify(value)).toBe('done');
    expectSameAsNode(value);
  });

  test('Vite (vite build, no vite.config: it emits the .wasm files itself)', async () => {
    const { state, value, problems, outside } = await run(join(appDir, 'vite', 'dist'));
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
    expect(state, JSON.stringify(value)).toBe('done');
    expectSameAsNode(value);
  });

  test('without its .wasm files the minified esbuild bundle fails naming wasmPaths', async () => {
    const { state, value } = await run(join(appDir, 'esbuild'), (path) => path.endsWith('.wasm'));
    expect(state).toBe('error');
    const err = value as { name: string; message: string };
    expect(err.name).toBe('BackendUnavailableError');
    // Fetched relative to the bundle (esbuild/dist/main.js), not to the page (esbuild/index.html).
    expect(err.message).toMatch(
      /fetching tfjs-backend-wasm(-simd)?\.wasm from http:\/\/127\.0\.0\.1:\d+\/dist\/tfjs-backend-wasm(-simd)?\.wasm gave HTTP 404/,
    );
    expect(err.message).toContain('wasmPaths');
  });
});
