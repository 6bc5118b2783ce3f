// The addon loader where there is no Node (browser bundles; every condition of `#addon` but `node`):
// no native addon can load, so the backend is unavailable with the same kind of answer as a missing
// build, pointing to the wasm backend. No node:* module (the Node loader is addon.ts).
import type { BuildStatus, LoadResult, NativeBinding } from './addon.js';

const REASON = 'native addons load only in Node (this is a browser or other non-Node bundle)';
const FIX = 'Use wasmBackend() from @hetmtl/backend-wasm, which runs in browsers';

export const ADDON_PATH = '';

export function readBuildStatus(): BuildStatus {
  return { ok: false, kind: 'skipped', reason: REASON, fix: FIX, action: '' };
}

export function loadBinding(): LoadResult {
  return { ok: false, reason: REASON, fix: FIX, action: '', status: readBuildStatus() };
}

export function openblasCandidates(): string[] {
  return [];
}

export function loadOpenBLAS(_binding: NativeBinding): { path: string | null; errors: string[] } {
  return { path: null, errors: [REASON] };
}
