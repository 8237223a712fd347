/**
 * Forecasts noisy sines with an LSTM: trains on windows of 64 synthetic signals, reports
 * the validation error against the naive forecast (repeat the last value), then rolls the
 * model 30 steps into the future of a new signal and prints both curves. The LSTM's time
 * loop is one traced While, so windows of a new length run without retracing.
 *
 * ```sh
 * pnpm build && node examples/sine_forecast/train.mjs            # 20 epochs
 * node examples/sine_forecast/train.mjs --epochs 3 --series 16   # quick
 * ```
 */
import { parseArgs } from "node:util";
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import * as keras from "@kiln/keras";
import { noisySignal, noisySines, prng } from "./data.mjs";
import { forecast, sineForecaster } from "./model.mjs";

const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "20" },
    series: { type: "string", default: "64" },
    verbose: { type: "string", default: "2" },
  },
});

tf.registerBackend(cpu());
const series = Number(values.series);
const train = noisySines(tf, { series, seed: 1 });
const val = noisySines(tf, { series: Math.max(4, series >> 2), seed: 2 });
console.log(`${train.x.shape[0]} training windows of ${train.x.shape[1]} steps, ${val.x.shape[0]} validation windows`);

const model = sineForecaster(keras);
model.summary();
const started = performance.now();
await model.fit(train.x, train.y, {
  epochs: Number(values.epochs),
  batchSize: 32,
  validationData: [val.x, val.y],
  verbose: Number(values.verbose),
});
console.log(
  `trained in ${((performance.now() - started) / 1000).toFixed(1)} s (${model.trainFunction().traced?.tracingCount ?? 0} trace(s) of the training step)`,
);

const mse = (a, b) => tf.tidy(() => tf.mean(tf.square(tf.sub(a, b))).dataSync()[0]);
console.log(`validation MSE: LSTM ${mse(model.predict(val.x), val.y).toFixed(4)}, naive (last value) ${mse(val.naive, val.y).toFixed(4)}`);

// Roll forward on a fresh signal, from a window of 40 steps (a length never trained on).
const signal = noisySignal(prng(99), 70, 0);
const predicted = forecast(tf, model, signal.slice(0, 40), 30);
console.log("\nstep  true    predicted");
predicted.forEach((p, i) =>
  console.log(
    `${String(40 + i).padStart(4)}  ${signal[40 + i].toFixed(3).padStart(6)}  ${p.toFixed(3).padStart(6)}  ${"*".padStart(Math.round((p + 2) * 10))}`,
  ),
);
