import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { CliError, UsageError } from './errors.js';

/** A file a command reads, for the check that no output overwrites it. */
export interface InputFile {
  readonly path: string;
  /** What it is, for the message: "the training data", "the model file". */
  readonly what: string;
}

/** The canonical path of a file that may not exist yet (its directory resolved through links). */
async function canonical(path: string): Promise<string> {
  const abs = resolve(path);
  try {
    return await realpath(abs);
  } catch {
    try {
      return resolve(await realpath(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/**
 * Checks, before any work, that `path` can be written by the flag `flag`: its directory exists and
 * is writable, it is not a directory, and it is none of the command's inputs nor another of its
 * outputs (writing it would destroy them). Usage mistakes exit 2; a missing or unwritable
 * directory exits 1, as it would after the work.
 */
export async function checkOutputPath(
  path: string,
  flag: string,
  inputs: readonly InputFile[],
  otherOutputs: readonly { path: string; flag: string }[] = [],
): Promise<void> {
  const target = await canonical(path);
  for (const input of inputs) {
    if ((await canonical(input.path)) === target)
      throw new UsageError(
        `${flag} ${JSON.stringify(path)} is ${input.what} this command reads: writing it would destroy it`,
        `Choose another ${flag} path`,
      );
  }
  for (const other of otherOutputs) {
    if ((await canonical(other.path)) === target)
      throw new UsageError(
        `${flag} and ${other.flag} are the same file (${JSON.stringify(path)}): the second write would replace the first`,
        `Give ${flag} and ${other.flag} different paths`,
      );
  }
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory())
    throw new CliError(
      `cannot write ${JSON.stringify(path)}: it is a directory`,
      `Pass a file path to ${flag}, e.g. ${JSON.stringify(`${path.replace(/\/+$/, '')}/model.json`)}`,
    );
  const dir = dirname(target);
  const dirInfo = await stat(dir).catch((e: NodeJS.ErrnoException) => e);
  if (dirInfo instanceof Error) {
    if (dirInfo.code === 'ENOTDIR')
      throw new CliError(
        `cannot write ${JSON.stringify(path)}: a part of ${JSON.stringify(dirname(path))} is a file, not a directory`,
        `Choose another ${flag} path`,
      );
    throw new CliError(
      `cannot write ${JSON.stringify(path)}: the directory ${JSON.stringify(dirname(path))} does not exist (${dirInfo.code ?? dirInfo.message})`,
      `Create the directory first, or choose another ${flag} path`,
    );
  }
  if (!dirInfo.isDirectory())
    throw new CliError(
      `cannot write ${JSON.stringify(path)}: ${JSON.stringify(dirname(path))} is not a directory`,
      `Choose another ${flag} path`,
    );
  try {
    await access(dir, constants.W_OK);
    if (existing) await access(target, constants.W_OK);
  } catch (e) {
    throw new CliError(
      `cannot write ${JSON.stringify(path)} (${(e as NodeJS.ErrnoException).code ?? 'no permission'})`,
      `Check the permissions of ${JSON.stringify(existing ? path : dirname(path))}, or choose another ${flag} path`,
    );
  }
}
