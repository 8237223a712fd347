import type { ConcreteShape } from "@kiln/core";

/**
 * How each input of a broadcasting elementwise op is read while the output is written in
 * row-major order. Dimensions are collapsed as far as possible first: `[2,1,3] + [4,3]`
 * becomes a 2 x 12 walk where the first input repeats each run of 3 (strides below), and a
 * scalar operand or a same-shape pair collapses to a single dimension.
 *
 * ```ts
 * broadcastLayout([2, 4, 3], [[2, 1, 3], [4, 3]]);
 * // { shape: [2, 4, 3], strides: [[3, 0, 1], [0, 3, 1]] }
 * ```
 */
export interface BroadcastLayout {
  /** Collapsed output dims (at least one; none of them is 1 unless the output is a single element). */
  readonly shape: readonly number[];
  /** Per input, its element stride along each collapsed dim: 0 where the input repeats. */
  readonly strides: readonly (readonly number[])[];
}

/**
 * Element strides of `inShape` read as `outShape`: 0 along broadcast dims (size 1 or
 * missing in the input), the row-major stride elsewhere. Reusable by any kernel that reads
 * a broadcast input (`broadcastTo`, fused kernels).
 *
 * ```ts
 * broadcastStrides([3, 1], [2, 3, 4]); // [0, 1, 0]
 * ```
 */
export function broadcastStrides(inShape: ConcreteShape, outShape: ConcreteShape): number[] {
  const rank = outShape.length;
  const offset = rank - inShape.length;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let d = inShape.length - 1; d >= 0; d--) {
    const size = inShape[d]!;
    if (size !== 1) strides[d + offset] = stride;
    stride *= size;
  }
  return strides;
}

/**
 * Collapses an elementwise broadcast into the fewest dims. Output dims of size 1 are
 * dropped; two neighbouring dims merge when every input reads them as one run (both
 * contiguous, or both repeated), so contiguous trailing axes become one long inner run.
 */
export function broadcastLayout(outShape: ConcreteShape, inShapes: readonly ConcreteShape[]): BroadcastLayout {
  const all = inShapes.map((s) => broadcastStrides(s, outShape));
  const shape: number[] = [];
  const strides: number[][] = inShapes.map(() => []);
  for (let d = 0; d < outShape.length; d++) {
    const size = outShape[d]!;
    if (size === 1) continue;
    const last = shape.length - 1;
    // Merging dim d into the previous kept dim works if, for every input, stepping the
    // previous dim once equals stepping dim d through all its `size` elements.
    const mergeable = last >= 0 && all.every((s, i) => strides[i]![last] === s[d]! * size);
    if (mergeable) {
      shape[last] = shape[last]! * size;
      all.forEach((s, i) => (strides[i]![last] = s[d]!));
    } else {
      shape.push(size);
      all.forEach((s, i) => strides[i]!.push(s[d]!));
    }
  }
  if (shape.length === 0) {
    shape.push(1);
    strides.forEach((s) => s.push(0));
  }
  return { shape, strides };
}
