/**
 * Section "tracing": the TF guide's `tf_cube` (SPEC B1, D1, E1). A `console.log` inside the
 * function runs only while tracing, so the log below is the trace log: a new dtype, JS value
 * or rank traces; a second size of the same rank traces once more with that dimension
 * relaxed to `null` (printed `None`, like TF), and later sizes reuse that trace.
 *
 * ```js
 * showTracing(tf);
 * ```
 */
import { command, indented } from "./print.mjs";

/** The seed's calls, in order, each with the argument expression shown to the reader. */
const CALLS = [
  ["tf.constant(2.0)", (tf) => tf.constant(2.0)],
  ["tf.constant(3.0)", (tf) => tf.constant(3.0)],
  ["2", () => 2],
  ["3", () => 3],
  ["tf.constant([[1, 2]])", (tf) => tf.constant([[1, 2]])],
  [
    "tf.constant([[3, 4], [5, 6]])",
    (tf) =>
      tf.constant([
        [3, 4],
        [5, 6],
      ]),
  ],
  [
    "tf.constant([[7, 8], [9, 10], [11, 12]])",
    (tf) =>
      tf.constant([
        [7, 8],
        [9, 10],
        [11, 12],
      ]),
  ],
];

/** Runs the seed's calls, echoing each call and its result when `echo`. */
function runCalls(tf, tfCube, { echo }) {
  for (const [text, make] of CALLS) {
    if (echo) command(`tfCube(${text})`);
    const before = tfCube.tracingCount;
    const result = tf.tidy(() => tfCube(make(tf)));
    if (echo) console.log(`${tfCube.tracingCount > before ? "" : "(no trace) "}${String(result)}`);
    tf.dispose(result);
  }
}

/** Prints the trace log, why each trace happened, and what TF's modern default would do. */
export function showTracing(tf) {
  console.log('const tfCube = tf.function((x) => { console.log("x =", String(x)); return tf.pow(x, 3); });\n');
  const tfCube = tf.function(
    (x) => {
      console.log("x =", String(x)); // plain JS: runs while tracing only
      return tf.pow(x, 3);
    },
    { name: "tfCube" },
  );
  runCalls(tf, tfCube, { echo: true });

  console.log(`\ntfCube.tracingCount = ${tfCube.tracingCount} for ${CALLS.length} calls. Why each trace happened (tfCube.traceReasons()):`);
  tfCube.traceReasons().forEach((reason, i) => indented(`${i + 1}. ${reason.message}`));

  // TF 2.x's default today is one exact-shape trace per shape; Kiln's is the relaxation above.
  // The same calls again, without the log, and with the retracing warning (seen above) muted.
  const runtime = tf.getRuntime();
  const warn = runtime.warn;
  runtime.warn = () => {};
  const exact = tf.function((x) => tf.pow(x, 3), { reduceRetracing: false });
  try {
    runCalls(tf, exact, { echo: false });
  } finally {
    runtime.warn = warn;
  }
  console.log(
    `\nWith { reduceRetracing: false } (TF's default) the same calls trace ${exact.tracingCount} times: ` +
      "(2, 2) and (3, 2) each get an exact trace instead of sharing (None, 2).",
  );
}
