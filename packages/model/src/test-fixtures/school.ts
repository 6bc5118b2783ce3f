import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ../shared/data/school.csv beside the repository, or the path in HETMTL_SCHOOL_CSV (as in every package's tests). */
export function schoolCsvPath(): string {
  const path =
    process.env.HETMTL_SCHOOL_CSV ??
    fileURLToPath(new URL('../../../../../shared/data/school.csv', import.meta.url));
  if (!existsSync(path))
    throw new Error(
      `School data not found at ${path}: set HETMTL_SCHOOL_CSV to the path of school.csv`,
    );
  return path;
}
