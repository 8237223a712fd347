/**
 * Standard callbacks with Keras's options: `EarlyStopping`, `ModelCheckpoint`,
 * `ReduceLROnPlateau`, `LearningRateScheduler`, `CSVLogger` and `TerminateOnNaN`.
 *
 * ```ts
 * await model.fit(x, y, { epochs: 50, validationSplit: 0.1, callbacks: [keras.callbacks.earlyStopping({ patience: 3, restoreBestWeights: true })] });
 * ```
 */
import type * as tf from "@kiln/core";
import { ConfigError } from "../errors.js";
import { Callback, type Logs } from "./callback.js";

type Mode = "auto" | "min" | "max";

function improves(mode: Mode, monitor: string): (current: number, best: number, delta: number) => boolean {
  const max = mode === "max" || (mode === "auto" && /acc|auc|precision|recall/.test(monitor));
  return max ? (c, b, d) => c - d > b : (c, b, d) => c + d < b;
}

function read(logs: Logs | undefined, monitor: string, who: string): number | undefined {
  const v = logs?.[monitor];
  if (v === undefined)
    console.warn(`${who}: metric '${monitor}' is not in the logs (available: ${Object.keys(logs ?? {}).join(", ")}); skipping`);
  return v;
}

/** Stops training when `monitor` has not improved by `minDelta` for `patience` epochs. */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: Mode;
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  stoppedEpoch = 0;
  #wait = 0;
  #best = 0;
  #bestWeights: tf.Tensor[] | undefined;
  readonly #better: (c: number, b: number, d: number) => boolean;

  constructor(
    args: { monitor?: string; minDelta?: number; patience?: number; mode?: Mode; baseline?: number; restoreBestWeights?: boolean } = {},
  ) {
    super();
    this.monitor = args.monitor ?? "val_loss";
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.patience = args.patience ?? 0;
    this.mode = args.mode ?? "auto";
    this.baseline = args.baseline;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.#better = improves(this.mode, this.monitor);
  }
  override async onTrainBegin(): Promise<void> {
    this.#wait = 0;
    this.stoppedEpoch = 0;
    this.#best = this.baseline ?? (this.#better(1, 0, 0) ? -Infinity : Infinity);
    this.#dropBest();
  }
  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const current = read(logs, this.monitor, "EarlyStopping");
    if (current === undefined) return;
    if (this.#better(current, this.#best, this.minDelta)) {
      this.#best = current;
      this.#wait = 0;
      if (this.restoreBestWeights) {
        this.#dropBest();
        this.#bestWeights = this.model!.getWeights();
      }
      return;
    }
    this.#wait += 1;
    if (this.#wait > this.patience) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
      if (this.restoreBestWeights && this.#bestWeights !== undefined) this.model!.setWeights(this.#bestWeights);
    }
  }
  override async onTrainEnd(): Promise<void> {
    this.#dropBest();
  }
  #dropBest(): void {
    for (const t of this.#bestWeights ?? []) t.dispose();
    this.#bestWeights = undefined;
  }
}

/** Saves the model (`model.save(filepath)`) after each epoch, or only when `monitor` improves. `{epoch}` in the path is replaced. */
export class ModelCheckpoint extends Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly mode: Mode;
  readonly includeOptimizer: boolean;
  #best: number;
  readonly #better: (c: number, b: number, d: number) => boolean;
  constructor(args: { filepath: string; monitor?: string; saveBestOnly?: boolean; mode?: Mode; includeOptimizer?: boolean }) {
    super();
    if (typeof args.filepath !== "string")
      throw new ConfigError("ModelCheckpoint: 'filepath' (a save destination such as file://dir) is required");
    this.filepath = args.filepath;
    this.monitor = args.monitor ?? "val_loss";
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.mode = args.mode ?? "auto";
    this.includeOptimizer = args.includeOptimizer ?? false;
    this.#better = improves(this.mode, this.monitor);
    this.#best = this.#better(1, 0, 0) ? -Infinity : Infinity;
  }
  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    if (this.saveBestOnly) {
      const current = read(logs, this.monitor, "ModelCheckpoint");
      if (current === undefined || !this.#better(current, this.#best, 0)) return;
      this.#best = current;
    }
    await this.model!.save(this.filepath.replaceAll("{epoch}", String(epoch + 1)), { includeOptimizer: this.includeOptimizer });
  }
}

/** Multiplies the learning rate by `factor` when `monitor` stops improving for `patience` epochs. */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly mode: Mode;
  #wait = 0;
  #cooldown = 0;
  #best = 0;
  readonly #better: (c: number, b: number, d: number) => boolean;
  constructor(
    args: { monitor?: string; factor?: number; patience?: number; minDelta?: number; cooldown?: number; minLr?: number; mode?: Mode } = {},
  ) {
    super();
    this.monitor = args.monitor ?? "val_loss";
    this.factor = args.factor ?? 0.1;
    if (!(this.factor < 1)) throw new ConfigError("ReduceLROnPlateau: 'factor' must be below 1");
    this.patience = args.patience ?? 10;
    this.minDelta = args.minDelta ?? 1e-4;
    this.cooldown = args.cooldown ?? 0;
    this.minLr = args.minLr ?? 0;
    this.mode = args.mode ?? "auto";
    this.#better = improves(this.mode, this.monitor);
  }
  override async onTrainBegin(): Promise<void> {
    this.#wait = 0;
    this.#cooldown = 0;
    this.#best = this.#better(1, 0, 0) ? -Infinity : Infinity;
  }
  override async onEpochEnd(_epoch: number, logs?: Logs): Promise<void> {
    const current = read(logs, this.monitor, "ReduceLROnPlateau");
    const optimizer = this.model?.optimizer;
    if (current === undefined || optimizer === undefined) return;
    if (logs !== undefined) logs.learning_rate = optimizer.learningRate;
    if (this.#cooldown > 0) {
      this.#cooldown -= 1;
      this.#wait = 0;
    }
    if (this.#better(current, this.#best, this.minDelta)) {
      this.#best = current;
      this.#wait = 0;
    } else if (this.#cooldown <= 0 && ++this.#wait >= this.patience) {
      const lr = optimizer.learningRate;
      if (lr > this.minLr) {
        optimizer.learningRate = Math.max(lr * this.factor, this.minLr);
        this.#cooldown = this.cooldown;
        this.#wait = 0;
      }
    }
  }
}

/** Sets the learning rate at the start of each epoch from `schedule(epoch, currentRate)`. */
export class LearningRateScheduler extends Callback {
  readonly schedule: (epoch: number, lr: number) => number;
  constructor(schedule: (epoch: number, lr: number) => number) {
    super();
    if (typeof schedule !== "function") throw new ConfigError("LearningRateScheduler: 'schedule' must be a function (epoch, lr) => lr");
    this.schedule = schedule;
  }
  override async onEpochBegin(epoch: number): Promise<void> {
    const optimizer = this.model?.optimizer;
    if (optimizer === undefined) return;
    const lr = this.schedule(epoch, optimizer.learningRate);
    if (typeof lr !== "number" || !Number.isFinite(lr))
      throw new ConfigError(`LearningRateScheduler: the schedule returned ${lr} for epoch ${epoch}; it must return a finite number`);
    optimizer.learningRate = lr;
  }
  override async onEpochEnd(_epoch: number, logs?: Logs): Promise<void> {
    if (logs !== undefined && this.model?.optimizer !== undefined) logs.learning_rate = this.model.optimizer.learningRate;
  }
}

/** Streams epoch logs to a CSV file (Node: a path; elsewhere pass `write`). */
export class CSVLogger extends Callback {
  readonly filename: string | undefined;
  readonly separator: string;
  readonly append: boolean;
  readonly #write: ((text: string) => Promise<void>) | undefined;
  #keys: string[] | undefined;
  #buffer: string[] = [];
  constructor(args: { filename?: string; separator?: string; append?: boolean; write?: (text: string) => Promise<void> | void }) {
    super();
    if (args.filename === undefined && args.write === undefined)
      throw new ConfigError("CSVLogger: give 'filename' (Node) or a 'write' function");
    this.filename = args.filename;
    this.separator = args.separator ?? ",";
    this.append = args.append ?? false;
    this.#write = args.write === undefined ? undefined : async (t) => void (await args.write!(t));
  }
  override async onTrainBegin(): Promise<void> {
    this.#keys = undefined;
    if (this.#write === undefined && !this.append) {
      const fs = await import("node:fs/promises");
      await fs.writeFile(this.filename!, "");
    }
  }
  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const lines: string[] = [];
    if (this.#keys === undefined) {
      this.#keys = Object.keys(logs).sort();
      lines.push(["epoch", ...this.#keys].join(this.separator));
    }
    lines.push([epoch, ...this.#keys.map((k) => logs[k] ?? "")].join(this.separator));
    this.#buffer.push(...lines);
    const text = `${lines.join("\n")}\n`;
    if (this.#write !== undefined) await this.#write(text);
    else await (await import("node:fs/promises")).appendFile(this.filename!, text);
  }
}

/** Stops training as soon as a batch's loss is NaN or infinite (reads the loss after every batch). */
export class TerminateOnNaN extends Callback {
  /** The batch whose loss was not finite, if training stopped. */
  stoppedAtBatch: number | undefined;
  override async onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    const loss = logs?.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      console.warn(`Batch ${batch}: invalid loss ${loss}, terminating training`);
      this.stoppedAtBatch = batch;
      this.model!.stopTraining = true;
    }
  }
}

/**
 * `new EarlyStopping(args)`.
 *
 * ```ts
 * keras.callbacks.earlyStopping({ monitor: "val_loss", patience: 3 })
 * ```
 */
export const earlyStopping = (args?: ConstructorParameters<typeof EarlyStopping>[0]) => new EarlyStopping(args);
/**
 * `new ModelCheckpoint(args)`.
 *
 * ```ts
 * keras.callbacks.modelCheckpoint({ filepath: "file://ckpt/epoch-{epoch}" })
 * ```
 */
export const modelCheckpoint = (args: ConstructorParameters<typeof ModelCheckpoint>[0]) => new ModelCheckpoint(args);
/**
 * `new ReduceLROnPlateau(args)`.
 *
 * ```ts
 * keras.callbacks.reduceLROnPlateau({ factor: 0.5, patience: 2 })
 * ```
 */
export const reduceLROnPlateau = (args?: ConstructorParameters<typeof ReduceLROnPlateau>[0]) => new ReduceLROnPlateau(args);
/**
 * `new LearningRateScheduler(schedule)`.
 *
 * ```ts
 * keras.callbacks.learningRateScheduler((epoch, lr) => lr * 0.9)
 * ```
 */
export const learningRateScheduler = (schedule: (epoch: number, lr: number) => number) => new LearningRateScheduler(schedule);
/**
 * `new CSVLogger(args)`.
 *
 * ```ts
 * keras.callbacks.csvLogger({ filename: "log.csv" })
 * ```
 */
export const csvLogger = (args: ConstructorParameters<typeof CSVLogger>[0]) => new CSVLogger(args);
/**
 * `new TerminateOnNaN()`.
 *
 * ```ts
 * keras.callbacks.terminateOnNaN()
 * ```
 */
export const terminateOnNaN = () => new TerminateOnNaN();
