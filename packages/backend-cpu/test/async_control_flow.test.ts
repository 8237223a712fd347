import * as tf from "@kiln/core";
import { asyncOnly } from "@kiln/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpu } from "../src/index.js";

// Control flow decided on the device (SPEC L2): on a backend that reads only
// asynchronously, core runs side-effect-free While loops several iterations ahead of their
// predicate read and runs side-effect-free Ifs predicated (both branches under the
// backend's guard, results picked by SelectV2), so they read less, or nothing. The cpu
// kernels behind an async-only facade that counts reads check core's part on any machine;
// the webgpu backend runs the same paths with real guards.

let reads = 0;
const SPECULATIVE = "cpu-speculative";
const PLAIN = "cpu-async-plain";

beforeAll(async () => {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  tf.registerBackend(asyncOnly(cpu(), SPECULATIVE, "microtask", { loopLookahead: 16, guards: true, onRead: () => reads++ }));
  tf.registerBackend(asyncOnly(cpu(), PLAIN, "microtask", { onRead: () => reads++ }));
});

afterAll(async () => {
  await tf.setBackend("cpu");
  tf.removeBackend(SPECULATIVE);
  tf.removeBackend(PLAIN);
});

/** Runs `fn` on `backend` and returns its results' values and the reads it took (the results' own reads included). */
async function on(backend: string, fn: () => tf.Tensor[]): Promise<{ values: number[][]; reads: number }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  reads = 0;
  const outputs = fn();
  const values: number[][] = [];
  for (const t of outputs) values.push(Array.from(await t.data()));
  const count = reads;
  tf.dispose(outputs);
  await tf.asyncWait();
  expect(tf.memory().numTensors, "leaked tensors").toBe(before);
  return { values, reads: count };
}

const loop = tf.function((x: tf.Tensor, n: tf.Tensor) =>
  tf.whileLoop(
    (i) => tf.less(i, n),
    (i, h) => [i!.add(1), tf.tanh(h!.mul(1.5).add(0.1))],
    [tf.scalar(0, "int32"), x],
  ),
);

describe("speculative While loops (one predicate read per several iterations)", () => {
  it("a 100-iteration loop reads its predicate 11 times instead of 101, with the plain loop's results bit for bit", async () => {
    const x = tf.tensor([0.5, -1, 2]);
    const n = tf.scalar(100, "int32");
    const plain = await on(PLAIN, () => loop(x, n) as tf.Tensor[]);
    const fast = await on(SPECULATIVE, () => loop(x, n) as tf.Tensor[]);
    const oracle = await on("cpu", () => loop(x, n) as tf.Tensor[]);
    expect(fast.values).toEqual(oracle.values);
    expect(plain.values).toEqual(oracle.values);
    // Two result reads each; 101 predicate reads plain, 1 + 10 (lookahead 1, 2, 4, 8, 16, 16, ...) speculative.
    expect(plain.reads).toBe(101 + 2);
    expect(fast.reads).toBe(11 + 2);
    tf.dispose([x, n]);
  });

  it("ends at the same iteration wherever the end falls inside a speculative run", async () => {
    const x = tf.tensor([0.25]);
    for (const count of [0, 1, 2, 3, 5, 8, 16, 17, 30, 31, 32, 33, 47]) {
      const n = tf.scalar(count, "int32");
      const fast = await on(SPECULATIVE, () => loop(x, n) as tf.Tensor[]);
      const oracle = await on("cpu", () => loop(x, n) as tf.Tensor[]);
      expect(fast.values, `${count} iterations`).toEqual(oracle.values);
      n.dispose();
    }
    x.dispose();
  });

  it("a loop whose body has side effects (a variable update) reads its predicate every iteration", async () => {
    await tf.setBackend(SPECULATIVE);
    const total = new tf.Variable(tf.scalar(0));
    const counted = tf.function((n: tf.Tensor) =>
      tf.whileLoop(
        (i) => tf.less(i, n),
        (i) => [i!.add(1).sum(), total.assignAdd(tf.scalar(1)).mul(0).add(i!.add(1)).sum()].slice(0, 1),
        [tf.scalar(0)],
      ),
    );
    const n = tf.scalar(20);
    reads = 0;
    const [i] = counted(n) as tf.Tensor[];
    expect(Array.from(await i!.data())).toEqual([20]);
    const final = total.read();
    expect(Array.from(await final.data())).toEqual([20]);
    final.dispose();
    expect(reads).toBeGreaterThanOrEqual(21);
    tf.dispose([i!, n]);
    total.dispose();
  });
});

describe("predicated If (no predicate read)", () => {
  const choose = tf.function((x: tf.Tensor) =>
    tf.cond(
      tf.greater(tf.sum(x), 0),
      () => x.mul(2),
      () => x.neg(),
    ),
  );

  it("runs both branches under guards and picks the taken one: zero reads besides the result's", async () => {
    for (const values of [
      [1, 2],
      [-3, 1],
    ]) {
      const x = tf.tensor(values);
      const fast = await on(SPECULATIVE, () => [choose(x) as tf.Tensor]);
      const oracle = await on("cpu", () => [choose(x) as tf.Tensor]);
      expect(fast.values).toEqual(oracle.values);
      expect(fast.reads).toBe(1);
      const plain = await on(PLAIN, () => [choose(x) as tf.Tensor]);
      expect(plain.reads).toBe(2);
      x.dispose();
    }
  });

  it("reads the predicate when a branch has side effects (a variable update runs only if taken)", async () => {
    await tf.setBackend(SPECULATIVE);
    const hits = new tf.Variable(tf.scalar(0));
    const counted = tf.function((x: tf.Tensor) =>
      tf.cond(
        tf.greater(tf.sum(x), 0),
        () => hits.assignAdd(tf.scalar(1)).mul(0).add(x.sum()),
        () => x.sum(),
      ),
    );
    const x = tf.tensor([-1, -2]);
    reads = 0;
    const y = counted(x) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual([-3]);
    const final = hits.read();
    expect(Array.from(await final.data())).toEqual([0]);
    final.dispose();
    expect(reads).toBeGreaterThanOrEqual(2);
    tf.dispose([x, y]);
    hits.dispose();
  });

  it("a predicated If inside a loop body keeps the loop speculative", async () => {
    const bounce = tf.function((x: tf.Tensor) =>
      tf.whileLoop(
        (i) => tf.less(i, 40),
        (i, v) => [
          i!.add(1),
          tf.cond(
            tf.greater(tf.sum(v!), 10),
            () => v!.sub(7),
            () => v!.add(3),
          ),
        ],
        [tf.scalar(0, "int32"), x],
      ),
    );
    const x = tf.tensor([1, 2]);
    const fast = await on(SPECULATIVE, () => bounce(x) as tf.Tensor[]);
    const oracle = await on("cpu", () => bounce(x) as tf.Tensor[]);
    expect(fast.values).toEqual(oracle.values);
    // 1 + reads for 1, 2, 4, 8, 16, 16 iterations (47 >= 40), plus the two results.
    expect(fast.reads).toBe(1 + 6 + 2);
    x.dispose();
  });
});

describe("speculative While loops writing a list in place (SetRow)", () => {
  // A guard may let its kernels run (only their results are then unused, see
  // `Backend.guard`), so iterations past the end must not write into the loop's list.
  const alternate = tf.function((x: tf.Tensor, n: tf.Tensor) =>
    tf.whileLoop(
      (i) => tf.less(i, n),
      (i, l) => [i!.add(1), tf.setRow(l!, tf.mod(i!, 2), x.mul(tf.cast(i!.add(1), "float32")))],
      [tf.scalar(0, "int32"), tf.zeros([2, 2])],
    ),
  );

  it("iterations run past the end leave the list as the plain loop's", async () => {
    const x = tf.tensor([1, 10]);
    for (const count of [1, 2, 3, 4, 5, 9, 20]) {
      const n = tf.scalar(count, "int32");
      const fast = await on(SPECULATIVE, () => alternate(x, n) as tf.Tensor[]);
      const oracle = await on("cpu", () => alternate(x, n) as tf.Tensor[]);
      expect(fast.values, `${count} iterations`).toEqual(oracle.values);
      n.dispose();
    }
    x.dispose();
  });
});
