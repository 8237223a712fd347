import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

// SPEC B11: `fn.prettyPrintedConcreteSignatures()` lists every concrete function's inputs
// (each named after its JS parameter) and outputs; SPEC F1: a function with an
// inputSignature lists its one signature before the first call, as TF traces it on demand.

const placeholders = (cf: tf.ConcreteFunction) =>
  cf.graph
    .getOperations()
    .filter((op) => op.type === "Placeholder")
    .map((op) => op.name);

describe("SPEC B11: prettyPrintedConcreteSignatures", () => {
  it("B11: names a JS-valued parameter after its JS parameter (k), printed as Literal[2]", () => {
    const pow = tf.function(function pow(x: tf.Tensor, k: number) {
      return tf.pow(x, k);
    });
    pow.getConcreteFunction(new tf.TensorSpec([null]), 2);
    expect(pow.prettyPrintedConcreteSignatures()).toBe(
      [
        "pow(x, k)",
        "  Input Parameters:",
        "    x (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(None,), dtype=float32, name='x')",
        "    k (POSITIONAL_OR_KEYWORD): Literal[2]",
        "  Output Type:",
        "    TensorSpec(shape=(None,), dtype=float32, name=None)",
      ].join("\n"),
    );
  });

  it("B11: mixed JS and tensor parameters, nested structures and several traces, one block each", () => {
    const mix = tf.function(function mix(k: number, x: tf.Tensor, opts: { mode: string; b: tf.Tensor }) {
      return { y: x.mul(k).add(opts.b), mode: opts.mode };
    });
    mix.getConcreteFunction(3, new tf.TensorSpec([2]), { mode: "add", b: new tf.TensorSpec([]) });
    mix.getConcreteFunction(2, new tf.TensorSpec([2], "int32"), { mode: "sub", b: new tf.TensorSpec([], "int32") });
    const text = mix.prettyPrintedConcreteSignatures();
    expect(text.split("\n\n")).toHaveLength(2);
    expect(text.split("\n\n")[0]).toBe(
      [
        "mix(k, x, opts)",
        "  Input Parameters:",
        "    k (POSITIONAL_OR_KEYWORD): Literal[3]",
        "    x (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(2,), dtype=float32, name='x')",
        "    opts (POSITIONAL_OR_KEYWORD): {b: TensorSpec(shape=(), dtype=float32, name='opts'), mode: Literal[\"add\"]}",
        "  Output Type:",
        '    {y: TensorSpec(shape=(2,), dtype=float32, name=None), mode: Literal["add"]}',
      ].join("\n"),
    );
    expect(text.split("\n\n")[1]).toContain("    k (POSITIONAL_OR_KEYWORD): Literal[2]");
  });

  it("B11 + C6: parameters bound from their defaults are listed under their names", () => {
    const f = tf.function(function step(x: tf.Tensor, training = false, rate = 0.5) {
      return training ? x.mul(rate) : x;
    });
    f(tf.ones([2]));
    const text = f.prettyPrintedConcreteSignatures();
    expect(text).toContain("    training (POSITIONAL_OR_KEYWORD): Literal[false]");
    expect(text).toContain("    rate (POSITIONAL_OR_KEYWORD): Literal[0.5]");
  });

  it("B1 + B11: the elements of a rest parameter ...xs are xs_0, xs_1, ... (as TF names *args), in placeholders too", () => {
    const f = tf.function(function total(...xs: unknown[]) {
      return (xs[0] as tf.Tensor).add(xs[2] as tf.Tensor);
    });
    f(tf.ones([2]), "unused", tf.ones([2]));
    const text = f.prettyPrintedConcreteSignatures();
    expect(text.split("\n").slice(0, 5)).toEqual([
      "total(...xs)",
      "  Input Parameters:",
      "    xs_0 (POSITIONAL_ONLY): TensorSpec(shape=(2,), dtype=float32, name='xs_0')",
      '    xs_1 (POSITIONAL_ONLY): Literal["unused"]',
      "    xs_2 (POSITIONAL_ONLY): TensorSpec(shape=(2,), dtype=float32, name='xs_2')",
    ]);
    expect(placeholders(f.concreteFunctions()[0]!)).toEqual(["xs_0", "xs_2"]);
  });

  it("B11: destructured parameters are args_<i>; their parts are named after them", () => {
    const f = tf.function(function sum3({ a, b }: { a: tf.Tensor; b: tf.Tensor }, [c, n]: [tf.Tensor, number]) {
      return a.add(b).add(c).mul(n);
    });
    f({ a: tf.ones([1]), b: tf.ones([1]) }, [tf.ones([1]), 2]);
    const text = f.prettyPrintedConcreteSignatures();
    expect(text).toContain("sum3(args_0, args_1)");
    expect(text).toContain(
      "    args_0 (POSITIONAL_OR_KEYWORD): {a: TensorSpec(shape=(1,), dtype=float32, name='args_0'), b: TensorSpec(shape=(1,), dtype=float32, name='args_0_1')}",
    );
    expect(text).toContain("    args_1 (POSITIONAL_OR_KEYWORD): [TensorSpec(shape=(1,), dtype=float32, name='args_1'), Literal[2]]");
  });

  it("B11 + C5: a variable passed twice is one input; the parameters after it keep their own specs", () => {
    const v = new tf.Variable(tf.ones([2]));
    const f = tf.function(function both(a: tf.Variable, b: tf.Variable, x: tf.Tensor) {
      return x.mul(a).add(b);
    });
    const cf = f.getConcreteFunction(v, v, new tf.TensorSpec([2]));
    expect(cf.structuredInputSignature.map(String)[2]).toBe("TensorSpec(shape=(2,), dtype=float32, name='x')");
    const text = f.prettyPrintedConcreteSignatures();
    expect(text).toContain("    b (POSITIONAL_OR_KEYWORD): VariableSpec(shape=(2,), dtype=float32, trainable=True)");
    expect(text).toContain("    x (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(2,), dtype=float32, name='x')");
    v.dispose();
  });
});

describe("SPEC B11 + K: signatures of a loaded function (no JS parameter names)", () => {
  it("B11: a parameter holding tensors is named after its placeholder, a JS-valued one args_<i>", () => {
    const mix = tf.function(function mix(k: number, x: tf.Tensor) {
      return x.mul(k);
    });
    mix.getConcreteFunction(3, new tf.TensorSpec([2]));
    const loaded = tf.loadFunction(JSON.stringify(tf.saveFunction(mix)));
    const text = loaded.prettyPrintedConcreteSignatures();
    expect(text).toContain("    args_0 (POSITIONAL_OR_KEYWORD): Literal[3]");
    expect(text).toContain("    x (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(2,), dtype=float32, name='x')");
    loaded.dispose();
  });
});

describe("SPEC F1: prettyPrintedConcreteSignatures of a function with an inputSignature", () => {
  it("F1 + B11: lists the signature before the first call (tracing it once) and the call reuses that trace", () => {
    let traces = 0;
    const shrink = tf.function(
      function shrink(images: tf.Tensor, scale: tf.Tensor[]) {
        traces++;
        return images.mul(scale[0]!);
      },
      { inputSignature: [new tf.TensorSpec([null, 28, 28]), [new tf.TensorSpec([], "float32", "s")]] },
    );
    expect(shrink.prettyPrintedConcreteSignatures()).toBe(
      [
        "shrink(images, scale)",
        "  Input Parameters:",
        "    images (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(None, 28, 28), dtype=float32, name='images')",
        "    scale (POSITIONAL_OR_KEYWORD): [TensorSpec(shape=(), dtype=float32, name='s')]",
        "  Output Type:",
        "    TensorSpec(shape=(None, 28, 28), dtype=float32, name=None)",
      ].join("\n"),
    );
    expect(traces).toBe(1);
    expect(shrink.tracingCount).toBe(1);
    shrink(tf.zeros([2, 28, 28]), [tf.scalar(2)]);
    expect(traces).toBe(1);
    expect(shrink.prettyPrintedConcreteSignatures()).toContain("shrink(images, scale)");
  });
});
