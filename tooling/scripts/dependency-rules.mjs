// The dependency rules of docs/design.md, checked on the imports of every package's source.
//
// - Everything points toward @hetmtl/tensor; it depends on no other hetmtl package.
// - encoders, regularizers, optimizer and data do not know each other; model composes them.
// - estimator (what model and baselines share) knows only tensor and data.
// - No package imports model, a backend (except testing's reference cpu), or an app; model never
//   imports a backend: the user chooses one.
// - Only @hetmtl/tensor and the backend packages import @tensorflow/* directly.
// - Every import is declared in package.json (dependencies for source; devDependencies too for tests).
// Test files (*.test.ts, test/, bench/) may also import backends, @hetmtl/testing and the root's dev tools;
// a backend's tests may import model (to check the model's fit on that backend).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { workspacePackages } from './workspace.mjs';

const CORE = ['@hetmtl/tensor'];
export const RULES = {
  '@hetmtl/tensor': [],
  '@hetmtl/backend-cpu': CORE,
  '@hetmtl/backend-wasm': CORE,
  '@hetmtl/backend-tfjs-node': CORE,
  '@hetmtl/backend-native': CORE,
  '@hetmtl/encoders': CORE,
  '@hetmtl/regularizers': CORE,
  '@hetmtl/optimizer': CORE,
  '@hetmtl/data': CORE,
  // The estimator kit: what the model and the baselines share (they may not import each other).
  '@hetmtl/estimator': [...CORE, '@hetmtl/data'],
  '@hetmtl/model': [
    ...CORE,
    '@hetmtl/encoders',
    '@hetmtl/regularizers',
    '@hetmtl/optimizer',
    '@hetmtl/data',
    '@hetmtl/estimator',
  ],
  '@hetmtl/baselines': [
    ...CORE,
    '@hetmtl/encoders',
    '@hetmtl/regularizers',
    '@hetmtl/optimizer',
    '@hetmtl/data',
    '@hetmtl/estimator',
  ],
  '@hetmtl/testing': [...CORE, '@hetmtl/backend-cpu', '@hetmtl/encoders', '@hetmtl/regularizers'],
};
const TF_ALLOWED = new Set([
  '@hetmtl/tensor',
  '@hetmtl/backend-cpu',
  '@hetmtl/backend-wasm',
  '@hetmtl/backend-tfjs-node',
  '@hetmtl/backend-native',
]);
const isBackend = (name) => name.startsWith('@hetmtl/backend-');

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(m|c)?[jt]sx?$/.test(entry) && !entry.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// A module specifier never holds white space or a comma: that keeps the word "from" inside a
// string ("Remove it from ', opt(…)") from reading as an import.
const IMPORT_RE =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"\s,]+)['"]/g;

/** The bare package names a source file imports (comments stripped). */
export function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const names = new Set();
  for (const m of code.matchAll(IMPORT_RE)) {
    const spec = m[1];
    if (
      spec.includes('${') ||
      spec.startsWith('.') ||
      spec.startsWith('/') ||
      spec.startsWith('node:') ||
      spec.startsWith('#') ||
      builtinModules.includes(spec.split('/')[0])
    )
      continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  }
  return [...names];
}

/** All violations under root, as readable strings (empty when the rules hold). */
export function checkDependencyRules(root) {
  const violations = [];
  // Tests may use the root's dev tools (vitest) without each package declaring them.
  const rootDev = Object.keys(
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies ?? {},
  );
  for (const { dir, path, pkg } of workspacePackages(root)) {
    if (!dir.startsWith('packages/')) continue;
    const name = pkg.name;
    const allowed = RULES[name];
    if (!allowed) {
      violations.push(
        `${dir}: package ${name} has no dependency rule; add it to tooling/scripts/dependency-rules.mjs`,
      );
      continue;
    }
    const deps = new Set(
      Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies }),
    );
    const devDeps = new Set([...deps, ...Object.keys(pkg.devDependencies ?? {}), ...rootDev]);
    for (const file of sourceFiles(path)) {
      const rel = relative(root, file);
      // Tests, benchmarks and build scripts (scripts/: run at build time, never shipped) may use devDependencies.
      const isTest =
        /\.test\.[cm]?[jt]sx?$/.test(file) ||
        rel.includes('/test/') ||
        rel.includes('/bench/') ||
        rel.includes('/scripts/');
      for (const imp of importsOf(readFileSync(file, 'utf8'))) {
        if (imp === name) continue;
        if (imp.startsWith('@hetmtl/')) {
          const library = RULES[imp] !== undefined || imp === '@hetmtl/tooling';
          // A backend's tests may fit the model on it (the model never imports a backend, so no cycle).
          const ok =
            allowed.includes(imp) ||
            (isTest && library && (imp !== '@hetmtl/model' || isBackend(name)));
          if (!ok) {
            const why =
              imp === '@hetmtl/model'
                ? 'no package imports model (only apps do)'
                : !library
                  ? `${imp} is an app or unknown package`
                  : isBackend(imp)
                    ? 'backends are chosen by the user, not imported by library packages'
                    : `${name} may import only ${allowed.join(', ') || 'no hetmtl package'}`;
            violations.push(`${rel}: imports ${imp}: ${why}`);
          }
        } else if (imp.startsWith('@tensorflow/') && !TF_ALLOWED.has(name)) {
          violations.push(
            `${rel}: imports ${imp}: use tf from @hetmtl/tensor (the one handle on TensorFlow.js)`,
          );
        }
        if (!(isTest ? devDeps : deps).has(imp)) {
          violations.push(
            `${rel}: imports ${imp}, which ${dir}/package.json does not declare in ${isTest ? 'dependencies or devDependencies' : 'dependencies'}`,
          );
        }
      }
    }
  }
  return violations;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const violations = checkDependencyRules(process.argv[2] ?? process.cwd());
  for (const v of violations) console.error(`dependency rule: ${v}`);
  console.log(
    violations.length === 0
      ? 'dependency rules: ok'
      : `dependency rules: ${violations.length} violation(s)`,
  );
  process.exit(violations.length === 0 ? 0 : 1);
}
