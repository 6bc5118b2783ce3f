// Every published package bundles for the browser with no configuration: esbuild
// (--bundle --platform=browser) on each package's entry, as resolved through its package.json
// conditions, succeeds and pulls in no node:* module. (The examples' test runs two of them.)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const packagesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages');
const published = readdirSync(packagesDir)
  .map((dir) => ({
    dir: join(packagesDir, dir),
    pkg: JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
    },
  }))
  .filter(({ pkg }) => !pkg.private);

describe('browser bundles of the published packages', () => {
  it.each(published.map((p) => [p.pkg.name, p.dir] as const))(
    '%s bundles with no node:* module',
    async (name, dir) => {
      const out = await build({
        // Resolved from the package's own directory, as an app that depends on it would.
        stdin: { contents: `export * from '${name}';`, resolveDir: dir },
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(out.metafile.inputs);
      expect(
        inputs.filter((i) => i.startsWith('node:') || /^(fs|path|module|url)$/.test(i)),
      ).toEqual([]);
      expect(inputs.length).toBeGreaterThan(1);
    },
  );
});
