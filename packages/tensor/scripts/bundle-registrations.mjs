// Node cannot import tfjs-core's ES modules (extensionless relative imports, no "type": "module"),
// and tfjs-core's Node build (dist/tf-core.node.js) registers no gradients and no chained ops. This
// bundles dist/tfjs-registrations.js (tfjs-core's register_all_gradients and register_all_chained_ops)
// into one ES module for Node, dist/tfjs-registrations.node.js, as @tensorflow/tfjs's own Node build
// does. The copied tfjs-core internals share tfjs-core's engine, kernel and gradient registries and
// Tensor class through its globals, so the registrations land in the one tfjs-core that
// `import '@tensorflow/tfjs-core'` loads (src/tf.ts imports that first).
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../dist/tfjs-registrations.js', import.meta.url).pathname],
  outfile: new URL('../dist/tfjs-registrations.node.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'eof',
});
