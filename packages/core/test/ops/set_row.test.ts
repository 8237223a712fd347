import type { CpuBackend } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { checkGradient, randomInput } from "../gradients/check.js";
import { useCpu } from "../setup.js";

useCpu();

const int = (values: number[], shape?: number[]) => tf.tensor(values, shape, "int32");

/** Rows 0..n-1 of a list written one per iteration of a traced While: row i holds i * x. */
const fillRows = (n: number) =>
  tf.function((x: tf.Tensor) => {
    const [, list] = tf.whileLoop(
      (i) => tf.less(i!, n),
      (i, l) => [i!.add(1), tf.setRow(l!, i!, tf.mul(x, tf.cast(i!, "float32")))],
      [tf.scalar(0, "int32"), tf.zeros([n, ...(x.shape as number[])])],
    );
    return list!;
  });

describe("tf.setRow (SetRow)", () => {
  it("replaces one row along axis 0, for every dtype, and leaves its input as it was", () => {
    const x = tf.zeros([3, 2]);
    expect(tf.setRow(x, 1, tf.tensor([7, 8])).arraySync()).toEqual([
      [0, 0],
      [7, 8],
      [0, 0],
    ]);
    expect(x.arraySync()).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(tf.setRow(int([1, 2, 3]), int([2]).reshape([]), 9).arraySync()).toEqual([1, 2, 9]);
    expect(tf.setRow(tf.tensor([[true], [false]], undefined, "bool"), 0, [false]).arraySync()).toEqual([[false], [false]]);
    expect(tf.setRow(tf.ones([2, 2, 2]), 1, tf.zeros([2, 2])).arraySync()).toEqual([
      [
        [1, 1],
        [1, 1],
      ],
      [
        [0, 0],
        [0, 0],
      ],
    ]);
  });

  it("names the op, what it received and what is valid on bad input", () => {
    expect(() => tf.setRow(tf.zeros([3, 2]), 3, tf.zeros([2]))).toThrow(
      /setRow: index 3 is out of range for x of shape \[3,2\]; valid indices are 0\.\.2/,
    );
    expect(() => tf.setRow(tf.zeros([3, 2]), -1, tf.zeros([2]))).toThrow(tf.ArgumentError);
    expect(() => tf.setRow(tf.zeros([3, 2]), 0, tf.zeros([3]))).toThrow(
      /setRow: 'value' has shape \[3\], but a row of 'x' \(shape \[3,2\]\) has shape \[2\]/,
    );
    expect(() => tf.setRow(tf.scalar(1), 0, tf.scalar(1))).toThrow(/setRow: 'x' must have rank >= 1/);
    expect(() => tf.setRow(tf.zeros([3]), int([0, 1]), 1)).toThrow(/setRow: 'index' must be a scalar/);
    expect(() => tf.setRow(tf.zeros([3]), tf.scalar(0), 1)).toThrow(/'index' must have dtype int32/);
    expect(() => tf.setRow(tf.zeros([2, 1]), 0, int([1]))).toThrow(tf.DTypeError);
  });

  it("has gradients matching finite differences, eagerly and traced: dy without the row for x, the row for value", () => {
    checkGradient((a, v) => tf.setRow(a, 1, v), [randomInput([3, 2], 1), randomInput([2], 2)]);
    checkGradient((a, v) => tf.setRow(a, 0, v).square(), [randomInput([2, 2, 2], 3), randomInput([2, 2], 4)]);
    const [dx, dv] = tf.grads((a: tf.Tensor, v: tf.Tensor) => tf.setRow(a, 2, v).mul(tf.tensor([[1], [2], [3]])).sum())([
      tf.ones([3, 2]),
      tf.ones([2]),
    ]);
    expect(dx!.arraySync()).toEqual([
      [1, 1],
      [2, 2],
      [0, 0],
    ]);
    expect(dv!.arraySync()).toEqual([3, 3]);
  });

  it("gives the same list traced (a While writing one row per iteration) as eagerly, with gradients through the loop", () => {
    const x = randomInput([4], 5);
    let eager = tf.zeros([6, 4]);
    for (let i = 0; i < 6; i++) eager = tf.setRow(eager, i, tf.mul(x, i));
    expect(fillRows(6)(x).arraySync()).toEqual(eager.arraySync());
    // d/dx of sum(list * w) through the While's gradient: sum_i i * w_i.
    const w = randomInput([6, 4], 6);
    const grad = tf.function((v: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const y = tape.record(() => {
        tape.watch(v);
        return tf.sum(tf.mul(fillRows(6)(v), w));
      });
      return tape.gradient(y, [v])[0]!;
    });
    const want = tf.sum(tf.mul(w, tf.reshape(tf.range(0, 6), [6, 1])), 0);
    expect(Array.from(grad(x).dataSync()).map((v, j) => Math.abs(v - want.dataSync()[j]!) < 1e-5)).toEqual([true, true, true, true]);
  });
});

describe("in-place steps (OpDef.inPlace)", () => {
  /** SetRow's cpu kernel, wrapped to record whether each run wrote into its input's buffer. */
  const runs: boolean[] = [];
  const SpySetRow = tf.defineOp<{}>({ ...tf.SetRow, name: "SpySetRow", api: "spySetRow" });
  tf.registerKernel({
    op: SpySetRow,
    backend: "cpu",
    run: (args) => {
      runs.push(args.out?.[0] === args.inputs[0]!.dataId);
      const cpu = args.backend as CpuBackend;
      const result = args.out?.[0] === args.inputs[0]!.dataId ? cpu.values(args.inputs[0]!.dataId) : Float32Array.from(cpu.values(args.inputs[0]!.dataId));
      const row = cpu.values(args.inputs[2]!.dataId);
      result.set(row, cpu.values(args.inputs[1]!.dataId)[0]! * row.length);
      return [args.out?.[0] === args.inputs[0]!.dataId ? args.out[0]! : cpu.write(result, args.outputs[0]!.shape, "float32")];
    },
  });
  const spySetRow = (x: tf.Tensor, i: tf.Tensor, v: tf.Tensor) => tf.bind1(SpySetRow, [x, i, v], {});

  it("a While's list loop variable is written in place from the second iteration on (the first copies the caller's list)", () => {
    runs.length = 0;
    const f = tf.function((x: tf.Tensor) => {
      const [, list] = tf.whileLoop(
        (i) => tf.less(i!, 5),
        (i, l) => [i!.add(1), spySetRow(l!, i!, tf.mul(x, tf.cast(i!, "float32")))],
        [tf.scalar(0, "int32"), tf.zeros([5, 2])],
      );
      return list!;
    });
    const out = f(tf.tensor([1, 2]));
    expect(out.arraySync()).toEqual([
      [0, 0],
      [1, 2],
      [2, 4],
      [3, 6],
      [4, 8],
    ]);
    expect(runs).toEqual([false, true, true, true, true]);
  });

  it("never writes into a buffer that is read later, returned, or shared with another loop variable", () => {
    runs.length = 0;
    const f = tf.function((x: tf.Tensor) => {
      const a = tf.zeros([3, 2]).add(x);
      const b = spySetRow(a, tf.scalar(0, "int32"), tf.ones([2]));
      return [b, a.sum()];
    });
    const [b, s] = f(tf.ones([2])) as tf.Tensor[];
    expect(b!.arraySync()).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(s!.arraySync()).toBe(6);
    // Two loop variables start as one tensor: writing one must not change the other.
    const g = tf.function((x: tf.Tensor) =>
      tf.whileLoop(
        (i) => tf.less(i!, 3),
        (i, l, m) => [i!.add(1), spySetRow(l!, i!, x), m!],
        [tf.scalar(0, "int32"), tf.zeros([3, 2]).add(1), tf.zeros([3, 2]).add(1)],
      ),
    );
    const [, l, m] = g(tf.tensor([5, 6])) as tf.Tensor[];
    expect(l!.arraySync()).toEqual([
      [5, 6],
      [5, 6],
      [5, 6],
    ]);
    expect(m!.arraySync()).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(runs[0]).toBe(false);
  });

  it("an intermediate dying at the step is taken over: a planned buffer stays the step's output buffer, a pooled one is handed on", () => {
    runs.length = 0;
    const planned = tf.function((x: tf.Tensor) => spySetRow(tf.zeros([3, 2]).add(x), tf.scalar(1, "int32"), tf.ones([2])).mul(2));
    expect(planned(tf.tensor([2, 3])).arraySync()).toEqual([
      [4, 6],
      [2, 2],
      [4, 6],
    ]);
    const dynamic = tf.function((x: tf.Tensor) => spySetRow(x.add(1), tf.scalar(0, "int32"), tf.zeros([2])), {
      inputSignature: [new tf.TensorSpec([null, 2])],
    });
    expect(dynamic(tf.ones([2, 2])).arraySync()).toEqual([
      [0, 0],
      [2, 2],
    ]);
    expect(runs).toEqual([true, true]);
  });

  it("TensorArray.write in a traced While is one SetRow per iteration", () => {
    const f = tf.function((x: tf.Tensor) => {
      const [, ta] = tf.whileLoop(
        (i) => tf.less(i!, 4),
        (i, a) => [i!.add(1), (a as unknown as tf.TensorArray).write(i!, tf.mul(x, tf.cast(i!, "float32")))],
        [tf.scalar(0, "int32"), new tf.TensorArray({ size: 4, elementShape: [2] })],
      );
      return (ta as unknown as tf.TensorArray).stack();
    });
    expect(f(tf.tensor([1, -1])).arraySync()).toEqual([
      [0, -0],
      [1, -1],
      [2, -2],
      [3, -3],
    ]);
    const body = f.getConcreteFunction(tf.tensor([1, -1])).graph;
    const types = [...body.library.values()].flatMap((fn) => fn.graph.getOperations().map((o) => o.type));
    expect(types).toContain("SetRow");
    expect(types).not.toContain("SelectV2");
  });
});
