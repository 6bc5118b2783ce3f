import { packageConfig } from '../../tooling/vitest/shared.mjs';

// Only the app's own tests (src/**/*.test.ts); the end-to-end test serves the built dist/.
export default packageConfig({ include: ['src/**/*.test.ts'] });
