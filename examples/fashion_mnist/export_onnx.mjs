/**
 * Trains the Fashion-MNIST CNN briefly and exports its predict function to ONNX as a Triton
 * Inference Server model repository: `<out>/fashion_cnn/config.pbtxt` and
 * `<out>/fashion_cnn/1/model.onnx`. Serve it with
 * `tritonserver --model-repository=<out>`, or load `model.onnx` in onnxruntime. Needs the
 * built packages (`pnpm build`) and Debian's `dataset-fashion-mnist`.
 *
 * ```sh
 * node examples/fashion_mnist/export_onnx.mjs --out model_repository --limit 6000
 * ```
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import * as keras from "@kiln/keras";
import { checkModel, saveKerasOnnx, tritonConfig } from "@kiln/onnx";
import { fashionMnistAvailable, loadFashionMnist } from "./data.mjs";
import { fashionCnn } from "./model.mjs";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "model_repository" },
    limit: { type: "string", default: "6000" },
    epochs: { type: "string", default: "1" },
  },
});

if (!fashionMnistAvailable()) {
  console.error("Fashion-MNIST is not installed: run `apt-get install -y dataset-fashion-mnist` (Debian) and try again.");
  process.exit(1);
}

tf.registerBackend(cpu());
const train = await loadFashionMnist(tf, "train", { limit: Number(values.limit) });
const model = fashionCnn(keras);
await model.fit(train.images, train.labels, { epochs: Number(values.epochs), batchSize: 32, verbose: 1 });

const folder = join(values.out, "fashion_cnn");
mkdirSync(join(folder, "1"), { recursive: true });
const bytes = await saveKerasOnnx(model, join(folder, "1", "model.onnx"), { inputNames: ["images"], outputNames: ["logits"] });
writeFileSync(join(folder, "config.pbtxt"), tritonConfig(bytes, { name: "fashion_cnn", maxBatchSize: 64 }));
console.log(`wrote ${folder}/1/model.onnx (${(bytes.length / 1024).toFixed(0)} KiB, checker: ${checkModel(bytes).length === 0 ? "valid" : "INVALID"}) and ${folder}/config.pbtxt`);
