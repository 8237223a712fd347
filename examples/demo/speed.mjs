/**
 * Section "eager vs traced": the same computations run op by op (eager) and as one cached,
 * optimized graph (traced), timed side by side on the active backend. Two workloads: the
 * AutoGraph `collatz` loop (eagerly every iteration reads its condition back to JS) and a
 * small two-layer MLP with GELU (many small ops, which fusion merges).
 *
 * ```js
 * const mlp = makeMlp(tf);
 * await showSpeed(tf, { collatz, mlp }, { rounds: 5, calls: 10 });
 * ```
 */
import { indented, ms } from "./print.mjs";
import { compare } from "./timing.mjs";

/** tanh-approximated GELU: nine elementwise ops. */
function gelu(tf, h) {
  return h.mul(0.5).mul(tf.tanh(h.add(h.pow(3).mul(0.044715)).mul(0.7978845608)).add(1));
}

/**
 * A two-layer MLP forward pass `(x, params) => y` and its parameters for 64 features and a
 * batch of 32: small tensors, so the cost per op (not the arithmetic) dominates.
 */
export function makeMlp(tf) {
  const forward = (x, { w1, b1, w2, b2 }) => gelu(tf, tf.matMul(gelu(tf, tf.matMul(x, w1).add(b1)), w2).add(b2));
  const params = {
    w1: tf.randomNormal([64, 64], 0, 0.1, "float32", 1),
    b1: tf.zeros([64]),
    w2: tf.randomNormal([64, 64], 0, 0.1, "float32", 2),
    b2: tf.zeros([64]),
  };
  const x = tf.randomNormal([32, 64], 0, 1, "float32", 3);
  return { forward, traced: tf.function(forward, { name: "mlp", autograph: false }), params, x };
}

/** Runs a tf.function op by op (runFunctionsEagerly), as if it were not traced. */
function eagerly(tf, fn, ...args) {
  tf.config.runFunctionsEagerly(true);
  try {
    return tf.tidy(() => fn(...args));
  } finally {
    tf.config.runFunctionsEagerly(false);
  }
}

/** Times both workloads and prints a table; resolves to the measurements. */
export async function showSpeed(tf, { collatz, mlp }, { rounds, calls }) {
  const n = tf.scalar(27);
  const loop = await compare(
    { eager: () => eagerly(tf, collatz, n), traced: () => collatz(n) },
    { rounds, calls: Math.max(1, calls >> 2) },
  );
  const dense = await compare(
    { eager: () => tf.tidy(() => mlp.forward(mlp.x, mlp.params)), traced: () => mlp.traced(mlp.x, mlp.params) },
    { rounds, calls },
  );
  n.dispose();
  const row = (name, r) =>
    `${name.padEnd(34)}${ms(r.eager.median).padStart(11)}${ms(r.traced.median).padStart(11)}${`${r.ratio.toFixed(1)}x`.padStart(14)}`;
  console.log(`Median wall time per call on '${tf.getBackend()}' (eager and traced alternate in ${rounds} rounds):\n`);
  indented(`${"".padEnd(34)}${"eager".padStart(11)}${"traced".padStart(11)}${"eager/traced".padStart(14)}`);
  indented(row("collatz(27): While, 111 iterations", loop));
  indented(row("MLP 32x64, 2 layers + GELU", dense));
  const plan = mlp.traced.getConcreteFunction(mlp.x, mlp.params).planSummary();
  const fused = plan.steps.filter((step) => step.kind === "fused").length;
  console.log(
    `\n(Wall time: on a busy machine absolute times drift, the ratio within one run is what to read.)\n` +
      `The traced MLP runs ${plan.steps.length} plan steps (${fused} fused kernels) for its ${mlp.traced.getConcreteFunction(mlp.x, mlp.params).graph.getOperations().length} graph operations;\n` +
      "eagerly, collatz reads its condition back to JS on every iteration, the traced While does not.",
  );
  return { loop, dense };
}
