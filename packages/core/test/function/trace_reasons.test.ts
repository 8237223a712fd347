import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { loosely, useCpu } from "../setup.js";

useCpu();

const messages = (f: tf.PolymorphicFunction) => f.traceReasons().map((r) => r.message);

describe("fn.traceReasons(): why each trace happened", () => {
  it("the seed's tf_cube sequence: first trace, JS values, a new shape, then the relaxed trace (SPEC D1)", () => {
    const tfCube = tf.function(function tfCube(x: unknown) {
      return tf.pow(x as tf.Tensor, 3);
    });
    const call = loosely(tfCube);
    const args = [tf.tensor(2), 2, 3, tf.tensor([[1, 2]]), tf.tensor([[3, 4], [5, 6]]), tf.tensor([[7, 8], [9, 10]])];
    const warnings: string[] = [];
    const runtime = tf.getRuntime();
    const saved = runtime.warn;
    runtime.warn = (m) => warnings.push(m);
    try {
      for (const a of args) tf.dispose(call(a));
    } finally {
      runtime.warn = saved;
    }
    expect(messages(tfCube)).toEqual([
      "first trace",
      "x: TensorSpec(shape=(), dtype=float32) -> Literal[2]",
      "x: value Literal[2] -> Literal[3]",
      "x: rank () -> (1, 2)",
      "x: shape (1, 2) -> (2, 2); relaxed x to (None, 2)",
    ]);
    expect(warnings).toHaveLength(1); // the retracing warning on the 5th trace (SPEC E1)
    tf.dispose(args.filter((a) => a instanceof tf.Tensor));
  });

  it("names the changed argument among several, with its path inside arrays and objects", () => {
    const f = loosely(tf.function((x: tf.Tensor, opts: { scale: number; bias: tf.Tensor[] }) => x.mul(opts.scale).add(opts.bias[0]!)));
    const x = tf.ones([2]);
    const b = tf.ones([2]);
    const bInt = tf.ones([2], "int32");
    tf.dispose(f(x, { scale: 2, bias: [b] }));
    tf.dispose(f(x, { scale: 3, bias: [b] }));
    expect(() => f(x, { scale: 3, bias: [bInt] })).toThrow(); // float32 + int32: traced, then rejected by AddV2
    const reasons = (f as unknown as tf.PolymorphicFunction).traceReasons();
    expect(reasons.map((r) => r.changes)).toEqual([[], [{ parameter: "opts.scale", what: "value", before: "Literal[2]", after: "Literal[3]" }]]);
    tf.dispose([x, b, bInt]);
  });

  it("compares with the closest earlier trace, not only the latest", () => {
    const f = loosely(tf.function((x: tf.Tensor, k: number) => x.mul(k), { reduceRetracing: false }));
    const a = tf.ones([2]);
    const c = tf.ones([3]);
    tf.dispose(f(a, 1));
    tf.dispose(f(c, 2));
    tf.dispose(f(a, 2)); // closest: (c, 2), one change in x's shape
    expect((f as unknown as tf.PolymorphicFunction).traceReasons()[2]!.changes).toEqual([{ parameter: "x", what: "shape", before: "(3,)", after: "(2,)" }]);
    tf.dispose([a, c]);
  });

  it("a changed dtype and an object's identity are named as such", () => {
    class Config {}
    const f = loosely(tf.function((x: tf.Tensor, _config: Config) => x.add(1)));
    const c1 = new Config();
    const c2 = new Config();
    const x = tf.ones([2]);
    const xi = tf.ones([2], "int32");
    tf.dispose([f(x, c1), f(xi, c1), f(xi, c2)]);
    const [, dtype, identity] = (f as unknown as tf.PolymorphicFunction).traceReasons();
    expect(dtype!.message).toBe("x: dtype float32 -> int32");
    expect(identity!.changes).toEqual([{ parameter: "_config", what: "identity", before: "<Config object>", after: "another <Config object>" }]);
    tf.dispose([x, xi]);
  });

  it("an inputSignature's single trace is listed before the first call", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1), { inputSignature: [new tf.TensorSpec([null])] });
    expect(f.traceReasons()).toMatchObject([{ kind: "inputSignature", message: "traced once for the inputSignature" }]);
  });

  it("getConcreteFunction traces are explained too, and dispose() forgets them", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    f.getConcreteFunction(new tf.TensorSpec([2]));
    f.getConcreteFunction(new tf.TensorSpec([2], "int32"));
    expect(f.traceReasons().map((r) => r.kind)).toEqual(["first", "retrace"]);
    expect(f.traceReasons()[1]!.concreteFunction).toBe(f.concreteFunctions()[1]);
    f.dispose();
    expect(f.traceReasons()).toEqual([]);
  });
});
