/**
 * Callbacks: objects whose hooks `fit`/`evaluate` call at the start and end of training,
 * epochs and batches (tfjs-layers' names: `onTrainBegin`, `onEpochEnd`, `onBatchEnd`, ...).
 * Subclass `Callback`, or pass a plain object of hooks (tfjs's `CustomCallbackArgs`).
 * Batch hooks cost a read of the step's metrics; `fit` reads them only when a callback
 * (or the progress bar) has a batch hook.
 *
 * ```ts
 * await model.fit(x, y, { callbacks: { onEpochEnd: async (epoch, logs) => console.log(epoch, logs?.loss) } });
 * ```
 */
import type { ConfigDict } from "../engine/serialization.js";

/** Metric values by name (`loss`, `accuracy`, `val_loss`, ...). */
export type Logs = Record<string, number>;

/** Parameters `fit` passes to callbacks. */
export interface CallbackParams {
  epochs: number;
  initialEpoch: number;
  /** Steps per epoch (`undefined` for a dataset of unknown length). */
  steps: number | undefined;
  samples: number | undefined;
  batchSize: number | undefined;
  verbose: number;
  doValidation: boolean;
  metrics: string[];
}

/** What a callback may do with the model being trained. */
export interface CallbackModel {
  stopTraining: boolean;
  readonly optimizer: { learningRate: number } | undefined;
  save(destination: string, options?: { includeOptimizer?: boolean }): Promise<unknown>;
  getWeights(): import("@kiln/core").Tensor[];
  setWeights(weights: readonly import("@kiln/core").Tensor[]): void;
}

/** Base class of callbacks: every hook does nothing by default. */
export class Callback {
  model: CallbackModel | undefined;
  params: CallbackParams | undefined;

  setModel(model: CallbackModel): void {
    this.model = model;
  }
  setParams(params: CallbackParams): void {
    this.params = params;
  }
  async onTrainBegin(_logs?: Logs): Promise<void> {}
  async onTrainEnd(_logs?: Logs): Promise<void> {}
  async onEpochBegin(_epoch: number, _logs?: Logs): Promise<void> {}
  async onEpochEnd(_epoch: number, _logs?: Logs): Promise<void> {}
  async onBatchBegin(_batch: number, _logs?: Logs): Promise<void> {}
  async onBatchEnd(_batch: number, _logs?: Logs): Promise<void> {}
  getConfig(): ConfigDict {
    return {};
  }
}

/** Hooks given as a plain object (tfjs's `CustomCallbackArgs`). */
export interface CustomCallbackArgs {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
}

/** A callback made of plain hook functions. */
export class CustomCallback extends Callback {
  readonly hooks: CustomCallbackArgs;
  constructor(hooks: CustomCallbackArgs) {
    super();
    this.hooks = hooks;
    // Only the hooks given are installed, so `wantsBatchLogs` sees exactly those.
    if (hooks.onBatchBegin !== undefined) this.onBatchBegin = async (b, l) => void (await hooks.onBatchBegin!(b, l));
    if (hooks.onBatchEnd !== undefined) this.onBatchEnd = async (b, l) => void (await hooks.onBatchEnd!(b, l));
  }
  override async onTrainBegin(logs?: Logs): Promise<void> {
    await this.hooks.onTrainBegin?.(logs);
  }
  override async onTrainEnd(logs?: Logs): Promise<void> {
    await this.hooks.onTrainEnd?.(logs);
  }
  override async onEpochBegin(epoch: number, logs?: Logs): Promise<void> {
    await this.hooks.onEpochBegin?.(epoch, logs);
  }
  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    await this.hooks.onEpochEnd?.(epoch, logs);
  }
}

/** Whether a callback overrides a batch hook (so `fit` must read per-batch logs for it). */
export function wantsBatchLogs(callback: Callback): boolean {
  return callback.onBatchEnd !== Callback.prototype.onBatchEnd || callback.onBatchBegin !== Callback.prototype.onBatchBegin;
}

/** Normalizes `fit`'s `callbacks` option to a list of `Callback`s. */
export function toCallbacks(value: Callback | CustomCallbackArgs | (Callback | CustomCallbackArgs)[] | undefined): Callback[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((c) => (c instanceof Callback ? c : new CustomCallback(c)));
}

/** Runs hooks on every callback in order. */
export class CallbackList {
  constructor(readonly callbacks: Callback[]) {}
  get wantsBatchLogs(): boolean {
    return this.callbacks.some(wantsBatchLogs);
  }
  setModel(model: CallbackModel): void {
    for (const c of this.callbacks) c.setModel(model);
  }
  setParams(params: CallbackParams): void {
    for (const c of this.callbacks) c.setParams(params);
  }
  async onTrainBegin(logs?: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onTrainBegin(logs);
  }
  async onTrainEnd(logs?: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onTrainEnd(logs);
  }
  async onEpochBegin(epoch: number, logs?: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onEpochBegin(epoch, logs);
  }
  async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onEpochEnd(epoch, logs);
  }
  async onBatchBegin(batch: number, logs?: Logs): Promise<void> {
    for (const c of this.callbacks) if (wantsBatchLogs(c)) await c.onBatchBegin(batch, logs);
  }
  async onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    for (const c of this.callbacks) if (wantsBatchLogs(c)) await c.onBatchEnd(batch, logs);
  }
}

/** Records each epoch's logs: `history.history.loss` is the list of epoch losses (what `fit` returns). */
export class History extends Callback {
  epoch: number[] = [];
  history: Record<string, number[]> = {};
  override async onTrainBegin(): Promise<void> {
    this.epoch = [];
    this.history = {};
  }
  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
