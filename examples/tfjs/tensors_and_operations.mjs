/**
 * tfjs's "Tensors and operations" guide, as one program, ported by changing the imports
 * only. The original's imports were:
 *
 *   import * as tf from "@tensorflow/tfjs-core";
 *   import "@tensorflow/tfjs-backend-cpu";
 *
 *   node examples/tfjs/tensors_and_operations.mjs
 */
import * as tf from "@kiln/core";
import "@kiln/backend-cpu/register";

// Everything below is the tfjs program, unchanged.

// Tensors
// Create a rank-2 tensor (matrix) matrix tensor from a multidimensional array.
const a = tf.tensor([
  [1, 2],
  [3, 4],
]);
console.log("shape:", a.shape);
a.print();

// Or you can create a tensor from a flat array and specify a shape.
const shape = [2, 2];
const b = tf.tensor([1, 2, 3, 4], shape);
console.log("shape:", b.shape);
b.print();

const c = tf.tensor2d(
  [
    [1, 2],
    [3, 4],
  ],
  [2, 2],
  "int32",
);
console.log("dtype", c.dtype);
c.print();

// Reshape
const d = tf.tensor([
  [1, 2],
  [3, 4],
]);
console.log("d shape:", d.shape);
d.print();
const e = d.reshape([4, 1]);
console.log("e shape:", e.shape);
e.print();

// Getting values from a Tensor
const f = tf.tensor([
  [1, 2],
  [3, 4],
]);
// Returns the multi dimensional array of values.
console.log(await f.array());
// Returns the flattened data that backs the tensor.
console.log(await f.data());
// The synchronous versions
console.log(f.arraySync());
console.log(f.dataSync());

// Operations
const x = tf.tensor([1, 2, 3, 4]);
const y = x.square(); // equivalent to tf.square(x)
y.print();

const g = tf.tensor([1, 2, 3, 4]);
const h = tf.tensor([10, 20, 30, 40]);
const sum = g.add(h); // equivalent to tf.add(g, h)
sum.print();

// Memory
const i = tf.tensor([
  [1, 2],
  [3, 4],
]);
i.dispose(); // Equivalent to tf.dispose(i)

const j = tf.tensor([
  [1, 2],
  [3, 4],
]);
const k = tf.tidy(() => {
  const result = j.square().log().neg();
  return result;
});
k.print();

const l = tf.tensor([
  [1, 2],
  [3, 4],
]);
console.log(tf.memory().numTensors);
const m = tf.tidy(() => {
  const result = l.square().log().neg();
  return result;
});
console.log(tf.memory().numTensors);
m.print();

// Variables (from tfjs's "Training" guide)
const initialValues = tf.zeros([5]);
const biases = tf.variable(initialValues); // initialize biases
biases.print(); // output: [0, 0, 0, 0, 0]

const updatedValues = tf.tensor1d([0, 1, 0, 1, 0]);
biases.assign(updatedValues); // update values of biases
biases.print(); // output: [0, 1, 0, 1, 0]

// tf.util, as tfjs-examples' data loaders use it
console.log(tf.util.sizeFromShape([3, 28, 28]));
const indices = tf.util.createShuffledIndices(10);
console.log(Array.from(indices).sort((p, q) => p - q));
tf.util.assert(indices.length === 10, () => "expected 10 indices");
