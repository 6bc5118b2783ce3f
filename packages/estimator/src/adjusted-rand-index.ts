import { describeReceived, ValidationError } from '@hetmtl/tensor';

const choose2 = (m: number): number => (m * (m - 1)) / 2;

/**
 * The adjusted Rand index of two partitions of the same items (Hubert & Arabie 1985): 1 for
 * identical partitions (up to relabelling), about 0 for independent ones, negative when worse than
 * chance. Labels may be numbers or strings. When the index is undefined (both partitions are one
 * cluster, or both are all singletons, or fewer than two items) it is 1, as in scikit-learn.
 */
export function adjustedRandIndex(
  a: readonly (number | string)[],
  b: readonly (number | string)[],
): number {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
    throw new ValidationError('adjustedRandIndex needs two labellings of the same items', {
      expected: 'two arrays of equal length',
      received: `${describeReceived(a)} and ${describeReceived(b)}`,
    });
  }
  const n = a.length;
  if (n < 2) return 1;
  const cells = new Map<string, number>();
  const rows = new Map<number | string, number>();
  const cols = new Map<number | string, number>();
  for (let i = 0; i < n; i++) {
    const x = a[i] as number | string;
    const y = b[i] as number | string;
    const key = JSON.stringify([x, y]);
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    cols.set(y, (cols.get(y) ?? 0) + 1);
  }
  let index = 0;
  for (const c of cells.values()) index += choose2(c);
  let sa = 0;
  for (const c of rows.values()) sa += choose2(c);
  let sb = 0;
  for (const c of cols.values()) sb += choose2(c);
  const expected = (sa * sb) / choose2(n);
  const max = (sa + sb) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
