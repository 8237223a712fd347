import * as tf from "@kiln/core";
import { cpu } from "@kiln/backend-cpu";
import { expect, it } from "vitest";

if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());

// Converted by the bundler plugin (vitest.config.ts), as `import "@kiln/autograph/register"` does at run time.
it("the root README's AutoGraph example runs as written: one While op, correct counts", () => {
  // Untyped parameter (contextually `any`): TypeScript has no operator overloading for tensors.
  const collatzSteps = tf.function((n) => {
    let steps = tf.scalar(0, "int32");
    while (n > 1) {
      n = n % 2 === 0 ? n / 2 : n * 3 + 1;
      steps = steps.add(1);
    }
    return steps;
  });
  expect((collatzSteps(tf.scalar(6)) as tf.Tensor).arraySync()).toBe(8);
  expect((collatzSteps(tf.scalar(27)) as tf.Tensor).arraySync()).toBe(111);
  expect(collatzSteps.tracingCount).toBe(1);
  const types = collatzSteps.getConcreteFunction(tf.scalar(6)).graph.getOperations().map((o) => o.type);
  expect(types.filter((t) => t === "While" || t === "StatelessWhile")).toHaveLength(1);
});
