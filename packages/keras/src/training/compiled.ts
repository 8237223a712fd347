/**
 * What `compile` resolves: one loss (and weight) per model output, metric objects per
 * output, and the trackers that average the loss over an epoch. `computeLoss` and
 * `updateMetrics` are plain tensor code, so they run inside the traced step (SPEC M2).
 *
 * ```ts
 * const compiled = new CompiledLossAndMetrics(["dense_2"], "sparseCategoricalCrossentropy", ["accuracy"]);
 * ```
 */
import * as tf from "@kiln/core";
import { ConfigError } from "../errors.js";
import * as losses from "../losses/index.js";
import type { Loss, LossFunction } from "../losses/loss.js";
import * as metrics from "../metrics/index.js";
import { Mean, type Metric } from "../metrics/metric.js";

/** A loss as `compile` accepts it. */
export type LossIdentifier = string | Loss | LossFunction;
/** A metric as `compile` accepts it. */
export type MetricIdentifier = string | Metric | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor);

function perOutput<T>(value: T | T[] | Record<string, T> | undefined, outputNames: readonly string[], what: string): (T | undefined)[] {
  if (value === undefined) return outputNames.map(() => undefined);
  if (Array.isArray(value)) {
    if (outputNames.length === 1) return [value as unknown as T];
    if (value.length !== outputNames.length) {
      throw new ConfigError(
        `compile: '${what}' has ${value.length} entries but the model has ${outputNames.length} outputs (${outputNames.join(", ")})`,
      );
    }
    return value;
  }
  if (typeof value === "object" && value !== null && isRecord(value)) {
    for (const key of Object.keys(value)) {
      if (!outputNames.includes(key))
        throw new ConfigError(`compile: '${what}' names output '${key}', but the model's outputs are ${outputNames.join(", ")}`);
    }
    return outputNames.map((n) => (value as Record<string, T>)[n]);
  }
  return outputNames.map(() => value as T);
}

function isRecord(value: object): value is Record<string, unknown> {
  return Object.getPrototypeOf(value) === Object.prototype;
}

/** The compiled losses and metrics of a model with outputs `outputNames`. */
export class CompiledLossAndMetrics {
  readonly losses: (Loss | undefined)[];
  readonly lossWeights: number[];
  readonly metrics: Metric[][];
  readonly lossTracker = new Mean({ name: "loss" });
  readonly outputLossTrackers: Mean[];
  readonly outputNames: readonly string[];

  constructor(
    outputNames: readonly string[],
    loss: LossIdentifier | LossIdentifier[] | Record<string, LossIdentifier> | undefined,
    metricIds: MetricIdentifier[] | Record<string, MetricIdentifier | MetricIdentifier[]> | undefined,
    lossWeights?: number[] | Record<string, number>,
  ) {
    this.outputNames = outputNames;
    this.losses = perOutput(loss as LossIdentifier, outputNames, "loss").map((l) => (l === undefined ? undefined : losses.get(l)));
    if (this.losses.every((l) => l === undefined)) throw new ConfigError("compile: a 'loss' is required to train or evaluate");
    this.lossWeights = perOutput(lossWeights as number | undefined, outputNames, "lossWeights").map((w) => w ?? 1);
    const multi = outputNames.length > 1;
    const idsPerOutput: MetricIdentifier[][] =
      Array.isArray(metricIds) || metricIds === undefined
        ? outputNames.map(() => [...((metricIds as MetricIdentifier[] | undefined) ?? [])])
        : perOutput(metricIds as Record<string, MetricIdentifier | MetricIdentifier[]>, outputNames, "metrics").map((m) =>
            m === undefined ? [] : Array.isArray(m) ? m : [m],
          );
    this.metrics = idsPerOutput.map((ids, o) =>
      ids.map((id) => {
        const metric = resolveMetric(id, this.losses[o]);
        if (multi && typeof id === "string") return renamed(metric, `${outputNames[o]}_${metric.name}`);
        return metric;
      }),
    );
    this.outputLossTrackers = multi ? outputNames.map((n) => new Mean({ name: `${n}_loss` })) : [];
  }

  /** The total loss (weighted sum over outputs) and each output's loss, for one batch. */
  computeLoss(
    yTrue: readonly tf.Tensor[],
    yPred: readonly tf.Tensor[],
    sampleWeights: readonly (tf.Tensor | undefined)[],
  ): { total: tf.Tensor; perOutput: tf.Tensor[] } {
    const perOutputLoss: tf.Tensor[] = [];
    let total: tf.Tensor | undefined;
    this.losses.forEach((loss, i) => {
      if (loss === undefined) return;
      const value = loss.apply(yTrue[i]!, yPred[i]!, sampleWeights[i]);
      perOutputLoss.push(value);
      const weighted = this.lossWeights[i] === 1 ? value : tf.mul(value, this.lossWeights[i]!);
      total = total === undefined ? weighted : tf.add(total, weighted);
    });
    return { total: total!, perOutput: perOutputLoss };
  }

  /** Updates the loss trackers (weighted by batch size) and every metric. */
  updateMetrics(
    total: tf.Tensor,
    perOutputLoss: readonly tf.Tensor[],
    yTrue: readonly tf.Tensor[],
    yPred: readonly tf.Tensor[],
    batchSize: number | tf.Tensor,
  ): void {
    this.lossTracker.updateValues(total, batchSize);
    this.outputLossTrackers.forEach((tracker, i) => tracker.updateValues(perOutputLoss[i]!, batchSize));
    this.metrics.forEach((list, o) => {
      for (const m of list) m.updateState(yTrue[o]!, yPred[o], undefined);
    });
  }

  /** Every metric object, loss trackers first (the order of `metricsNames`). */
  get allMetrics(): Metric[] {
    return [this.lossTracker, ...this.outputLossTrackers, ...this.metrics.flat()];
  }

  /** Current results as tensors keyed by name. */
  results(): Record<string, tf.Tensor> {
    return tf.tidy(() => {
      const out: Record<string, tf.Tensor> = {};
      for (const m of this.allMetrics) out[m.name] = m.result();
      return out;
    });
  }

  /** Resets every metric and tracker. */
  resetState(): void {
    for (const m of this.allMetrics) m.resetState();
  }
}

/** "accuracy" follows the loss like Keras: binary for binary cross-entropy, sparse for sparse cross-entropy. */
function resolveMetric(id: MetricIdentifier, loss: Loss | undefined): Metric {
  if (id === "accuracy" || id === "acc") {
    const lossName = loss?.getClassName();
    if (lossName === "BinaryCrossentropy") return metrics.binaryAccuracy({ name: id });
    if (lossName === "SparseCategoricalCrossentropy") return metrics.sparseCategoricalAccuracy({ name: id });
    if (lossName === "CategoricalCrossentropy") return metrics.categoricalAccuracy({ name: id });
  }
  return metrics.get(id);
}

function renamed(metric: Metric, name: string): Metric {
  Object.defineProperty(metric, "name", { value: name });
  return metric;
}
