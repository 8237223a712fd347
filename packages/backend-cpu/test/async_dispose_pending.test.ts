import { asyncOnly } from "@kiln/conformance";
import * as tf from "@kiln/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpu } from "../src/index.js";

// SPEC L2: a call on an async-only backend runs later, as a task that waits for host reads
// (here a While's predicate). Disposing the function meanwhile must neither free the
// constants nor hand out the planned buffers of the plans that run is still using; they
// are freed when it ends.

const live = () => {
  const { numTensors, numBytes, numDataBuffers } = tf.memory();
  return { numTensors, numBytes, numDataBuffers };
};

/** Constants, planned intermediates and a While loop (with or without an iteration limit). */
const program = (maximumIterations?: number) => (x: tf.Tensor) => {
  const a = x
    .mul(tf.tensor([2, 3, 4, 5]))
    .add(1)
    .exp()
    .sub(0.5)
    .mul(x);
  const [, total] = tf.whileLoop(
    (i) => tf.less(i!, 3),
    (i, t) => [i!.add(1), t!.add(a.mul(tf.tensor([1, -1, 2, -2])))],
    [tf.scalar(0, "int32"), a.mul(0)],
    maximumIterations === undefined ? {} : { maximumIterations },
  );
  return total!.mul(tf.tensor([1, 2, 3, 4])).add(a.square());
};

describe("a function disposed while its asynchronous call waits (SPEC L2)", () => {
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

  for (const [name, limit] of [
    ["a rotated loop", undefined],
    ["a loop with an iteration limit", 10],
  ] as const) {
    it(`finishes the pending call with eager's values and frees its plans after it (${name})`, async () => {
      const g = program(limit);
      const x = tf.tensor([0.1, 0.2, 0.3, 0.4]);
      const expected = tf.tidy(() => g(x));
      const want = Array.from(await expected.data());
      expected.dispose();
      const before = live();
      const f = tf.function(g);
      // A first call leaves reserved buffers and pooled intermediates for the next one.
      const warm = f(x) as tf.Tensor;
      expect(Array.from(await warm.data())).toEqual(want);
      warm.dispose();
      const y = f(x) as tf.Tensor;
      // Runs once the call's task waits on the backend's first (macrotask) read.
      const disposed = new Promise<void>((resolve) =>
        setTimeout(() => {
          f.dispose();
          resolve();
        }, 0),
      );
      // Eager work in the meantime competes for pooled buffers.
      const other = tf.tidy(() => x.mul(7).add(3).mul(x).exp());
      await disposed;
      expect(Array.from(await y.data())).toEqual(want);
      y.dispose();
      other.dispose();
      tf.releasePools();
      expect(live()).toEqual(before);
      x.dispose();
    });
  }
});
