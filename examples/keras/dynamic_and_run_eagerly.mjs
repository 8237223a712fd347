/**
 * Seed: Keras `dynamic` and `runEagerly` (SPEC I2, I3). `fit` traces its training step, so
 * JS in a custom layer's `call` runs once per trace: twice in the first epoch (the full
 * batch, then the last smaller batch, relaxed to a `null` batch dimension), never after.
 * `compile({ runEagerly: true })` or a layer built with `{ dynamic: true }` runs every step
 * op by op instead, so `call` runs for every batch; `dynamic` with `runEagerly: false` is an
 * error.
 *
 *   node examples/keras/dynamic_and_run_eagerly.mjs
 */
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import * as keras from "@kiln/keras";

tf.registerBackend(cpu());

/** A dense layer whose `call` logs the shape it sees: symbolic while tracing, concrete when eager. */
class LoggingDense extends keras.layers.Layer {
  static className = "LoggingDense";
  constructor(args) {
    super(args);
    this.units = args.units;
  }
  build(inputShape) {
    this.kernel = this.addWeight("kernel", [inputShape.at(-1), this.units], "float32", keras.initializers.glorotUniform({ seed: 1 }));
  }
  call(x) {
    console.log(`    LoggingDense.call, input shape (${x.shape.map((d) => (d === null ? "None" : d)).join(", ")})`);
    return tf.matMul(x, this.kernel);
  }
}

/** 100 examples of 6 features, 3 classes: batches of 32, 32, 32 and 4. */
const x = tf.randomNormal([100, 6], 0, 1, "float32", 1);
const y = tf.tidy(() => x.slice([0, 0], [100, 3]).argMax(-1));

/** Builds the model; like Keras, building a Sequential model calls each layer once on a symbolic input. */
function buildModel({ dynamic = false } = {}) {
  console.log("  building the model (one symbolic call of each layer):");
  return keras.sequential({
    layers: [keras.layers.dense({ units: 8, activation: "relu", inputShape: [6] }), new LoggingDense({ units: 3, dynamic })],
  });
}

async function train(title, modelArgs, compileArgs) {
  console.log(`\n${title}`);
  const model = buildModel(modelArgs);
  model.compile({ optimizer: "adam", loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }), ...compileArgs });
  await model.fit(x, y, {
    epochs: 2,
    batchSize: 32,
    verbose: 0,
    callbacks: { onEpochBegin: (epoch) => console.log(`  epoch ${epoch + 1}`) },
  });
  console.log(`  model.runEagerly = ${model.runEagerly}`);
}

await train("Traced (the default): call runs once per trace", {}, {});
await train("compile({ runEagerly: true }): call runs for every batch", {}, { runEagerly: true });
await train("A layer built with { dynamic: true }: the model runs eagerly too", { dynamic: true }, {});

console.log("\nA dynamic layer with compile({ runEagerly: false }):");
try {
  buildModel({ dynamic: true }).compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", runEagerly: false });
  console.log("  no error: that is a bug");
  process.exitCode = 1;
} catch (error) {
  console.log(`  ${error.name}: ${error.message}`);
}
