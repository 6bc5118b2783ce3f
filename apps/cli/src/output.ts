/**
 * Where a command writes: reports to stdout (what a user pipes or redirects), everything about the
 * run itself (what is being done, progress, warnings) to stderr.
 */
export interface Output {
  /** A report line on stdout. */
  print(line: string): void;
  /** A status line on stderr (suppressed by --quiet). */
  info(line: string): void;
  /** One JSON document on stdout (--json). */
  json(value: unknown): void;
}

export function consoleOutput(options: { readonly quiet?: boolean } = {}): Output {
  return {
    print: (line) => {
      process.stdout.write(`${line}\n`);
    },
    info: (line) => {
      if (!options.quiet) process.stderr.write(`${line}\n`);
    },
    json: (value) => {
      process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}
