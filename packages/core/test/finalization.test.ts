import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "./setup.js";

useCpu();

/**
 * Node's garbage collector as a function. Vitest workers do not start with --expose-gc, so
 * the flag is turned on at run time and `gc` is taken from a fresh context, where V8
 * installs it once the flag is set.
 */
function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === "function") return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const gc = collector();

/** Collects garbage until `done()` or the attempts run out; finalizers run between turns. */
async function collectUntil(done: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 100 && !done(); attempt++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Creates tensors and drops every reference to them (in a separate frame so none lingers). */
function createAndDrop(count: number): void {
  for (let i = 0; i < count; i++) tf.ones([256]);
}

describe("FinalizationRegistry safety net", () => {
  it("frees the buffers of eager tensors dropped without dispose()", async () => {
    const before = tf.memory();
    createAndDrop(20);
    expect(tf.memory().numTensors).toBe(before.numTensors + 20);
    expect(tf.memory().numBytes).toBe(before.numBytes + 20 * 256 * 4);
    await collectUntil(() => tf.memory().numTensors === before.numTensors);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.memory().backends.cpu!.numBuffers).toBe(before.backends.cpu?.numBuffers ?? 0);
  });

  it("does not free tensors that are still referenced", async () => {
    const before = tf.memory();
    const held = tf.fill([4], 3);
    createAndDrop(5);
    await collectUntil(() => tf.memory().numTensors === before.numTensors + 1);
    expect(tf.memory().numTensors).toBe(before.numTensors + 1);
    expect(held.arraySync()).toEqual([3, 3, 3, 3]);
    held.dispose();
  });

  it("a disposed tensor that is later collected is not counted twice", async () => {
    const before = tf.memory();
    (() => {
      for (let i = 0; i < 10; i++) tf.ones([8]).dispose();
    })();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    // Collect garbage for a while: the count must never go below where it started.
    createAndDrop(1);
    await collectUntil(() => tf.memory().numTensors === before.numTensors);
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it("tensors owned by an open tidy scope are not collected before the scope ends", async () => {
    const before = tf.memory();
    const done = await tf.tidy(async () => {
      createAndDrop(3);
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // The scope holds them strongly, so tidy (not the GC) frees them, exactly once.
      return tf.memory().numTensors - before.numTensors;
    });
    expect(done).toBe(3);
    expect(tf.memory().numTensors).toBe(before.numTensors);
  });
});

describe("plans of functions dropped without dispose()", () => {
  /** Traces and calls `count` functions with their own constants and static intermediates, then drops them. */
  function traceAndDrop(count: number, x: tf.Tensor): void {
    for (let i = 0; i < count; i++) {
      const f = tf.function((a: tf.Tensor) => tf.sum(tf.exp(tf.mul(tf.add(a, i + 0.5), tf.tensor(new Array(256).fill(2), [256])))));
      (f(x) as tf.Tensor).dispose();
    }
  }

  it("free their constants and the buffers reserved for their intermediates once collected", async () => {
    const x = tf.ones([64, 256]);
    (tf.function((a: tf.Tensor) => tf.sum(a))(x) as tf.Tensor).dispose();
    tf.releasePools();
    const before = tf.memory();
    traceAndDrop(20, x);
    const grown = tf.memory();
    expect(grown.numDataBuffers).toBeGreaterThanOrEqual(before.numDataBuffers + 40);
    expect(grown.pooledBytes).toBeGreaterThan(before.pooledBytes + 20 * 64 * 256 * 4);
    await collectUntil(() => tf.memory().pooledBytes <= before.pooledBytes + 2 * 64 * 256 * 4);
    const after = tf.memory();
    // What stays is the dead buffers the pool keeps for reuse (at most a couple here), not a plan's.
    expect(after.pooledBytes).toBeLessThanOrEqual(before.pooledBytes + 2 * 64 * 256 * 4);
    expect(after.numDataBuffers).toBeLessThanOrEqual(before.numDataBuffers + 2);
    x.dispose();
  });
});
