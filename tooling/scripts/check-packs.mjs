#!/usr/bin/env node
// For every publishable package (not private: packages/ and the CLI, apps/cli): `publint --strict`
// on what `pnpm pack` would publish; then pack them all and install the tarballs with npm into a
// scratch project, as a user would, and import every entry point of every library package there.
// Checks that @tensorflow/tfjs-node (an optional peer of @hetmtl/backend-tfjs-node) is not
// installed and that the plugin reports why; then runs the installed command as a user would
// (`npx hetmtl --help`, and simulate → fit → predict on the wasm backend).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspacePackages } from './workspace.mjs';

const root = process.argv[2] ?? process.cwd();
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const publishable = workspacePackages(root).filter((p) => !p.pkg.private);

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

// Library packages (with exports); a command-only package (bin, no exports) is run below instead.
const entries = publishable.flatMap(({ pkg }) =>
  Object.keys(pkg.exports ?? (pkg.bin ? {} : { '.': null }))
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
// The command from its tarball: `npx hetmtl` finds the installed bin (no download: --no-install).
const commands = publishable.filter(({ pkg }) => pkg.bin);
const npx = (args) => run('npx', ['--no-install', ...args], project);
for (const { pkg } of commands) {
  for (const bin of Object.keys(pkg.bin)) {
    try {
      const help = npx([bin, '--help']);
      if (!/^Usage: hetmtl /m.test(help)) throw new Error(`unexpected --help output:\n${help}`);
      const version = npx([bin, '--version']).trim();
      if (version !== pkg.version)
        throw new Error(`--version printed ${version}, the package is ${pkg.version}`);
      npx([bin, 'simulate', '--tasks', '3', '--n', '30', '--p', '5', '--out', 'sim.csv', '-q']);
      npx([
        bin,
        'fit',
        'sim.csv',
        '--task',
        'task',
        '--target',
        'y',
        '--quick',
        '--jobs',
        '1',
        '-q',
        '--out',
        'sim.model.json',
      ]);
      const preds = npx([bin, 'predict', 'sim.model.json', 'sim.csv']).trim().split('\n');
      if (preds.length !== 91 || !preds[0].endsWith(',prediction'))
        throw new Error(`predict printed ${preds.length} lines, expected a header and 90 rows`);
      console.log(`npx ${bin} ok   --help, --version ${version}, simulate → fit → predict (wasm)`);
    } catch (e) {
      failures++;
      console.log(`npx ${bin} FAIL: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  }
}
console.log(
  failures === 0 ? `packs: ${publishable.length} packages ok` : `packs: ${failures} failure(s)`,
);
process.exit(failures === 0 ? 0 : 1);
