import * as tf from "@kiln/core";
import { describe, expect, it, vi } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

describe("SPEC seeds", () => {
  it("B1: console.log runs only while tracing; placeholders print like TF; JS values retrace", () => {
    const logs: string[] = [];
    const tfCube = tf.function((x: tf.Tensor | number) => {
      logs.push(`x = ${String(x)}`);
      return tf.pow(x, 3);
    });
    const a = tfCube(tf.constant(2.0)) as tf.Tensor;
    expect(a.dataSync()[0]).toBe(8);
    expect(logs).toEqual(['x = Tensor("x:0", shape=(), dtype=float32)']);
    expect((tfCube(tf.constant(3.0)) as tf.Tensor).dataSync()[0]).toBe(27);
    expect(logs).toHaveLength(1);
    tfCube(2);
    expect(logs.at(-1)).toBe("x = 2");
    tfCube(3);
    expect(logs).toHaveLength(3);
    expect(tfCube.tracingCount).toBe(3);
  });

  it("D1 + E1: the seed's relaxation sequence traces (1, 2) then (None, 2), and warns on the 5th trace", () => {
    const warn = vi.fn();
    const runtime = tf.getRuntime();
    const saved = runtime.warn;
    runtime.warn = warn;
    try {
      const shapes: string[] = [];
      const tfCube = tf.function((x: tf.Tensor | number) => {
        shapes.push(String(x));
        return tf.pow(x, 3);
      });
      tfCube(tf.constant(2.0));
      tfCube(2);
      tfCube(3);
      tfCube(tf.constant([[1, 2]]));
      expect(warn).not.toHaveBeenCalled();
      const r = tfCube(tf.constant([[3, 4], [5, 6]])) as tf.Tensor;
      expect(r.arraySync()).toEqual([[27, 64], [125, 216]]);
      tfCube(tf.constant([[7, 8], [9, 10]]));
      expect(shapes).toEqual([
        'Tensor("x:0", shape=(), dtype=float32)',
        "2",
        "3",
        'Tensor("x:0", shape=(1, 2), dtype=float32)',
        'Tensor("x:0", shape=(None, 2), dtype=float32)',
      ]);
      expect(tfCube.tracingCount).toBe(5);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(/5 out of the last 5 calls to .* triggered retracing/);
    } finally {
      runtime.warn = saved;
    }
  });

  it("B9: get_operations of tfCube are Placeholder, Const, Pow, Identity", () => {
    const tfCube = tf.function(function tfCube(x: tf.Tensor) {
      return tf.pow(x, 3);
    });
    const cf = tfCube.getConcreteFunction(new tf.TensorSpec([], "float32"));
    expect(cf.graph.getOperations().map(String)).toEqual([
      "<Operation 'x' type=Placeholder>",
      "<Operation 'pow/y' type=Const>",
      "<Operation 'pow' type=Pow>",
      "<Operation 'Identity' type=Identity>",
    ]);
    expect(cf.graph.getTensorByName("Identity:0").op.type).toBe("Identity");
    expect((cf(tf.constant(2)) as tf.Tensor).dataSync()[0]).toBe(8);
  });

  it("H2: increment(counter) twice leaves counter at 2", () => {
    const counter = new tf.Variable(0, { dtype: "int32" });
    const increment = tf.function((c: tf.Variable) => c.assignAdd(1));
    increment(counter);
    increment(counter);
    expect(counter.read().dataSync()[0]).toBe(2);
    expect(increment.tracingCount).toBe(1);
  });

  it("F1: shrink traces once for [null, 28, 28] and rejects [2, 2, 2] with a TypeError naming both signatures", () => {
    const shrink = tf.function((images: tf.Tensor) => images.add(1), {
      inputSignature: [new tf.TensorSpec([null, 28, 28], "float32")],
    });
    shrink(tf.zeros([100, 28, 28]));
    shrink(tf.zeros([50, 28, 28]));
    expect(shrink.tracingCount).toBe(1);
    expect(() => shrink(tf.zeros([2, 2, 2]))).toThrow(TypeError);
    expect(() => shrink(tf.zeros([2, 2, 2]))).toThrow(/shape \(2, 2, 2\).*TensorSpec\(shape=\(None, 28, 28\)/);
  });

  it("leaks nothing over 1000 calls of a traced function with intermediates", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1).mul(2).add(x).sub(3));
    const x = tf.ones([4, 4]);
    tf.dispose(f(x));
    const before = tf.memory();
    for (let i = 0; i < 1000; i++) tf.dispose(f(x));
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
