/**
 * @kiln/autograph: converts JS control flow and operators on tensors into graph ops, so
 * plain code inside `tf.function` traces correctly (SPEC G).
 *
 * ```ts
 * import "@kiln/autograph/register";  // or: node --import @kiln/autograph/register app.js
 * import * as tf from "@kiln/core";
 * const f = tf.function((x) => {
 *   if (x > 0) return x;               // becomes an If op when x is a tensor
 *   return -x;
 * });
 * ```
 */
export { autograph, convert, toCode, enableRuntimeConversion, type ConvertOptions } from "./api.js";
export { doNotConvert, isConverted, DO_NOT_CONVERT } from "./operators/calls.js";
export { setLoopOptions, type LoopOptions } from "./operators/loop_options.js";
export { ConversionError, AutoGraphError } from "./errors.js";
export { transformModule, type TransformOptions, type TransformResult } from "./converter/module_transform.js";
