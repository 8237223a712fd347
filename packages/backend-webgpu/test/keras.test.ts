import * as tf from "@kiln/core";
import * as keras from "@kiln/keras";
import { describe, expect, it } from "vitest";
import { gpu } from "./gpu.js";
import { cpu } from "@kiln/backend-cpu";
import { beforeAll } from "vitest";
import { webgpu } from "../src/index.js";
import { maxRelativeError } from "./helpers.js";

// A small @kiln/keras model trains on webgpu (SPEC I2, M2: each fit step is one traced graph:
// forward, loss, gradients, optimizer and metric updates) and matches the same model trained
// on the cpu oracle.
describe.runIf(gpu.available)("keras on webgpu", () => {
  beforeAll(async () => {
    if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
    if (!tf.listBackends().includes("webgpu")) tf.registerBackend(webgpu());
    await tf.setBackend("webgpu");
  });

  /** Fits a seeded MLP on a seeded toy problem on `backend`; returns its loss history and predictions. */
  async function train(backend: string): Promise<{ loss: number[]; predictions: number[] }> {
    const previous = tf.getBackend();
    await tf.setBackend(backend);
    try {
      const x = tf.randomUniform([64, 6], -1, 1, "float32", 7);
      const y = tf.tidy(() => tf.argMax(tf.matMul(x, tf.randomUniform([6, 3], -1, 1, "float32", 8)), 1));
      const model = keras.sequential({
        layers: [
          keras.layers.dense({
            units: 16,
            activation: "relu",
            inputShape: [6],
            kernelInitializer: keras.initializers.glorotUniform({ seed: 1 }),
          }),
          keras.layers.dense({ units: 3, kernelInitializer: keras.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      model.compile({
        optimizer: keras.optimizers.adam(0.05),
        loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }),
        metrics: ["accuracy"],
      });
      const history = await model.fit(x, y, { epochs: 4, batchSize: 16, shuffle: false, verbose: 0 });
      const predicted = model.predict(x) as tf.Tensor;
      const predictions = Array.from(await predicted.data());
      tf.dispose([x, y, predicted]);
      model.dispose();
      return { loss: history.history.loss as number[], predictions };
    } finally {
      await tf.setBackend(previous);
    }
  }

  it("fits a dense classifier: the losses and predictions match the cpu oracle within float32 rounding", async () => {
    const onGpu = await train("webgpu");
    const onCpu = await train("cpu");
    expect(onGpu.loss.length).toBe(4);
    expect(onGpu.loss.at(-1)!).toBeLessThan(onGpu.loss[0]!);
    expect(maxRelativeError(onGpu.loss, onCpu.loss)).toBeLessThan(1e-4);
    expect(maxRelativeError(onGpu.predictions, onCpu.predictions)).toBeLessThan(1e-3);
  });
});
