import {
  type ActiveBackend,
  type BackendPlugin,
  defineBackend,
  setBackendWords,
  unavailable,
  useBackend,
} from './backend.js';
import { BackendUnavailableError, ValidationError } from './errors.js';

/**
 * A backend package known by name: what {@link loadBackend} imports and calls. Plugin vocabulary
 * (shared with encoders and penalties): `register(entry, { replace })` adds a name, registering a
 * name twice needs `replace: true`, `kinds()` lists names in registration order.
 */
export interface BackendEntry {
  /** The name users pass (`wasm`); also the plugin's `name`. */
  readonly name: string;
  /** The npm package that holds the plugin (`@hetmtl/backend-wasm`). */
  readonly packageName: string;
  /** The factory the package exports (`wasmBackend`); called with the load options. */
  readonly factory: string;
  /** One line for listings. */
  readonly summary: string;
  /** Backends to suggest when this one cannot be installed or loaded, best first. */
  readonly alternatives?: readonly string[];
  /** Imports the package (default: resolved by name, see {@link LoadBackendOptions.resolveFrom}). */
  readonly load?: () => Promise<unknown>;
}

/** Backend packages by name; {@link backendRegistry} holds hetmtl's four. */
export class BackendRegistry {
  readonly #entries = new Map<string, BackendEntry>();

  /** Makes a backend package known by name; a name registered twice needs `{ replace: true }`. */
  register(entry: BackendEntry, options: { readonly replace?: boolean } = {}): void {
    for (const key of ['name', 'packageName', 'factory'] as const) {
      if (typeof entry?.[key] !== 'string' || entry[key].length === 0) {
        throw new ValidationError(`backendRegistry.register: the entry has no ${key}`, {
          expected: 'a non-empty string',
        });
      }
    }
    if (this.#entries.has(entry.name) && options.replace !== true) {
      throw new ValidationError(`A backend "${entry.name}" is already registered`, {
        fix: 'Choose another name, or pass { replace: true } to replace it',
      });
    }
    this.#entries.set(entry.name, Object.freeze({ ...entry }));
  }

  unregister(name: string): boolean {
    return this.#entries.delete(name);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The registered names, in registration order. */
  kinds(): string[] {
    return [...this.#entries.keys()];
  }

  /** The entry for `name`; an unknown name throws a ValidationError that lists the known ones. */
  get(name: string): BackendEntry {
    const entry = this.#entries.get(name);
    if (entry === undefined) {
      throw new ValidationError(`Unknown backend ${JSON.stringify(name)}`, {
        expected: `one of ${this.kinds().join(', ')}`,
        received: JSON.stringify(name),
        fix: 'Pick one of these, or make a backend package known with backendRegistry.register({ name, packageName, factory, summary })',
      });
    }
    return entry;
  }
}

/** hetmtl's backend packages, by name (the first is the default of the apps). */
export const backendRegistry = new BackendRegistry();
for (const entry of [
  {
    name: 'wasm',
    packageName: '@hetmtl/backend-wasm',
    factory: 'wasmBackend',
    summary: 'WebAssembly (XNNPACK, SIMD): fast, offline, Node and browsers',
    alternatives: ['cpu'],
  },
  {
    name: 'cpu',
    packageName: '@hetmtl/backend-cpu',
    factory: 'cpuBackend',
    summary: 'pure JavaScript: always works, slow',
    alternatives: [],
  },
  {
    name: 'tfjs-node',
    packageName: '@hetmtl/backend-tfjs-node',
    factory: 'tfjsNodeBackend',
    summary: 'libtensorflow (optional @tensorflow/tfjs-node)',
    alternatives: ['wasm', 'cpu'],
  },
  {
    name: 'native',
    packageName: '@hetmtl/backend-native',
    factory: 'nativeBackend',
    summary: 'C++ addon built at install (OpenBLAS when found)',
    alternatives: ['wasm', 'cpu'],
  },
]) {
  backendRegistry.register(entry);
}

// Alternatives in the API's words: `wasmBackend() from @hetmtl/backend-wasm`.
setBackendWords((name) => {
  const e = backendRegistry.has(name) ? backendRegistry.get(name) : undefined;
  return e === undefined ? `the ${name} backend` : `${e.factory}() from ${e.packageName}`;
});

export interface LoadBackendOptions {
  /** Options for the backend's factory (e.g. `wasmBackend`'s `{ simd, wasmPaths }`). */
  readonly options?: Readonly<Record<string, unknown>>;
  /**
   * Imports the backend's package: `() => import('@hetmtl/backend-wasm')`. Give it in bundled code (a
   * bundler needs the literal specifier); otherwise the package is resolved by name in Node.
   */
  readonly import?: () => Promise<unknown>;
  /**
   * A file or directory URL / path to resolve the package from in Node, usually `import.meta.url` of
   * the application (default: the working directory). A library resolves nothing by itself: the
   * application depends on the backend packages, not `@hetmtl/tensor`.
   */
  readonly resolveFrom?: string | URL;
  /** Where names are looked up (default {@link backendRegistry}). */
  readonly registry?: BackendRegistry;
}

const NOT_FOUND = new Set([
  'ERR_MODULE_NOT_FOUND',
  'MODULE_NOT_FOUND',
  'ERR_PACKAGE_PATH_NOT_EXPORTED',
]);
const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Imports a package by name from `from` (Node); undefined when it is not installed there. */
async function importInstalled(
  packageName: string,
  from: string | URL | undefined,
): Promise<{ module: unknown } | undefined> {
  // Variable specifiers: bundlers leave them alone (this path is for Node only).
  const nodeModule = 'node:module';
  const nodeUrl = 'node:url';
  const { createRequire } = (await import(
    /* @vite-ignore */ nodeModule
  )) as typeof import('node:module');
  const { pathToFileURL } = (await import(/* @vite-ignore */ nodeUrl)) as typeof import('node:url');
  const base = from ?? pathToFileURL(`${process.cwd()}/`);
  let resolved: string;
  try {
    resolved = createRequire(base).resolve(packageName);
  } catch (e) {
    if (NOT_FOUND.has((e as { code?: string }).code ?? '')) return undefined;
    throw e;
  }
  return { module: await import(/* @vite-ignore */ pathToFileURL(resolved).href) };
}

/**
 * Loads a backend plugin by name, importing its package on first use (so that a program that needs
 * no backend never loads TensorFlow.js's WASM binary or libtensorflow), and returns the plugin
 * (activate it with `useBackend`, or use {@link useBackendByName}). An unknown name is a
 * ValidationError; a package that is not installed, or fails to load, is a BackendUnavailableError
 * whose `remedy` is `{ reason, fix, alternatives }`.
 */
export async function loadBackend(
  name: string,
  options: LoadBackendOptions = {},
): Promise<BackendPlugin> {
  const entry = (options.registry ?? backendRegistry).get(name);
  const fail = (reason: string, fix: string, cause?: unknown): never => {
    const a = unavailable(reason, fix, entry.alternatives ?? []);
    throw new BackendUnavailableError(name, reason, {
      ...(cause === undefined ? {} : { cause }),
      ...(a.ok ? {} : { fix: a.fix, ...(a.remedy ? { remedy: a.remedy } : {}) }),
    });
  };
  let module: unknown;
  try {
    const load = options.import ?? entry.load;
    if (load !== undefined) module = await load();
    else if (isNode) {
      const found = await importInstalled(entry.packageName, options.resolveFrom);
      if (found === undefined)
        return fail(
          `${entry.packageName} is not installed`,
          `Install it with \`pnpm add ${entry.packageName}\``,
        );
      module = found.module;
    } else {
      return fail(
        `${entry.packageName} cannot be imported by name here`,
        `Pass import: () => import('${entry.packageName}') to loadBackend`,
      );
    }
  } catch (e) {
    if (BackendUnavailableError.isInstance(e)) throw e;
    return fail(
      `${entry.packageName} failed to load`,
      'Check the error cause, or reinstall the package',
      e,
    );
  }
  const factory = (module as Record<string, unknown> | undefined)?.[entry.factory];
  if (typeof factory !== 'function') {
    throw new ValidationError(`${entry.packageName} has no factory ${entry.factory}()`, {
      expected: `an exported function ${entry.factory}(options) returning a backend plugin`,
      fix: 'Check the registry entry (factory name) and the installed version of the package',
    });
  }
  const plugin = defineBackend((factory as (o?: unknown) => BackendPlugin)(options.options));
  if (plugin.name !== name) {
    throw new ValidationError(
      `${entry.packageName}'s ${entry.factory}() made a backend named "${plugin.name}"`,
      {
        expected: JSON.stringify(name),
        received: JSON.stringify(plugin.name),
      },
    );
  }
  return plugin;
}

/** `useBackend(await loadBackend(name, options))`: loads, checks, sets up and activates a backend by name. */
export async function useBackendByName(
  name: string,
  options: LoadBackendOptions = {},
): Promise<ActiveBackend> {
  return useBackend(await loadBackend(name, options));
}
