/**
 * @kiln/onnx: Kiln concrete functions and Keras models as ONNX models (opset 17), for
 * onnxruntime, NVIDIA Triton Inference Server and other ONNX runtimes. Control flow stays
 * control flow (`If`, `Loop`), unknown dims stay symbolic, variables become initializers, and
 * every export passes a structural check before it is returned.
 *
 * ```ts
 * import * as tf from "@kiln/core";
 * import { saveOnnx, kerasToOnnx } from "@kiln/onnx";
 * const f = tf.function((x: tf.Tensor) => tf.relu(x), { inputSignature: [new tf.TensorSpec([null, 4])] });
 * await saveOnnx(f, "relu.onnx");
 * const bytes = kerasToOnnx(model);
 * ```
 */
export { toOnnx, toOnnxModel, saveOnnx, concreteFunctionOf, OPSET_VERSION, IR_VERSION, type Exportable } from "./export/export.js";
export type { ExportOptions } from "./export/options.js";
export { kerasToOnnx, saveKerasOnnx, kerasPredictFunction, type KerasModelLike, type KerasExportOptions } from "./export/keras.js";
export { checkModel, assertValidModel } from "./check/checker.js";
export { tritonConfig, type TritonConfigOptions } from "./serving/triton.js";
export { onnxMappings, onnxOpTable, type OpMapping, type NodeContext } from "./ops/index.js";
export { OnnxExportError, OpExportError, UnsupportedOpError, StatefulOpError, UnknownRankError, OnnxCheckError } from "./errors.js";
