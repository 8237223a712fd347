/**
 * tfjs-layers 4.22 on tfjs's cpu backend, the oracle for layer outputs, losses, metrics and
 * the LayersModel file format. Gradients are registered explicitly (tfjs-core's ESM build
 * registers none by itself under vitest).
 */
import "@tensorflow/tfjs-backend-cpu";
import * as tfc from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
// tfjs-layers' orthogonal initializer (recurrent kernels) calls chained tensor methods.
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js";
import * as tfl from "@tensorflow/tfjs-layers";
import * as tf from "@kiln/core";

// An oracle, not the library under test: no "install tfjs-node" banner in test output.
tfc.env().set("IS_TEST", true);
await tfc.setBackend("cpu");

export { tfc, tfl };

/** A tfjs tensor with a Kiln tensor's values. */
export function toTfjs(t: tf.Tensor): tfc.Tensor {
  return tfc.tensor(t.dataSync() as Float32Array, t.shape as number[], t.dtype as "float32");
}

/** A Kiln tensor with a tfjs tensor's values. */
export function fromTfjs(t: tfc.Tensor): tf.Tensor {
  return tf.tensor(t.dataSync() as Float32Array, t.shape, t.dtype as tf.DType);
}
