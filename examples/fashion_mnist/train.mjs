/**
 * Trains the small CNN on Fashion-MNIST with the Keras progress bar and reports test
 * accuracy and time per epoch. Needs the built packages (`pnpm build`) and Debian's
 * `dataset-fashion-mnist` (`apt-get install -y dataset-fashion-mnist`).
 *
 * ```sh
 * node examples/fashion_mnist/train.mjs                 # 3 epochs, batch 32 (the recorded run)
 * node examples/fashion_mnist/train.mjs --epochs 1 --limit 6000
 * node examples/fashion_mnist/train.mjs --epochs 1 --limit 256 --test-limit 256   # a smoke run (CI)
 * ```
 */
import { parseArgs } from "node:util";
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import * as keras from "@kiln/keras";
import { fashionMnistAvailable, loadFashionMnist } from "./data.mjs";
import { fashionCnn } from "./model.mjs";

const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "3" },
    limit: { type: "string" },
    "test-limit": { type: "string" },
    "batch-size": { type: "string", default: "32" },
    verbose: { type: "string", default: "1" },
  },
});

if (!fashionMnistAvailable()) {
  console.error("Fashion-MNIST is not installed: run `apt-get install -y dataset-fashion-mnist` (Debian) and try again.");
  process.exit(1);
}

tf.registerBackend(cpu());
const limit = values.limit === undefined ? undefined : Number(values.limit);
const train = await loadFashionMnist(tf, "train", { limit });
const test = await loadFashionMnist(tf, "t10k", { limit: values["test-limit"] === undefined ? undefined : Number(values["test-limit"]) });
console.log(`train ${train.images.shape[0]} images, test ${test.images.shape[0]} images, backend ${tf.getBackend()}`);

const model = fashionCnn(keras);
model.summary();
const epochs = Number(values.epochs);
const epochTimes = [];
let started = performance.now();
await model.fit(train.images, train.labels, {
  epochs,
  batchSize: Number(values["batch-size"]),
  verbose: Number(values.verbose),
  callbacks: {
    onEpochEnd: () => {
      epochTimes.push((performance.now() - started) / 1000);
      started = performance.now();
    },
  },
});
const [loss, accuracy] = model.evaluate(test.images, test.labels, { batchSize: 256 });
const accuracyValue = (await accuracy.data())[0];
console.log(`test loss ${(await loss.data())[0].toFixed(4)}, test accuracy ${(100 * accuracyValue).toFixed(2)}%`);
console.log(`seconds per epoch: ${epochTimes.map((t) => t.toFixed(1)).join(", ")}`);
