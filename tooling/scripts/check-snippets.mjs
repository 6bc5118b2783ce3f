// Type-checks the TypeScript snippets of the documentation against the built packages, as a user
// would compile them: every ```ts block of the README.md files (root, packages/*, apps/*) and of
// the TSDoc comments in packages/*/src, each as its own module, in a scratch project whose
// node_modules links the workspace packages by name (so their exports, conditions and .d.ts files
// are resolved as from an install), of "type": "module", and whose tsconfig is `tsc --init`'s (TypeScript 5.9: strict,
// noUncheckedIndexedAccess, exactOptionalPropertyTypes, nodenext) plus Node's types.
//
// A block whose info string has `nocheck` (```ts nocheck) is skipped: for fragments that are not a
// module (a signature, a type shown for reading). `file=NAME.ts` in the info string names the block's
// module, so that a later block of the same file can import it (`from './NAME.js'`). Run after
// `pnpm build`:
//   node tooling/scripts/check-snippets.mjs [root]
// Errors are reported at the line of the README or source file they come from.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { workspacePackages } from './workspace.mjs';

/** `tsc --init` of TypeScript 5.9, with Node's types (a Node user installs @types/node). */
export const SNIPPET_TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    target: 'esnext',
    types: ['node'],
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    strict: true,
    jsx: 'react-jsx',
    verbatimModuleSyntax: true,
    isolatedModules: true,
    noUncheckedSideEffectImports: true,
    moduleDetection: 'force',
    skipLibCheck: true,
    noEmit: true,
  },
  include: ['snippets/**/*.ts'],
};

const FENCE = /^(\s*)```(ts|typescript)\b([^\n]*)$/;

/**
 * The ```ts blocks of a markdown text, or of the comments of a TypeScript source when `tsdoc` (the
 * lines' leading ` * ` removed): `{ line, code, name? }` with `line` the 1-based line of the block's
 * first code line and `name` its `file=` module name. Blocks marked `nocheck` are left out.
 */
export function extractSnippets(text, { tsdoc = false } = {}) {
  const lines = text.split('\n').map((l) => (tsdoc ? l.replace(/^\s*\*\s?/, '') : l));
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) body.push(lines[j++].slice(indent));
    const name = /\bfile=([\w.-]+\.ts)\b/.exec(open[3])?.[1];
    if (!/\bnocheck\b/.test(open[3]))
      out.push({ line: i + 2, code: `${body.join('\n')}\n`, ...(name ? { name } : {}) });
    i = j;
  }
  return out;
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (entry !== 'node_modules' && entry !== 'test-fixtures') out.push(...sourceFiles(p));
    } else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts') && !entry.endsWith('.d.ts'))
      out.push(p);
  }
  return out;
}

/** Every snippet of the repository: `{ file (relative to root), line, code }`. */
export function collectSnippets(root) {
  const found = [];
  const readmes = [join(root, 'README.md')];
  const packages = workspacePackages(root);
  for (const { path } of packages) readmes.push(join(path, 'README.md'));
  for (const file of readmes.filter((f) => existsSync(f))) {
    for (const s of extractSnippets(readFileSync(file, 'utf8')))
      found.push({ file: relative(root, file), ...s });
  }
  for (const { dir, path } of packages) {
    if (!dir.startsWith('packages/') || !existsSync(join(path, 'src'))) continue;
    for (const file of sourceFiles(join(path, 'src'))) {
      for (const s of extractSnippets(readFileSync(file, 'utf8'), { tsdoc: true }))
        found.push({ file: relative(root, file), ...s });
    }
  }
  return found;
}

/** Type-checks the snippets; returns the errors as `file:line:col: message` strings. */
export function checkSnippets(root) {
  const snippets = collectSnippets(root);
  const scratch = mkdtempSync(join(tmpdir(), 'hetmtl-snippets-'));
  try {
    const modules = join(scratch, 'node_modules');
    mkdirSync(join(modules, '@types'), { recursive: true });
    for (const { path, pkg } of workspacePackages(root)) {
      if (!pkg.name?.startsWith('@hetmtl/')) continue;
      mkdirSync(join(modules, '@hetmtl'), { recursive: true });
      symlinkSync(path, join(modules, pkg.name), 'dir');
    }
    symlinkSync(
      join(root, 'node_modules', '@types', 'node'),
      join(modules, '@types', 'node'),
      'dir',
    );
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify(SNIPPET_TSCONFIG, null, 2));
    // An ES module project, as the READMEs' top-level await and imports assume.
    writeFileSync(join(scratch, 'package.json'), '{ "private": true, "type": "module" }\n');
    mkdirSync(join(scratch, 'snippets'));
    // One folder per documented file: its blocks can import each other by their file= names.
    const where = new Map();
    const folders = new Map();
    snippets.forEach((s, i) => {
      if (!folders.has(s.file)) folders.set(s.file, `d${String(folders.size).padStart(2, '0')}`);
      const name = `${folders.get(s.file)}/${s.name ?? `s${String(i).padStart(3, '0')}.ts`}`;
      mkdirSync(join(scratch, 'snippets', folders.get(s.file)), { recursive: true });
      writeFileSync(join(scratch, 'snippets', name), s.code);
      where.set(name, s);
    });
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', scratch, '--pretty', 'false'], {
        cwd: scratch,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (e) {
      output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      if (output.trim() === '') throw e;
    }
    const errors = [];
    for (const line of output.split('\n')) {
      const m = /^snippets\/(d\d+\/[\w.-]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line.trim());
      if (m) {
        const s = where.get(m[1]);
        errors.push(`${s.file}:${s.line + Number(m[2]) - 1}:${m[3]}: ${m[4]}`);
      } else if (line.trim() !== '' && !line.startsWith(' ')) errors.push(line.trim());
    }
    return { count: snippets.length, errors };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), '..', '..');
  const { count, errors } = checkSnippets(root);
  for (const e of errors) console.error(`snippet: ${e}`);
  console.log(
    errors.length === 0
      ? `snippets: ${count} type-check`
      : `snippets: ${errors.length} error(s) in ${count} snippets`,
  );
  process.exit(errors.length === 0 ? 0 : 1);
}
