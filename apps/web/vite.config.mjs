import { defineConfig } from 'vite';

// Relative base: dist/ works from any path. The .wasm binaries of @tensorflow/tfjs-backend-wasm are
// imported with `?url` in src/backend.ts, so Vite copies them into dist/assets (offline, hashed).
export default defineConfig({
  base: './',
  // The training worker (src/train-worker.ts) is an ES module worker: it shares chunks with the page.
  worker: { format: 'es', rollupOptions: { external: ['apache-arrow'] } },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      // @hetmtl/data loads apache-arrow (an optional peer) only in readArrow, which the app never calls.
      external: ['apache-arrow'],
    },
  },
});
