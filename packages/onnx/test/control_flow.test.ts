/**
 * Traced control flow exports as ONNX control flow: `tf.cond` as `If` and `tf.whileLoop` as
 * `Loop` whose trip count is decided by data at run time, nested, with loop variables whose
 * shapes change, with iteration limits, and reading variables inside branches and bodies.
 * Results must equal Kiln's exactly (integer programs) or within 1e-5 (float programs).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { toOnnx, toOnnxModel } from "../src/index.js";
import { expectSame, kilnValues, runOnnx, tf, useCpu } from "./setup.js";

beforeAll(useCpu);

const FLOAT = { atol: 1e-5, rtol: 1e-5 };

/** Runs `cf` in Kiln and the export in onnxruntime on each input list; compares all outputs. */
async function sameEverywhere(cf: tf.CallableConcreteFunction, runs: tf.Tensor[][], tol = FLOAT): Promise<void> {
  const bytes = toOnnx(cf);
  for (const inputs of runs) {
    const expected = tf.tidy(() => {
      const out = cf(...inputs) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(out) ? out : [out]).map(kilnValues);
    });
    const actual = await runOnnx(bytes, inputs);
    expected.forEach((e, k) => expectSame(actual[k]!, e, tol, `output ${k}`));
  }
}

const opTypes = (cf: tf.CallableConcreteFunction) => toOnnxModel(cf).graph!.node.map((n) => n.opType);

describe("tf.cond exports as If", () => {
  it("picks its branch from data, with branches that capture outer values", async () => {
    const f = tf.function((x: tf.Tensor) => tf.cond(tf.greater(tf.sum(x), 0), () => x.mul(2), () => x.neg().sub(1)), { autograph: false });
    const cf = f.getConcreteFunction(new tf.TensorSpec([null]));
    expect(opTypes(cf)).toContain("If");
    await sameEverywhere(cf, [[tf.tensor([1, 2, 3])], [tf.tensor([-1, -2])], [tf.tensor([0.5])]]);
  });

  it("returns several values of different dtypes and branch-specific shapes", async () => {
    const f = tf.function(
      (x: tf.Tensor, flag: tf.Tensor) =>
        tf.cond(
          flag,
          () => [tf.concat([x, x], 0), tf.scalar(1, "int32")],
          () => [tf.reverse(x), tf.scalar(2, "int32")],
        ),
      { autograph: false },
    );
    const cf = f.getConcreteFunction(new tf.TensorSpec([null, 2]), new tf.TensorSpec([], "bool"));
    const x = tf.tensor([[1, 2], [3, 4]]);
    await sameEverywhere(cf, [
      [x, tf.scalar(true)],
      [x, tf.scalar(false)],
    ]);
  });

  it("reads a variable in a branch (the initializer, visible inside the sub-graph)", async () => {
    const v = new tf.Variable(tf.tensor([10, 20, 30]), { name: "offset" });
    const f = tf.function((x: tf.Tensor) => tf.cond(tf.less(tf.max(x), 5), () => tf.add(x, v), () => x), { autograph: false });
    const cf = f.getConcreteFunction(new tf.TensorSpec([3]));
    await sameEverywhere(cf, [[tf.tensor([1, 2, 3])], [tf.tensor([1, 9, 3])]]);
  });
});

describe("tf.whileLoop exports as Loop", () => {
  it("runs a data-dependent number of iterations (Collatz steps)", async () => {
    const steps = tf.function(
      (n: tf.Tensor) =>
        tf.whileLoop(
          (m: tf.Tensor) => tf.greater(m, 1),
          (m: tf.Tensor, k: tf.Tensor) => [tf.where(tf.equal(tf.mod(m, 2), 0), tf.floorDiv(m, 2), m.mul(3).add(1)), k.add(1)],
          [n, tf.scalar(0, "int32")],
        )[1]!,
      { autograph: false },
    );
    const cf = steps.getConcreteFunction(new tf.TensorSpec([], "int32"));
    expect(opTypes(cf)).toContain("Loop");
    const bytes = toOnnx(cf);
    const counts: number[] = [];
    for (const n of [1, 6, 7, 27, 97]) counts.push((await runOnnx(bytes, [tf.scalar(n, "int32")]))[0]!.data[0]!);
    expect(counts).toEqual([0, 8, 16, 111, 118]);
  });

  it("runs zero iterations when the condition is false at the start", async () => {
    const f = tf.function((x: tf.Tensor, n: tf.Tensor) => tf.whileLoop((i) => tf.less(i!, n), (i, s) => [i!.add(1), s!.mul(2)], [tf.scalar(0, "int32"), x])[1]!, {
      autograph: false,
    });
    const cf = f.getConcreteFunction(new tf.TensorSpec([2]), new tf.TensorSpec([], "int32"));
    await sameEverywhere(cf, [
      [tf.tensor([1, 2]), tf.scalar(0, "int32")],
      [tf.tensor([1, 2]), tf.scalar(5, "int32")],
    ]);
  });

  it("nests loops and a cond inside a loop body", async () => {
    const f = tf.function(
      (n: tf.Tensor) =>
        tf.whileLoop(
          (i: tf.Tensor) => tf.less(i, n),
          (i: tf.Tensor, total: tf.Tensor) => {
            const inner = tf.whileLoop((j: tf.Tensor) => tf.less(j, i), (j: tf.Tensor, t: tf.Tensor) => [j.add(1), t.add(1)], [tf.scalar(0, "int32"), total]);
            const bumped = tf.cond(tf.equal(tf.mod(i, 2), 0), () => inner[1]!.add(100), () => inner[1]!);
            return [i.add(1), bumped];
          },
          [tf.scalar(0, "int32"), tf.scalar(0, "int32")],
        )[1]!,
      { autograph: false },
    );
    const cf = f.getConcreteFunction(new tf.TensorSpec([], "int32"));
    const bytes = toOnnx(cf);
    expect((await runOnnx(bytes, [tf.scalar(5, "int32")]))[0]!.data).toEqual([310]);
    await sameEverywhere(cf, [[tf.scalar(0, "int32")], [tf.scalar(8, "int32")]]);
  });

  it("carries a value whose shape grows each iteration (shape invariant [null])", async () => {
    const f = tf.function(
      (n: tf.Tensor) =>
        tf.whileLoop(
          (i: tf.Tensor) => tf.less(i, n),
          (i: tf.Tensor, acc: tf.Tensor) => [i.add(1), tf.concat([acc, tf.reshape(tf.cast(i, "float32"), [1])], 0)],
          [tf.scalar(0, "int32"), tf.zeros([0])],
          { shapeInvariants: [[], [null]] },
        )[1]!,
      { autograph: false },
    );
    const cf = f.getConcreteFunction(new tf.TensorSpec([], "int32"));
    await sameEverywhere(cf, [[tf.scalar(0, "int32")], [tf.scalar(4, "int32")], [tf.scalar(9, "int32")]]);
  });

  it("stops at maximumIterations (the Loop's trip count)", async () => {
    const f = tf.function(
      (x: tf.Tensor) => tf.whileLoop(() => tf.scalar(true), (s) => [s!.mul(1.5)], [x], { maximumIterations: 6 })[0]!,
      { autograph: false },
    );
    const cf = f.getConcreteFunction(new tf.TensorSpec([null]));
    await sameEverywhere(cf, [[tf.tensor([1, -2, 4])]]);
  });

  it("reads a variable and captured tensors in the body (a recurrent cell, 50 steps)", async () => {
    const w = new tf.Variable(tf.tidy(() => tf.randomNormal([4, 4], 0, 0.4, "float32", 3)), { name: "recurrent_kernel" });
    const b = tf.tidy(() => tf.randomNormal([1, 4], 0, 0.1, "float32", 4));
    const f = tf.function(
      (h0: tf.Tensor, steps: tf.Tensor) =>
        tf.whileLoop((i) => tf.less(i!, steps), (i, h) => [i!.add(1), tf.tanh(tf.matMul(h!, w).add(b))], [tf.scalar(0, "int32"), h0])[1]!,
      { autograph: false },
    );
    const cf = f.getConcreteFunction(new tf.TensorSpec([null, 4]), new tf.TensorSpec([], "int32"));
    const h0 = tf.tidy(() => tf.randomUniform([3, 4], -1, 1, "float32", 5));
    await sameEverywhere(cf, [
      [h0, tf.scalar(50, "int32")],
      [h0.slice([0, 0], [1, 4]), tf.scalar(7, "int32")],
    ]);
  });
});

describe("tf.function calls inside a traced function", () => {
  it("are inlined", async () => {
    const inner = tf.function((x: tf.Tensor) => tf.relu(x.sub(0.5)), { autograph: false });
    const outer = tf.function((x: tf.Tensor) => inner(x.mul(2)) as tf.Tensor, { autograph: false });
    const cf = outer.getConcreteFunction(new tf.TensorSpec([null]));
    expect(cf.graph.getOperations().some((o) => o.type.endsWith("PartitionedCall"))).toBe(true);
    expect(opTypes(cf).some((t) => t.endsWith("PartitionedCall"))).toBe(false);
    await sameEverywhere(cf, [[tf.tensor([0, 0.2, 0.4, 1])]]);
  });
});
