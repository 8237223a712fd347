import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

/** The one concrete function of `fn` traced for `args`. */
function concrete(fn: (...args: tf.Tensor[]) => tf.Tensor, ...args: tf.Tensor[]): tf.ConcreteFunction {
  return tf.function(fn).getConcreteFunction(...args);
}

describe("cf.planSummary(): what a call runs after optimization", () => {
  it("an elementwise chain headed by a MatMul runs as one fused step that lists its ops", () => {
    const cf = concrete((x, w, b) => tf.relu(tf.matMul(x, w).add(b)).mul(2), tf.ones([2, 3]), tf.ones([3, 4]), tf.ones([4]));
    const summary = cf.planSummary();
    expect(summary.backend).toBe("cpu");
    expect(summary.steps).toHaveLength(1);
    const [step] = summary.steps;
    expect(step).toMatchObject({ kind: "fused", type: "Fused", inputs: ["x", "w", "b", "mul/y:0"], outputs: ["mul:0"], shape: [2, 4], backend: "cpu" });
    expect(step!.ops.map((op) => op.type)).toEqual(["MatMul", "AddV2", "Relu", "Mul"]);
    expect(summary.outputs).toEqual(["mul:0"]);
  });

  it("a fused step carries the code the backend generated for it", () => {
    const cf = concrete((x) => x.mul(2).add(1), tf.ones([3]));
    const source = cf.planSummary().steps[0]!.source;
    expect(source?.language).toBe("javascript");
    expect(source?.code).toContain("function fused(outs, ins)");
  });

  it("lists what the plan removed: dead code, aliases, common subexpressions and folded constants", () => {
    const cf = concrete((x) => {
      tf.exp(x); // unused: dead
      const a = tf.sin(x);
      const b = tf.sin(x); // the same as a: merged
      const k = tf.mul(3, 4); // constants only: folded
      return tf.matMul(a.reshape([1, 2]), b.reshape([2, 1])).mul(k);
    }, tf.ones([2]));
    const { removed, constants } = cf.planSummary();
    expect(removed.dead).toEqual(["exp"]);
    expect(removed.merged).toEqual(["sin_1"]);
    expect(removed.folded).toEqual(["mul"]);
    expect(removed.aliases).toEqual(["Identity"]);
    expect(constants).toBeGreaterThanOrEqual(3);
  });

  it("prints as text: a header with counts, removals, one line per step and the outputs", () => {
    const summary = concrete((x) => tf.sum(x.mul(2)), tf.ones([4])).planSummary();
    expect(String(summary).replace(/__inference_\w+|function/, "F")).toBe(
      [
        "plan of F on cpu: 2 steps for 5 operations (1 constant)",
        "  removed: aliases Identity",
        "  #0 Fused [Mul] (x, mul/y:0) -> mul:0  shape [4]",
        "  #1 Sum 'sum' (mul:0) -> sum:0",
        "  return sum:0",
      ].join("\n"),
    );
  });

  it("exports DOT with a node per input, constant and step, and edges along the values", () => {
    const dot = concrete((x) => tf.sum(x.mul(2)), tf.ones([4])).planSummary().toDot();
    expect(dot).toMatch(/^digraph ".* \(cpu plan\)" \{/);
    expect(dot).toContain('in0 [label="x", shape=ellipse];');
    expect(dot).toContain('s0 [label="fused\\nMul", style=filled');
    expect(dot).toContain('s1 [label="sum\\nSum"];');
    expect(dot).toContain("in0 -> s0;");
    expect(dot).toContain("s0 -> s1;");
    expect(dot).toContain('s1 -> return [label="0"];');
  });

  it("includes the plans of If branches, as host steps that name them", () => {
    const cf = concrete((x) => tf.cond(tf.greater(tf.sum(x), 0), () => x.mul(2), () => x.neg()), tf.ones([2]));
    const summary = cf.planSummary();
    expect(summary.steps.at(-1)).toMatchObject({ kind: "host", type: "StatelessIf" });
    expect(summary.functions.map((f) => f.summary.steps.map((s) => s.ops.map((op) => op.type)))).toEqual([[["Mul"]], [["Neg"]]]);
    expect(String(summary)).toMatch(/function cond_true_\d+:\n {2}plan of cond_true_\d+ on cpu/);
  });

  it("describes the plan a call runs, so calling after summarizing reuses it", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    const x = tf.ones([2]);
    const cf = f.getConcreteFunction(x);
    expect(cf.planFor(tf.backend()).summary().steps).toHaveLength(1);
    expect(cf.planSummary().steps).toEqual(cf.planFor(tf.backend()).summary().steps);
    const y = f(x) as tf.Tensor;
    expect(y.arraySync()).toEqual([2, 2]);
    tf.dispose([x, y]);
  });
});
