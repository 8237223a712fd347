/**
 * Seed: add_10, a JS loop vs a tensor loop (SPEC G1, G3, B9). With AutoGraph, a `for` over
 * a JS range runs while tracing and is unrolled (ten AddV2 ops); a `for...of` over
 * `tf.range(10)` becomes one While op, whatever the count.
 *
 *   node examples/seeds/add_10.mjs
 */
import "@kiln/autograph/register"; // AutoGraph: `x += 1` and loops over tensors become graph ops
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";

tf.registerBackend(cpu());

const add10 = tf.function(
  (x) => {
    for (let i = 0; i < 10; i++) x += 1;
    return x;
  },
  { name: "add_10" },
);

const add10TensorLoop = tf.function(
  (x) => {
    // biome-ignore lint/correctness/noUnusedVariables: the seed's loop variable is unused
    for (const i of tf.range(10)) x += 1;
    return x;
  },
  { name: "add_10" },
);

for (const [title, fn] of [
  ["for (let i = 0; i < 10; i++) x += 1   // a JS loop: unrolled", add10],
  ["for (const i of tf.range(10)) x += 1  // a tensor loop: one While op", add10TensorLoop],
]) {
  console.log(title);
  console.log(`>>> add10(tf.constant(5, "int32"))\n${String(fn(tf.constant(5, "int32")))}`);
  const cf = fn.getConcreteFunction(tf.constant(5, "int32"));
  console.log('>>> add10.getConcreteFunction(tf.constant(5, "int32")).graph.getOperations()');
  console.log(cf.graph.getOperations().map(String).join("\n"));
  console.log(`\n${String(cf.graph)}\n`);
}
