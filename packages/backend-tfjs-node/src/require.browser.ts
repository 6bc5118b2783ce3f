// Outside Node (browser bundles; every condition of `#require` but `node`): tfjs-node cannot load,
// so there is no require to find it with. No node:* module (the Node side is require.ts).
export function requireFrom(_resolveFrom: string | undefined): NodeJS.Require | undefined {
  return undefined;
}
