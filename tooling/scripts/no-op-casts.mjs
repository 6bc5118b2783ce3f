// Finds (and with --fix removes) no-op casts: `x as T` where the type checker says x already has
// type T. Casts on calls are left alone (a cast can set a generic call's type argument).
// Usage: node tooling/scripts/no-op-casts.mjs [--fix]  — exits 1 when it finds any (without --fix).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { workspacePackages } from './workspace.mjs';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const fix = process.argv.includes('--fix');
const root = join(import.meta.dirname, '..', '..');

const simple = (e) =>
  ts.isIdentifier(e) ||
  ts.isElementAccessExpression(e) ||
  ts.isPropertyAccessExpression(e) ||
  ts.isParenthesizedExpression(e) ||
  ts.isNumericLiteral(e) ||
  ts.isNonNullExpression(e);

/** The no-op casts of one TypeScript project, as text edits per file. */
export function noOpCasts(tsconfig) {
  const cfg = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  const program = ts.createProgram(cfg.fileNames, cfg.options);
  const checker = program.getTypeChecker();
  const out = new Map();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || !cfg.fileNames.includes(sf.fileName)) continue;
    const edits = [];
    const visit = (node) => {
      if (
        ts.isAsExpression(node) &&
        node.type.kind !== ts.SyntaxKind.UnknownKeyword &&
        node.type.kind !== ts.SyntaxKind.AnyKeyword &&
        !(ts.isTypeReferenceNode(node.type) && node.type.typeName.getText(sf) === 'const')
      ) {
        const e = node.expression;
        const from = checker.getTypeAtLocation(e);
        const to = checker.getTypeFromTypeNode(node.type);
        const same =
          from === to &&
          !(from.flags & ts.TypeFlags.Any) &&
          !ts.isCallExpression(e) &&
          !ts.isNewExpression(e) &&
          !ts.isAwaitExpression(e) &&
          !ts.isObjectLiteralExpression(e) &&
          !ts.isArrayLiteralExpression(e);
        if (same) {
          const unwrap = ts.isParenthesizedExpression(node.parent) && simple(e);
          const target = unwrap ? node.parent : node;
          const text = unwrap || simple(e) ? e.getText(sf) : `(${e.getText(sf)})`;
          edits.push({
            start: target.getStart(sf),
            end: target.getEnd(),
            text,
            line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1,
          });
          return;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    if (edits.length > 0) out.set(sf, edits);
  }
  return out;
}

let found = 0;
for (const pkg of workspacePackages(root)) {
  const tsconfig = join(pkg.path, 'tsconfig.json');
  if (!ts.sys.fileExists(tsconfig)) continue;
  for (let pass = 0; pass < 3; pass++) {
    const casts = noOpCasts(tsconfig);
    if (casts.size === 0) break;
    for (const [sf, edits] of casts) {
      found += edits.length;
      if (!fix) {
        for (const e of edits) console.log(`${sf.fileName}:${e.line}: no-op cast`);
        continue;
      }
      let src = sf.getFullText();
      for (const e of [...edits].sort((a, b) => b.start - a.start))
        src = src.slice(0, e.start) + e.text + src.slice(e.end);
      writeFileSync(sf.fileName, src);
    }
    if (!fix) break;
  }
}
console.log(`no-op casts: ${found}${fix ? ' removed (format with biome afterwards)' : ''}`);
if (!fix && found > 0) process.exit(1);
