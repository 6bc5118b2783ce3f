#!/usr/bin/env node
// For every publishable package in packages/: `publint --strict` on what `pnpm pack` would publish;
// then pack them all and install the tarballs with npm into a scratch project, as a user would, and
// import every entry point of every package there. Checks that @tensorflow/tfjs-node (an optional
// peer of @hetmtl/backend-tfjs-node) is not installed and that the plugin reports why.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspacePackages } from './workspace.mjs';

const root = process.argv[2] ?? process.cwd();
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const publishable = workspacePackages(root).filter(
  (p) => p.dir.startsWith('packages/') && !p.pkg.private,
);

let failures = 0;
for (const { dir, path } of publishable) {
  try {
    run(join(root, 'node_modules', '.bin', 'publint'), ['--strict', '--pack', 'pnpm'], path);
    console.log(`publint ok   ${dir}`);
  } catch (e) {
    failures++;
    console.log(`publint FAIL ${dir}\n${e.stdout}${e.stderr}`);
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'hetmtl-scratch-'));
const tarballs = join(scratch, 'tarballs');
mkdirSync(tarballs);
for (const { path } of publishable) run('pnpm', ['pack', '--pack-destination', tarballs], path);
const files = Object.fromEntries(
  publishable.map(({ pkg }) => {
    const base = `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`;
    if (!existsSync(join(tarballs, base)))
      throw new Error(`pnpm pack did not produce ${base} (found ${readdirSync(tarballs)})`);
    return [pkg.name, `file:tarballs/${base}`];
  }),
);
const project = join(scratch);
writeFileSync(
  join(project, 'package.json'),
  JSON.stringify(
    { name: 'scratch', private: true, type: 'module', dependencies: files, overrides: files },
    null,
    2,
  ),
);
run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], project);

const entries = publishable.flatMap(({ pkg }) =>
  Object.keys(pkg.exports ?? { '.': null })
    .filter((k) => k !== './package.json' && !(pkg.name === '@hetmtl/testing' && k === './vitest'))
    .map((k) => (k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`)),
);
const probe = `
  for (const e of ${JSON.stringify(entries)}) { const m = await import(e); console.log('import ok  ', e, Object.keys(m).length, 'exports'); }
  const { tfjsNodeBackend } = await import('@hetmtl/backend-tfjs-node');
  const a = await tfjsNodeBackend().isAvailable();
  if (a.ok || !/not installed/.test(a.reason)) throw new Error('tfjs-node availability: ' + JSON.stringify(a));
  console.log('backend-tfjs-node without tfjs-node:', a.reason);`;
try {
  if (existsSync(join(project, 'node_modules', '@tensorflow', 'tfjs-node')))
    throw new Error('@tensorflow/tfjs-node was installed');
  process.stdout.write(run(process.execPath, ['--input-type=module', '-e', probe], project));
} catch (e) {
  failures++;
  console.log(`scratch install FAIL: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
}
console.log(
  failures === 0 ? `packs: ${publishable.length} packages ok` : `packs: ${failures} failure(s)`,
);
process.exit(failures === 0 ? 0 : 1);
