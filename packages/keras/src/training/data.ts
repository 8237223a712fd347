/**
 * Training data handling: inputs and targets given as a tensor, an array of tensors or an
 * object keyed by input/output name become lists in model order; sizes are checked;
 * `validationSplit`, shuffling, class weights and batching happen here, eagerly and
 * outside the traced step. Batches from async iterables (`{ xs, ys }`, tfjs's
 * `fitDataset` shape) are normalized the same way.
 *
 * ```ts
 * const batches = batchIndices(1000, 32, true); // shuffled index lists, the last one shorter
 * ```
 */
import * as tf from "@kiln/core";
import { ConfigError, TargetError } from "../errors.js";

/** Tensors as `fit` accepts them. */
export type TensorInput = tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>;

/** One batch of an async dataset (tfjs's `fitDataset` element). */
export interface DatasetBatch {
  xs: TensorInput;
  ys?: TensorInput;
  sampleWeight?: tf.Tensor;
}

/** Something that yields batches: an async iterable, a sync iterable, or a tfjs-data `Dataset` (`iterator()`). */
export type BatchSource =
  | AsyncIterable<DatasetBatch>
  | Iterable<DatasetBatch>
  | { iterator(): Promise<{ next(): Promise<{ value: DatasetBatch; done: boolean }> }> };

/** Orders tensors given as a tensor, array or name-keyed object by `names`. */
export function toTensorList(value: TensorInput | undefined, names: readonly string[], what: string): tf.Tensor[] {
  if (value === undefined) return [];
  if (value instanceof tf.Tensor) {
    if (names.length !== 1)
      throw new ConfigError(
        `${what}: the model has ${names.length} ${what === "x" ? "inputs" : "outputs"} (${names.join(", ")}); give an array or an object keyed by name`,
      );
    return [value];
  }
  if (Array.isArray(value)) {
    if (value.length !== names.length)
      throw new ConfigError(`${what}: expected ${names.length} tensors (${names.join(", ")}), received ${value.length}`);
    value.forEach((t, i) => {
      if (!(t instanceof tf.Tensor)) throw new ConfigError(`${what}[${i}] must be a tf.Tensor`);
    });
    return value;
  }
  if (typeof value === "object" && value !== null) {
    return names.map((n) => {
      const t = (value as Record<string, tf.Tensor>)[n];
      if (!(t instanceof tf.Tensor)) throw new ConfigError(`${what}: no tensor for '${n}' (keys given: ${Object.keys(value).join(", ")})`);
      return t;
    });
  }
  throw new ConfigError(`${what} must be a tf.Tensor, an array of tensors or an object of tensors, received ${typeof value}`);
}

/** The common number of samples of `x` and `y` tensors; a `TargetError` naming both when they differ. */
export function sampleCount(xs: readonly tf.Tensor[], ys: readonly tf.Tensor[]): number {
  const all = [...xs.map((t, i) => ({ t, name: `x[${i}]` })), ...ys.map((t, i) => ({ t, name: `y[${i}]` }))];
  if (all.length === 0) throw new ConfigError("fit: no data given");
  for (const { t, name } of all) if (t.rank === 0) throw new TargetError(`${name} must have a batch dimension, received a scalar`);
  const n = all[0]!.t.shape[0] as number;
  for (const { t, name } of all) {
    if (t.shape[0] !== n) {
      throw new TargetError(
        `Input arrays should have the same number of samples: ${all[0]!.name} has ${n} samples but ${name} has ${t.shape[0]}`,
      );
    }
  }
  return n;
}

/** Splits off the last `fraction` of samples (before any shuffling, like Keras). */
export function splitValidation(
  lists: readonly tf.Tensor[][],
  count: number,
  fraction: number,
): { train: tf.Tensor[][]; validation: tf.Tensor[][]; trainCount: number } {
  if (!(fraction > 0 && fraction < 1)) throw new ConfigError(`fit: 'validationSplit' must be between 0 and 1, received ${fraction}`);
  const trainCount = Math.floor(count * (1 - fraction));
  if (trainCount === 0 || trainCount === count)
    throw new ConfigError(`fit: validationSplit ${fraction} of ${count} samples leaves an empty training or validation set`);
  const cut = (t: tf.Tensor, begin: number, size: number) =>
    tf.slice(t, [begin, ...t.shape.slice(1).map(() => 0)], [size, ...t.shape.slice(1).map(() => -1)]);
  return {
    train: lists.map((l) => l.map((t) => cut(t, 0, trainCount))),
    validation: lists.map((l) => l.map((t) => cut(t, trainCount, count - trainCount))),
    trainCount,
  };
}

/** Index lists for one epoch's batches (a Fisher-Yates shuffle when `shuffle`). */
export function batchIndices(count: number, batchSize: number, shuffle: boolean, random: () => number = Math.random): Int32Array[] {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (shuffle) {
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
  }
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize) batches.push(order.subarray(start, Math.min(start + batchSize, count)));
  return batches;
}

/** Rows `indices` of each tensor (a contiguous range is sliced rather than gathered). */
export function takeRows(tensors: readonly tf.Tensor[], indices: Int32Array): tf.Tensor[] {
  const first = indices[0] ?? 0;
  const contiguous = indices.every((v, i) => v === first + i);
  if (contiguous) {
    return tensors.map((t) => tf.slice(t, [first, ...t.shape.slice(1).map(() => 0)], [indices.length, ...t.shape.slice(1).map(() => -1)]));
  }
  const idx = tf.tensor(indices, [indices.length], "int32");
  try {
    return tensors.map((t) => tf.gather(t, idx));
  } finally {
    idx.dispose();
  }
}

/** Per-sample weights from `classWeight` (`{ classIndex: weight }`) for labels `y` (integer ids or one-hot). */
export function classWeightsFor(y: tf.Tensor, classWeight: Record<number, number>): tf.Tensor {
  return tf.tidy(() => {
    const labels = y.rank >= 2 && (y.shape[y.rank - 1] ?? 1) > 1 ? tf.argMax(y, -1) : tf.cast(tf.reshape(y, [-1]), "int32");
    const maxClass = Math.max(...Object.keys(classWeight).map(Number));
    const table = new Float32Array(maxClass + 1).fill(1);
    for (const [k, w] of Object.entries(classWeight)) table[Number(k)] = w;
    return tf.gather(tf.tensor(table), tf.minimum(tf.maximum(labels, tf.scalar(0, "int32")), tf.scalar(maxClass, "int32")));
  });
}

/** Iterates a batch source (async iterable, iterable or tfjs-data Dataset). */
export async function* iterateBatches(source: BatchSource): AsyncGenerator<DatasetBatch> {
  if (typeof (source as AsyncIterable<DatasetBatch>)[Symbol.asyncIterator] === "function") {
    yield* source as AsyncIterable<DatasetBatch>;
    return;
  }
  if (typeof (source as Iterable<DatasetBatch>)[Symbol.iterator] === "function") {
    yield* source as Iterable<DatasetBatch>;
    return;
  }
  if (typeof (source as { iterator?: unknown }).iterator === "function") {
    const it = await (source as { iterator(): Promise<{ next(): Promise<{ value: DatasetBatch; done: boolean }> }> }).iterator();
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    return;
  }
  throw new ConfigError("fitDataset: the dataset must be an async iterable, an iterable or a tfjs-data Dataset of { xs, ys } batches");
}
