#!/usr/bin/env node
// Builds the N-API addon with node-gyp from the package's own sources, offline: node-gyp is given the
// headers of the running Node (`--nodedir`, from npm's `nodedir` setting or process.execPath's
// prefix), so it never downloads anything. Writes build/status.json, which the backend's
// isAvailable() reports when the addon cannot be loaded.
//
//   --install   (the package's install script) build unless the addon is up to date; never fails the install
//   --if-stale  (the build script) the same
//   --force     always rebuild; exits 1 when the build fails
//
// HETMTL_NATIVE_SKIP_BUILD=1 skips the build (the backend then reports why it is unavailable).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build');
const addonPath = join(buildDir, 'Release', 'hetmtl_native.node');
const statusPath = join(buildDir, 'status.json');
const mode = process.argv.includes('--force')
  ? 'force'
  : process.argv.includes('--if-stale')
    ? 'if-stale'
    : 'install';
const FALLBACK = 'or use wasmBackend() from @hetmtl/backend-wasm, which needs no compiler';

function log(msg) {
  console.log(`[@hetmtl/backend-native] ${msg}`);
}

function writeStatus(status) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(
    statusPath,
    `${JSON.stringify({ ...status, node: process.version, date: new Date().toISOString() }, null, 2)}\n`,
  );
}

function onPath(name) {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = join(dir, name + ext);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

/** How to run node-gyp: the one npm or pnpm points scripts to, an installed one, or npm's bundled one. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  try {
    candidates.push(createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package
  }
  const prefix = dirname(dirname(process.execPath));
  candidates.push(
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(
      prefix,
      'lib',
      'node_modules',
      'pnpm',
      'dist',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    join(
      dirname(process.execPath),
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  );
  for (const c of candidates) {
    if (existsSync(c))
      return /\.[cm]?js$/.test(c) ? { cmd: process.execPath, args: [c] } : { cmd: c, args: [] };
  }
  const onPathGyp = onPath('node-gyp');
  return onPathGyp ? { cmd: onPathGyp, args: [] } : undefined;
}

/** The directory holding include/node/node_api.h for the running Node, if there is one. */
function findNodeDir() {
  const configured = process.env.npm_config_nodedir;
  if (configured && existsSync(join(configured, 'include', 'node', 'node_api.h')))
    return configured;
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return undefined;
}

function missingTools() {
  const missing = [];
  if (process.platform === 'win32') return missing; // node-gyp finds Visual Studio itself
  const cxx = process.env.CXX
    ? (onPath(process.env.CXX.split(' ')[0]) ??
      (existsSync(process.env.CXX) ? process.env.CXX : undefined))
    : (onPath('c++') ?? onPath('g++') ?? onPath('clang++'));
  if (!cxx) missing.push('a C++17 compiler (g++ or clang++)');
  if (!onPath('make')) missing.push('make');
  const python = process.env.npm_config_python ?? process.env.PYTHON;
  if (!(python && existsSync(python)) && !onPath('python3') && !onPath('python'))
    missing.push('python3');
  return missing;
}

function newestSource() {
  let newest = statSync(join(root, 'binding.gyp')).mtimeMs;
  for (const f of readdirSync(join(root, 'native')))
    newest = Math.max(newest, statSync(join(root, 'native', f)).mtimeMs);
  return newest;
}

// `action` is what makes the native backend build; `fix` adds the switch to wasm (the backend's
// isAvailable() reports `action` as its remedy's fix and wasm, cpu as the alternatives).
function fail(kind, reason, action, extra = {}) {
  const fix = `${action}, ${FALLBACK}`;
  writeStatus({ ok: false, kind, reason, fix, action, ...extra });
  log(`native addon not built: ${reason}. ${fix}`);
  process.exit(mode === 'force' ? 1 : 0);
}

if (process.env.HETMTL_NATIVE_SKIP_BUILD === '1' && mode !== 'force') {
  fail(
    'skipped',
    'the build was skipped (HETMTL_NATIVE_SKIP_BUILD=1)',
    `Unset it and run \`npm rebuild @hetmtl/backend-native\``,
  );
}

// Up to date: built after its last source change (N-API addons do not depend on the Node version).
if (
  mode !== 'force' &&
  existsSync(addonPath) &&
  existsSync(statusPath) &&
  statSync(addonPath).mtimeMs >= newestSource()
) {
  log('native addon is up to date');
  process.exit(0);
}

const missing = missingTools();
if (missing.length > 0) {
  fail(
    'no-toolchain',
    `the build tools are missing: ${missing.join(', ')}`,
    `Install them (Debian/Ubuntu: apt-get install -y g++ make python3) and run \`npm rebuild @hetmtl/backend-native\``,
  );
}
const gyp = findNodeGyp();
if (!gyp) {
  fail(
    'no-toolchain',
    'node-gyp was not found (it ships with npm)',
    `Install npm or node-gyp and run \`npm rebuild @hetmtl/backend-native\``,
  );
}
const nodedir = findNodeDir();
if (!nodedir) {
  fail(
    'no-headers',
    `the headers of Node ${process.version} were not found next to ${process.execPath} (include/node/node_api.h), and downloading them is not attempted`,
    `Install Node from a distribution that ships its headers, or set npm's nodedir to a directory holding include/node, then run \`npm rebuild @hetmtl/backend-native\``,
  );
}

const jobs = Math.max(1, Math.min(4, cpus().length));
const args = [...gyp.args, 'rebuild', '--release', `--nodedir=${nodedir}`, `--jobs=${jobs}`];
log(`building the addon: node-gyp ${args.slice(gyp.args.length).join(' ')}`);
const started = Date.now();
const result = spawnSync(gyp.cmd, args, {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, npm_config_nodedir: nodedir },
  maxBuffer: 64 * 1024 * 1024,
});
const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
mkdirSync(buildDir, { recursive: true });
writeFileSync(join(buildDir, 'build.log'), output);
if (result.status !== 0 || !existsSync(addonPath)) {
  const tail = output.trim().split('\n').slice(-25).join('\n');
  if (mode !== 'install') process.stderr.write(`${tail}\n`);
  fail(
    'compile-error',
    `node-gyp failed (${result.error ? result.error.message : `exit code ${result.status}`}); see ${join(buildDir, 'build.log')}`,
    `Fix the toolchain and run \`npm rebuild @hetmtl/backend-native\``,
    { log: tail },
  );
}
writeStatus({
  ok: true,
  kind: 'ok',
  nodedir,
  seconds: Math.round((Date.now() - started) / 100) / 10,
});
log(`native addon built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
