/**
 * The `fit` loop over tensors or over a dataset of batches: epochs, shuffling, batching,
 * `stepsPerExecution` groups, validation, callbacks and the progress bar. Each step is one
 * call of a traced function (see `steps.ts`); this loop runs eagerly in JS, awaits
 * callbacks, and reads metric values only when a callback or the progress bar needs them.
 *
 * ```ts
 * const history = await model.fit(x, y, { epochs: 3, batchSize: 128, validationSplit: 0.1 });
 * ```
 */
import * as tf from "@kiln/core";
import {
  type Callback,
  CallbackList,
  type CallbackParams,
  type CallbackModel,
  type CustomCallbackArgs,
  History,
  type Logs,
  toCallbacks,
} from "../callbacks/callback.js";
import { ProgressBar } from "../callbacks/progbar.js";
import { ConfigError } from "../errors.js";
import {
  type BatchSource,
  batchIndices,
  classWeightsFor,
  iterateBatches,
  sampleCount,
  splitValidation,
  takeRows,
  type TensorInput,
  toTensorList,
} from "./data.js";
import { readLogs, disposeLogs } from "./logs.js";
import type { StepLogs } from "./steps.js";

/** Options of `fit` (tfjs-layers' `ModelFitArgs` plus Keras's `initialEpoch`, `classWeight`, `sampleWeight`). */
export interface ModelFitArgs {
  batchSize?: number;
  epochs?: number;
  /** 0 silent, 1 progress bar, 2 one line per epoch (default 1). */
  verbose?: 0 | 1 | 2;
  callbacks?: Callback | CustomCallbackArgs | (Callback | CustomCallbackArgs)[];
  validationSplit?: number;
  validationData?: [TensorInput, TensorInput] | [TensorInput, TensorInput, tf.Tensor] | BatchSource;
  validationBatchSize?: number;
  shuffle?: boolean;
  classWeight?: Record<number, number>;
  sampleWeight?: tf.Tensor;
  initialEpoch?: number;
  /** For datasets: batches per epoch (default: until the dataset ends). */
  batchesPerEpoch?: number;
}

/** What the fit loop needs from a compiled model. */
export interface FitTarget extends CallbackModel {
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly stepsPerExecution: number;
  trainFunction(): (xs: tf.Tensor[], ys: tf.Tensor[], sws: tf.Tensor[]) => StepLogs;
  multiStepTrainFunction(): (xs: tf.Tensor[], ys: tf.Tensor[], sws: tf.Tensor[]) => StepLogs;
  resetMetrics(): void;
  metricResults(): StepLogs;
  checkInputShapes(xs: readonly tf.Tensor[]): void;
  checkTargetShapes(ys: readonly tf.Tensor[]): void;
  prepareTraining(xs: readonly tf.Tensor[]): void;
  evaluateForFit(data: NonNullable<ModelFitArgs["validationData"]>, batchSize: number): Promise<Logs>;
  readonly metricsNames: string[];
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function isBatchSource(value: unknown): value is BatchSource {
  if (value instanceof tf.Tensor || Array.isArray(value) || value === null || typeof value !== "object") return false;
  return Symbol.asyncIterator in value || Symbol.iterator in value || typeof (value as { iterator?: unknown }).iterator === "function";
}

/** Prepared training data: lists in model order plus per-sample weights. */
interface Prepared {
  xs: tf.Tensor[];
  ys: tf.Tensor[];
  sw: tf.Tensor | undefined;
  count: number;
  owned: tf.Tensor[];
}

function prepare(
  model: FitTarget,
  x: TensorInput,
  y: TensorInput,
  args: ModelFitArgs,
): { train: Prepared; validation: ModelFitArgs["validationData"] } {
  const xs = toTensorList(x, model.inputNames, "x");
  const ys = toTensorList(y, model.outputNames, "y");
  let count = sampleCount(xs, ys);
  model.checkInputShapes(xs);
  model.checkTargetShapes(ys);
  if (args.sampleWeight !== undefined && args.sampleWeight.shape[0] !== count) {
    throw new ConfigError(`fit: sampleWeight has ${args.sampleWeight.shape[0]} entries but x has ${count} samples`);
  }
  const owned: tf.Tensor[] = [];
  let train = { xs, ys, sw: args.sampleWeight };
  let validation = args.validationData;
  if (args.validationSplit !== undefined && args.validationSplit > 0) {
    if (validation !== undefined) throw new ConfigError("fit: give either validationData or validationSplit, not both");
    const lists = [xs, ys, args.sampleWeight === undefined ? [] : [args.sampleWeight]];
    const split = splitValidation(lists, count, args.validationSplit);
    owned.push(...split.train.flat(), ...split.validation.flat());
    train = { xs: split.train[0]!, ys: split.train[1]!, sw: split.train[2]![0] };
    validation = [
      split.validation[0]!,
      split.validation[1]!,
      ...(split.validation[2]!.length > 0 ? [split.validation[2]![0]!] : []),
    ] as never;
    count = split.trainCount;
  }
  if (args.classWeight !== undefined) {
    if (model.outputNames.length !== 1) throw new ConfigError("fit: classWeight is supported for single-output models only");
    const cw = classWeightsFor(train.ys[0]!, args.classWeight);
    owned.push(cw);
    if (train.sw !== undefined) {
      const combined = tf.mul(cw, train.sw);
      owned.push(combined);
      train.sw = combined;
    } else train.sw = cw;
  }
  return { train: { ...train, count, owned }, validation };
}

/** Runs `fit` over tensors (or a dataset, when `x` is a batch source). */
export async function fitLoop(
  model: FitTarget,
  x: TensorInput | BatchSource,
  y: TensorInput | undefined,
  args: ModelFitArgs = {},
): Promise<History> {
  if (isBatchSource(x)) return fitDatasetLoop(model, x, args);
  if (y === undefined) throw new ConfigError("fit: targets 'y' are required when x is a tensor");
  const batchSize = args.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new ConfigError(`fit: 'batchSize' must be a positive integer, received ${batchSize}`);
  const epochs = args.epochs ?? 1;
  const initialEpoch = args.initialEpoch ?? 0;
  const { train, validation } = prepare(model, x as TensorInput, y, args);
  const steps = Math.ceil(train.count / batchSize);
  const { callbacks, history } = setUpCallbacks(model, args, {
    epochs,
    initialEpoch,
    steps,
    samples: train.count,
    batchSize,
    verbose: args.verbose ?? 1,
    doValidation: validation !== undefined,
    metrics: model.metricsNames,
  });
  model.prepareTraining(train.xs);
  const trainFn = model.trainFunction();
  const group = model.stepsPerExecution;
  const multiFn = group > 1 ? model.multiStepTrainFunction() : undefined;
  const batchLogs = callbacks.wantsBatchLogs;
  try {
    model.stopTraining = false;
    await callbacks.onTrainBegin();
    for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      model.resetMetrics();
      await callbacks.onEpochBegin(epoch);
      const batches = batchIndices(train.count, batchSize, args.shuffle ?? true);
      let lastLogs: StepLogs | undefined;
      let lastYield = performance.now();
      for (let b = 0; b < batches.length && !model.stopTraining; ) {
        // A group of `stepsPerExecution` full batches runs as one traced call; the rest one by one.
        const take = multiFn !== undefined && b + group <= batches.length && batches[b + group - 1]!.length === batchSize ? group : 1;
        const indices = take === 1 ? batches[b]! : concatIndices(batches.slice(b, b + take));
        if (batchLogs) await callbacks.onBatchBegin(b);
        const stepLogs = tf.tidy(() => {
          const rows = takeRows([...train.xs, ...train.ys, ...(train.sw === undefined ? [] : [train.sw])], indices);
          const xs = rows.slice(0, train.xs.length);
          const ys = rows.slice(train.xs.length, train.xs.length + train.ys.length);
          const sws = rows.slice(train.xs.length + train.ys.length);
          return (take === 1 ? trainFn : multiFn!)(xs, ys, sws);
        });
        b += take;
        if (lastLogs !== undefined) disposeLogs(lastLogs);
        lastLogs = stepLogs;
        if (batchLogs) {
          const logs = await readLogs(stepLogs);
          lastLogs = undefined;
          await callbacks.onBatchEnd(b - 1, logs);
          if (performance.now() - lastYield > 100) {
            await yieldToEventLoop();
            lastYield = performance.now();
          }
        }
      }
      if (lastLogs !== undefined) disposeLogs(lastLogs);
      const epochLogs = await readLogs(model.metricResults());
      if (validation !== undefined) Object.assign(epochLogs, await model.evaluateForFit(validation, args.validationBatchSize ?? batchSize));
      await callbacks.onEpochEnd(epoch, epochLogs);
    }
    await callbacks.onTrainEnd();
  } finally {
    tf.dispose(train.owned);
  }
  return history;
}

function concatIndices(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function setUpCallbacks(model: FitTarget, args: ModelFitArgs, params: CallbackParams) {
  const history = new History();
  const list: Callback[] = [...toCallbacks(args.callbacks)];
  const verbose = args.verbose ?? 1;
  if (verbose > 0) list.push(new ProgressBar(verbose));
  list.push(history);
  const callbacks = new CallbackList(list);
  callbacks.setModel(model);
  callbacks.setParams(params);
  return { callbacks, history };
}

/** Runs `fit` over a dataset of `{ xs, ys }` batches (tfjs's `fitDataset`). */
export async function fitDatasetLoop(model: FitTarget, dataset: BatchSource, args: ModelFitArgs = {}): Promise<History> {
  const epochs = args.epochs ?? 1;
  const initialEpoch = args.initialEpoch ?? 0;
  const params: CallbackParams = {
    epochs,
    initialEpoch,
    steps: args.batchesPerEpoch,
    samples: undefined,
    batchSize: undefined,
    verbose: args.verbose ?? 1,
    doValidation: args.validationData !== undefined,
    metrics: model.metricsNames,
  };
  const { callbacks, history } = setUpCallbacks(model, args, params);
  const trainFn = model.trainFunction();
  const batchLogs = callbacks.wantsBatchLogs;
  model.stopTraining = false;
  await callbacks.onTrainBegin();
  let iterator = iterateBatches(dataset);
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    model.resetMetrics();
    await callbacks.onEpochBegin(epoch);
    let seen = 0;
    let lastLogs: StepLogs | undefined;
    while (!model.stopTraining && (args.batchesPerEpoch === undefined || seen < args.batchesPerEpoch)) {
      const next = await iterator.next();
      if (next.done === true) {
        // A dataset without batchesPerEpoch is one epoch long; start it again for the next epoch.
        iterator = iterateBatches(dataset);
        if (args.batchesPerEpoch === undefined) break;
        if (seen === 0) throw new ConfigError("fitDataset: the dataset yielded no batches");
        continue;
      }
      const { xs, ys, sampleWeight } = next.value;
      const x = toTensorList(xs, model.inputNames, "xs");
      const yl = toTensorList(ys, model.outputNames, "ys");
      sampleCount(x, yl);
      model.checkInputShapes(x);
      model.checkTargetShapes(yl);
      if (seen === 0 && epoch === initialEpoch) model.prepareTraining(x);
      if (batchLogs) await callbacks.onBatchBegin(seen);
      const stepLogs = trainFn(x, yl, sampleWeight === undefined ? [] : [sampleWeight]);
      if (lastLogs !== undefined) disposeLogs(lastLogs);
      lastLogs = stepLogs;
      if (batchLogs) {
        lastLogs = undefined;
        await callbacks.onBatchEnd(seen, await readLogs(stepLogs));
      }
      seen++;
    }
    if (lastLogs !== undefined) disposeLogs(lastLogs);
    // A dataset's length is known after its first pass; the progress bar shows it from then on.
    if (params.steps === undefined) params.steps = seen;
    const epochLogs = await readLogs(model.metricResults());
    if (args.validationData !== undefined)
      Object.assign(epochLogs, await model.evaluateForFit(args.validationData, args.validationBatchSize ?? 32));
    await callbacks.onEpochEnd(epoch, epochLogs);
  }
  await callbacks.onTrainEnd();
  return history;
}
