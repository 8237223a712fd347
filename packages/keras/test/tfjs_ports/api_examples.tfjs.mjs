// Examples from tfjs's API reference (https://js.tensorflow.org/api/latest/) for the calls a
// port meets first: tensor1d..tensor6d, tf.variable used as a tensor, print, tf.util and
// tf.nextFrame, on tfjs-core with the cpu backend.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

tf.tensor1d([1, 2, 3]).print();
tf.tensor2d([[1, 2], [3, 4]]).print();
tf.tensor2d([1, 2, 3, 4], [2, 2]).print();
tf.tensor3d([[[1], [2]], [[3], [4]]]).print();
tf.tensor3d([1, 2, 3, 4], [2, 2, 1]).print();
tf.tensor4d([[[[1], [2]], [[3], [4]]]]).print();
tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]).print();
tf.tensor5d([[[[[1], [2]], [[3], [4]]]]]).print();
tf.tensor5d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2, 1]).print();
tf.tensor6d([[[[[[1], [2]], [[3], [4]]]]]]).print();
tf.tensor6d([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 2, 2, 1]).print();
tf.tensor1d([0.5, 1e-5, 123456]).print();
tf.tensor2d([[1.5, 2.25], [-3, 4]]).print(true);

const x = tf.variable(tf.tensor([1, 2, 3]));
x.assign(tf.tensor([4, 5, 6]));
x.print();
console.log(x.dataSync(), x.arraySync(), x.shape, x.dtype);
x.add(1).print();
x.square().sum().print();
tf.mul(x, x).print();

const v = tf.variable(tf.zeros([2, 2]), true, "weights");
console.log(v.name.startsWith("weights"), v.trainable);
v.assign(tf.ones([2, 2]));
v.mean().print();

console.log(tf.util.sizeFromShape([3, 4, 2]));
const shuffled = [1, 2, 3, 4, 5];
tf.util.shuffle(shuffled);
console.log([...shuffled].sort());
const indices = tf.util.createShuffledIndices(5);
console.log(indices.length, [...indices].sort());
try {
  tf.util.assert(1 === 2, () => "the check failed");
} catch (error) {
  console.log(error.message);
}
await tf.nextFrame();
console.log("after nextFrame");
