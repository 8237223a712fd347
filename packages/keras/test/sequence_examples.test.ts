/**
 * The sequence examples, short (the full runs are `node examples/sine_forecast/train.mjs`
 * and `node examples/char_lm/train.mjs`): the LSTM forecaster learns noisy sines better
 * than predicting their mean, and the character-level LSTM learns from the GPL-3 text that
 * ships with Debian and writes text (skipped, with a message, where the file is missing).
 * The scripts themselves also run, in their quick modes, in a child Node process that
 * resolves the workspace packages from source (no build needed).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { corpusAvailable, DEFAULT_TEXT, loadCorpus, sequences } from "../../../examples/char_lm/data.mjs";
import { charModel, generate } from "../../../examples/char_lm/model.mjs";
import { noisySines, prng } from "../../../examples/sine_forecast/data.mjs";
import { forecast, sineForecaster } from "../../../examples/sine_forecast/model.mjs";
import * as keras from "../src/index.js";
import { useCpu } from "./setup.js";

useCpu();

const mse = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.mean(tf.square(tf.sub(a, b))).dataSync()[0]!);

describe("LSTM forecasting noisy sines (short CI run)", () => {
  it("beats predicting the mean after a few epochs; the window length never causes a trace", async () => {
    const train = noisySines(tf, { series: 12, seed: 1 });
    const val = noisySines(tf, { series: 4, seed: 2 });
    const model = sineForecaster(keras, { learningRate: 1e-2 });
    const history = await model.fit(train.x, train.y, { epochs: 4, batchSize: 32, verbose: 0 });
    expect(history.history.loss!.at(-1)!).toBeLessThan(history.history.loss![0]!);
    const meanOnly = mse(tf.broadcastTo(tf.mean(val.y), val.y.shape as number[]), val.y);
    expect(mse(model.predict(val.x) as tf.Tensor, val.y)).toBeLessThan(meanOnly / 3);
    const rolled = forecast(
      tf,
      model,
      Array.from({ length: 20 }, () => prng(3)()),
      5,
    );
    expect(rolled).toHaveLength(5);
    // One trace for full batches and one for the last, smaller batch; none for the 20-step windows.
    expect(model.trainFunction().traced!.tracingCount).toBeLessThanOrEqual(2);
  }, 240_000);
});

const textAvailable = corpusAvailable();
if (!textAvailable) console.warn(`sequence_examples.test.ts: the char-LM test is skipped, ${DEFAULT_TEXT} is missing`);

describe.skipIf(!textAvailable)("character-level LSTM on GPL-3 (short CI run)", () => {
  it("learns (loss well below uniform guessing) and writes text from its vocabulary", async () => {
    const corpus = await loadCorpus({ limit: 3000 });
    const { x, y } = sequences(tf, corpus, { length: 40, stride: 6 });
    const model = charModel(keras, corpus.vocab.length);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0 });
    const uniform = Math.log(corpus.vocab.length);
    expect(history.history.loss!.at(-1)!).toBeLessThan(uniform - 0.8);
    const text = generate(tf, model, corpus, "This License ", 30, 0.7, { random: prng(5) });
    expect(text).toHaveLength(30);
    expect([...text].every((c) => corpus.vocab.includes(c))).toBe(true);
  }, 240_000);
});

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** Runs an example script with `args` and returns what it printed. */
async function runExample(script: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--conditions=source", "--import", "tsx", script, ...args], {
    cwd: repoRoot,
    timeout: 240_000,
  });
  return stdout;
}

describe("the example scripts run in their quick modes", () => {
  it("sine_forecast/train.mjs trains, prints the validation error and a forecast from a new window length", async () => {
    const out = await runExample("examples/sine_forecast/train.mjs", ["--epochs", "1", "--series", "4", "--verbose", "0"]);
    // The full batches and the last, smaller one: at most two traces.
    expect(out).toMatch(/\([12] trace\(s\) of the training step\)/);
    expect(out).toMatch(/validation MSE: LSTM \d+\.\d+, naive \(last value\) \d+\.\d+/);
    expect(out.trim().split("\n").at(-1)).toMatch(/^\s*69\s/);
  }, 240_000);

  it.skipIf(!textAvailable)(
    "char_lm/train.mjs trains on GPL-3 and prints generated text after the epoch",
    async () => {
      const out = await runExample("examples/char_lm/train.mjs", ["--epochs", "1", "--limit", "1500", "--verbose", "0"]);
      expect(out).toMatch(/^1500 characters, \d+ distinct, \d+ sequences of 40$/m);
      expect(out).toMatch(/^epoch 1, loss \d+\.\d+: "This License .{160}"$/m);
    },
    240_000,
  );
});
