// The backend conformance suite of @hetmtl/testing (every op and gradient hetmtl's training loop uses,
// compared with cpu, with leak checks) on both GEMM paths. A path that is not available here is
// skipped by the suite with the reason printed.
import { describeBackendConformance } from '@hetmtl/testing/vitest';
import { nativeBackend } from './index.js';

describeBackendConformance(nativeBackend({ gemm: 'builtin' }));
describeBackendConformance(nativeBackend({ gemm: 'openblas' }));
describeBackendConformance(nativeBackend({ gemm: 'builtin', threads: 2 }));
