// Node: a require function resolving from a directory (default: this package). The `node` condition
// of `#require`; require.browser.ts answers everywhere else.
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** A CommonJS require from `resolveFrom` (a directory) or this package; undefined outside Node. */
export function requireFrom(resolveFrom: string | undefined): NodeJS.Require | undefined {
  return createRequire(resolveFrom ? join(resolveFrom, 'noop.js') : import.meta.url);
}
