import type { Server } from 'node:http';

export declare const CHROMIUM_PATH: string;
export declare const CHROMIUM_INSTALL: string;
export declare const chromiumMissing: boolean;
export declare const inCi: boolean;
export declare const CHROMIUM_ARGS: readonly string[];
export declare function serveStatic(
  root: string,
  options?: { refuse?: (path: string) => boolean },
): Promise<Server>;
/** Keeps a playwright page offline; returns the list of the URLs it aborted (expect it empty). */
export declare function keepLocal(
  page: {
    route(
      pattern: string,
      handler: (route: {
        request(): { url(): string };
        continue(): Promise<void>;
        abort(): Promise<void>;
      }) => unknown,
    ): Promise<unknown>;
  },
  origin: string,
): Promise<string[]>;
