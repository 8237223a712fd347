/**
 * Callbacks and the progress bar: hook order, History, EarlyStopping (with best-weight
 * restore), ReduceLROnPlateau, LearningRateScheduler, CSVLogger, ModelCheckpoint, and the
 * Keras progress display (redrawn in place on a TTY, one line per epoch elsewhere).
 */
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@kiln/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as keras from "../src/index.js";
import { maxAbsDiff, useCpu } from "./setup.js";

useCpu();

function regression() {
  const x = tf.randomNormal([40, 3], 0, 1, "float32", 1);
  const y = tf.sum(tf.mul(x, tf.tensor([1, -2, 0.5])), -1, true);
  const model = keras.sequential({ layers: [keras.layers.dense({ units: 1, inputShape: [3], kernelInitializer: "zeros" })] });
  return { x, y, model };
}

afterEach(() => vi.restoreAllMocks());

describe("callbacks", () => {
  it("hooks run in order with logs; plain objects work as callbacks; fit reads batch logs only when asked", async () => {
    const { x, y, model } = regression();
    model.compile({ optimizer: keras.optimizers.sgd(0.1), loss: "meanSquaredError", metrics: ["mae"] });
    const events: string[] = [];
    class Recorder extends keras.callbacks.Callback {
      override async onTrainBegin() {
        events.push(`train begin (${this.params!.epochs} epochs, ${this.params!.steps} steps)`);
      }
      override async onEpochEnd(epoch: number, logs?: keras.callbacks.Logs) {
        events.push(`epoch ${epoch}: ${Object.keys(logs!).join(",")}`);
      }
      override async onTrainEnd() {
        events.push("train end");
      }
    }
    const batches: number[] = [];
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 20,
      verbose: 0,
      callbacks: [new Recorder(), { onBatchEnd: (b, logs) => void batches.push(b, logs!.loss!) }],
    });
    expect(events).toEqual(["train begin (2 epochs, 2 steps)", "epoch 0: loss,mae", "epoch 1: loss,mae", "train end"]);
    expect(batches.filter((_, i) => i % 2 === 0)).toEqual([0, 1, 0, 1]);
    expect(batches.filter((_, i) => i % 2 === 1).every((l) => l > 0)).toBe(true);
  });

  it("EarlyStopping stops after `patience` epochs without improvement and restores the best weights", async () => {
    const { x, y, model } = regression();
    // A learning rate this large makes the loss grow after the first epoch.
    model.compile({ optimizer: keras.optimizers.sgd(1.5), loss: "meanSquaredError" });
    const snapshots: tf.Tensor[][] = [];
    const stop = keras.callbacks.earlyStopping({ monitor: "loss", patience: 1, restoreBestWeights: true });
    const history = await model.fit(x, y, {
      epochs: 10,
      batchSize: 40,
      verbose: 0,
      callbacks: [stop, { onEpochEnd: () => void snapshots.push(model.getWeights()) }],
    });
    const losses = history.history.loss!;
    expect(losses.length).toBeLessThan(10);
    expect(stop.stoppedEpoch).toBe(losses.length - 1);
    const best = losses.indexOf(Math.min(...losses));
    // The snapshot after the best epoch was taken before EarlyStopping restored anything.
    model.getWeights().forEach((w, i) => expect(maxAbsDiff(w, snapshots[best]![i]!)).toBe(0));
  });

  it("ReduceLROnPlateau and LearningRateScheduler change the learning rate between epochs without retracing", async () => {
    const { x, y, model } = regression();
    model.compile({ optimizer: keras.optimizers.sgd(1.5), loss: "meanSquaredError" });
    const reduce = keras.callbacks.reduceLROnPlateau({ monitor: "loss", patience: 1, factor: 0.5, minDelta: 0 });
    const history = await model.fit(x, y, { epochs: 4, batchSize: 40, verbose: 0, callbacks: [reduce] });
    expect(history.history.learning_rate!.at(-1)!).toBeLessThan(1.5);
    const scheduled = regression();
    scheduled.model.compile({ optimizer: keras.optimizers.sgd(0.1), loss: "meanSquaredError" });
    const rates: number[] = [];
    await scheduled.model.fit(scheduled.x, scheduled.y, {
      epochs: 3,
      verbose: 0,
      callbacks: [
        keras.callbacks.learningRateScheduler((epoch) => 0.1 / (epoch + 1)),
        { onEpochEnd: () => void rates.push(scheduled.model.optimizer!.learningRate) },
      ],
    });
    rates.forEach((r, i) => expect(r).toBeCloseTo(0.1 / (i + 1), 6));
    expect(scheduled.model.trainFunction().traced!.tracingCount).toBe(2);
  });

  it("CSVLogger writes a header and one row per epoch; ModelCheckpoint saves each epoch", async () => {
    const { x, y, model } = regression();
    model.compile({ optimizer: keras.optimizers.sgd(0.05), loss: "meanSquaredError", metrics: ["mae"] });
    const dir = await mkdtemp(join(tmpdir(), "kiln-keras-cb-"));
    const csv = join(dir, "log.csv");
    await model.fit(x, y, {
      epochs: 2,
      verbose: 0,
      validationSplit: 0.25,
      callbacks: [
        keras.callbacks.csvLogger({ filename: csv }),
        keras.callbacks.modelCheckpoint({ filepath: `file://${dir}/epoch-{epoch}` }),
      ],
    });
    const rows = (await readFile(csv, "utf8")).trim().split("\n");
    expect(rows[0]).toBe("epoch,loss,mae,val_loss,val_mae");
    expect(rows).toHaveLength(3);
    expect(rows[2]!.startsWith("1,")).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(["epoch-1", "epoch-2", "log.csv"]);
    const restored = await keras.loadLayersModel(`file://${dir}/epoch-2/model.json`);
    expect(maxAbsDiff(restored.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
  });
});

describe("progress bar", () => {
  function captureStdout(isTTY: boolean): string[] {
    const writes: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    Object.defineProperty(process.stdout, "isTTY", { value: isTTY, configurable: true });
    return writes;
  }

  it("verbose 1 on a TTY redraws one line in place per epoch", async () => {
    const { x, y, model } = regression();
    model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const writes = captureStdout(true);
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 1 });
    // ESC [ K (erase to the end of the line) shown as "<EL>" so the patterns stay readable.
    const text = writes.join("").replaceAll("\x1b[K", "<EL>");
    expect(text).toMatch(/^Epoch 1\/2\n/);
    expect(text).toMatch(/\r ?\d\/10 \[=*>\.+\] - ETA: \d+s - loss: \d+\.\d{4}<EL>/);
    expect(text).toMatch(/\r10\/10 \[={30}\] - \d+s \d+ms\/step - loss: \d+\.\d{4}<EL>\nEpoch 2\/2\n/);
    expect(text.split("\n")).toHaveLength(5);
  });

  it("verbose 1 without a TTY prints one complete bar per epoch and never floods", async () => {
    const { x, y, model } = regression();
    model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const writes = captureStdout(false);
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 1 });
    const lines = writes.join("").trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^10\/10 \[={30}\] - \d+s \d+ms\/step - loss: \d+\.\d{4}$/);
    expect(writes.join("")).not.toContain("\r");
  });

  it("verbose 2 prints one line per epoch; verbose 0 prints nothing", async () => {
    const { x, y, model } = regression();
    model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const writes = captureStdout(true);
    await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 2, validationSplit: 0.2 });
    const lines = writes.join("").trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^Epoch 3\/3 - 4\/4 - \d+s \d+ms\/step - loss: \d+\.\d{4} - val_loss: \d+\.\d{4}$/);
    writes.length = 0;
    await model.fit(x, y, { epochs: 2, verbose: 0 });
    expect(writes).toEqual([]);
  });

  it("formats bars and logs like Keras", () => {
    expect(keras.callbacks.formatBar(3, 10, 10)).toBe(" 3/10 [==>.......]");
    expect(keras.callbacks.formatBar(10, 10, 10)).toBe("10/10 [==========]");
    expect(keras.callbacks.formatLogs({ loss: 0.123456, acc: 1e-5 })).toBe(" - loss: 0.1235 - acc: 1.0000e-5");
  });
});
