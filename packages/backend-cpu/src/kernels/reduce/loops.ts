/**
 * The inner loops of the reductions, one per operation, each over an `[outer, size,
 * inner]` view (see layout.ts). `inner === 1` (reducing the innermost axis) is a tight
 * loop with a local accumulator; otherwise whole contiguous rows are combined into the
 * `inner`-long slice of `dst`, which keeps reads sequential. `size >= 1` always (empty
 * reductions never get here). Float sums and products accumulate in `dst`, a
 * Float64Array, so float32 inputs are added in double precision.
 */

/** Any typed array a reduction reads from: an input buffer or an earlier pass's result. */
export type Source = Float32Array | Int32Array | Uint8Array | Float64Array;

export function sumFloat(src: Source, dst: Float64Array, outer: number, size: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0, s = 0; o < outer; o++) {
      let acc = 0;
      const end = s + size;
      for (; s < end; s++) acc += src[s]!;
      dst[o] = acc;
    }
    return;
  }
  dst.fill(0, 0, outer * inner);
  for (let o = 0, s = 0; o < outer; o++) {
    const d = o * inner;
    for (let k = 0; k < size; k++) {
      for (let j = 0; j < inner; j++) dst[d + j] = dst[d + j]! + src[s + j]!;
      s += inner;
    }
  }
}

/** int32 sum with C-style wrap-around (`| 0` after every add). */
export function sumInt(src: Source, dst: Int32Array, outer: number, size: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0, s = 0; o < outer; o++) {
      let acc = 0;
      const end = s + size;
      for (; s < end; s++) acc = (acc + src[s]!) | 0;
      dst[o] = acc;
    }
    return;
  }
  dst.fill(0, 0, outer * inner);
  for (let o = 0, s = 0; o < outer; o++) {
    const d = o * inner;
    for (let k = 0; k < size; k++) {
      for (let j = 0; j < inner; j++) dst[d + j] = (dst[d + j]! + src[s + j]!) | 0;
      s += inner;
    }
  }
}

export function prodFloat(src: Source, dst: Float64Array, outer: number, size: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0, s = 0; o < outer; o++) {
      let acc = 1;
      const end = s + size;
      for (; s < end; s++) acc *= src[s]!;
      dst[o] = acc;
    }
    return;
  }
  dst.fill(1, 0, outer * inner);
  for (let o = 0, s = 0; o < outer; o++) {
    const d = o * inner;
    for (let k = 0; k < size; k++) {
      for (let j = 0; j < inner; j++) dst[d + j] = dst[d + j]! * src[s + j]!;
      s += inner;
    }
  }
}

/** int32 product with wrap-around: `Math.imul` is exactly C's 32-bit multiply. */
export function prodInt(src: Source, dst: Int32Array, outer: number, size: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0, s = 0; o < outer; o++) {
      let acc = 1;
      const end = s + size;
      for (; s < end; s++) acc = Math.imul(acc, src[s]!);
      dst[o] = acc;
    }
    return;
  }
  dst.fill(1, 0, outer * inner);
  for (let o = 0, s = 0; o < outer; o++) {
    const d = o * inner;
    for (let k = 0; k < size; k++) {
      for (let j = 0; j < inner; j++) dst[d + j] = Math.imul(dst[d + j]!, src[s + j]!);
      s += inner;
    }
  }
}

/**
 * Max for every dtype (bool's max is `any`). NaN propagates (TF): `!(v <= m)` holds for
 * a larger `v` and for a NaN `v`, so a single comparison per element finds both; a row
 * stops at its first NaN, and a column keeps a NaN once taken (`!Number.isNaN(m)` guards it).
 * Rows start from -Infinity rather than their first element, so a leading NaN is seen too.
 */
export function maxLoop(src: Source, dst: Source, outer: number, size: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0, s = 0; o < outer; o++) {
      let m = -Infinity;
      const end = s + size;
      for (; s < end; s++) {
        const v = src[s]!;
        if (!(v <= m)) {
          m = v;
          if (Number.isNaN(v)) break;
        }
      }
      dst[o] = m;
      s = end;
    }
    return;
  }
  for (let o = 0, s = 0; o < outer; o++) {
    const d = o * inner;
    for (let j = 0; j < inner; j++) dst[d + j] = src[s + j]!;
    s += inner;
    for (let k = 1; k < size; k++) {
      for (let j = 0; j < inner; j++) {
        const v = src[s + j]!;
        const m = dst[d + j]!;
        if (!(v <= m) && !Number.isNaN(m)) dst[d + j] = v;
      }
      s += inner;
    }
  }
}

/** Min for every dtype (bool's min is `all`); NaN propagates as in `maxLoop`. */
export function minLoop(src: Source, dst: Source, outer: number, size: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0, s = 0; o < outer; o++) {
      let m = Infinity;
      const end = s + size;
      for (; s < end; s++) {
        const v = src[s]!;
        if (!(v >= m)) {
          m = v;
          if (Number.isNaN(v)) break;
        }
      }
      dst[o] = m;
      s = end;
    }
    return;
  }
  for (let o = 0, s = 0; o < outer; o++) {
    const d = o * inner;
    for (let j = 0; j < inner; j++) dst[d + j] = src[s + j]!;
    s += inner;
    for (let k = 1; k < size; k++) {
      for (let j = 0; j < inner; j++) {
        const v = src[s + j]!;
        const m = dst[d + j]!;
        if (!(v >= m) && !Number.isNaN(m)) dst[d + j] = v;
      }
      s += inner;
    }
  }
}
