import { packageConfig } from './vitest/shared.mjs';

export default packageConfig({ include: ['test/**/*.test.ts', 'test/**/*.test.mjs'] });
