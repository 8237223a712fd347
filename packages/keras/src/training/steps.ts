/**
 * The training, test and predict steps, and the functions `fit`/`evaluate`/`predict` call:
 * one `tf.function` per step kind (with `reduceRetracing`) holding forward pass, loss,
 * gradients (a GradientTape inside the trace), optimizer update and metric updates, unless
 * the model runs eagerly (SPEC I2, M2). `stepsPerExecution: N` gets a function that runs N
 * steps over a stack of batches inside one `tf.whileLoop`.
 *
 * ```ts
 * const train = makeTrainFunction(model);   // (xs, ys, sampleWeights) => { loss, accuracy, ... }
 * const logs = train([x], [y], []);
 * ```
 */
import * as tf from "@kiln/core";
import { withCallContext } from "../engine/call_context.js";
import { toList } from "../engine/layer.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import { batchSizeOf } from "../utils/dynamic.js";
import type { CompiledLossAndMetrics } from "./compiled.js";

/** What a step needs of a model (kept narrow so steps do not depend on the Model class). */
export interface TrainableModel {
  readonly name: string;
  /** Symbolic inputs and outputs, when known: their `null` dims (beyond the batch) stay unknown in the first trace. */
  readonly inputs?: readonly { readonly shape: readonly (number | null)[] }[];
  readonly outputs?: readonly { readonly shape: readonly (number | null)[] }[];
  apply(inputs: tf.Tensor | tf.Tensor[], options: { training: boolean }): any;
  readonly trainableWeights: tf.Variable[];
  regularizationLosses(): tf.Tensor[];
}

/** The compiled state a step uses. */
export interface StepState {
  readonly model: TrainableModel;
  readonly compiled: CompiledLossAndMetrics;
  readonly optimizer: Optimizer;
  /** Run step functions as plain JS (no tracing, SPEC I2). */
  readonly eager: boolean;
}

/** Step logs: metric results as scalar tensors, by name. */
export type StepLogs = Record<string, tf.Tensor>;

/** Calls the model on a list of inputs: one tensor for single-input models, the list otherwise. */
export function callModel(model: TrainableModel, xs: readonly tf.Tensor[], training: boolean): tf.Tensor[] {
  return toList(model.apply(xs.length === 1 ? xs[0]! : [...xs], { training }));
}

/** One training step on one batch: forward, loss (+ regularization and added losses), gradients, update, metrics. */
export function trainStep(state: StepState, xs: readonly tf.Tensor[], ys: readonly tf.Tensor[], sws: readonly tf.Tensor[]): void {
  const { model, compiled, optimizer } = state;
  const vars = model.trainableWeights;
  const tape = new tf.GradientTape();
  const { total, perOutput, preds } = tape.record(() =>
    withCallContext(true, (context) => {
      const out = callModel(model, xs, true);
      const { total: compiledLoss, perOutput: lossPerOutput } = compiled.computeLoss(ys, out, sws);
      let loss = compiledLoss;
      for (const extra of [...model.regularizationLosses(), ...context.losses]) loss = tf.add(loss, extra);
      return { total: loss, perOutput: lossPerOutput, preds: out };
    }),
  );
  const grads = tape.gradient(total, vars);
  optimizer.applyGradients(vars.map((v, i) => [grads[i] ?? null, v] as const));
  compiled.updateMetrics(total, perOutput, ys, preds, batchSizeOf(xs[0]!));
}

/** One evaluation step: forward in inference mode, loss and metrics. */
export function testStep(
  state: Omit<StepState, "optimizer">,
  xs: readonly tf.Tensor[],
  ys: readonly tf.Tensor[],
  sws: readonly tf.Tensor[],
): void {
  const { model, compiled } = state;
  withCallContext(false, (context) => {
    const out = callModel(model, xs, false);
    const { total, perOutput } = compiled.computeLoss(ys, out, sws);
    let loss = total;
    for (const extra of [...model.regularizationLosses(), ...context.losses]) loss = tf.add(loss, extra);
    compiled.updateMetrics(loss, perOutput, ys, out, batchSizeOf(xs[0]!));
  });
}

/** A step function; `traced` is its `tf.function` (undefined when it runs eagerly), for introspection. */
export type StepFunction<A extends unknown[], R> = ((...args: A) => R) & { readonly traced: tf.PolymorphicFunction | undefined };

/**
 * The signature of a step's first trace: each tensor's shape, with the dims the model
 * declares unknown (a sequence length, beyond the batch axis) set to `null`, so a new length
 * runs the same trace instead of costing a relaxing retrace. Undefined when nothing is unknown.
 */
function relaxedSignature(model: TrainableModel | undefined, args: readonly unknown[]): unknown[] | undefined {
  const declared = [model?.inputs, model?.outputs, model?.outputs];
  let relaxed = false;
  const specs = args.map((group, g) =>
    (group as tf.Tensor[]).map((t, i) => {
      const symbolic = declared[g]?.[g === 2 ? 0 : i]?.shape;
      const shape = t.shape.map((d, axis) =>
        axis > 0 && symbolic !== undefined && axis < symbolic.length && symbolic[axis] === null ? null : d,
      );
      relaxed ||= shape.some((d, axis) => d !== t.shape[axis]);
      return new tf.TensorSpec(shape, t.dtype);
    }),
  );
  return relaxed ? specs : undefined;
}

function wrap<A extends tf.Tensor[][], R>(fn: (...args: A) => R, eager: boolean, name: string, model?: TrainableModel): StepFunction<A, R> {
  if (eager) return Object.assign((...args: A) => tf.tidy(() => fn(...args) as never) as R, { traced: undefined });
  const traced = tf.function(fn as (...args: unknown[]) => unknown, { reduceRetracing: true, autograph: false, name });
  let first = true;
  const call = (...args: A) => {
    if (first) {
      first = false;
      const signature = relaxedSignature(model, args);
      if (signature !== undefined) traced.getConcreteFunction(...signature);
    }
    return traced(...args) as R;
  };
  return Object.assign(call, { traced: traced as unknown as tf.PolymorphicFunction });
}

/** The train function: one step per call, returning the metric results after it. */
export function makeTrainFunction(state: StepState): StepFunction<[tf.Tensor[], tf.Tensor[], tf.Tensor[]], StepLogs> {
  return wrap(
    (xs: tf.Tensor[], ys: tf.Tensor[], sws: tf.Tensor[]) => {
      trainStep(state, xs, ys, sws);
      return state.compiled.results();
    },
    state.eager,
    `${state.model.name}_train_function`,
    state.model,
  );
}

/**
 * The multi-step train function: `xs`/`ys`/`sws` hold `steps` batches of `batchSize` rows
 * each, one after another; one call runs every step inside a `tf.whileLoop` (one traced
 * call), giving the same updates as `steps` single steps.
 */
export function makeMultiStepTrainFunction(
  state: StepState,
  steps: number,
): StepFunction<[tf.Tensor[], tf.Tensor[], tf.Tensor[]], StepLogs> {
  return wrap(
    (xs: tf.Tensor[], ys: tf.Tensor[], sws: tf.Tensor[]) => {
      const stack = (list: tf.Tensor[]) => list.map((t) => tf.reshape(t, [steps, -1, ...(t.shape.slice(1) as number[])]));
      const [sx, sy, ss] = [stack(xs), stack(ys), stack(sws)];
      tf.whileLoop(
        (i) => tf.less(i, steps),
        (i) => {
          const pick = (list: tf.Tensor[]) => list.map((t) => tf.gather(t, i!));
          trainStep(state, pick(sx), pick(sy), pick(ss));
          return [tf.add(i!, 1)];
        },
        [tf.scalar(0, "int32")],
      );
      return state.compiled.results();
    },
    state.eager,
    `${state.model.name}_multi_step_train_function`,
  );
}

/** The test function: one evaluation step per call, returning the metric results after it. */
export function makeTestFunction(state: Omit<StepState, "optimizer">): StepFunction<[tf.Tensor[], tf.Tensor[], tf.Tensor[]], StepLogs> {
  return wrap(
    (xs: tf.Tensor[], ys: tf.Tensor[], sws: tf.Tensor[]) => {
      testStep(state, xs, ys, sws);
      return state.compiled.results();
    },
    state.eager,
    `${state.model.name}_test_function`,
    state.model,
  );
}

/** The predict function: the model's outputs in inference mode. */
export function makePredictFunction(model: TrainableModel, eager: boolean): StepFunction<[tf.Tensor[]], tf.Tensor[]> {
  return wrap(
    (xs: tf.Tensor[]) => withCallContext(false, () => callModel(model, xs, false)),
    eager,
    `${model.name}_predict_function`,
    model,
  );
}
