/**
 * Section "AutoGraph": a plain JS `while` on a tensor condition becomes one `While` op
 * (SPEC G1), a `?:` on a tensor inside it an `If` op. Prints the graph as text and writes
 * it as an SVG picture with @kiln/graphviz.
 *
 * ```js
 * const collatz = makeCollatz(tf);
 * await showAutograph(tf, collatz, { outDir: "out" });
 * ```
 */
import { mkdir, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { toSvg } from "@kiln/graphviz";
import { command, indented } from "./print.mjs";

/**
 * The number of Collatz steps from `n` to 1, written as plain JS: AutoGraph (registered by
 * `import "@kiln/autograph/register"`) turns the loop and the conditional into graph ops.
 */
export function makeCollatz(tf) {
  return tf.function(
    (n) => {
      let steps = tf.scalar(0);
      while (n > 1) {
        n = n % 2 === 0 ? n / 2 : 3 * n + 1;
        steps += 1;
      }
      return steps;
    },
    { name: "collatz" },
  );
}

/** A path relative to the working directory when it is inside it, else absolute. */
function displayPath(file) {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}

/** Runs `collatz`, prints its graph and writes the picture under `outDir`; resolves to the SVG path. */
export async function showAutograph(tf, collatz, { outDir }) {
  console.log(`const collatz = tf.function((n) => {
  let steps = tf.scalar(0);
  while (n > 1) {                          // a tensor condition: one While op
    n = n % 2 === 0 ? n / 2 : 3 * n + 1;   // a tensor ?: : an If op inside the loop body
    steps += 1;
  }
  return steps;
});
`);
  command("collatz(tf.scalar(27))");
  const steps = tf.tidy(() => collatz(tf.scalar(27)));
  indented(String(steps), 0);
  steps.dispose();

  const cf = collatz.getConcreteFunction(new tf.TensorSpec([], "float32"));
  const types = cf.graph.getOperations().map((op) => op.type);
  console.log(`\nOne trace serves every n: the top-level graph is ${types.join(", ")}; the loop's condition and body are`);
  console.log("functions of the While op, the two arms of ?: functions of the If op. String(cf.graph):\n");
  indented(String(cf.graph));

  const svg = await toSvg(cf.graph);
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, "collatz.svg");
  await writeFile(file, svg);
  console.log(`\nThe same graph as a picture (toSvg from @kiln/graphviz, Graphviz in WebAssembly): ${displayPath(file)}`);
  return file;
}
