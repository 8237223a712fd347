import * as tf from "@kiln/core";
import { describe, expect, it, vi } from "vitest";
import { liveMemory, useCpu } from "../setup.js";

useCpu();

describe("tf.variable(initialValue, trainable?, name?, dtype?), tfjs's factory", () => {
  it("copies the initial value into a new tf.Variable with tfjs's argument order", () => {
    const init = tf.tensor1d([1, 2]);
    const v = tf.variable(init, false, "w");
    init.dispose();
    expect([v instanceof tf.Variable, v.trainable, v.name, v.dtype, v.shape]).toEqual([true, false, "w", "float32", [2]]);
    expect(v.arraySync()).toEqual([1, 2]);
    v.dispose();
  });

  it("converts the initial value to the dtype given, as tfjs does", () => {
    const init = tf.tensor1d([1, 2], "int32");
    const v = tf.variable(init, true, undefined, "float32");
    expect([v.dtype, v.arraySync()]).toEqual(["float32", [1, 2]]);
    const fromJs = tf.variable([3, 4], true, "j", "int32");
    expect([fromJs.dtype, fromJs.arraySync()]).toEqual(["int32", [3, 4]]);
    for (const t of [init, v, fromJs]) t.dispose();
  });

  it("rejects a trainable flag, name or dtype of the wrong kind before creating anything", () => {
    const before = tf.memory().numTensors;
    expect(() => tf.variable([1], "yes" as never)).toThrow(tf.ArgumentError);
    expect(() => tf.variable([1], "yes" as never)).toThrow('variable: trainable must be true or false, received the string "yes"');
    expect(() => tf.variable([1], true, 7 as never)).toThrow("variable: name must be a string, received number 7");
    expect(() => tf.variable([1], true, "v", "float64" as never)).toThrow(tf.DTypeError);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("a Variable reads like a tensor where tfjs code expects one", () => {
  it("shape, dtype, rank and size", () => {
    const v = tf.variable(tf.zeros([2, 3]));
    expect([v.shape, v.dtype, v.rank, v.size]).toEqual([[2, 3], "float32", 2, 6]);
    v.dispose();
  });

  it("dataSync, arraySync, data and array read the current value and leave nothing to free", async () => {
    const v = tf.variable([[1, 2], [3, 4]]);
    const before = liveMemory();
    expect(v.dataSync()).toEqual(new Float32Array([1, 2, 3, 4]));
    expect(v.arraySync()).toEqual([[1, 2], [3, 4]]);
    expect(await v.data()).toEqual(new Float32Array([1, 2, 3, 4]));
    expect(await v.array()).toEqual([[1, 2], [3, 4]]);
    expect(liveMemory()).toEqual(before);
    v.assign([[5, 6], [7, 8]]).dispose();
    expect(v.arraySync()).toEqual([[5, 6], [7, 8]]);
    // The data read is a copy: writing into it does not change the variable.
    v.dataSync()[0] = 99;
    expect(v.arraySync()).toEqual([[5, 6], [7, 8]]);
    v.dispose();
  });

  it("print() prints the current value in tfjs's format", () => {
    const v = tf.variable(tf.tensor1d([1, 2.5]));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      v.print();
      v.print(true);
      expect(log.mock.calls.map((c) => c[0])).toEqual(["Tensor\n    [1, 2.5]", "Tensor\n  dtype: float32\n  rank: 1\n  shape: [2]\n  values:\n    [1, 2.5]"]);
    } finally {
      log.mockRestore();
      v.dispose();
    }
  });

  it("has every chainable op method of Tensor, computing with the current value (v.add(1), v.square().sum())", () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const methods = Object.getOwnPropertyNames(tf.Tensor.prototype).filter((n) => typeof Object.getOwnPropertyDescriptor(tf.Tensor.prototype, n)?.value === "function");
    const missing = methods.filter((n) => !(n in v));
    expect(missing).toEqual([]);
    const sum = tf.tidy(() => v.add(1).square().sum().arraySync());
    expect(sum).toBe(4 + 9 + 16);
    const m = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
    expect(tf.tidy(() => m.matMul(m).arraySync())).toEqual([[7, 10], [15, 22]]);
    expect(tf.tidy(() => m.reshape([4]).arraySync())).toEqual([1, 2, 3, 4]);
    v.assign([10, 20, 30]).dispose();
    expect(tf.tidy(() => v.sub(10).arraySync())).toEqual([0, 10, 20]);
    v.dispose();
    m.dispose();
  });

  it("a method result is a new tensor: disposing it (or tf.constant(v)) leaves the variable intact", () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    v.reshape([2]).dispose();
    v.clone().dispose();
    tf.constant(v).dispose();
    tf.identity(v).dispose();
    expect(v.arraySync()).toEqual([1, 2]);
    v.dispose();
  });

  it("methods on a variable are differentiable: a tape watches the read (SPEC J1)", () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const { value, grads } = tf.variableGrads(() => v.square().sum());
    expect(value.arraySync()).toBe(14);
    expect(grads[v.name]!.arraySync()).toEqual([2, 4, 6]);
    value.dispose();
    grads[v.name]!.dispose();
    v.dispose();
  });

  it("inside a tf.function, methods read the variable live on every call (ReadVariableOp, SPEC B4)", () => {
    const v = tf.variable(tf.scalar(2));
    const f = tf.function(() => v.mul(10));
    expect(f().arraySync()).toBe(20);
    v.assign(3).dispose();
    expect(f().arraySync()).toBe(30);
    const types = f.getConcreteFunction().graph.getOperations().map((op) => op.type);
    expect(types).toContain("ReadVariableOp");
    v.dispose();
  });

  it("reading values while tracing is the symbolic-tensor error, as for a tensor", () => {
    const v = tf.variable(tf.scalar(2));
    const f = tf.function(() => {
      v.dataSync();
      return v.read();
    });
    expect(() => f()).toThrow(tf.SymbolicTensorError);
    expect(() => f()).toThrow(/dataSync: .*symbolic/);
    v.dispose();
  });

  it("a disposed variable says so when read", () => {
    const v = tf.variable(tf.scalar(2), true, "gone");
    v.dispose();
    expect(() => v.dataSync()).toThrow(tf.DisposedError);
    expect(() => v.dataSync()).toThrow("Variable 'gone'.dataSync: the variable was disposed");
    expect(() => v.add(1)).toThrow(/Variable 'gone'.read: the variable was disposed/);
  });
});
