// The same conformance suite the built-in encoders pass (@hetmtl/testing), on both backends a
// user is likely to run: shapes (unbatched and batched), finite outputs, gradients to every
// variable, JSON round trip through the registry, seeding, leaks, batched = per-task, setWeights.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { describeEncoderConformance } from '@hetmtl/testing/vitest';
import { sparseLinear } from './sparse-linear.js';

describeEncoderConformance(sparseLinear(), { backend: cpuBackend() });
describeEncoderConformance(sparseLinear({ l1: 10, bias: false }), {
  backend: wasmBackend(),
  inputDim: 12,
  outputDim: 2,
  tasks: 4,
});
