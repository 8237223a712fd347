/**
 * Section "Keras": the small CNN of examples/fashion_mnist trained with @kiln/keras on a
 * subset of Fashion-MNIST (Debian's dataset-fashion-mnist), with the Keras progress bar
 * and the accuracy on held-out test images. Every training step is one traced graph.
 *
 * ```js
 * await showKeras(tf, keras, { train: 12000, test: 10000, epochs: 2 });
 * ```
 */
import { CLASS_NAMES, fashionMnistAvailable, loadFashionMnist } from "../fashion_mnist/data.mjs";
import { fashionCnn } from "../fashion_mnist/model.mjs";

/** Trains and evaluates; resolves to the test accuracy (0..1), or undefined when the data is missing. */
export async function showKeras(tf, keras, { train: trainSize, test: testSize, epochs, batchSize = 64 }) {
  if (!fashionMnistAvailable()) {
    console.log("Fashion-MNIST is not installed: skipped. Install it with `apt-get install -y dataset-fashion-mnist` (Debian).");
    return undefined;
  }
  const train = await loadFashionMnist(tf, "train", { limit: trainSize });
  const test = await loadFashionMnist(tf, "t10k", { limit: testSize });
  console.log(
    `Training on the first ${trainSize} of the 60000 training images (a subset, to keep the demo short), ` +
      `${epochs} epoch(s), batch ${batchSize}, on '${tf.getBackend()}'; testing on ${testSize} of the 10000 test images.\n`,
  );
  const model = fashionCnn(keras);
  model.summary();
  console.log("");
  const started = performance.now();
  await model.fit(train.images, train.labels, { epochs, batchSize, verbose: 1 });
  const seconds = (performance.now() - started) / 1000;
  const [loss, accuracy] = model.evaluate(test.images, test.labels, { batchSize: 256 });
  const accuracyValue = (await accuracy.data())[0];
  const lossValue = (await loss.data())[0];
  const traced = model.trainFunction().traced;
  console.log(
    `\nTest accuracy ${(100 * accuracyValue).toFixed(2)}% (loss ${lossValue.toFixed(4)}) after ${seconds.toFixed(1)} s of training; ` +
      `the train step was traced ${traced.tracingCount} time(s) for ${Math.ceil(trainSize / batchSize) * epochs} steps.`,
  );
  const [predicted, actual] = tf.tidy(() => [
    model
      .predict(test.images.slice([0], [8]))
      .argMax(-1)
      .arraySync(),
    test.labels.slice([0], [8]).arraySync(),
  ]);
  console.log("First test images, predicted (actual):");
  console.log(`    ${predicted.map((p, i) => `${CLASS_NAMES[p]}${p === actual[i] ? "" : ` (${CLASS_NAMES[actual[i]]})`}`).join(", ")}`);
  tf.dispose([train.images, train.labels, test.images, test.labels, loss, accuracy]);
  model.dispose();
  return accuracyValue;
}
