import { packageConfig } from '../../tooling/vitest/shared.mjs';

export default packageConfig({ include: ['src/**/*.test.ts'] });
