/**
 * A Triton Inference Server model configuration (`config.pbtxt`) for an exported model, read
 * from the model's own inputs and outputs: the `onnxruntime_onnx` platform, names, data types
 * and dims. With `maxBatchSize` > 0 the first dimension (symbolic in every input and output,
 * e.g. Keras's `batch`) is Triton's batch dimension and is left out of `dims`, as Triton
 * expects; other unknown dims are -1.
 *
 * ```ts
 * writeFileSync("model_repository/fashion_cnn/config.pbtxt", tritonConfig(bytes, { name: "fashion_cnn", maxBatchSize: 64 }));
 * ```
 */
import { fromBinary } from "@bufbuild/protobuf";
import { type ModelProto, ModelProtoSchema, type ValueInfoProto } from "onnx-buf";
import { OnnxExportError } from "../errors.js";
import { DataType } from "../proto/dtype.js";

export interface TritonConfigOptions {
  /** The model's name in the repository (its folder name). */
  readonly name: string;
  /** Triton's `max_batch_size`: 0 disables batching (dims are then the full shapes). Default 0. */
  readonly maxBatchSize?: number;
  /** Add `dynamic_batching { }` (requests batched by the server; needs maxBatchSize > 0). Default true when batching. */
  readonly dynamicBatching?: boolean;
  /** Model instances on the CPU (`instance_group`); leave out to let Triton choose (a GPU when it has one). */
  readonly cpuInstances?: number;
}

const TRITON_TYPES: Partial<Record<number, string>> = {
  [DataType.FLOAT]: "TYPE_FP32",
  [DataType.DOUBLE]: "TYPE_FP64",
  [DataType.INT32]: "TYPE_INT32",
  [DataType.INT64]: "TYPE_INT64",
  [DataType.BOOL]: "TYPE_BOOL",
};

function tensorOf(info: ValueInfoProto) {
  const type = info.type?.value.case === "tensorType" ? info.type.value.value : undefined;
  const dims = type?.shape?.dim.map((d) => (d.value.case === "dimValue" ? Number(d.value.value) : -1));
  const dataType = TRITON_TYPES[type?.elemType ?? -1];
  if (type === undefined || dims === undefined || dataType === undefined) {
    throw new OnnxExportError(`tritonConfig: '${info.name}' needs a tensor type of known rank and a float32, float64, int32, int64 or bool element type`);
  }
  return { name: info.name, dataType, dims };
}

/** One `input`/`output` list entry. */
function entry(t: { name: string; dataType: string; dims: number[] }, batched: boolean): string {
  const dims = batched ? t.dims.slice(1) : t.dims;
  return `  {\n    name: "${t.name}"\n    data_type: ${t.dataType}\n    dims: [ ${dims.join(", ")} ]\n  }`;
}

/**
 * The `config.pbtxt` text for an ONNX model (its bytes or `ModelProto`).
 *
 * ```ts
 * tritonConfig(kerasToOnnx(model), { name: "fashion_cnn", maxBatchSize: 64 });
 * ```
 */
export function tritonConfig(model: Uint8Array | ModelProto, options: TritonConfigOptions): string {
  const decoded = model instanceof Uint8Array ? fromBinary(ModelProtoSchema, model) : model;
  const graph = decoded.graph;
  if (graph === undefined) throw new OnnxExportError("tritonConfig: the model has no graph");
  const inputs = graph.input.filter((i) => !graph.initializer.some((t) => t.name === i.name)).map(tensorOf);
  const outputs = graph.output.map(tensorOf);
  const maxBatch = options.maxBatchSize ?? 0;
  const batched = maxBatch > 0;
  if (batched) {
    const unbatched = [...inputs, ...outputs].find((t) => t.dims[0] !== -1);
    if (unbatched !== undefined) {
      throw new OnnxExportError(
        `tritonConfig: maxBatchSize ${maxBatch} needs a variable first dimension in every input and output, but '${unbatched.name}' has dims [${unbatched.dims.join(", ")}]; export with a null batch dimension or use maxBatchSize 0`,
      );
    }
  }
  const lines = [
    `name: "${options.name}"`,
    `platform: "onnxruntime_onnx"`,
    `max_batch_size: ${maxBatch}`,
    `input [\n${inputs.map((t) => entry(t, batched)).join(",\n")}\n]`,
    `output [\n${outputs.map((t) => entry(t, batched)).join(",\n")}\n]`,
  ];
  if (batched && options.dynamicBatching !== false) lines.push("dynamic_batching { }");
  if (options.cpuInstances !== undefined) lines.push(`instance_group [\n  {\n    count: ${options.cpuInstances}\n    kind: KIND_CPU\n  }\n]`);
  return `${lines.join("\n")}\n`;
}
