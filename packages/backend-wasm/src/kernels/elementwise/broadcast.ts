import type { ConcreteShape } from "@kiln/core";

/**
 * How each input of a broadcasting elementwise op is read while the output is written in
 * row-major order, with dims merged wherever every input reads them as one run: `[2,1,3] +
 * [4,3]` becomes a `[2, 12]` walk. The innermost stride of every input is then 0 (repeat
 * one element) or 1 (contiguous), which is what the C driver expects.
 *
 * ```ts
 * collapseBroadcast([2, 4, 3], [[2, 1, 3], [4, 3]]);
 * // { shape: [2, 4, 3], strides: [[3, 0, 1], [0, 3, 1]] }
 * ```
 */
export interface BroadcastLayout {
  readonly shape: readonly number[];
  readonly strides: readonly (readonly number[])[];
}

/** Element strides of `inShape` read as `outShape`: 0 along broadcast dims. */
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

export function collapseBroadcast(outShape: ConcreteShape, inShapes: readonly ConcreteShape[]): BroadcastLayout {
  const all = inShapes.map((s) => broadcastStrides(s, outShape));
  const shape: number[] = [];
  const strides: number[][] = inShapes.map(() => []);
  for (let d = 0; d < outShape.length; d++) {
    const size = outShape[d]!;
    if (size === 1) continue;
    const last = shape.length - 1;
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
