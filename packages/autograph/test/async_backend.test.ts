import * as tf from "@kiln/core";
import { cpu } from "@kiln/backend-cpu";
import { asyncOnly } from "@kiln/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Converted by the bundler plugin (vitest.config.ts). The backend reads only asynchronously,
// like a GPU: converted control flow must run there unchanged (SPEC L1).
const collatzSteps = tf.function((n: any) => {
  let steps = tf.scalar(0, "int32");
  while (n > 1) {
    n = n % 2 === 0 ? n / 2 : n * 3 + 1;
    steps = steps.add(1);
  }
  return steps;
});

const clipped = tf.function((x: any) => {
  let y = x;
  if ((tf.sum(x) as any) > 10) {
    y = x.div(2);
  } else {
    y = x.mul(2);
  }
  return y.sum() > 5 && y.max() < 100 ? y : y.neg();
});

describe("AutoGraph on an async-only backend (SPEC L1)", () => {
  let previous: string;
  beforeAll(async () => {
    if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
    if (!tf.listBackends().includes("cpu-async")) tf.registerBackend(asyncOnly(cpu()));
    previous = tf.getBackend();
    await tf.setBackend("cpu-async");
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it("a converted tensor while loop runs traced, with a data-dependent trip count", async () => {
    const n = tf.scalar(27);
    const steps = collatzSteps(n) as tf.Tensor;
    expect(await steps.array()).toBe(111);
    tf.dispose([n, steps]);
  });

  it("converted if/else, && and ?: on tensors give the same results traced and run eagerly", async () => {
    const f = clipped;
    const inputs = [tf.tensor([1, 2, 3]), tf.tensor([10, 20, 30]), tf.tensor([-1, -2, -3])];
    const traced = [];
    for (const x of inputs) traced.push(await (f(x) as tf.Tensor).array());
    tf.config.runFunctionsEagerly(true);
    const eager = [];
    try {
      for (const x of inputs) eager.push(await (f(x) as tf.Tensor).array());
    } finally {
      tf.config.runFunctionsEagerly(false);
    }
    expect(traced).toEqual([[2, 4, 6], [5, 10, 15], [2, 4, 6]]);
    expect(eager).toEqual(traced);
    tf.dispose(inputs);
  });

  it("a converted loop run eagerly (runFunctionsEagerly) becomes a staged call there", async () => {
    tf.config.runFunctionsEagerly(true);
    try {
      const n = tf.scalar(6);
      const steps = collatzSteps(n) as tf.Tensor;
      expect(await steps.array()).toBe(8);
      tf.dispose([n, steps]);
    } finally {
      tf.config.runFunctionsEagerly(false);
    }
  });
});
