// Helpers shared by the CI scripts: list the workspace's packages from the filesystem.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every workspace package under root (packages/*, apps/*, tooling), with its parsed package.json. */
export function workspacePackages(root) {
  const dirs = [];
  for (const group of ['packages', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      if (existsSync(join(base, name, 'package.json'))) dirs.push(join(group, name));
    }
  }
  if (existsSync(join(root, 'tooling', 'package.json'))) dirs.push('tooling');
  return dirs.map((dir) => ({
    dir,
    path: join(root, dir),
    pkg: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')),
  }));
}
