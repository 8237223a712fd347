/**
 * Section "backend swap": `await tf.setBackend(name)` at run time (SPEC L3). The same
 * tf.function keeps its trace (no retrace) and compiles one plan per backend; eager tensors
 * made on the first backend move when an op on the second needs them.
 *
 * ```js
 * await showSwap(tf, { collatz, mlp }, { from: "wasm", to: "cpu" });
 * ```
 */
import { command, indented, ms } from "./print.mjs";
import { compare } from "./timing.mjs";

/** The first line of a plan summary: "plan of <fn> on <backend>: N steps for M operations". */
function planHeader(cf) {
  return String(cf.planSummary()).split("\n")[0];
}

/** Swaps `from` -> `to`, runs the same functions there, times the traced MLP on both, and swaps back. */
export async function showSwap(tf, { collatz, mlp }, { from, to, rounds, calls }) {
  const n = tf.scalar(27);
  const cf = collatz.getConcreteFunction(n);
  const mlpCf = mlp.traced.getConcreteFunction(mlp.x, mlp.params);
  const traces = collatz.tracingCount + mlp.traced.tracingCount;
  const fromResult = tf.tidy(() => mlp.traced(mlp.x, mlp.params).sum().dataSync()[0]);
  console.log(`Each traced function compiles a plan for the backend it runs on. On ${from}:`);
  indented(planHeader(cf));
  indented(planHeader(mlpCf));

  command(`await tf.setBackend("${to}")`);
  await tf.setBackend(to);
  command("collatz(n)   // n was made on the first backend; it moves");
  const steps = tf.tidy(() => collatz(n));
  console.log(String(steps));
  steps.dispose();
  const toResult = tf.tidy(() => mlp.traced(mlp.x, mlp.params).sum().dataSync()[0]);
  console.log(`On ${to}, from the same traces:`);
  indented(planHeader(cf));
  indented(planHeader(mlpCf));
  console.log(
    `Traces before and after the swap: ${traces} and ${collatz.tracingCount + mlp.traced.tracingCount} (one trace, a plan per backend). ` +
      `sum(mlp(x)) on ${from}: ${fromResult.toFixed(5)}, on ${to}: ${toResult.toFixed(5)}.`,
  );

  const onTo = await compare({ traced: () => mlp.traced(mlp.x, mlp.params) }, { rounds, calls });
  await tf.setBackend(from);
  const onFrom = await compare({ traced: () => mlp.traced(mlp.x, mlp.params) }, { rounds, calls });
  command(`await tf.setBackend("${from}")   // and back`);
  console.log(
    `The traced MLP, median per call: ${ms(onFrom.traced.median)} on ${from}, ${ms(onTo.traced.median)} on ${to} ` +
      `(${(onTo.traced.median / onFrom.traced.median).toFixed(1)}x).`,
  );
  n.dispose();
}
