import type { DataArray } from "@kiln/core";

/**
 * The copy loops behind the movement kernels. Transpose, slice, strided slice and reverse
 * are all "read a strided view of the input, write it out row-major": one routine that
 * first merges dimensions (so the inner loop runs as long as possible) and then copies
 * contiguous runs with `TypedArray.set`, constant runs with `fill`, and transposed tiles
 * in cache-sized blocks.
 */

/** Below this many elements a plain loop beats creating a `subarray` view for `set`. */
const SET_THRESHOLD = 32;

/**
 * Side of the square tiles used for transposed copies. Small tiles measured best: with
 * power-of-two strides, larger tiles make the column reads collide in the same cache sets.
 */
const BLOCK = 8;

/**
 * Copies `n` contiguous elements from `src[from]` to `dst[to]`. Both arrays have the same
 * dtype (kernels never convert while moving data).
 */
export function copyRun(src: DataArray, from: number, dst: DataArray, to: number, n: number): void {
  if (n >= SET_THRESHOLD) {
    dst.set(src.subarray(from, from + n), to);
  } else {
    for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
  }
}

/** One strided inner run: `n` elements `stride` apart. */
function copyLine(src: DataArray, p: number, stride: number, dst: DataArray, q: number, n: number): void {
  if (stride === 1) copyRun(src, p, dst, q, n);
  else if (stride === 0) dst.fill(src[p]!, q, q + n);
  else for (let i = 0; i < n; i++) dst[q + i] = src[p + i * stride]!;
}

/**
 * A `rows x cols` tile where rows are contiguous in the source and columns are `stride`
 * apart (a transpose), copied in square blocks so both sides stay in cache.
 */
function copyTransposed(src: DataArray, p: number, stride: number, dst: DataArray, q: number, rows: number, cols: number): void {
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(r0 + BLOCK, rows);
    for (let c0 = 0; c0 < cols; c0 += BLOCK) {
      const c1 = Math.min(c0 + BLOCK, cols);
      for (let r = r0; r < r1; r++) {
        const out = q + r * cols;
        const from = p + r;
        for (let c = c0; c < c1; c++) dst[out + c] = src[from + c * stride]!;
      }
    }
  }
}

/**
 * Writes the view of `src` that starts at `offset` and steps `strides[i]` elements along
 * dimension `i` (negative to walk backwards, 0 to repeat) into `dst` from `dstOffset`,
 * row-major with shape `shape`.
 *
 * ```ts
 * // Transpose of a 2x3 matrix: output [3, 2] reads input strides [1, 3].
 * copyStrided(src, 0, [1, 3], [3, 2], dst);
 * ```
 */
export function copyStrided(
  src: DataArray,
  offset: number,
  strides: readonly number[],
  shape: readonly number[],
  dst: DataArray,
  dstOffset = 0,
): void {
  // Drop size-1 dims and merge a dim into the previous one when they are one longer run.
  const dims: number[] = [];
  const steps: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i]!;
    if (n === 0) return;
    if (n === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && steps[last] === strides[i]! * n) {
      dims[last]! *= n;
      steps[last] = strides[i]!;
    } else {
      dims.push(n);
      steps.push(strides[i]!);
    }
  }
  const rank = dims.length;
  if (rank === 0) {
    dst[dstOffset] = src[offset]!;
    return;
  }
  const cols = dims[rank - 1]!;
  const step = steps[rank - 1]!;
  // A transposed tile when the second-to-last dim is the contiguous one.
  const tiled = rank >= 2 && steps[rank - 2] === 1 && step !== 1 && step !== 0 && cols >= 8 && dims[rank - 2]! >= 8;
  const outer = tiled ? rank - 2 : rank - 1;
  const blockSize = tiled ? cols * dims[rank - 2]! : cols;
  let count = 1;
  for (let d = 0; d < outer; d++) count *= dims[d]!;
  const index = new Array<number>(outer).fill(0);
  let p = offset;
  let q = dstOffset;
  for (let o = 0; o < count; o++) {
    if (tiled) copyTransposed(src, p, step, dst, q, dims[rank - 2]!, cols);
    else copyLine(src, p, step, dst, q, cols);
    q += blockSize;
    // Odometer over the outer dims: no division per element.
    for (let d = outer - 1; d >= 0; d--) {
      p += steps[d]!;
      if (++index[d]! < dims[d]!) break;
      p -= steps[d]! * dims[d]!;
      index[d] = 0;
    }
  }
}
