/**
 * The Fashion-MNIST example, short: the example's CNN trained for one epoch on a subset of
 * Debian's dataset-fashion-mnist must learn (test accuracy well above chance). Skipped,
 * with a message, when the dataset is not installed (apt-get install -y dataset-fashion-mnist).
 */
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { fashionMnistAvailable, loadFashionMnist } from "../../../examples/fashion_mnist/data.mjs";
import { fashionCnn } from "../../../examples/fashion_mnist/model.mjs";
import * as keras from "../src/index.js";
import { useCpu } from "./setup.js";

useCpu();

const available = fashionMnistAvailable();
if (!available)
  console.warn("fashion_mnist.test.ts: skipped, /usr/share/datasets/fashion-mnist is missing (apt-get install -y dataset-fashion-mnist)");

describe.skipIf(!available)("Fashion-MNIST example (short CI run)", () => {
  it("learns in one epoch on 3000 images: test accuracy above 65% (chance is 10%)", async () => {
    const train = await loadFashionMnist(tf, "train", { limit: 3000 });
    const test = await loadFashionMnist(tf, "t10k", { limit: 1000 });
    expect(train.images.shape).toEqual([3000, 28, 28, 1]);
    const model = fashionCnn(keras);
    const history = await model.fit(train.images, train.labels, { epochs: 1, batchSize: 32, verbose: 0 });
    const [, accuracy] = model.evaluate(test.images, test.labels, { batchSize: 250 }) as tf.Tensor[];
    expect(history.history.loss![0]!).toBeLessThan(1.2);
    expect(accuracy!.dataSync()[0]!).toBeGreaterThan(0.65);
  }, 240_000);
});
