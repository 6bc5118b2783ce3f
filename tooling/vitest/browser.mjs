// What the browser tests share (apps/web's end-to-end test, apps/browser-examples): a static server
// for a built folder on 127.0.0.1, and Debian's headless Chromium (driven by playwright-core, which
// each test package installs), found at CHROMIUM_PATH or /usr/bin/chromium.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_INSTALL =
  'apt-get install -y chromium (Debian), or set CHROMIUM_PATH to a Chromium binary';
/** Whether Chromium is missing here; in CI a missing Chromium is a failed test, not a skipped one. */
export const chromiumMissing = !existsSync(CHROMIUM_PATH);
export const inCi =
  process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

/** The flags of every headless run: no sandbox (root in CI), no GPU, nothing fetched by Chromium itself. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/**
 * A tiny static server for `root` on 127.0.0.1 and a free port (`server.address().port`). Paths for
 * which `refuse(path)` is true answer 404 (to test a missing file).
 * @param {string} root
 * @param {{ refuse?: (path: string) => boolean }} [options]
 * @returns {Promise<import('node:http').Server>}
 */
export function serveStatic(root, options = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    try {
      if (options.refuse?.(path)) throw new Error('refused');
      if (!file.startsWith(root) || !(await stat(file)).isFile()) throw new Error('not found');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : await readFile(file));
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/**
 * Keeps a playwright page offline: requests to `origin` (and blob: / data: URLs) go through, every
 * other one is aborted and its URL pushed onto the returned list (which a test expects empty).
 * @param {{ route(pattern: string, handler: (route: any) => unknown): Promise<unknown> }} page
 * @param {string} origin
 * @returns {Promise<string[]>}
 */
export async function keepLocal(page, origin) {
  const outside = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('blob:') || url.startsWith('data:'))
      return route.continue();
    outside.push(url);
    return route.abort();
  });
  return outside;
}
