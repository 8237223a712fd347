/**
 * Options of `toOnnx`, `saveOnnx` and `kerasToOnnx`.
 *
 * ```ts
 * toOnnx(cf, { variables: "inputs", dimName: (input, axis) => (axis === 0 ? "batch" : `${input}_${axis}`) });
 * ```
 */
export interface ExportOptions {
  /**
   * Where variables' values go: `"initializers"` (default) stores each variable's current
   * value in the model; `"inputs"` makes each variable a graph input (named after it) that
   * callers feed, so one model file serves any weights.
   */
  readonly variables?: "initializers" | "inputs";
  /** What to do with `tf.print` (`PrintV2`): `"error"` (default, a StatefulOpError) or `"drop"`. */
  readonly prints?: "error" | "drop";
  /**
   * `"kiln"` (default): NaN and -Infinity follow Kiln's rules where onnxruntime's kernels differ
   * (max-pools, max/min reductions, argMax/argMin, topK, sign), at some cost (a guarded second
   * pool: about a third slower Fashion-MNIST CNN in onnxruntime). `"runtime"`: those ops as
   * ONNX's plain kernels, whatever they do with NaN and infinities.
   */
  readonly specialValues?: "kiln" | "runtime";
  /** Names of the graph inputs, one per tensor parameter (default: the parameters' names). */
  readonly inputNames?: readonly string[];
  /** Names of the graph outputs (default `output_0`, `output_1`, ...). */
  readonly outputNames?: readonly string[];
  /** The symbolic name of an input's unknown (`null`) dimension (default `<input>_dim<axis>`). */
  readonly dimName?: (input: string, axis: number) => string;
  /** The model's graph name (default: the concrete function's name). */
  readonly name?: string;
  /** A description stored in the model's `doc_string`. */
  readonly docString?: string;
}
