import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

/** A tf.function called with arguments its TS signature does not declare (JS values, specs, wrong kinds). */
const loosely = (f: unknown) => f as (...args: unknown[]) => unknown;

/** Reads a result and frees it, so the leak checks below see only what the function keeps. */
const take = (t: unknown): unknown => {
  const tensor = t as tf.Tensor;
  const out = tensor.arraySync();
  tensor.dispose();
  return out;
};

describe("review fixes: tf.function core", () => {
  it("finding 6 (H3, C5): a variable argument and the same variable read from a closure stay separate inputs", () => {
    const v1 = new tf.Variable(1);
    const v2 = new tf.Variable(10);
    const f = tf.function((v: tf.Variable) => tf.add(v.read(), v1.read()));
    expect(take(f(v1))).toBe(2);
    // Same type key (a float32 scalar variable): the trace is reused, and the closure still reads v1.
    expect(take(f(v2))).toBe(11);
    expect(f.tracingCount).toBe(1);
    const cf = f.getConcreteFunction(v1);
    expect(cf.functionDef.signature.inputArg.map((a) => a.type)).toEqual(["DT_RESOURCE", "DT_RESOURCE"]);
    expect(cf.capturedInputs).toEqual([v1]);
    // Writes through the argument reach the passed variable, not the closure's.
    const bump = tf.function((v: tf.Variable) => {
      v.assignAdd(5);
      return v1.read();
    });
    expect(take(bump(v2))).toBe(1);
    expect(v2.read().arraySync()).toBe(15);
    expect(take(bump(v1))).toBe(6);
    for (const v of [v1, v2]) v.dispose();
  });

  it("finding 6: an argument passed twice is one stand-in; the stand-in is out of scope after the trace", () => {
    const v = new tf.Variable(3);
    let escaped: tf.Variable | undefined;
    const f = tf.function((a: tf.Variable, b: tf.Variable) => {
      escaped = a;
      expect(a).toBe(b);
      expect(a).toBeInstanceOf(tf.Variable);
      expect(a.name).toBe(v.name);
      return tf.add(a.read(), b.read());
    });
    expect(take(f(v, v))).toBe(6);
    expect(() => escaped!.read()).toThrow(/exists only while its function is traced/);
    const g = tf.function(() => escaped!.read());
    expect(() => g()).toThrow(tf.OutOfScopeError);
    v.dispose();
  });

  it("finding 6: variable-argument stand-ins work in gradients, control flow and nested calls", () => {
    const v = new tf.Variable(3);
    const w = new tf.Variable(4);
    // A tape inside the function differentiates with respect to the argument (the stand-in).
    const inner = tf.function((a: tf.Variable) => {
      const tape = new tf.GradientTape();
      const y = tape.record(() => a.read().square());
      return tape.gradient(y, [a])[0]!;
    });
    expect(take(inner(v))).toBe(6);
    expect(take(inner(w))).toBe(8);
    // A tape outside sees the passed variable.
    const double = tf.function((a: tf.Variable) => a.read().mul(2));
    const tape = new tf.GradientTape();
    const y = tape.record(() => double(v) as tf.Tensor);
    const [dv] = tape.gradient(y, [v]);
    expect(take(dv)).toBe(2);
    y.dispose();
    // Branches and nested functions reach the argument's placeholder through the stand-in.
    const step = tf.function((a: tf.Variable, x: tf.Tensor) =>
      tf.cond(tf.greater(x, 0), () => {
        a.assignAdd(x);
        return double(a) as tf.Tensor;
      }, () => a.read()),
    { autograph: false });
    expect(take(step(v, tf.scalar(1)))).toBe(8);
    expect(take(step(w, tf.scalar(1)))).toBe(10);
    expect(take(step(w, tf.scalar(-1)))).toBe(5);
    expect([v.read().arraySync(), w.read().arraySync()]).toEqual([4, 5]);
    expect(step.tracingCount).toBe(1);
    for (const x of [v, w]) x.dispose();
  });

  it("finding 8 (C2): a string argument that looks like a tensor key does not break relaxation", () => {
    const f = tf.function((x: tf.Tensor, s: string) => x.add(s.length));
    expect(take(f(tf.ones([1]), "Tfloat32(5)"))).toEqual([12]);
    expect(take(f(tf.ones([2]), "Tfloat32(5)"))).toEqual([12, 12]);
    expect(take(f(tf.ones([3]), "Tfloat32(5)"))).toEqual([12, 12, 12]);
    expect(f.tracingCount).toBe(2);
    // The relaxed entry is found by its exact key too: a call with [null]-compatible dims hits it.
    expect(f.concreteFunctions()[1]!.inputDims).toEqual([[null]]);
  });

  it("finding 10 (F2): JS arguments converted for an inputSignature are freed after each call", () => {
    const f = tf.function((x: tf.Tensor) => x.mul(2), { inputSignature: [new tf.TensorSpec([2])] });
    expect(take(loosely(f)([1, 2]))).toEqual([2, 4]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) expect(take(loosely(f)([1, 2]))).toEqual([2, 4]);
    expect(take(loosely(f.getConcreteFunction())([3, 4]))).toEqual([6, 8]);
    // A function returning its argument still hands back a tensor of its own.
    const same = tf.function((x: tf.Tensor) => x, { inputSignature: [new tf.TensorSpec([2], "int32")] });
    expect(take(loosely(same)([5, 6]))).toEqual([5, 6]);
    expect(() => loosely(f)(["a", "b"])).toThrow(TypeError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("finding 10: inside another trace, converted signature arguments become graph constants and still work", () => {
    const inner = tf.function((x: tf.Tensor) => x.mul(2), { inputSignature: [new tf.TensorSpec([2])] });
    const outer = tf.function(() => loosely(inner)([1, 2]));
    expect(take(outer())).toEqual([2, 4]);
    expect(take(outer())).toEqual([2, 4]);
  });

  it("finding 14 (B5): returning a class instance that holds traced tensors is a TypeError naming the function and path", () => {
    class Box {
      constructor(readonly value: tf.Tensor) {}
    }
    const f = tf.function(function boxed(x: tf.Tensor) {
      return { out: [new Box(x.add(1))] };
    });
    expect(() => f(tf.ones([2]))).toThrow(TypeError);
    expect(() => f(tf.ones([2]))).toThrow(/boxed: the result at 'out\[0\]' is a Box holding a tensor at 'out\[0\]\.value'/);
    expect(f.tracingCount).toBe(0);
    // A class instance without tensors is still returned as it is.
    const config = new (class Config {
      readonly size = 3;
    })();
    const g = tf.function((x: tf.Tensor) => [x.add(1), config]);
    const [y, c] = g(tf.ones([1])) as [tf.Tensor, unknown];
    expect(c).toBe(config);
    y.dispose();
  });

  it("finding 15a (B8): calling a tf.function with a TensorSpec is a TypeError and caches nothing", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    expect(() => loosely(f)(new tf.TensorSpec([2]))).toThrow(TypeError);
    expect(() => loosely(f)({ a: new tf.TensorSpec([2]) })).toThrow(/argument 'x\.a' is a TensorSpec.*getConcreteFunction/);
    expect(f.tracingCount).toBe(0);
    const cf = f.getConcreteFunction(new tf.TensorSpec([2]));
    expect(() => cf(new tf.TensorSpec([2]))).toThrow(/argument 'x' is a TensorSpec/);
    expect(take(cf(tf.ones([2])))).toEqual([2, 2]);
  });

  it("finding 15b (H1): a variable initial value computed from a variable argument is the typed input-dependence error", () => {
    const v = new tf.Variable(2);
    const f = tf.function((w: tf.Variable) => {
      const made = new tf.Variable(w.read().mul(2));
      return made.read();
    });
    expect(() => f(v)).toThrow(tf.ArgumentError);
    expect(() => f(v)).toThrow(/depends on the traced function's inputs/);
    v.dispose();
  });

  it("finding 15c (C8): a decorated method called without an instance is a TypeError naming the method", () => {
    const decorated = tf.function((function step(this: unknown, x: tf.Tensor) {
      return x.add(1);
    }) as (x: tf.Tensor) => tf.Tensor, { kind: "method", name: "step" } as never) as (x: tf.Tensor) => tf.Tensor;
    const unbound = decorated;
    expect(() => unbound(tf.ones([1]))).toThrow(TypeError);
    expect(() => unbound(tf.ones([1]))).toThrow(/method 'step' was called without an instance/);
    const obj = { step: decorated };
    expect(take(obj.step(tf.ones([1])))).toEqual([2]);
  });

  it("finding 15d (C3): a circular array or object argument is a TypeError naming the path", () => {
    const f = tf.function((x: unknown) => tf.constant(x === undefined ? 0 : 1));
    const list: unknown[] = [1];
    list.push([list]);
    expect(() => f(list)).toThrow(TypeError);
    expect(() => f(list)).toThrow(/argument 'x\[1\]\[0\]' refers back to 'x'/);
    const obj: Record<string, unknown> = { a: 1 };
    obj.self = { inner: obj };
    expect(() => f(obj)).toThrow(/argument 'x\.self\.inner' refers back to 'x'/);
    // A shared (but not circular) part is fine.
    const shared = [1, 2];
    expect(take(f([shared, shared]))).toBe(1);
  });

  it("finding 15e (A3): typed errors raised while tracing name the tf.function and keep their class", () => {
    const f = tf.function(function project(x: tf.Tensor) {
      return tf.matMul(x, tf.ones([3, 3]));
    });
    expect(() => f(tf.ones([2, 2]))).toThrow(tf.ShapeError);
    expect(() => f(tf.ones([2, 2]))).toThrow(/\(while tracing tf\.function 'project'\)$/);
    expect(f.tracingCount).toBe(0);
    // Nested: the innermost function is named once.
    const outer = tf.function(function outerFn(x: tf.Tensor) {
      return f(x);
    });
    let message = "";
    try {
      outer(tf.ones([2, 2]));
    } catch (error) {
      expect(error).toBeInstanceOf(tf.ShapeError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/'project'\)$/);
    expect(message.match(/while tracing/g)).toHaveLength(1);
  });

  it("finding 16: PolymorphicFunction.dispose frees every plan and clears the cache", () => {
    const f = tf.function((x: tf.Tensor) => x.add(tf.constant([1, 2, 3])));
    take(f(tf.ones([3])));
    take(f(tf.ones([2, 3])));
    const traced = f.concreteFunctions();
    expect(traced).toHaveLength(2);
    const before = tf.memory();
    f.dispose();
    expect(f.tracingCount).toBe(0);
    expect(f.concreteFunctions()).toEqual([]);
    // Each plan held the folded constant [1, 2, 3] in a buffer of its own.
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers - 2);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    // Still callable: the next call traces again.
    expect(take(f(tf.ones([3])))).toEqual([2, 3, 4]);
    expect(f.tracingCount).toBe(1);
    f.dispose();
    const sig = tf.function((x: tf.Tensor) => x.add(1), { inputSignature: [new tf.TensorSpec([null])] });
    take(sig(tf.ones([2])));
    sig.dispose();
    expect(sig.tracingCount).toBe(0);
  });
});
