import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The real School data, read where it lives (never copied into the repository): `shared/` beside
 * the clone (`<clone>/../shared/data/school.csv`), or the path in HETMTL_SCHOOL_CSV.
 */
export const SCHOOL_CSV =
  process.env.HETMTL_SCHOOL_CSV ?? resolve(here, '../../../../../shared/data/school.csv');

export const hasSchool = existsSync(SCHOOL_CSV);

/** The directory of the shared real data sets (the School file's directory). */
export const SHARED_DATA = dirname(SCHOOL_CSV);

/** Path of a shared data file, and whether it is there. */
export function sharedData(name: string): { path: string; present: boolean } {
  const path = resolve(SHARED_DATA, name);
  return { path, present: existsSync(path) };
}
