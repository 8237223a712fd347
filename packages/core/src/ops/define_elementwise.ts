import type { DType } from "../base/dtype.js";
import { DTypeError } from "../base/errors.js";
import { broadcastShapes } from "../base/shape.js";
import { type OpDef, type ValueInfo, defineOp } from "../ir/op.js";

/** Dtype groups for op declarations. */
export const NUMERIC: readonly DType[] = ["float32", "int32"];
export const FLOAT: readonly DType[] = ["float32"];
export const ALL: readonly DType[] = ["float32", "int32", "bool"];
export const BOOL: readonly DType[] = ["bool"];

/** Rejects a dtype outside `allowed`, naming the op. */
export function checkInputDType(api: string, argName: string, info: ValueInfo, allowed: readonly DType[]): void {
  if (!allowed.includes(info.dtype)) {
    throw new DTypeError(`${api}: argument '${argName}' has dtype ${info.dtype}, but ${api} accepts ${allowed.join(" or ")}`);
  }
}

/**
 * Declares a one-input elementwise op: the output has the input's shape and either the
 * input's dtype or `outDtype` (e.g. `bool` for `IsNan`).
 *
 * ```ts
 * export const Neg = defineUnary("Neg", "neg", NUMERIC);
 * ```
 */
export function defineUnary(name: string, api: string, dtypes: readonly DType[], outDtype?: DType): OpDef<{}> {
  return defineOp<{}>({
    name,
    api,
    family: "elementwise",
    inputs: ["x"],
    infer: ([x]) => {
      checkInputDType(api, "x", x!, dtypes);
      return [{ shape: x!.shape, dtype: outDtype ?? x!.dtype }];
    },
  });
}

/**
 * Declares a two-input broadcasting elementwise op. Both inputs must share a dtype from
 * `dtypes`; the output has the broadcast shape and the input dtype or `outDtype`.
 *
 * ```ts
 * export const AddV2 = defineBinary("AddV2", "add", NUMERIC);
 * ```
 */
export function defineBinary(name: string, api: string, dtypes: readonly DType[], outDtype?: DType): OpDef<{}> {
  return defineOp<{}>({
    name,
    api,
    family: "elementwise",
    inputs: ["x", "y"],
    infer: ([x, y]) => {
      checkInputDType(api, "a", x!, dtypes);
      checkInputDType(api, "b", y!, dtypes);
      if (x!.dtype !== y!.dtype) {
        throw new DTypeError(`${api}: both operands must have the same dtype, received ${x!.dtype} and ${y!.dtype}; convert one with tf.cast`);
      }
      return [{ shape: broadcastShapes(x!.shape, y!.shape, api), dtype: outDtype ?? x!.dtype }];
    },
  });
}
