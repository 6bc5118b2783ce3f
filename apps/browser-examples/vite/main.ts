// Vite's entry inside its root (vite/), so that `vite` (dev) serves it as `vite build` bundles it.
import '../src/main.js';
