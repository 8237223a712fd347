/**
 * Keras models to ONNX without @kiln/keras depending on this package (or this package on it):
 * a model is anything with Keras's `apply(x, { training })` and known input shapes. Its
 * predict function (the model in inference mode, traced once with an inputSignature whose
 * batch dimension is `null`) is exported, with the batch dimension named `batch` in the ONNX
 * model and the inputs and outputs named like the model's (`inputNames`, `outputNames`).
 *
 * ```ts
 * const bytes = kerasToOnnx(model);                  // the model's predict, any batch size
 * await saveKerasOnnx(model, "fashion_cnn.onnx");
 * ```
 */
import * as tf from "@kiln/core";
import { OnnxExportError } from "../errors.js";
import { saveOnnx, toOnnx } from "./export.js";
import { NameScope } from "./names.js";
import type { ExportOptions } from "./options.js";

/** What the exporter needs of a Keras model (`@kiln/keras`'s `Model` has all of it). */
export interface KerasModelLike {
  readonly name: string;
  /** The symbolic inputs (`keras.input`s); empty for subclassed models (pass `inputSpecs`). */
  readonly inputs: readonly { readonly shape: readonly (number | null)[]; readonly dtype: tf.DType }[];
  readonly inputNames?: readonly string[];
  readonly outputNames?: readonly string[];
  apply(inputs: tf.Tensor | tf.Tensor[], options: { training: boolean }): unknown;
}

export interface KerasExportOptions extends ExportOptions {
  /** Input specs for models that do not know their input shapes (subclassed models). */
  readonly inputSpecs?: readonly tf.TensorSpec[];
}

/** Names fit for ONNX and distinct, from the model's names. */
function onnxNames(names: readonly string[] | undefined, count: number): string[] | undefined {
  if (names === undefined || names.length !== count) return undefined;
  const scope = new NameScope();
  return names.map((n) => scope.unique(n));
}

/**
 * The model's predict function as a concrete function: `model.apply(x, { training: false })`
 * traced with an inputSignature from the model's inputs (batch `null`), the graph Keras's own
 * `predict` runs.
 *
 * ```ts
 * const cf = kerasPredictFunction(model);
 * cf.graph.toString();
 * ```
 */
export function kerasPredictFunction(model: KerasModelLike, inputSpecs?: readonly tf.TensorSpec[]): tf.ConcreteFunction {
  const specs = inputSpecs ?? model.inputs.map((t, i) => new tf.TensorSpec([...t.shape], t.dtype, model.inputNames?.[i]));
  if (specs.length === 0) {
    throw new OnnxExportError(
      `kerasToOnnx: model '${model.name}' does not know its input shapes (a subclassed model); pass { inputSpecs: [new tf.TensorSpec([null, ...shape])] }`,
    );
  }
  const predict = tf.function((...xs: tf.Tensor[]) => model.apply(xs.length === 1 ? xs[0]! : xs, { training: false }), {
    inputSignature: [...specs],
    autograph: false,
    name: `${model.name}_predict`,
  });
  return predict.getConcreteFunction();
}

/** Export options for a Keras model: its names, and `batch` for unknown first dims. */
function kerasOptions(model: KerasModelLike, cf: tf.ConcreteFunction, options: KerasExportOptions): ExportOptions {
  const inputs = cf.graph.inputs.length - cf.graph.captures.length;
  const inputNames = options.inputNames ?? onnxNames(model.inputNames, inputs);
  const outputNames = options.outputNames ?? onnxNames(model.outputNames, cf.graph.outputs.length);
  return {
    dimName: (input, axis) => (axis === 0 ? "batch" : `${input}_dim${axis}`),
    name: model.name,
    ...options,
    ...(inputNames === undefined ? {} : { inputNames }),
    ...(outputNames === undefined ? {} : { outputNames }),
  };
}

/**
 * A Keras model's predict function as ONNX bytes (see `toOnnx`).
 *
 * ```ts
 * const session = await ort.InferenceSession.create(kerasToOnnx(model));
 * await session.run({ input: new ort.Tensor("float32", pixels, [n, 28, 28, 1]) });
 * ```
 */
export function kerasToOnnx(model: KerasModelLike, options: KerasExportOptions = {}): Uint8Array {
  const cf = kerasPredictFunction(model, options.inputSpecs);
  return toOnnx(cf, kerasOptions(model, cf, options));
}

/**
 * `kerasToOnnx`, reading weights with `await` and writing to `target` when it is a path (see `saveOnnx`).
 *
 * ```ts
 * await saveKerasOnnx(model, "model_repository/fashion_cnn/1/model.onnx");
 * ```
 */
export async function saveKerasOnnx(model: KerasModelLike, target: string | { readonly bytes: true }, options: KerasExportOptions = {}): Promise<Uint8Array> {
  const cf = kerasPredictFunction(model, options.inputSpecs);
  return saveOnnx(cf, target, kerasOptions(model, cf, options));
}
