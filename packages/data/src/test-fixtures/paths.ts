import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The real School data, read where it lives (never copied into the repository): `shared/` beside
 * the clone (`<clone>/../shared/data/school.csv`), or the path in HETMTL_SCHOOL_CSV.
 */
export const SCHOOL_CSV = process.env.HETMTL_SCHOOL_CSV ?? resolve(here, '../../../../../shared/data/school.csv');

export const hasSchool = existsSync(SCHOOL_CSV);
