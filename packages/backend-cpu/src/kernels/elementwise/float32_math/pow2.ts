/**
 * Exact powers of two in a table, for the range reductions of `exp.ts` and `log.ts`:
 * scaling by an entry is exact, and one typed-array load is cheaper than `2 ** k` in a hot
 * loop. Each module builds its own table (a module-level constant V8 folds into the loop).
 *
 * ```ts
 * const POW2 = powersOfTwo(256);
 * POW2[256 + 3]; // 8
 * POW2[256 - 1]; // 0.5
 * ```
 */
export function powersOfTwo(bias: number): Float64Array {
  const table = new Float64Array(2 * bias + 1);
  for (let k = -bias; k <= bias; k++) table[k + bias] = 2 ** k;
  return table;
}
