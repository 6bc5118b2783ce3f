import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ../shared/data/school.csv beside the repository (HETMTL_SHARED_DATA overrides the folder). */
export function schoolCsvPath(): string {
  const dir =
    process.env.HETMTL_SHARED_DATA ??
    fileURLToPath(new URL('../../../../../shared/data/', import.meta.url));
  const path = `${dir.replace(/\/?$/, '/')}school.csv`;
  if (!existsSync(path))
    throw new Error(
      `School data not found at ${path}: set HETMTL_SHARED_DATA to the folder holding school.csv`,
    );
  return path;
}
