import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import { beforeAll, describe, expect, it } from "vitest";
import { liveOperations } from "../../src/plan/plan_passes.js";
import { pairMaxPools } from "../../src/plan/pool_argmax.js";
import { useCpu } from "../setup.js";

/** A traced step's graph: max pool of `x`, and its gradient taken inside the function. */
function trainingGraph(pool: (x: tf.Tensor) => tf.Tensor, grad?: (x: tf.Tensor, y: tf.Tensor, dy: tf.Tensor) => tf.Tensor) {
  const step = tf.function((x: tf.Tensor) => {
    const tape = new tf.GradientTape();
    tape.watch(x);
    const y = tape.record(() => pool(x));
    const dx =
      grad === undefined
        ? tape.gradient(
            tape.record(() => tf.sum(y)),
            x,
          )!
        : grad(x, y, tf.onesLike(y));
    return [y, dx];
  });
  return { step, graph: step.getConcreteFunction(tf.tensor(new Array(32).fill(0), [1, 4, 4, 2])).graph };
}

/** How many times each kernel whose op name matches `pattern` ran during `fn`. */
function kernelCalls(pattern: RegExp, fn: () => void): Record<string, number> {
  const calls: Record<string, number> = {};
  const kernels = cpu().kernels.filter((k) => pattern.test(typeof k.op === "string" ? k.op : k.op.name));
  for (const k of kernels) {
    if (!("run" in k)) continue;
    const name = typeof k.op === "string" ? k.op : k.op.name;
    tf.registerKernel({
      ...k,
      run: (args) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return k.run(args);
      },
    });
  }
  try {
    fn();
  } finally {
    for (const k of kernels) tf.registerKernel(k);
  }
  return calls;
}

describe("max pool paired with its gradient (plan-only argmax ops)", () => {
  beforeAll(useCpu);
  const x = () =>
    tf.tensor(
      Array.from({ length: 32 }, (_, i) => (i * 7) % 11),
      [1, 4, 4, 2],
    );

  it("a traced training step runs MaxPool + MaxPoolGrad as MaxPoolWithArgmax + MaxPoolGradWithArgmax on a backend with both kernels", () => {
    const { step } = trainingGraph((a) => tf.maxPool(a, 2, 2, "valid"));
    const input = x();
    const calls = kernelCalls(/Pool/, () => tf.dispose(step(input) as tf.Tensor[]));
    expect(calls).toEqual({ MaxPoolWithArgmax: 1, MaxPoolGradWithArgmax: 1 });
    input.dispose();
  });

  it("pairs only a MaxPoolGrad whose y is a max pool of the same x with the same attrs", () => {
    const paired = trainingGraph((a) => tf.maxPool(a, 2, 2, "valid")).graph;
    const pairs = pairMaxPools(liveOperations(paired), () => true)!;
    expect([...pairs.forward.values()].map((op) => op.type)).toEqual(["MaxPoolWithArgmax"]);
    expect([...pairs.backward.values()].map((op) => [op.type, op.inputs.map((i) => i.dtype)])).toEqual([
      ["MaxPoolGradWithArgmax", ["float32", "float32", "int32"]],
    ]);
    // y pooled from x, the gradient asked about x + 1 (another tensor): left as traced.
    const otherX = trainingGraph(
      (a) => tf.maxPool(a, 2, 2, "valid"),
      (a, y, dy) => tf.maxPoolGrad(dy, tf.add(a, 1), y, 2, 2, "valid"),
    ).graph;
    expect(pairMaxPools(liveOperations(otherX), () => true)).toBeUndefined();
  });

  it("leaves the graph as traced where the backend lacks the pair's kernels, and never changes the graph users see", () => {
    const { graph } = trainingGraph((a) => tf.maxPool(a, 2, 1, "same"));
    let asked = 0;
    expect(
      pairMaxPools(liveOperations(graph), () => {
        asked++;
        return false;
      }),
    ).toBeUndefined();
    expect(asked).toBe(1);
    expect(graph.getOperations().map((op) => op.type)).toContain("MaxPoolGrad");
    expect(graph.getOperations().map((op) => op.type)).not.toContain("MaxPoolWithArgmax");
    expect(tf.coreOps().map((op) => op.name)).not.toContain("MaxPoolWithArgmax");
  });

  it("gives the same values and gradients as the unpaired eager ops, ties and NaN included", async () => {
    const input = tf.tensor([3, Number.NaN, 3, 1, 2, 2, 5, 5, 0, -0, 1, Number.NaN, 4, 4, 4, 4], [1, 4, 4, 1]);
    const { step } = trainingGraph((a) => tf.maxPool(a, 2, 1, "same"));
    const [y, dx] = step(input) as tf.Tensor[];
    const eagerY = tf.maxPool(input, 2, 1, "same");
    const eagerDx = tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a, 2, 1, "same")))(input);
    expect(Array.from(await y!.data())).toEqual(Array.from(await eagerY.data()));
    expect(Array.from(await dx!.data())).toEqual(Array.from(await eagerDx.data()));
    tf.dispose([input, y!, dx!, eagerY, eagerDx]);
  });
});
