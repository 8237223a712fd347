import { ShapeError } from "../base/errors.js";
import { asTensor, ephemeralTensors } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { convertEach, toTensor } from "./convert.js";
import { stack } from "./joining.js";
import { cast } from "./selection.js";

/** A shape argument: JS numbers, an int32 vector tensor (`tf.shape(x)`), or numbers mixed with int32 scalar tensors. */
export type ShapeLike = readonly number[] | Tensor | readonly (number | Tensor)[];

/** A scalar argument that may be a tensor: a JS number or an int32 scalar tensor. */
export type ScalarLike = number | Tensor;

/** One entry of a mixed shape list as an int32 scalar tensor. */
function dimTensor(dim: unknown, index: number, api: string): Tensor {
  const tensor = asTensor(dim);
  if (tensor === undefined) return toTensor(dim as number, api, `shape[${index}]`, "int32");
  if (tensor.rank !== 0 || tensor.dtype === "bool") {
    throw new ShapeError(`${api}: shape entry ${index} must be a number or an int32 scalar tensor, received dtype ${tensor.dtype} and rank ${tensor.rank}`);
  }
  if (tensor.dtype === "int32") return tensor;
  const cast32 = cast(tensor, "int32");
  // Made here for the pack only: it lives no longer than a converted entry.
  if (!cast32.isSymbolic) ephemeralTensors.add(cast32);
  return cast32;
}

/**
 * A shape argument as an op takes it: the JS numbers (an attr) or one int32 vector tensor
 * (an attr input, see `OpDef.attrInputs`). Eager scalar tensors in a list are read (a
 * traced or unreadable one makes the list one tensor, `tf.stack`). A tensor of another
 * dtype or rank is a ShapeError that names the op.
 *
 * ```ts
 * shapeArgument([n, 3], "fill"); // Pack(n, 3) when n is a traced scalar
 * ```
 */
export function shapeArgument(value: unknown, api: string): { dims: readonly number[] } | { tensor: Tensor } {
  const tensor = asTensor(value);
  if (tensor !== undefined) {
    if (tensor.rank !== 1 || tensor.dtype !== "int32") {
      throw new ShapeError(`${api}: a shape tensor must be an int32 vector (e.g. tf.shape(x)), received dtype ${tensor.dtype} and rank ${tensor.rank}`);
    }
    return { tensor };
  }
  if (!Array.isArray(value) || !value.some((d) => asTensor(d) !== undefined)) return { dims: value as readonly number[] };
  const entries = value.map((d) => asTensor(d));
  if (entries.every((t) => t === undefined || (t.canReadSync && t.rank === 0))) {
    return { dims: value.map((d, i) => (entries[i] === undefined ? d : entries[i]!.dataSync()[0]!)) as number[] };
  }
  const packed = stack(convertEach(value, (d, i) => dimTensor(d, i, api)));
  // An eager pack lives only for the op that takes it.
  if (!packed.isSymbolic) ephemeralTensors.add(packed);
  return { tensor: packed };
}

/**
 * A scalar argument that may be a tensor (a range bound, a one-hot depth): the JS number
 * (an attr) or the scalar tensor (an attr input).
 */
export function scalarArgument(value: unknown): { value: number } | { tensor: Tensor } {
  const tensor = asTensor(value);
  return tensor === undefined ? { value: value as number } : { tensor };
}
