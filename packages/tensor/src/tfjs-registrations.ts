// tfjs-core's gradient and chained-op registrations (side effects only), for bundlers: they resolve
// tfjs-core's ES modules themselves and keep one copy of tfjs-core. Node loads the prebundled
// dist/tfjs-registrations.node.js instead (package.json "imports", scripts/bundle-registrations.mjs).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
