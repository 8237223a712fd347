import { defineOp } from "../ir/op.js";
import { DTYPES } from "../base/dtype.js";
import { scalarKernel } from "../ir/scalar.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { toTensor } from "./convert.js";

/** `StopGradient`: passes its input through; gradients do not flow back through it. */
export const StopGradient = defineOp<{}>({
  name: "StopGradient",
  api: "stopGradient",
  family: "elementwise",
  inputs: ["input"],
  execution: { kind: "alias" },
  grad: "none",
  infer: ([x]) => [x!],
  scalar: DTYPES.map((dtype) => scalarKernel([dtype], (x) => x!)),
});

/**
 * The same values, treated as a constant by gradient tapes.
 *
 * ```ts
 * const target = tf.stopGradient(prediction); // no gradient flows into `prediction`
 * ```
 */
export function stopGradient(x: TensorLike): Tensor {
  return bind1(StopGradient, [toTensor(x, "stopGradient", "x")]);
}
