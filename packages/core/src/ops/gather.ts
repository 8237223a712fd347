import { checkDType, type DType } from "../base/dtype.js";
import { AxisError, formatShape, ShapeError } from "../base/errors.js";
import { normalizeAxis, type Shape } from "../base/shape.js";
import { defineOp, type ValueInfo } from "../ir/op.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { scalarArgument, type ShapeLike, shapeArgument } from "./shape_args.js";
import { checkConverted, toTensor } from "./convert.js";
import * as g from "./gather_grads.js";
import { checkFillValue, checkIndicesDType, checkInt, checkShapeArg, dimsOf, mergeDim, shapeInput } from "./movement_args.js";

/**
 * Gather and scatter: move data to or from positions held in an int32 `indices` tensor.
 * Shapes are checked here; the index *values* are data, so range checks live in the
 * kernels, which throw an ArgumentError (as TensorFlow's CPU kernels do) before writing.
 */

export type GatherV2Attrs = { readonly axis: number; readonly batchDims: number };
export type ScatterNdAttrs = { readonly shape: readonly number[] };
export type OneHotAttrs = { readonly depth: number; readonly onValue: number; readonly offValue: number; readonly dtype: DType };

/** The index depth K of a gatherNd/scatterNd `indices` tensor (its last dimension). */
function indexDepth(indices: ValueInfo, api: string): number {
  const rank = indices.shape.length;
  if (rank === 0)
    throw new ShapeError(`${api}: 'indices' must have rank >= 1 (its last dimension holds each index tuple), received a scalar`);
  const depth = indices.shape[rank - 1]!;
  if (depth === null) {
    throw new ShapeError(
      `${api}: the last dimension of 'indices' (shape ${formatShape(indices.shape)}) is unknown while tracing; it fixes the output rank, so it must be known`,
    );
  }
  return depth;
}

/** `GatherV2`: picks slices along `axis` at the given indices. */
export const GatherV2 = defineOp<GatherV2Attrs>({
  name: "GatherV2",
  api: "gather",
  family: "movement",
  inputs: ["x", "indices"],
  infer: ([x, indices], attrs) => {
    checkIndicesDType("gather", "indices", indices!);
    const params = x!.shape;
    if (params.length === 0) throw new ShapeError("gather: 'x' is a scalar; gather needs a tensor with at least one dimension");
    const axis = normalizeAxis(attrs.axis, params.length, "gather");
    const indicesRank = indices!.shape.length;
    let batchDims = checkInt(attrs.batchDims, "gather", "batchDims");
    if (batchDims < 0) batchDims += indicesRank;
    if (batchDims < 0 || batchDims > indicesRank) {
      throw new AxisError(
        `gather: batchDims ${attrs.batchDims} is out of range for indices of rank ${indicesRank}; valid values are ${-indicesRank}..${indicesRank}`,
      );
    }
    if (batchDims > axis) throw new AxisError(`gather: batchDims (${batchDims}) must be <= axis (${axis})`);
    const shape: (number | null)[] = [];
    for (let i = 0; i < batchDims; i++) {
      shape.push(
        mergeDim(
          params[i]!,
          indices!.shape[i]!,
          "gather",
          () =>
            `with batchDims ${batchDims}, the first ${batchDims} dimensions of x (shape ${formatShape(params)}) and indices (shape ${formatShape(indices!.shape)}) must be equal`,
        ),
      );
    }
    shape.push(...params.slice(batchDims, axis), ...indices!.shape.slice(batchDims), ...params.slice(axis + 1));
    return [{ shape, dtype: x!.dtype }];
  },
  grad: (args) => g.gatherGrad(args),
});

/**
 * Gathers slices of `x` along `axis` at `indices` (int32): the output's shape is
 * `x.shape[:axis] + indices.shape[batchDims:] + x.shape[axis+1:]`. With `batchDims`, the
 * leading dims of `x` and `indices` are batch dims and each batch uses its own indices.
 * An index outside `[0, x.shape[axis])` throws an ArgumentError, as on TensorFlow's CPU.
 *
 * ```ts
 * tf.gather(tf.tensor([10, 20, 30]), [2, 0]); // [30, 10]
 * ```
 */
export function gather(x: TensorLike, indices: TensorLike, axis = 0, batchDims = 0): Tensor {
  const t = toTensor(x, "gather", "x");
  return bind1(GatherV2, [t, toTensor(indices, "gather", "indices", "int32", t)], { axis, batchDims });
}

/** `GatherNd`: picks elements or slices addressed by index tuples. */
export const GatherNd = defineOp<{}>({
  name: "GatherNd",
  api: "gatherNd",
  family: "movement",
  inputs: ["x", "indices"],
  infer: ([x, indices]) => {
    checkIndicesDType("gatherNd", "indices", indices!);
    const depth = indexDepth(indices!, "gatherNd");
    if (depth > x!.shape.length) {
      throw new ShapeError(
        `gatherNd: index tuples have ${depth} entries (indices shape ${formatShape(indices!.shape)}), but x has only rank ${x!.shape.length} (shape ${formatShape(x!.shape)})`,
      );
    }
    return [{ shape: [...indices!.shape.slice(0, -1), ...x!.shape.slice(depth)], dtype: x!.dtype }];
  },
  grad: (args) => g.gatherNdGrad(args),
});

/**
 * Gathers by index tuples: the last dimension of `indices` (int32) holds `K` coordinates
 * into the first `K` dims of `x`, and each tuple picks an element (`K = rank`) or a slice.
 * The output's shape is `indices.shape[:-1] + x.shape[K:]`.
 *
 * ```ts
 * tf.gatherNd(tf.tensor([[1, 2], [3, 4]]), [[1, 0], [0, 1]]); // [3, 2]
 * ```
 */
export function gatherNd(x: TensorLike, indices: TensorLike): Tensor {
  const t = toTensor(x, "gatherNd", "x");
  return bind1(GatherNd, [t, toTensor(indices, "gatherNd", "indices", "int32", t)]);
}

/** tfjs's spelling of `gatherNd`, so tfjs code ports unchanged. */
export const gatherND = gatherNd;

/** The updates shape scatterNd expects: `indices.shape[:-1] + shape[K:]`. */
function expectedUpdates(indices: Shape, shape: readonly number[], depth: number): Shape {
  return [...indices.slice(0, -1), ...shape.slice(depth)];
}

/** `ScatterNd`: a zero tensor of `shape` with `updates` added at index tuples. */
export const ScatterNd = defineOp<ScatterNdAttrs>({
  name: "ScatterNd",
  api: "scatterNd",
  family: "movement",
  inputs: ["indices", "updates", "shape"],
  attrInputs: [shapeInput("shape", 2)],
  infer: ([indices, updates], attrs) => {
    checkIndicesDType("scatterNd", "indices", indices!);
    // An output shape given as a tensor (a gradient of an unknown-shape gather) is known when the op runs.
    if (Array.isArray(attrs.shape) && attrs.shape.includes(null)) return [{ shape: dimsOf(attrs.shape, "scatterNd"), dtype: updates!.dtype }];
    const shape = checkShapeArg(attrs.shape, "scatterNd");
    const depth = indexDepth(indices!, "scatterNd");
    if (depth > shape.length) {
      throw new ShapeError(
        `scatterNd: index tuples have ${depth} entries (indices shape ${formatShape(indices!.shape)}), but the output shape ${formatShape(shape)} has only rank ${shape.length}`,
      );
    }
    const expected = expectedUpdates(indices!.shape, shape, depth);
    const got = updates!.shape;
    const mismatch = () =>
      `'updates' has shape ${formatShape(got)}, but indices of shape ${formatShape(indices!.shape)} into an output of shape ${formatShape(shape)} need updates of shape ${formatShape(expected)} (indices.shape[:-1] + shape[${depth}:])`;
    if (got.length !== expected.length) throw new ShapeError(`scatterNd: ${mismatch()}`);
    got.forEach((d, i) => mergeDim(d, expected[i]!, "scatterNd", mismatch));
    return [{ shape, dtype: updates!.dtype }];
  },
  grad: (args) => g.scatterNdGrad(args),
});

/**
 * Creates a zero tensor of `shape` and adds each slice of `updates` at the position its
 * index tuple in `indices` (int32) names; duplicate indices add up, as in TensorFlow (bool
 * updates combine with logical or). An out-of-range index throws an ArgumentError.
 *
 * ```ts
 * tf.scatterNd([[1], [3], [1]], [10, 20, 5], [4]); // [0, 15, 0, 20]
 * ```
 */
export function scatterNd(indices: TensorLike, updates: TensorLike, shape: ShapeLike): Tensor {
  const i = toTensor(indices, "scatterNd", "indices", "int32");
  const inputs = [i, toTensor(updates, "scatterNd", "updates", undefined, i)];
  const arg = checkConverted(inputs, () => shapeArgument(shape, "scatterNd"));
  if ("tensor" in arg) return bind1(ScatterNd, [...inputs, arg.tensor], {});
  return bind1(ScatterNd, inputs, { shape: checkConverted(inputs, () => checkShapeArg(arg.dims, "scatterNd")) });
}

/** tfjs's spelling of `scatterNd`, so tfjs code ports unchanged. */
export const scatterND = scatterNd;

/** `OneHot`: expands class indices into one-hot vectors along a new last axis. */
export const OneHot = defineOp<OneHotAttrs>({
  name: "OneHot",
  api: "oneHot",
  family: "movement",
  inputs: ["indices", "depth"],
  attrInputs: [{ attr: "depth", input: 1, scalar: true }],
  infer: ([indices], attrs) => {
    checkIndicesDType("oneHot", "indices", indices!);
    // A depth given as a tensor is null while tracing: its value comes with the run.
    const depth = attrs.depth === null ? null : checkInt(attrs.depth, "oneHot", "depth", 0);
    const dtype = checkDType(attrs.dtype, "oneHot");
    checkFillValue(attrs.onValue, dtype, "oneHot", "onValue");
    checkFillValue(attrs.offValue, dtype, "oneHot", "offValue");
    return [{ shape: [...indices!.shape, depth], dtype }];
  },
  // int32 class indices in, constants out: nothing to differentiate (TF: no gradient).
  grad: "none",
});

/**
 * One-hot encodes int32 `indices` along a new last axis of size `depth`: position
 * `indices[i]` holds `onValue`, every other position `offValue`. An index outside
 * `[0, depth)` gives a row of `offValue` (TensorFlow's rule). The result is `float32`
 * unless `dtype` says otherwise (TensorFlow's default; tfjs 4 defaults to int32).
 *
 * ```ts
 * tf.oneHot([0, 2], 3); // [[1, 0, 0], [0, 0, 1]]
 * ```
 */
export function oneHot(
  indices: TensorLike,
  depth: number | Tensor,
  onValue: number | boolean = 1,
  offValue: number | boolean = 0,
  dtype: DType = "float32",
): Tensor {
  const target = checkDType(dtype, "oneHot");
  const attrs = { onValue: checkFillValue(onValue, target, "oneHot", "onValue"), offValue: checkFillValue(offValue, target, "oneHot", "offValue"), dtype: target };
  const t = toTensor(indices, "oneHot", "indices", "int32");
  const depthArg = scalarArgument(depth);
  return "tensor" in depthArg ? bind1(OneHot, [t, depthArg.tensor], attrs) : bind1(OneHot, [t], { ...attrs, depth: depthArg.value });
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    gather(indices: TensorLike, axis?: number, batchDims?: number): Tensor;
    gatherNd(indices: TensorLike): Tensor;
    oneHot(depth: number | Tensor, onValue?: number | boolean, offValue?: number | boolean, dtype?: DType): Tensor;
  }
}

/** Chainable methods this file adds to Tensor. */
export const gatherMethods = {
  gather(this: Tensor, indices: TensorLike, axis?: number, batchDims?: number): Tensor {
    return gather(this, indices, axis, batchDims);
  },
  gatherNd(this: Tensor, indices: TensorLike): Tensor {
    return gatherNd(this, indices);
  },
  oneHot(this: Tensor, depth: number | Tensor, onValue?: number | boolean, offValue?: number | boolean, dtype?: DType): Tensor {
    return oneHot(this, depth, onValue, offValue, dtype);
  },
};
