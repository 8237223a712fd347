import { defineOp } from "../ir/op.js";
import { Tensor } from "../tensor/tensor.js";
import { formatValues } from "../tensor/format.js";
import type { DataArray, DType } from "../base/dtype.js";
import { getRuntime } from "../trace/runtime.js";
import { asTensor } from "../tensor/convert.js";

/** `PrintV2`: prints its inputs on every execution. `template` has `null` where each tensor goes. */
export const PrintV2 = defineOp<{ template: readonly (string | null)[] }>({
  name: "PrintV2",
  api: "print",
  family: "opaque",
  inputs: "variadic",
  stateful: true,
  infer: () => [],
});

/** Formats one printed tensor the way `tf.print` shows it: its values, NumPy style. */
export function formatPrinted(values: DataArray, shape: readonly number[], dtype: DType): string {
  return formatValues(values, shape, dtype);
}

/**
 * Prints values: strings as they are, tensors as their values. Eagerly it prints now;
 * inside a `tf.function` it becomes a `PrintV2` op that prints on every call, in program
 * order with other stateful ops (unlike `console.log`, which runs only while tracing).
 *
 * ```ts
 * tf.print("x =", x);
 * ```
 */
export function print(...values: unknown[]): void {
  const runtime = getRuntime();
  const template = values.map((v) => (asTensor(v) === undefined ? String(v) : null));
  const tensors = values.flatMap((v) => {
    const t = asTensor(v);
    return t === undefined ? [] : [t];
  });
  const graphTrace = runtime.graphTrace();
  if (graphTrace !== undefined) {
    graphTrace.bind(PrintV2, tensors, { template });
    return;
  }
  let next = 0;
  runtime.print(template.map((part) => part ?? printTensor(tensors[next++]!)).join(" "));
}

function printTensor(t: Tensor): string {
  return formatPrinted(t.dataSync(), t.shape as number[], t.dtype);
}
