/**
 * The Kiln demo: a terminal tour of what Kiln is for, on the fastest backend this machine
 * has. `npm run demo` from the repository root installs, builds and runs it; after a build,
 * `node examples/demo.mjs` runs it alone.
 *
 *   node examples/demo.mjs                   # the full tour (about a minute; under 2 on 2 busy cores)
 *   node examples/demo.mjs --quick           # smaller timings and training subset (CI)
 *   node examples/demo.mjs --backend cpu     # force a backend: webgpu, wasm or cpu
 *   node examples/demo.mjs --out DIR         # where the graph picture goes (default examples/out)
 *
 * Sections: the backend and why; tracing (the TF guide's tf_cube: trace log, retrace on a
 * new shape, the relaxed (None, 2) trace); AutoGraph (a tensor `while` and its graph, as
 * text and as an SVG file); eager vs traced timings; a backend swap at run time; a Keras
 * CNN trained on a Fashion-MNIST subset with a progress bar and its test accuracy.
 */
import "@kiln/autograph/register"; // AutoGraph: JS control flow on tensors becomes graph ops
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as tf from "@kiln/core";
import * as keras from "@kiln/keras";
import { makeCollatz, showAutograph } from "./demo/autograph.mjs";
import { pickFastestBackend } from "./demo/backend.mjs";
import { showKeras } from "./demo/keras.mjs";
import { heading } from "./demo/print.mjs";
import { makeMlp, showSpeed } from "./demo/speed.mjs";
import { showSwap } from "./demo/swap.mjs";
import { showTracing } from "./demo/tracing.mjs";

const started = performance.now();
const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    backend: { type: "string" },
    out: { type: "string", default: join(dirname(fileURLToPath(import.meta.url)), "out") },
  },
});

/** How much each section does: the full tour, or a quick one for CI. Training shrinks on cpu, which is much slower. */
function sizes(backend) {
  const timing = values.quick ? { rounds: 3, calls: 4 } : { rounds: 7, calls: 12 };
  const training = values.quick
    ? { train: 512, test: 500, epochs: 1 }
    : backend === "cpu"
      ? { train: 1024, test: 1000, epochs: 1 }
      : { train: 5120, test: 10000, epochs: 2 };
  return { timing, training };
}

console.log(`Kiln: TensorFlow's tf.function for TypeScript${values.quick ? " (quick mode)" : ""}`);

heading(1, "The fastest backend here");
const choice = await pickFastestBackend(tf, { only: values.backend });
for (const { name, why } of choice.skipped) console.log(`${name.padEnd(7)} no: ${why}`);
console.log(`${choice.name.padEnd(7)} yes: ${choice.why}`);
console.log(`registered: ${tf.listBackends().join(", ")}; active: ${tf.getBackend()}`);
const { timing, training } = sizes(choice.name);

heading(2, "Tracing: tf_cube from TensorFlow's guide");
showTracing(tf);

heading(3, "AutoGraph: a tensor while loop becomes a graph");
const collatz = makeCollatz(tf);
await showAutograph(tf, collatz, { outDir: values.out });

heading(4, "Eager vs traced");
const mlp = makeMlp(tf);
await showSpeed(tf, { collatz, mlp }, timing);

heading(5, "Swapping the backend at run time");
const other = choice.name === "cpu" ? undefined : "cpu";
if (other === undefined) console.log("cpu is the only backend registered (see section 1), so there is nothing to swap to.");
else await showSwap(tf, { collatz, mlp }, { from: choice.name, to: other, ...timing });

heading(6, "Keras: a CNN on Fashion-MNIST");
await showKeras(tf, keras, training);

tf.dispose([mlp.x, ...Object.values(mlp.params)]);
console.log(`\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s on '${tf.getBackend()}'.`);
