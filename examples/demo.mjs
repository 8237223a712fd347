// A tour of Kiln's eager core on the cpu backend, run with plain node against the built
// packages: `npm run demo` from the repository root (or `node examples/demo.mjs` after
// `pnpm build`).
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";

tf.registerBackend(cpu());

function show(label, value) {
  console.log(`${label}\n${String(value)}\n`);
}

console.log(`Kiln eager core on the '${tf.getBackend()}' backend\n`);

// Tensors: a JS number becomes float32 unless a dtype is given.
const x = tf.tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
const counts = tf.tidy(() => tf.range(0, 6, 1, "int32").reshape([2, 3])); // the [6] range is freed
console.log(`x: shape [${x.shape}], dtype ${x.dtype}, rank ${x.rank}`);
show("counts = tf.range(0, 6, 1, 'int32').reshape([2, 3])", counts);

// Every tensor the printing section below creates is freed when its tidy ends.
tf.tidy(() => {
  // Broadcasting follows NumPy: a row [3] against [2, 3], a column [2, 1] against [2, 3].
  show("x.add([10, 20, 30])  (row broadcast)", x.add([10, 20, 30]));
  show("x.mul([[1], [-1]])  (column broadcast)", x.mul([[1], [-1]]));
  show("tf.sub(x, 1).div(2)  (scalar operand, chained)", tf.sub(x, 1).div(2));

  // int32 arithmetic wraps around like C and TensorFlow.
  show("int32 max + 1", tf.add(tf.constant(2147483647, "int32"), tf.constant(1, "int32")));

  // Matrix multiplication, with tfjs's argument order: matMul(a, b, transposeA?, transposeB?).
  const w = tf.tensor([
    [1, 0],
    [0, 1],
    [1, 1],
  ]);
  show("tf.matMul(x, w)  [2, 3] x [3, 2]", tf.matMul(x, w));
  show("tf.matMul(x, x, false, true)  x times its transpose", tf.matMul(x, x, false, true));

  // Reductions: over everything, over an axis (negative axes count from the end), keepDims.
  show("x.sum()", x.sum());
  show("x.sum(0)", x.sum(0));
  show("x.mean(-1, true)", x.mean(-1, true));
  show("x.max(1)", x.max(1));
  show("x.argMax(1)  (int32 indices)", x.argMax(1));
});

// Memory: tidy frees everything its function created except what it returns. A softmax
// written by hand creates five tensors and leaves only its result behind.
console.log(`live tensors before tidy: ${tf.memory().numTensors}`);
const probabilities = tf.tidy(() => {
  const shifted = x.sub(x.max(-1, true));
  const e = tf.exp(shifted);
  return e.div(e.sum(-1, true));
});
console.log(`live tensors after tidy:  ${tf.memory().numTensors} (only the result was added)`);
show("softmax(x) rows", probabilities);
tf.tidy(() => show("each row sums to 1", probabilities.sum(-1)));

// Data leaves the backend with data()/dataSync()/array()/arraySync().
console.log("probabilities.arraySync():", JSON.stringify(probabilities.arraySync()));
console.log("await x.data():", await x.data());

// tf.function traces the JS function once per input signature into a graph, then runs the
// cached graph: the console.log inside runs only while tracing.
const scale = tf.function((t, factor) => {
  console.log(`  tracing scale(${String(t)}, ${factor})`);
  return t.mul(factor).add(1);
});
const batches = [
  [1, 2],
  [3, 4],
]; // same shape and dtype: one trace serves both calls
for (const values of batches) {
  tf.tidy(() => show(`scale([${values}], 10)`, scale(tf.tensor(values), 10)));
}
console.log(`scale was traced ${scale.tracingCount} time(s) for 2 calls\n`);

// Everything not tidied must be disposed; tf.memory() shows what is still alive.
tf.dispose([x, counts, probabilities]);
const { numTensors, numBytes } = tf.memory();
console.log(`after dispose: ${numTensors} tensors alive; ${numBytes} bytes held by scale's cached graph (its constants 10 and 1)`);
