// The conformance suite on every backend available here: cpu and wasm always; tfjs-node when
// installed (skipped with the reason printed otherwise).
import { cpuBackend } from '@hetmtl/backend-cpu';
import { tfjsNodeBackend } from '@hetmtl/backend-tfjs-node';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { describeBackendConformance } from './vitest.js';

describeBackendConformance(cpuBackend());
describeBackendConformance(wasmBackend());
describeBackendConformance(tfjsNodeBackend());
