import { type BackendRemedy, BackendUnavailableError, ValidationError } from './errors.js';
import { tf } from './tf.js';

/**
 * The result of {@link BackendPlugin.isAvailable}. When the backend cannot run, `fix` says what to do
 * in the API's words (for people), and `remedy` says it as data (for interfaces that speak other
 * words, such as a command line): build both with {@link unavailable}.
 */
export type BackendAvailability =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly fix: string;
      readonly remedy?: BackendRemedy;
    };

/** `wasmBackend() from @hetmtl/backend-wasm`, say: a backend name in the API's words. */
export type BackendWords = (name: string) => string;

let backendWords: BackendWords = (name) => `the ${name} backend`;

/** @internal The backend loader sets how alternatives are named (factory and package). */
export function setBackendWords(words: BackendWords): void {
  backendWords = words;
}

/**
 * A "cannot run here" availability: `fix` is what makes this backend run (no trailing period; may be
 * empty), `alternatives` the backends to use instead, by name. The prose `fix` of the result adds the
 * alternatives in the API's words (`Or use wasmBackend() from @hetmtl/backend-wasm`); `remedy` keeps
 * the parts apart.
 */
export function unavailable(
  reason: string,
  fix: string,
  alternatives: readonly string[] = [],
): BackendAvailability {
  const switchTo =
    alternatives.length === 0
      ? ''
      : `${fix === '' ? 'Use' : 'or use'} ${alternatives.map((a) => backendWords(a)).join(' or ')}`;
  return {
    ok: false,
    reason,
    fix: [fix, switchTo].filter((x) => x !== '').join(', '),
    remedy: Object.freeze({ reason, fix, alternatives: Object.freeze([...alternatives]) }),
  };
}

/** What a backend reports about itself once active. */
export interface BackendCapabilities {
  readonly simd: boolean;
  readonly threads: number;
}

/**
 * A backend plugin (spec version 1): a factory in a backend package returns one of these. Plugin
 * vocabulary (shared with encoders and penalties): `kind` names the plugin kind, `specVersion` is the
 * version of this **interface** (what the plugin implements), `config` is the JSON-safe options it was
 * made with; a package is made known by name with `backendRegistry.register(entry, { replace })` and
 * loaded by name with `loadBackend(name)`. It names a
 * TensorFlow.js backend, says whether it can run here, and registers / configures it in `setup()`.
 */
export interface BackendPlugin {
  readonly kind: 'backend';
  readonly specVersion: 1;
  /** The plugin's name, e.g. `wasm`. */
  readonly name: string;
  /** The name the backend is registered under in TensorFlow.js. */
  readonly tfBackendName: string;
  /** JSON-safe options the plugin was created with. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Whether the backend can run here; when not, why and what to do. Never throws. */
  isAvailable(): Promise<BackendAvailability>;
  /** Registers and configures the backend with TensorFlow.js; idempotent. */
  setup(): Promise<void>;
  /** Capabilities once active (defaults: no SIMD, one thread). */
  capabilities?(): Promise<BackendCapabilities>;
}

/** The backend in use, as returned by {@link useBackend}. */
export interface ActiveBackend extends BackendCapabilities {
  readonly name: string;
  readonly tfBackendName: string;
  /** Bits of float precision of the backend's kernels (32, or 16 on some GPUs). */
  readonly floatPrecision: number;
}

/** Checks a plugin object's shape and returns it; for backend package authors. */
export function defineBackend(plugin: BackendPlugin): BackendPlugin {
  if (plugin?.kind !== 'backend' || plugin.specVersion !== 1) {
    throw new ValidationError('Not a backend plugin', {
      expected: "an object with kind 'backend' and specVersion 1",
      received: JSON.stringify({ kind: plugin?.kind, specVersion: plugin?.specVersion }),
      fix: 'Create plugins with a backend package factory such as cpuBackend() or wasmBackend()',
    });
  }
  for (const key of ['name', 'tfBackendName'] as const) {
    if (typeof plugin[key] !== 'string' || plugin[key].length === 0) {
      throw new ValidationError(`Backend plugin has no ${key}`, { expected: 'a non-empty string' });
    }
  }
  for (const key of ['isAvailable', 'setup'] as const) {
    if (typeof plugin[key] !== 'function') {
      throw new ValidationError(`Backend plugin "${plugin.name}" has no ${key}()`, {
        expected: 'a function',
      });
    }
  }
  return Object.freeze(plugin);
}

let active: ActiveBackend | undefined;

/**
 * Activates a backend plugin: checks availability, runs its setup, makes it TensorFlow.js's current
 * backend and waits until it is ready. Always activate backends explicitly: importing a backend
 * package may change TensorFlow.js's default.
 */
export async function useBackend(plugin: BackendPlugin): Promise<ActiveBackend> {
  defineBackend(plugin);
  const availability = await plugin.isAvailable();
  if (!availability.ok) {
    throw new BackendUnavailableError(plugin.name, availability.reason, {
      fix: availability.fix,
      remedy: availability.remedy ?? {
        reason: availability.reason,
        fix: availability.fix,
        alternatives: [],
      },
    });
  }
  await plugin.setup();
  let ok: boolean;
  try {
    ok = await tf.setBackend(plugin.tfBackendName);
  } catch (cause) {
    throw new BackendUnavailableError(plugin.name, 'TensorFlow.js failed to initialise it', {
      cause,
      fix: 'Check the error cause, or choose another backend (cpu always works)',
      remedy: { fix: 'Check the error cause', alternatives: ['cpu'] },
    });
  }
  if (!ok) {
    throw new BackendUnavailableError(plugin.name, 'TensorFlow.js failed to initialise it', {
      fix: 'Choose another backend (cpu always works)',
      remedy: { fix: '', alternatives: ['cpu'] },
    });
  }
  await tf.ready();
  const caps = (await plugin.capabilities?.()) ?? { simd: false, threads: 1 };
  active = Object.freeze({
    name: plugin.name,
    tfBackendName: plugin.tfBackendName,
    simd: caps.simd,
    threads: caps.threads,
    floatPrecision: tf.backend().floatPrecision(),
  });
  return active;
}

/** The backend activated last by {@link useBackend}, if it is still TensorFlow.js's current one. */
export function activeBackend(): ActiveBackend | undefined {
  return active && tf.getBackend() === active.tfBackendName ? active : undefined;
}
