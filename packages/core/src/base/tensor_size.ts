import { type DType, bytesPerElement } from "./dtype.js";
import { ResourceExhaustedError, formatShape } from "./errors.js";

/** The default largest tensor Kiln creates: 2 GiB (`tf.config.setMaxTensorBytes` changes it). */
export const DEFAULT_MAX_TENSOR_BYTES = 2 ** 31;

/** Tensors may have at most this many dimensions (nested arrays, shapes, saved files). */
export const MAX_RANK = 64;

/**
 * Throws a ResourceExhaustedError naming `api` when an output of fully known shape would
 * take more than `maxBytes`, before anything is allocated (eager ops check when they run,
 * plan steps each time the plan runs, so dims known only then are checked too).
 *
 * ```ts
 * checkTensorSizes("zeros", [{ shape: [1e6, 1e6], dtype: "float32" }], 2 ** 31); // throws
 * ```
 */
export function checkTensorSizes(
  api: string,
  outputs: readonly { readonly shape: readonly (number | null)[]; readonly dtype: DType }[],
  maxBytes: number,
  /** The graph operation, when a plan runs it. */
  operation?: string,
): void {
  for (const { shape, dtype } of outputs) {
    let elements = 1;
    for (const d of shape) elements *= d ?? 0;
    const bytes = elements * bytesPerElement(dtype);
    if (bytes > maxBytes) {
      throw new ResourceExhaustedError(
        `${api}${operation === undefined ? "" : ` (operation '${operation}')`}: the result would have shape ${formatShape(shape)} (${elements.toLocaleString("en-US")} ${dtype} elements, ${formatBytes(bytes)}), ` +
          `more than the ${formatBytes(maxBytes)} a tensor may take; raise the limit with tf.config.setMaxTensorBytes(bytes) if the memory exists`,
      );
    }
  }
}

/** `1.5 GiB`, `8 GiB`, `3.6 TiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toPrecision(3)} ${units[unit]}`;
}
