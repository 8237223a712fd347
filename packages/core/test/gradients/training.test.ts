import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

/** A 2-layer MLP regression problem with fixed seeds: y = sin(x0) + x1^2 (SPEC J2 seed loop). */
function problem() {
  const x = tf.randomUniform([64, 2], -1, 1, "float32", 1);
  const [x0, x1] = tf.unstack(x, 1) as [tf.Tensor, tf.Tensor];
  const y = tf.sin(x0).add(x1.square()).reshape([64, 1]);
  const params = {
    w1: new tf.Variable(tf.randomNormal([2, 16], 0, 0.5, "float32", 2)),
    b1: new tf.Variable(tf.zeros([16])),
    w2: new tf.Variable(tf.randomNormal([16, 1], 0, 0.5, "float32", 3)),
    b2: new tf.Variable(tf.zeros([1])),
  };
  return { x, y, params };
}

type Params = ReturnType<typeof problem>["params"];

function makeStep(p: Params, lr: number) {
  return (x: tf.Tensor, y: tf.Tensor) => {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => {
      const hidden = tf.relu(tf.matMul(x, p.w1).add(p.b1));
      const out = tf.matMul(hidden, p.w2).add(p.b2);
      return tf.mean(tf.square(out.sub(y)));
    });
    const vars = [p.w1, p.b1, p.w2, p.b2];
    const grads = tape.gradient(loss, vars);
    vars.forEach((v, i) => v.assignSub(tf.mul(grads[i]!, lr)));
    return loss;
  };
}

describe("SPEC J: training with a tape", () => {
  it("J2: a whole training step (forward, gradients, updates) is one graph and converges", () => {
    const { x, y, params } = problem();
    const step = tf.function(makeStep(params, 0.1));
    const first = (step(x, y) as tf.Tensor).dataSync()[0]!;
    let last = first;
    for (let i = 0; i < 300; i++) last = (step(x, y) as tf.Tensor).dataSync()[0]!;
    expect(last).toBeLessThan(first * 0.2);
    expect(step.tracingCount).toBe(1);
    const types = step.getConcreteFunction(x, y).graph.getOperations().map((o) => o.type);
    expect(types).toContain("MatMul");
    expect(types).toContain("AssignSubVariableOp");
    expect(types.filter((t) => t === "MatMul").length).toBeGreaterThanOrEqual(4);
  });

  it("J1/J2: the same loop eagerly gives the same weights after N steps", () => {
    const eager = problem();
    const traced = problem();
    const eagerStep = makeStep(eager.params, 0.05);
    const tracedStep = tf.function(makeStep(traced.params, 0.05));
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => eagerStep(eager.x, eager.y));
      tf.dispose(tracedStep(traced.x, traced.y));
    }
    for (const key of ["w1", "b1", "w2", "b2"] as const) {
      const a = Array.from(eager.params[key].read().dataSync());
      const b = Array.from(traced.params[key].read().dataSync());
      a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-4));
    }
  });

  it("J1: gradients through a tf.function call equal those of the eager body (variables watched)", () => {
    const { x, y, params } = problem();
    const forward = (input: tf.Tensor) => tf.matMul(tf.relu(tf.matMul(input, params.w1).add(params.b1)), params.w2).add(params.b2);
    const traced = tf.function(forward);
    const grads = (f: (t: tf.Tensor) => tf.Tensor) =>
      tf.tidy(() => {
        const tape = new tf.GradientTape();
        const loss = tape.record(() => tf.mean(tf.square(f(x).sub(y))));
        return tape.gradient(loss, [params.w1, params.b1, params.w2, params.b2]).map((g) => Array.from(g!.dataSync()));
      });
    const a = grads(forward);
    const b = grads(traced as unknown as (t: tf.Tensor) => tf.Tensor);
    a.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - b[i]![j]!)).toBeLessThan(1e-5)));
  });

  it("no leaks: 1000 traced training steps leave memory() unchanged", () => {
    const { x, y, params } = problem();
    const step = tf.function(makeStep(params, 0.01));
    tf.dispose(step(x, y));
    const before = tf.memory();
    for (let i = 0; i < 1000; i++) tf.dispose(step(x, y));
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it("custom training loop with gradient clipping by norm and by value, constraints after the update", () => {
    const { x, y, params } = problem();
    const nonNegative = (v: tf.Tensor) => tf.maximum(v, 0);
    const w = new tf.Variable(tf.ones([16]), { constraint: nonNegative });
    const step = tf.function((input: tf.Tensor, target: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => {
        const hidden = tf.relu(tf.matMul(input, params.w1).add(params.b1)).mul(w);
        return tf.mean(tf.square(tf.matMul(hidden, params.w2).add(params.b2).sub(target)));
      });
      const [gw, g1] = tape.gradient(loss, [w, params.w1]);
      const norm = tf.sqrt(tf.sum(tf.square(g1!)));
      const clipped = tf.mul(g1!, tf.div(1, tf.maximum(norm, 1)));
      params.w1.assignSub(tf.mul(clipped, 0.1));
      w.assignSub(tf.mul(tf.clipByValue(gw!, -0.5, 0.5), 10));
      w.assign(w.constraint!(w.read()));
      return loss;
    });
    for (let i = 0; i < 5; i++) tf.dispose(step(x, y));
    expect(Math.min(...Array.from(w.read().dataSync()))).toBeGreaterThanOrEqual(0);
  });
});
