/**
 * Weight encoding for the LayersModel format: named tensors to specs plus one little-endian
 * buffer (float32, int32, bool as bytes), and back, with every spec checked against the
 * buffer's size before any tensor is made.
 *
 * ```ts
 * const { specs, data } = await encodeWeights([{ name: "dense/kernel", tensor }]);
 * const tensors = decodeWeights(specs, data); // Map name -> tensor
 * ```
 */
import * as tf from "@kiln/core";
import { ModelFormatError } from "../errors.js";
import type { WeightSpec } from "./artifacts.js";

/** Serializes named tensors (reading them with `await`, so async backends work). */
export async function encodeWeights(
  weights: readonly { name: string; tensor: tf.Tensor; group?: string }[],
): Promise<{ specs: WeightSpec[]; data: ArrayBuffer }> {
  const chunks: Uint8Array[] = [];
  const specs: WeightSpec[] = [];
  for (const { name, tensor, group } of weights) {
    const values = await tensor.data();
    const dtype = tensor.dtype as WeightSpec["dtype"];
    const bytes =
      dtype === "bool"
        ? Uint8Array.from(values as ArrayLike<number>)
        : new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
    chunks.push(bytes);
    specs.push({ name, shape: [...(tensor.shape as number[])], dtype, ...(group === undefined ? {} : { group }) });
  }
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const data = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    data.set(c, offset);
    offset += c.byteLength;
  }
  return { specs, data: data.buffer };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Decodes a buffer laid out by `specs`; throws `ModelFormatError` on unknown dtypes, bad shapes or a size mismatch. */
export function decodeWeights(specs: readonly WeightSpec[], data: ArrayBuffer): Map<string, tf.Tensor> {
  let offset = 0;
  const plan = specs.map((spec) => {
    const bytesPer = BYTES[spec.dtype];
    if (bytesPer === undefined)
      throw new ModelFormatError(
        `Weight '${spec.name}': dtype '${spec.dtype}' is not supported (float32, int32, bool; quantized weights are not)`,
      );
    if (!Array.isArray(spec.shape) || spec.shape.some((d) => !Number.isInteger(d) || d < 0))
      throw new ModelFormatError(`Weight '${spec.name}': invalid shape ${JSON.stringify(spec.shape)}`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const entry = { spec, offset, size };
    offset += size * bytesPer;
    return entry;
  });
  if (offset !== data.byteLength) {
    throw new ModelFormatError(
      `Weights manifest describes ${offset} bytes but the weight data holds ${data.byteLength} bytes (missing or truncated shards?)`,
    );
  }
  const out = new Map<string, tf.Tensor>();
  for (const { spec, offset: start, size } of plan) {
    const bytes = data.slice(start, start + size * BYTES[spec.dtype]!);
    const values =
      spec.dtype === "float32" ? new Float32Array(bytes) : spec.dtype === "int32" ? new Int32Array(bytes) : new Uint8Array(bytes);
    out.set(spec.name, tf.tensor(values as Float32Array, spec.shape, spec.dtype));
  }
  return out;
}
