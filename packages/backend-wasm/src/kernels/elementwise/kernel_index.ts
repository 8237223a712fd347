import type { ScalarKernel } from "@kiln/core";
import { renderKernel } from "../../dialect/c_dialect.js";
import { WasmKernelError } from "../../errors.js";
import { ELEMENTWISE_KERNEL_KEYS } from "../../generated/elementwise_keys.js";

const ids = new Map<string, number>(ELEMENTWISE_KERNEL_KEYS.map((key, id) => [key, id]));
const byKernel = new WeakMap<ScalarKernel, number>();

/**
 * The id of the compiled kernel for one of core's scalar kernels: its C rendering is
 * looked up among the kernels the binary was built with. Rendering happens once per
 * scalar kernel. A missing key means the binary was built from another version of core's
 * table: rebuild the package.
 *
 * ```ts
 * kernelIdOf(scalarKernelOf(tf.Exp, ["float32"], "float32", {})!, "Exp"); // e.g. 57
 * ```
 */
export function kernelIdOf(kernel: ScalarKernel, op: string): number {
  const known = byKernel.get(kernel);
  if (known !== undefined) return known;
  const id = ids.get(renderKernel(kernel).key);
  if (id === undefined) {
    throw new WasmKernelError(
      `${op}: the wasm binary has no kernel for this op's semantics in @kiln/core (built from an older scalar table); rebuild @kiln/backend-wasm`,
    );
  }
  byKernel.set(kernel, id);
  return id;
}
