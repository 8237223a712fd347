import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { loosely, take, useCpu, warnedBy } from "../setup.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

describe("A. object model", () => {
  it("A1: tf.function returns a PolymorphicFunction owning concrete functions with one FuncGraph each", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    expect(f).toBeInstanceOf(tf.PolymorphicFunction);
    const cf = f.getConcreteFunction(new tf.TensorSpec([2]));
    expect(cf).toBeInstanceOf(tf.ConcreteFunction);
    expect(cf.graph).toBeInstanceOf(tf.FuncGraph);
  });

  it("A2: two tf.function objects never share traces", () => {
    const body = (x: tf.Tensor) => x.add(1);
    const f = tf.function(body);
    const g = tf.function(body);
    f(tf.ones([2]));
    expect(f.tracingCount).toBe(1);
    expect(g.tracingCount).toBe(0);
    g(tf.ones([2]));
    expect(g.getConcreteFunction(tf.ones([2]))).not.toBe(f.getConcreteFunction(tf.ones([2])));
  });

  it("A3: a miss runs f once with symbolic tensors; a hit does not run f", () => {
    let runs = 0;
    const f = tf.function((x: tf.Tensor) => {
      runs++;
      expect(x.isSymbolic).toBe(true);
      return x.mul(2);
    });
    expect(value(f(tf.tensor([1, 2])))).toEqual([2, 4]);
    expect(value(f(tf.tensor([3, 4])))).toEqual([6, 8]);
    expect(runs).toBe(1);
  });

  it("A3: typed errors raised while tracing name the tf.function and keep their class", () => {
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

  it("A1: PolymorphicFunction.dispose frees every plan and clears the cache", () => {
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

  it("A1: disposing a function's concrete functions frees their plans' constants, including branch sub-graphs", () => {
    const before = tf.memory().numBytes;
    const f = tf.function((x: tf.Tensor) => tf.cond(tf.greater(x, 0), () => x.add(100), () => x.sub(100)));
    for (const v of [1, -1]) {
      const x = tf.scalar(v);
      tf.dispose([f(x), x]);
    }
    expect(tf.memory().numBytes).toBeGreaterThan(before);
    for (const cf of f.concreteFunctions()) cf.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });
});

describe("B. tracing, side effects, introspection", () => {
  it("B2: console.log runs once per trace; tf.print on every execution, in program order", () => {
    const printed: string[] = [];
    const runtime = tf.getRuntime();
    const saved = runtime.print;
    runtime.print = (m) => printed.push(m);
    try {
      let logs = 0;
      const v = new tf.Variable(0);
      const f = tf.function((x: tf.Tensor) => {
        logs++;
        tf.print("before", v);
        v.assignAdd(x);
        tf.print("after", v);
        return x;
      });
      f(tf.scalar(1));
      f(tf.scalar(2));
      expect(logs).toBe(1);
      expect(printed).toEqual(["before 0", "after 1", "before 1", "after 3"]);
    } finally {
      runtime.print = saved;
    }
  });

  it("B3: mutating outer JS state happens only at trace time", () => {
    const seen: number[] = [];
    const f = tf.function((x: tf.Tensor) => {
      seen.push(1);
      return x.add(1);
    });
    for (let i = 0; i < 3; i++) f(tf.scalar(i));
    expect(seen).toHaveLength(1);
  });

  it("B4: JS closure values freeze at trace time; variables are read live", () => {
    let scale = 2;
    const v = new tf.Variable(10);
    const f = tf.function((x: tf.Tensor) => x.mul(scale).add(v));
    expect(value(f(tf.scalar(1)))).toBe(12);
    scale = 100;
    v.assign(20);
    expect(value(f(tf.scalar(1)))).toBe(22);
  });

  it("B5: an escaped symbolic tensor cannot be read and is out of scope elsewhere", () => {
    let leaked: tf.Tensor | undefined;
    const f = tf.function((x: tf.Tensor) => {
      leaked = x.add(1);
      return leaked;
    });
    f(tf.scalar(1));
    expect(() => leaked!.dataSync()).toThrow(/symbolic tensor/);
    expect(() => tf.add(leaked!, 1)).toThrow(tf.OutOfScopeError);
    const g = tf.function((x: tf.Tensor) => x.add(leaked!));
    expect(() => g(tf.scalar(1))).toThrow(/out of scope/);
    expect(g.tracingCount).toBe(0);
  });

  it("B6: mutating an array or object argument is an error naming the parameter", () => {
    const f = tf.function((xs: tf.Tensor[]) => {
      xs.push(tf.scalar(1));
      return xs[0]!;
    });
    expect(() => f([tf.scalar(1)])).toThrow(/argument 'xs' was mutated/);
    const g = tf.function((opts: { x: tf.Tensor; scale: number }) => {
      opts.scale = 3;
      return opts.x;
    });
    expect(() => g({ x: tf.scalar(1), scale: 2 })).toThrow(/argument 'opts' was mutated/);
  });

  it("B7: tracingCount counts concrete functions, including getConcreteFunction traces", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    expect(f.tracingCount).toBe(0);
    f.getConcreteFunction(new tf.TensorSpec([3], "int32"));
    expect(f.tracingCount).toBe(1);
    expect(f.experimentalGetTracingCount()).toBe(1);
  });

  it("B8: getConcreteFunction traces if needed, never executes, returns the same object for equivalent signatures", () => {
    const printed: string[] = [];
    const runtime = tf.getRuntime();
    const saved = runtime.print;
    runtime.print = (m) => printed.push(m);
    try {
      const f = tf.function((x: tf.Tensor | number) => {
        tf.print("ran");
        return tf.add(x, 1);
      });
      const a = f.getConcreteFunction(tf.ones([2]));
      const b = f.getConcreteFunction(new tf.TensorSpec([2]));
      expect(a).toBe(b);
      expect(printed).toEqual([]);
      expect(f.getConcreteFunction(3)).not.toBe(a);
    } finally {
      runtime.print = saved;
    }
  });

  it("B9: ops use TF raw names and are uniquified; JS constants become Const", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1).add(2));
    const ops = f.getConcreteFunction(new tf.TensorSpec([])).graph.getOperations();
    expect(ops.map((o) => `${o.name}:${o.type}`)).toEqual(["x:Placeholder", "add/y:Const", "add:AddV2", "add_1/y:Const", "add_1:AddV2", "Identity:Identity"]);
  });

  it("B10: functionDef signature names, TF types, DT_RESOURCE for variables; JS-only traces have no inputArg", () => {
    const v = new tf.Variable(1);
    const f = tf.function(function scaled(x: tf.Tensor, w: tf.Variable) {
      return x.mul(w);
    });
    const cf = f.getConcreteFunction(new tf.TensorSpec([2], "float32"), v);
    expect(cf.functionDef.signature.name).toMatch(/^__inference_scaled_\d+$/);
    expect(cf.functionDef.signature.inputArg).toEqual([
      { name: "x", type: "DT_FLOAT" },
      { name: "w", type: "DT_RESOURCE" },
    ]);
    expect(cf.functionDef.signature.outputArg).toEqual([{ name: "identity", type: "DT_FLOAT" }]);
    const g = tf.function((n: number) => tf.scalar(n));
    expect(g.getConcreteFunction(2).functionDef.signature.inputArg).toEqual([]);
  });

  it("B11: structured signature, outputs, captured inputs and pretty-printed signatures", () => {
    const c = tf.tensor([1, 2]);
    const f = tf.function(function f(x: tf.Tensor, n: number) {
      return { y: x.add(c), n };
    });
    const cf = f.getConcreteFunction(new tf.TensorSpec([2]), 2);
    expect(cf.structuredInputSignature.map(String)).toEqual(["TensorSpec(shape=(2,), dtype=float32, name='x')", "2"]);
    expect(cf.capturedInputs).toEqual([c]);
    expect(String((cf.structuredOutputs as { y: tf.Tensor }).y)).toBe('Tensor("Identity:0", shape=(2,), dtype=float32)');
    const text = f.prettyPrintedConcreteSignatures();
    expect(text).toContain("TensorSpec(shape=(2,), dtype=float32, name='x')");
    expect(text).toContain("Literal[2]");
  });

  it("B12: a concrete function never retraces; a different JS value is a TypeError", () => {
    const f = tf.function((x: tf.Tensor, n: number) => x.mul(n));
    const cf = f.getConcreteFunction(tf.ones([2]), 2);
    expect(value(cf(tf.tensor([1, 2]), 2))).toEqual([2, 4]);
    expect(() => cf(tf.tensor([1, 2]), 3)).toThrow(TypeError);
    expect(() => cf(tf.ones([3]), 2)).toThrow(TypeError);
    expect(f.tracingCount).toBe(1);
  });

  it("B13: a tf.function called while tracing is one call op in the outer graph", () => {
    const inner = tf.function((x: tf.Tensor) => x.mul(2).add(1));
    const v = new tf.Variable(0);
    const stateful = tf.function((x: tf.Tensor) => v.assignAdd(x));
    const outer = tf.function((x: tf.Tensor) => {
      stateful(x);
      return inner(x).add(inner(x.add(1)));
    });
    expect(value(outer(tf.scalar(3)))).toBe(7 + 9);
    const types = outer.getConcreteFunction(tf.scalar(3)).graph.getOperations().map((o) => o.type);
    expect(types.filter((t) => t === "PartitionedCall")).toHaveLength(2);
    expect(types.filter((t) => t === "StatefulPartitionedCall")).toHaveLength(1);
    expect(types).not.toContain("Mul");
    expect(value(v.read())).toBe(3);
  });

  it("B5: returning a class instance that holds traced tensors is a TypeError naming the function and path", () => {
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

  it("B8: calling a tf.function with a TensorSpec is a TypeError and caches nothing", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    expect(() => loosely(f)(new tf.TensorSpec([2]))).toThrow(TypeError);
    expect(() => loosely(f)({ a: new tf.TensorSpec([2]) })).toThrow(/argument 'x\.a' is a TensorSpec.*getConcreteFunction/);
    expect(f.tracingCount).toBe(0);
    const cf = f.getConcreteFunction(new tf.TensorSpec([2]));
    expect(() => cf(new tf.TensorSpec([2]))).toThrow(/argument 'x' is a TensorSpec/);
    expect(take(cf(tf.ones([2])))).toEqual([2, 2]);
  });
});

describe("C. cache key", () => {
  const counting = () => {
    const f = tf.function((...args: unknown[]) => {
      void args;
      return tf.scalar(1);
    }, { reduceRetracing: false });
    return f;
  };

  it("C1: tensors key by dtype and shape; the most specific compatible trace is used", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    const rows = f.getConcreteFunction(new tf.TensorSpec([null, 2]));
    const general = f.getConcreteFunction(new tf.TensorSpec([null, null]));
    expect(f.tracingCount).toBe(2);
    expect(general).not.toBe(rows);
    expect(f.getConcreteFunction(tf.ones([1, 2]))).toBe(rows);
    expect(f.getConcreteFunction(tf.ones([5, 7]))).toBe(general);
    expect(f.getConcreteFunction(new tf.TensorSpec([3, null]))).toBe(general);
    f(tf.ones([1, 2]));
    f(tf.ones([5, 7]));
    expect(f.tracingCount).toBe(2);
    f(tf.ones([1, 2], "int32"));
    expect(f.tracingCount).toBe(3);
  });

  it("C2: JS primitives key by value with Object.is (NaN matches NaN; true is not 1)", () => {
    const warnings = warnedBy(() => {
      const f = counting();
      f(NaN);
      f(NaN);
      expect(f.tracingCount).toBe(1);
      f(true);
      f(1);
      expect(f.tracingCount).toBe(3);
      f(0);
      f(-0);
      expect(f.tracingCount).toBe(5);
      f("a");
      f("a");
      f(null);
      f(undefined);
      f(10n);
      expect(f.tracingCount).toBe(9);
    });
    // Nine traces in a row are what the retracing warning is for: it comes once, on the fifth.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^5 out of the last 6 calls to .* triggered retracing/);
  });

  it("C3: arrays by length and elements in order; objects by key set (order-insensitive) and values", () => {
    const warnings = warnedBy(() => {
      const f = counting();
      f([1, 2]);
      f([1, 2]);
      f([2, 1]);
      f([1, 2, 3]);
      expect(f.tracingCount).toBe(3);
      f({ a: 1, b: 2 });
      f({ b: 2, a: 1 });
      f({ a: 1, b: 3 });
      expect(f.tracingCount).toBe(5);
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^5 out of the last 7 calls to .* triggered retracing/);
  });

  it("C3: the function sees the tracing call's key order; a returned object keeps the order it was built in", () => {
    const seen: string[][] = [];
    const f = tf.function((opts: { b: tf.Tensor; a: tf.Tensor }) => {
      seen.push(Object.keys(opts));
      return { z: opts.a.add(opts.b), y: opts.a.sub(opts.b), x: 1 };
    });
    const out = f({ b: tf.scalar(1), a: tf.scalar(5) }) as Record<string, tf.Tensor | number>;
    expect(seen).toEqual([["b", "a"]]);
    expect(Object.keys(out)).toEqual(["z", "y", "x"]);
    expect([take(out.z as tf.Tensor), take(out.y as tf.Tensor), out.x]).toEqual([6, 4, 1]);
    // The other key order reuses the trace; values still go to the right keys.
    const again = f({ a: tf.scalar(5), b: tf.scalar(2) } as never) as Record<string, tf.Tensor | number>;
    expect(f.tracingCount).toBe(1);
    expect(Object.keys(again)).toEqual(["z", "y", "x"]);
    expect([take(again.z as tf.Tensor), take(again.y as tf.Tensor)]).toEqual([7, 3]);
  });

  it("C4: other objects and functions key by identity and are held weakly", async () => {
    const f = counting();
    const a = new Map();
    f(a);
    f(a);
    f(new Map());
    const fn = () => 1;
    f(fn);
    f(fn);
    expect(f.tracingCount).toBe(3);
    expect(() => f(Symbol("s"))).toThrow(/cannot be part of a tf.function cache key/);
    expect(() => f(new WeakRef({}))).toThrow(TypeError);
  });

  it("C5: variables key by dtype, shape, trainability and aliasing, not identity", () => {
    const f = tf.function((a: tf.Variable, b: tf.Variable) => a.read().add(b));
    const v1 = new tf.Variable([1, 2]);
    const v2 = new tf.Variable([3, 4]);
    const v3 = new tf.Variable([5, 6]);
    expect(value(f(v1, v2))).toEqual([4, 6]);
    expect(value(f(v2, v3))).toEqual([8, 10]);
    expect(f.tracingCount).toBe(1);
    expect(value(f(v1, v1))).toEqual([2, 4]);
    expect(f.tracingCount).toBe(2);
    f(new tf.Variable([1, 2], { trainable: false }), v2);
    expect(f.tracingCount).toBe(3);
  });

  it("C6: defaults are applied before keying", () => {
    const f = tf.function((x: tf.Tensor, training = false) => (training ? x.mul(2) : x));
    f(tf.scalar(1));
    f(tf.scalar(1), false);
    expect(f.tracingCount).toBe(1);
    expect(value(f(tf.scalar(1), true))).toBe(2);
    expect(f.tracingCount).toBe(2);
  });

  it("C7: closures and globals never enter the key", () => {
    let k = 1;
    const f = tf.function((x: tf.Tensor) => x.mul(k));
    f(tf.scalar(1));
    k = 5;
    expect(value(f(tf.scalar(1)))).toBe(1);
    expect(f.tracingCount).toBe(1);
  });

  it("C2: a string argument that looks like a tensor key does not break relaxation", () => {
    const f = tf.function((x: tf.Tensor, s: string) => x.add(s.length));
    expect(take(f(tf.ones([1]), "Tfloat32(5)"))).toEqual([12]);
    expect(take(f(tf.ones([2]), "Tfloat32(5)"))).toEqual([12, 12]);
    expect(take(f(tf.ones([3]), "Tfloat32(5)"))).toEqual([12, 12, 12]);
    expect(f.tracingCount).toBe(2);
    // The relaxed entry is found by its exact key too: a call with [null]-compatible dims hits it.
    expect(f.concreteFunctions()[1]!.inputDims).toEqual([[null]]);
  });

  it("C3: a circular array or object argument is a TypeError naming the path", () => {
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
});

describe("D. shape relaxation", () => {
  it("D2: reduceRetracing false gives one exact-shape trace per shape", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1), { reduceRetracing: false });
    f(tf.ones([1, 2]));
    f(tf.ones([2, 2]));
    f(tf.ones([3, 2]));
    expect(f.tracingCount).toBe(3);
  });

  it("D1: rank and dtype changes never generalise", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    f(tf.ones([1]));
    f(tf.ones([1, 1]));
    f(tf.ones([1], "int32"));
    f(tf.ones([2], "int32"));
    f(tf.ones([3], "int32"));
    expect(f.tracingCount).toBe(4);
  });

  it("D3: an inputSignature disables relaxation", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1), { inputSignature: [new tf.TensorSpec([2])] });
    f(tf.ones([2]));
    expect(() => f(tf.ones([3]))).toThrow(TypeError);
    expect(f.tracingCount).toBe(1);
  });

  it("B11/D1: a relaxed trace's structured signature shows the relaxed shape", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1));
    f(tf.ones([1, 2]));
    f(tf.ones([2, 2]));
    const relaxed = f.concreteFunctions()[1]!;
    expect(String(relaxed.structuredInputSignature[0])).toBe("TensorSpec(shape=(None, 2), dtype=float32, name='x')");
  });
});
