import type { Source } from "./loops.js";

/**
 * ArgMax/ArgMin loops over an `[outer, size, inner]` view, `size >= 1`. Ties keep the
 * lowest index (an equal value never replaces the best). The first NaN wins: `!(v <= b)`
 * holds for a larger or NaN `v`, and `!Number.isNaN(b)` stops anything from replacing a NaN best.
 * Rows start from -Infinity (+Infinity for argMin) at index 0, so a leading NaN is seen.
 */
export function argMaxLoop(src: Source, dst: Int32Array, outer: number, size: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0, s = 0; o < outer; o++, s += size) {
      let best = -Infinity;
      let index = 0;
      for (let k = 0; k < size; k++) {
        const v = src[s + k]!;
        if (!(v <= best)) {
          best = v;
          index = k;
          if (Number.isNaN(v)) break;
        }
      }
      dst[o] = index;
    }
    return;
  }
  const best = new Float64Array(inner);
  for (let o = 0, s = 0; o < outer; o++) {
    const d = o * inner;
    for (let j = 0; j < inner; j++) best[j] = src[s + j]!;
    dst.fill(0, d, d + inner);
    s += inner;
    for (let k = 1; k < size; k++, s += inner) {
      for (let j = 0; j < inner; j++) {
        const v = src[s + j]!;
        const b = best[j]!;
        if (!(v <= b) && !Number.isNaN(b)) {
          best[j] = v;
          dst[d + j] = k;
        }
      }
    }
  }
}

export function argMinLoop(src: Source, dst: Int32Array, outer: number, size: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0, s = 0; o < outer; o++, s += size) {
      let best = Infinity;
      let index = 0;
      for (let k = 0; k < size; k++) {
        const v = src[s + k]!;
        if (!(v >= best)) {
          best = v;
          index = k;
          if (Number.isNaN(v)) break;
        }
      }
      dst[o] = index;
    }
    return;
  }
  const best = new Float64Array(inner);
  for (let o = 0, s = 0; o < outer; o++) {
    const d = o * inner;
    for (let j = 0; j < inner; j++) best[j] = src[s + j]!;
    dst.fill(0, d, d + inner);
    s += inner;
    for (let k = 1; k < size; k++, s += inner) {
      for (let j = 0; j < inner; j++) {
        const v = src[s + j]!;
        const b = best[j]!;
        if (!(v >= b) && !Number.isNaN(b)) {
          best[j] = v;
          dst[d + j] = k;
        }
      }
    }
  }
}
