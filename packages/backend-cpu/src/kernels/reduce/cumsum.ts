import type { Source } from "./loops.js";

/**
 * Running sums over an `[outer, size, inner]` view. Float sums run in double precision
 * and are rounded to float32 only when stored; int32 sums wrap around like C.
 * `exclusive` stores the sum before adding the element; `reverse` walks each block's
 * rows from the last to the first.
 */
export function cumsumLoop(
  src: Source,
  dst: Float32Array | Int32Array,
  outer: number,
  size: number,
  inner: number,
  exclusive: boolean,
  reverse: boolean,
): void {
  if (inner === 1) {
    if (dst instanceof Int32Array) cumsumRowsInt(src, dst, outer, size, exclusive, reverse);
    else cumsumRowsFloat(src, dst, outer, size, exclusive, reverse);
    return;
  }
  // `inner` partial sums, one per column; an Int32Array wraps on store like C.
  const acc = dst instanceof Int32Array ? new Int32Array(inner) : new Float64Array(inner);
  // Row `k` of block `o` starts at (o * size + k) * inner; walking backwards is a negative step.
  const step = reverse ? -inner : inner;
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    let s = (o * size + (reverse ? size - 1 : 0)) * inner;
    for (let k = 0; k < size; k++, s += step) {
      if (exclusive) {
        for (let j = 0; j < inner; j++) {
          dst[s + j] = acc[j]!;
          acc[j] = acc[j]! + src[s + j]!;
        }
      } else {
        for (let j = 0; j < inner; j++) {
          acc[j] = acc[j]! + src[s + j]!;
          dst[s + j] = acc[j]!;
        }
      }
    }
  }
}

/** Contiguous rows (scan over the innermost axis), float: one double accumulator per row. */
function cumsumRowsFloat(src: Source, dst: Float32Array, rows: number, size: number, exclusive: boolean, reverse: boolean): void {
  const step = reverse ? -1 : 1;
  for (let r = 0; r < rows; r++) {
    let s = reverse ? (r + 1) * size - 1 : r * size;
    let acc = 0;
    for (let k = 0; k < size; k++, s += step) {
      const v = src[s]!;
      if (exclusive) {
        dst[s] = acc;
        acc += v;
      } else {
        acc += v;
        dst[s] = acc;
      }
    }
  }
}

/** Contiguous rows, int32 with wrap-around. */
function cumsumRowsInt(src: Source, dst: Int32Array, rows: number, size: number, exclusive: boolean, reverse: boolean): void {
  const step = reverse ? -1 : 1;
  for (let r = 0; r < rows; r++) {
    let s = reverse ? (r + 1) * size - 1 : r * size;
    let acc = 0;
    for (let k = 0; k < size; k++, s += step) {
      const v = src[s]!;
      if (exclusive) {
        dst[s] = acc;
        acc = (acc + v) | 0;
      } else {
        acc = (acc + v) | 0;
        dst[s] = acc;
      }
    }
  }
}
