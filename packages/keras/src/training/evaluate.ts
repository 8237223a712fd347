/**
 * `evaluate` and `predict` loops: batches through the traced test and predict functions.
 * `evaluate` returns tfjs's shape (a scalar, or `[loss, ...metrics]`); `predict` returns the
 * outputs of every batch concatenated.
 *
 * ```ts
 * const [loss, acc] = model.evaluate(xTest, yTest, { batchSize: 256 }) as tf.Tensor[];
 * ```
 */
import * as tf from "@kiln/core";
import { ConfigError } from "../errors.js";
import { batchIndices, sampleCount, takeRows, type TensorInput, toTensorList } from "./data.js";
import type { StepLogs } from "./steps.js";

/** Options of `evaluate` (tfjs-layers' `ModelEvaluateArgs`). */
export interface ModelEvaluateArgs {
  batchSize?: number;
  verbose?: 0 | 1 | 2;
  sampleWeight?: tf.Tensor;
  steps?: number;
}

/** What evaluation needs from a compiled model. */
export interface EvaluateTarget {
  readonly inputNames: string[];
  readonly outputNames: string[];
  testFunction(): (xs: tf.Tensor[], ys: tf.Tensor[], sws: tf.Tensor[]) => StepLogs;
  checkInputShapes(xs: readonly tf.Tensor[]): void;
  checkTargetShapes(ys: readonly tf.Tensor[]): void;
  resetMetrics(): void;
  metricResults(): StepLogs;
}

function checkBatchSize(batchSize: number, api: string): void {
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new ConfigError(`${api}: 'batchSize' must be a positive integer, received ${batchSize}`);
}

/** Runs the test function over all batches and returns the final metric results (tensors, by name). */
export function evaluateLoop(model: EvaluateTarget, x: TensorInput, y: TensorInput, args: ModelEvaluateArgs = {}): StepLogs {
  const batchSize = args.batchSize ?? 32;
  checkBatchSize(batchSize, "evaluate");
  const xs = toTensorList(x, model.inputNames, "x");
  const ys = toTensorList(y, model.outputNames, "y");
  const count = sampleCount(xs, ys);
  model.checkInputShapes(xs);
  model.checkTargetShapes(ys);
  const sw = args.sampleWeight === undefined ? [] : [args.sampleWeight];
  const testFn = model.testFunction();
  model.resetMetrics();
  const batches = batchIndices(count, batchSize, false);
  const limit = Math.min(args.steps ?? batches.length, batches.length);
  for (let b = 0; b < limit; b++) {
    tf.tidy(() => {
      const rows = takeRows([...xs, ...ys, ...sw], batches[b]!);
      tf.dispose(
        Object.values(testFn(rows.slice(0, xs.length), rows.slice(xs.length, xs.length + ys.length), rows.slice(xs.length + ys.length))),
      );
    });
  }
  return model.metricResults();
}

/** Runs the predict function over all batches and concatenates each output. */
export function predictLoop(
  predictFn: (xs: tf.Tensor[]) => tf.Tensor[],
  inputNames: string[],
  x: TensorInput,
  batchSize = 32,
  check: (xs: tf.Tensor[]) => void = () => {},
): tf.Tensor[] {
  checkBatchSize(batchSize, "predict");
  const xs = toTensorList(x, inputNames, "x");
  const count = sampleCount(xs, []);
  check(xs);
  const batches = batchIndices(count, batchSize, false);
  return tf.tidy(() => {
    const parts: tf.Tensor[][] = [];
    for (const indices of batches) parts.push(predictFn(takeRows(xs, indices)));
    if (parts.length === 1) return parts[0]!;
    return parts[0]!.map((_, o) =>
      tf.concat(
        parts.map((p) => p[o]!),
        0,
      ),
    );
  });
}
