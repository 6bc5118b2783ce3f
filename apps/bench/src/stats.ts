/** Mean of the finite values (NaN when there are none). */
export function mean(values: readonly number[]): number {
  const v = values.filter(Number.isFinite);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
}

/** Sample standard deviation of the finite values (NaN for fewer than 2). */
export function sd(values: readonly number[]): number {
  const v = values.filter(Number.isFinite);
  if (v.length < 2) return Number.NaN;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}

/** "mean ± sd" with `digits` decimals ("mean" alone for one value). */
export function meanSd(values: readonly number[], digits = 3): string {
  const m = mean(values);
  if (!Number.isFinite(m)) return 'n/a';
  const s = sd(values);
  return Number.isFinite(s) ? `${m.toFixed(digits)} ± ${s.toFixed(digits)}` : m.toFixed(digits);
}
