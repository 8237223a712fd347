/**
 * Seed: Counter, variables in tf.functions (SPEC H2, H3, H5, B10). A variable passed as an
 * argument is a resource input named after the parameter; one read from a closure is an
 * implicit input named `<first op>_resource`. Assignments run on every call, in program
 * order. A method works per instance.
 *
 *   node examples/seeds/counter.mjs
 */
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";

tf.registerBackend(cpu());

/** Prints a function's signature the way TF's function_def.signature shows it. */
function showInputArgs(cf) {
  for (const arg of cf.functionDef.signature.inputArg) console.log(`  input_arg { name: "${arg.name}" type: ${arg.type} }`);
}

// 1. The variable is passed as an argument.
{
  const counter = new tf.Variable(0, { dtype: "int32", name: "counter" });
  const increment = tf.function((counter, c = 1) => counter.assignAdd(c), { name: "increment" });
  increment(counter);
  increment(counter);
  console.log(`passed:   after increment(counter) twice, counter = ${counter.read().dataSync()[0]}`);
  showInputArgs(increment.getConcreteFunction(counter));
}

// 2. The variable is captured from the enclosing scope (read live on every call, SPEC B4).
{
  const counter = new tf.Variable(0, { dtype: "int32", name: "counter" });
  const increment = tf.function((c = 1) => counter.assignAdd(c), { name: "increment" });
  increment();
  increment();
  console.log(`captured: after increment() twice, counter = ${counter.read().dataSync()[0]}`);
  const cf = increment.getConcreteFunction();
  showInputArgs(cf);
  console.log(`  capturedInputs: ${cf.capturedInputs.length} (the variable)`);
  console.log(`\n${String(cf.graph)}`);
}

// 3. A method: each instance gets its own traces and its own variable. In TypeScript, write
// `@tf.function increment(c = 1) { ... }` in the class body; plain JS has no decorators, so
// the tf.function is put on the prototype, which binds it per instance the same way.
class Counter {
  constructor() {
    this.counter = new tf.Variable(0, { dtype: "int32" });
  }
}
Counter.prototype.increment = tf.function(function (c = 1) {
  return this.counter.assignAdd(c);
});

const c = new Counter();
console.log(`\nmethod:   c.increment() -> ${c.increment().dataSync()[0]}, c.increment() -> ${c.increment().dataSync()[0]}`);
const d = new Counter();
console.log(`          a second instance starts at its own 0: d.increment() -> ${d.increment().dataSync()[0]}`);
