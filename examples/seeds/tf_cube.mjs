/**
 * Seed: tf_cube (TensorFlow's tf.function guide), SPEC B1, B7-B9, B11, D1, E1. A
 * `console.log` inside a tf.function runs only while tracing; a new dtype, rank or JS value
 * traces; a second size of the same rank traces once more with that dimension relaxed to
 * `null` (printed `None`), and later sizes reuse it.
 *
 *   node examples/seeds/tf_cube.mjs
 */
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";

tf.registerBackend(cpu());

const tfCube = tf.function(
  (x) => {
    console.log("x =", String(x));
    return tf.pow(x, 3);
  },
  { name: "tfCube" },
);

/** Calls tfCube, echoing the call like a REPL and printing the result. */
function call(text, arg) {
  console.log(`>>> tfCube(${text})`);
  const result = tfCube(arg);
  console.log(String(result));
}

call("tf.constant(2.0)", tf.constant(2.0)); // traces: shape=()
call("tf.constant(3.0)", tf.constant(3.0)); // same signature: no trace
call("2", 2); // a JS value is part of the key: traces
call("3", 3); // another value: traces again
call("tf.constant([[1, 2]])", tf.constant([[1, 2]])); // a new rank: traces (1, 2)
call(
  "tf.constant([[3, 4], [5, 6]])",
  tf.constant([
    [3, 4],
    [5, 6],
  ]),
); // a second size of that rank: traces (None, 2); the retracing warning fires here
call(
  "tf.constant([[7, 8], [9, 10], [11, 12]])",
  tf.constant([
    [7, 8],
    [9, 10],
    [11, 12],
  ]),
); // served by (None, 2): no trace

console.log(`\ntracingCount: ${tfCube.tracingCount}`);
for (const [i, reason] of tfCube.traceReasons().entries()) console.log(`trace ${i + 1}: ${reason.message}`);

console.log("\nConcrete signatures:");
console.log(tfCube.prettyPrintedConcreteSignatures());

// A concrete function for a spec (tracing if needed, never running) and its graph.
const cf = tfCube.getConcreteFunction(new tf.TensorSpec([null, 2], "float32"));
console.log("\ntfCube.getConcreteFunction(new tf.TensorSpec([null, 2])).graph.getOperations():");
console.log(cf.graph.getOperations().map(String).join("\n"));
console.log(`same object as the relaxed trace: ${cf === tfCube.traceReasons()[4].concreteFunction}`);
