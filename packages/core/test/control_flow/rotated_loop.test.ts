import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { rotateLoop } from "../../src/plan/rotated_loop.js";
import type { Subgraph } from "../../src/function/subgraph.js";
import { liveMemory, printedBy, useCpu } from "../setup.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

/** The cond and body sub-graphs of the first While in a concrete function's graph. */
function loopGraphs(cf: { graph: tf.FuncGraph }): { cond: Subgraph; body: Subgraph } {
  const op = cf.graph.getOperations().find((o) => o.type.endsWith("While"))!;
  const attrs = op.attrs as { cond: string; body: string };
  const library = cf.graph.library as Map<string, Subgraph>;
  return { cond: library.get(attrs.cond)!, body: library.get(attrs.body)! };
}

/** Counts to `n` in a whileLoop that prints in its condition (and body, if asked). */
function countWhilePrinting(n: tf.Tensor, printBody: boolean, maximumIterations?: number): tf.Tensor {
  return tf.whileLoop(
    (i) => {
      tf.print("cond", i!);
      return tf.less(i!, n);
    },
    (i) => {
      if (printBody) tf.print("body", i!);
      return [i!.add(1)];
    },
    [tf.scalar(0, "int32")],
    maximumIterations === undefined ? {} : { maximumIterations },
  )[0]!;
}

// A traced While without an iteration limit runs one plan per iteration: the body, then
// the condition on the body's results (SPEC G1 semantics unchanged).
describe("While loop rotation", () => {
  it("builds one graph: body inputs, then the condition's captures; body outputs, then the condition", () => {
    const w = tf.ones([2, 2]);
    const f = tf.function((h: tf.Tensor, n: tf.Tensor) =>
      tf.whileLoop((i) => tf.less(i, n), (i, s) => [i!.add(1), tf.matMul(s!, w)], [tf.scalar(0, "int32"), h])[1]!,
    );
    const { cond, body } = loopGraphs(f.getConcreteFunction(tf.ones([1, 2]), tf.scalar(3, "int32")));
    const merged = rotateLoop(body.graph, cond.graph, 2);
    expect(merged.inputs.map((i) => `${i.op.name}: ${i.dtype}[${i.shape}]`)).toEqual([
      "loop_var_0: int32[]",
      "loop_var_1: float32[1,2]",
      "capture: float32[2,2]",
      "capture_1: int32[]",
    ]);
    expect(merged.outputs.map((o) => o.op.type)).toEqual(["Identity", "Identity", "Identity"]);
    // The condition's Less reads the body's new counter, not a placeholder of its own.
    const less = merged.getOperations().find((o) => o.type === "Less")!;
    expect(less.inputs.map((i) => i.op.name)).toEqual(["Identity", "capture_1"]);
    expect(merged.getOperations().filter((o) => o.type === "Placeholder")).toHaveLength(4);
    w.dispose();
  });

  it("keeps the order of side effects: condition, body, condition, ..., condition", () => {
    const loop = (n: tf.Tensor) => countWhilePrinting(n, true);
    const eager = printedBy(() => tf.dispose(loop(tf.scalar(2, "int32"))));
    const f = tf.function(loop);
    const traced = printedBy(() => tf.dispose(f(tf.scalar(2, "int32"))));
    expect(eager).toEqual(["cond 0", "body 0", "cond 1", "body 1", "cond 2"]);
    expect(traced).toEqual(eager);
  });

  it("handles a condition that returns a loop value, zero iterations, and values passed through unchanged", () => {
    const f = tf.function((x: tf.Tensor, k: tf.Tensor) =>
      tf.whileLoop((go) => go!, (_go, v, kept) => [tf.less(v!.add(1), 5), v!.add(1), kept!], [tf.less(x, 5), x, k]),
    );
    const k = tf.scalar(7);
    const before = liveMemory();
    for (const [start, expected] of [
      [0, 5],
      [9, 9],
    ] as const) {
      const x = tf.scalar(start);
      const [go, v, kept] = f(x, k) as tf.Tensor[];
      expect([value(go), value(v), value(kept)]).toEqual([false, expected, 7]);
      tf.dispose([go!, v!, kept!, x]);
    }
    for (const cf of f.concreteFunctions()) cf.dispose();
    expect(liveMemory()).toEqual(before);
    k.dispose();
  });

  it("leaves loops with maximumIterations on the two-plan path, stopping before the next condition", () => {
    const f = tf.function((n: tf.Tensor) => countWhilePrinting(n, false, 2));
    let result: unknown;
    const printed = printedBy(() => {
      result = value(f(tf.scalar(10, "int32")));
    });
    expect(result).toBe(2);
    expect(printed).toEqual(["cond 0", "cond 1"]);
  });

  it("frees the rotated plan's constants when the function is disposed", () => {
    const before = tf.memory().numBytes;
    const f = tf.function((x: tf.Tensor) => tf.whileLoop((i) => tf.less(i, 100), (i, v) => [i!.add(3), v!.mul(1.5)], [tf.scalar(0), x])[1]!);
    const x = tf.scalar(1);
    tf.dispose([f(x), x]);
    expect(tf.memory().numBytes).toBeGreaterThan(before);
    for (const cf of f.concreteFunctions()) cf.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });
});
