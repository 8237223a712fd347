/**
 * Seed: shrink, a tf.function with an input signature (SPEC F1, F2). The signature fixes
 * one trace with a `null` batch dimension; any batch size reuses it, and an input that
 * does not fit is a TypeError that shows the input and the signature.
 *
 *   node examples/seeds/shrink.mjs
 */
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";

tf.registerBackend(cpu());

const shrink = tf.function(
  (images) => {
    console.log("Tracing", String(images));
    // images[:, ::2, ::2] in Python: drop every other row and column.
    return images.stridedSlice([0, 0, 0], [0, 0, 0], [1, 2, 2], 0b111, 0b111);
  },
  { name: "shrink", inputSignature: [new tf.TensorSpec([null, 28, 28], "float32")] },
);

const imgBatch1 = tf.randomUniform([100, 28, 28]);
const imgBatch2 = tf.randomUniform([50, 28, 28]);
console.log(">>> shrink(imgBatch1)   // traces the function");
console.log(`shape [${shrink(imgBatch1).shape}]`);
console.log(">>> shrink(imgBatch2)   // reuses the same concrete function");
console.log(`shape [${shrink(imgBatch2).shape}]`);
console.log(`tracingCount: ${shrink.tracingCount}`);

const imgBatch3 = tf.randomUniform([2, 2, 2]);
console.log(">>> shrink(imgBatch3)   // rejects unexpected types or shapes");
try {
  shrink(imgBatch3);
  console.log("no error: that is a bug");
  process.exitCode = 1;
} catch (error) {
  console.log(`${error.name}: ${error.message}`);
}
