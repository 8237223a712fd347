import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

describe("F. inputSignature", () => {
  const spec = [new tf.TensorSpec([null, 3], "float32", "batch")];

  it("F1: traces at most once; placeholders take the spec's shapes and names", () => {
    const shapes: string[] = [];
    const f = tf.function((x: tf.Tensor) => {
      shapes.push(String(x));
      return x.add(1);
    }, { inputSignature: spec });
    f(tf.ones([4, 3]));
    f(tf.ones([7, 3]));
    expect(shapes).toEqual(['Tensor("batch:0", shape=(None, 3), dtype=float32)']);
    expect(f.tracingCount).toBe(1);
  });

  it("F2: incompatible dtype, shape, rank, count or unconvertible JS values are TypeErrors showing both sides", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1), { inputSignature: spec });
    expect(() => f(tf.ones([2, 3], "int32"))).toThrow(/dtype int32.*TensorSpec\(shape=\(None, 3\), dtype=float32, name='batch'\)/);
    expect(() => f(tf.ones([2, 4]))).toThrow(TypeError);
    expect(() => f(tf.ones([3]))).toThrow(TypeError);
    // @ts-expect-error -- deliberately the wrong number of arguments
    expect(() => f(tf.ones([2, 3]), tf.ones([2, 3]))).toThrow(/expected 1 argument/);
    // @ts-expect-error -- deliberately not a tensor
    expect(() => f("hello")).toThrow(TypeError);
    expect(f.tracingCount).toBe(0);
  });

  it("F2: JS numbers and arrays are converted to the spec's dtype; tensors are never cast", () => {
    const f = tf.function((x: tf.Tensor) => x.add(1), { inputSignature: [new tf.TensorSpec([2], "int32")] });
    const r = f([1, 2]) as tf.Tensor;
    expect(r.dtype).toBe("int32");
    expect(r.arraySync()).toEqual([2, 3]);
    expect(() => f([1.5, 2])).toThrow(TypeError);
    expect(() => f(tf.tensor([1, 2]))).toThrow(/dtype float32/);
    const before = tf.memory().numTensors;
    expect(() => f([1, 2, 3])).toThrow(TypeError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("F3: a malformed signature is a TypeError when tf.function is called", () => {
    const body = (x: tf.Tensor) => x;
    expect(() => tf.function(body, { inputSignature: "x" as never })).toThrow(/must be an array/);
    expect(() => tf.function(body, { inputSignature: [[1, 2]] })).toThrow(/must be a tf.TensorSpec/);
    expect(() => tf.function(body, { inputSignature: [spec[0], spec[0]] })).toThrow(/2 specs but the function takes 1/);
    expect(() => tf.function((a: tf.Tensor, b: tf.Tensor) => a.add(b), { inputSignature: spec })).toThrow(/required parameter\(s\) 'b'/);
  });

  it("F4: nested signatures require the same structure; getConcreteFunction() returns the single trace", () => {
    const f = tf.function((p: { a: tf.Tensor; b: tf.Tensor[] }) => p.a.add(p.b[0]!).add(p.b[1]!), {
      inputSignature: [{ a: new tf.TensorSpec([2]), b: [new tf.TensorSpec([2]), new tf.TensorSpec([])] }],
    });
    expect(value(f({ a: tf.ones([2]), b: [tf.ones([2]), tf.scalar(2)] }))).toEqual([4, 4]);
    expect(() => f({ a: tf.ones([2]), b: [tf.ones([2])] })).toThrow(TypeError);
    // @ts-expect-error -- deliberately missing a key
    expect(() => f({ a: tf.ones([2]) })).toThrow(/keys a, b/);
    const cf = f.getConcreteFunction();
    expect(f.getConcreteFunction()).toBe(cf);
    expect(f.tracingCount).toBe(1);
  });
});

describe("H. variables and state", () => {
  it("H1: variables may be created only on the first trace, from eager initial values", () => {
    const made: tf.Variable[] = [];
    const f = tf.function((x: tf.Tensor) => {
      const v = new tf.Variable(tf.ones([]));
      made.push(v);
      return x.add(v);
    });
    expect(value(f(tf.scalar(1)))).toBe(2);
    expect(() => f(tf.ones([2, 2]))).toThrow(/may only create variables on their first trace/);
    expect(f.tracingCount).toBe(1);
    const g = tf.function((x: tf.Tensor) => new tf.Variable(x).read());
    expect(() => g(tf.scalar(1))).toThrow(/depends on the traced function's inputs/);
  });

  it("H1: the create-once pattern works across traces", () => {
    const state: { v?: tf.Variable } = {};
    const f = tf.function((x: tf.Tensor) => {
      state.v ??= new tf.Variable(tf.initScope(() => tf.zeros([])));
      return state.v.assignAdd(x.sum());
    });
    f(tf.ones([2]));
    f(tf.ones([3]));
    f(tf.ones([4]));
    expect(value(state.v!.read())).toBe(9);
  });

  it("H2: assignments run on every call, in program order, even when unused", () => {
    const v = new tf.Variable(1);
    const f = tf.function((x: tf.Tensor) => {
      v.assign(x);
      v.assignAdd(1);
      const doubled = v.read().mul(2);
      v.assignSub(1);
      return doubled;
    });
    expect(value(f(tf.scalar(5)))).toBe(12);
    expect(value(v.read())).toBe(5);
    expect(value(f(tf.scalar(7)))).toBe(16);
    expect(value(v.read())).toBe(7);
    const ops = f.getConcreteFunction(tf.scalar(1)).graph.getOperations();
    const stateful = ops.filter((o) => o.def.stateful);
    for (let i = 1; i < stateful.length; i++) expect(stateful[i]!.controlInputs).toEqual([stateful[i - 1]]);
  });

  it("H3: captured variables are DT_RESOURCE inputs named <firstop>_resource; passed ones after the parameter", () => {
    const w = new tf.Variable([1, 2]);
    const f = tf.function((x: tf.Tensor, bias: tf.Variable) => x.mul(w).add(bias));
    const cf = f.getConcreteFunction(tf.ones([2]), new tf.Variable([0, 0]));
    expect(cf.functionDef.signature.inputArg).toEqual([
      { name: "x", type: "DT_FLOAT" },
      { name: "bias", type: "DT_RESOURCE" },
      { name: "readvariableop_resource", type: "DT_RESOURCE" },
    ]);
    expect(cf.capturedInputs).toEqual([w]);
  });

  it("H4: JS operators on a variable throw and point at assignAdd", () => {
    const v = new tf.Variable(1);
    expect(() => {
      let u: unknown = v;
      u = (u as number) + 1;
      return u;
    }).toThrow(/assignAdd/);
  });

  it("H5: a decorated method works per instance (seed Counter)", () => {
    class Counter {
      count = new tf.Variable(0, { dtype: "int32" });
      @tf.function
      increment() {
        return this.count.assignAdd(1);
      }
    }
    const c = new Counter();
    expect(value(c.increment())).toBe(1);
    expect(value(c.increment())).toBe(2);
    const d = new Counter();
    expect(value(d.increment())).toBe(1);
  });

  it("C8: `this` is not part of the key: each instance has its own cache; options decorator works", () => {
    let traces = 0;
    class Scaler {
      constructor(readonly k: number) {}
      @tf.function({ reduceRetracing: false })
      apply(x: tf.Tensor) {
        traces++;
        return x.mul(this.k);
      }
    }
    const a = new Scaler(2);
    const b = new Scaler(3);
    expect(value(a.apply(tf.scalar(1)))).toBe(2);
    expect(value(b.apply(tf.scalar(1)))).toBe(3);
    expect(value(a.apply(tf.scalar(5)))).toBe(10);
    expect(traces).toBe(2);
  });
});

describe("I1 and robustness", () => {
  it("I1: runFunctionsEagerly runs the JS directly, without tracing or cache growth", () => {
    const symbolic: boolean[] = [];
    const f = tf.function((x: tf.Tensor) => {
      symbolic.push(x.isSymbolic);
      return x.add(1);
    });
    tf.config.runFunctionsEagerly(true);
    try {
      expect(tf.config.functionsRunEagerly()).toBe(true);
      f(tf.scalar(1));
      f(tf.scalar(2));
      expect(symbolic).toEqual([false, false]);
      expect(f.tracingCount).toBe(0);
      f.getConcreteFunction(tf.scalar(1));
      expect(f.tracingCount).toBe(1);
      expect(symbolic).toEqual([false, false, true]);
    } finally {
      tf.config.runFunctionsEagerly(false);
    }
  });

  it("a throw while tracing leaves no cache entry and an intact trace stack", () => {
    let fail = true;
    const f = tf.function((x: tf.Tensor) => {
      if (fail) throw new Error("boom");
      return x.add(1);
    });
    expect(() => f(tf.scalar(1))).toThrow("boom");
    expect(f.tracingCount).toBe(0);
    expect(tf.getRuntime().isTracing).toBe(false);
    fail = false;
    expect(value(f(tf.scalar(1)))).toBe(2);
  });

  it("converting a symbolic tensor to a JS value names tf.cond and AutoGraph", () => {
    const f = tf.function((x: tf.Tensor) => (+x > 0 ? x : x.mul(-1)));
    expect(() => f(tf.scalar(1))).toThrow(/tf.cond.*AutoGraph|AutoGraph/);
    const g = tf.function((x: tf.Tensor) => ((x as unknown as number) > 0 ? x : x));
    expect(() => g(tf.scalar(1))).toThrow(tf.SymbolicTensorError);
  });

  it("async functions cannot be traced", () => {
    const f = tf.function(async (x: tf.Tensor) => x);
    expect(() => f(tf.scalar(1))).toThrow(/async/);
  });

  it("functions returning JS values, nested structures and captured eager tensors", () => {
    const c = tf.tensor([10, 20]);
    const f = tf.function((x: tf.Tensor) => ({ a: [x.add(c), 3], b: "s", c }));
    const r = f(tf.tensor([1, 2])) as { a: [tf.Tensor, number]; b: string; c: tf.Tensor };
    expect(r.a[0].arraySync()).toEqual([11, 22]);
    expect(r.a[1]).toBe(3);
    expect(r.b).toBe("s");
    expect(r.c.arraySync()).toEqual([10, 20]);
    expect(r.c).not.toBe(c);
  });
});

describe("relaxed traces re-check shapes at run time", () => {
  it("a reshape to a fixed shape of a [null, 4] input rejects a [3, 4] tensor instead of returning garbage", () => {
    const f = tf.function((x: tf.Tensor) => x.reshape([2, 4]), { inputSignature: [new tf.TensorSpec([null, 4])] });
    expect((f(tf.ones([2, 4])) as tf.Tensor).shape).toEqual([2, 4]);
    expect(() => f(tf.ones([3, 4]))).toThrow(tf.ShapeError);
  });

  it("B8/F4: getConcreteFunction accepts specs matching the inputSignature and rejects others", () => {
    const spec = new tf.TensorSpec([null, 4]);
    const f = tf.function((x: tf.Tensor) => x.add(1), { inputSignature: [spec] });
    expect(f.getConcreteFunction(new tf.TensorSpec([null, 4]))).toBe(f.getConcreteFunction());
    expect(f.getConcreteFunction(tf.ones([3, 4]))).toBe(f.getConcreteFunction());
    expect(() => f.getConcreteFunction(new tf.TensorSpec([3]))).toThrow(TypeError);
  });
});

describe("plan optimizations (DESIGN 5) keep results exact", () => {
  it("constants that differ only in NaN/Infinity/-0 are not merged; unused values are not computed", () => {
    const f = tf.function((x: tf.Tensor) => {
      const unused = x.mul(1000);
      void unused;
      return tf.stack([x.add(Number.NaN), x.add(Infinity), x.add(-Infinity), x.mul(-0), x.add(1).add(1)]);
    });
    expect(Array.from((f(tf.scalar(2)) as tf.Tensor).dataSync())).toEqual([Number.NaN, Infinity, -Infinity, -0, 4]);
  });

  it("common subexpressions and constant folding give the same values as eager", () => {
    const body = (x: tf.Tensor) => tf.add(tf.mul(x, tf.add(2, 3)), tf.mul(x, tf.add(2, 3))).sub(tf.sqrt(tf.scalar(16)));
    const f = tf.function(body);
    expect((f(tf.tensor([1, 2])) as tf.Tensor).arraySync()).toEqual((body(tf.tensor([1, 2])) as tf.Tensor).arraySync());
  });
});

describe("elementwise fusion (DESIGN 6) is exact", () => {
  it("a fused chain gives bit-identical float32 results to eager ops, with scalars and several outputs", () => {
    const body = (x: tf.Tensor, y: tf.Tensor) => {
      const a = x.mul(1.1).add(y).sub(0.3);
      const b = tf.tanh(a).mul(a);
      return [b.add(tf.exp(x.neg())), tf.greater(a, 0), a];
    };
    const x = tf.randomUniform([5, 7], -2, 2, "float32", 1);
    const y = tf.randomUniform([5, 7], -2, 2, "float32", 2);
    const eager = body(x, y).map((t) => Array.from(t.dataSync()));
    const traced = (tf.function(body)(x, y) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    expect(traced).toEqual(eager);
  });

  it("int32 chains wrap like the unfused kernels", () => {
    const body = (x: tf.Tensor) => x.mul(65536).add(2147483647).sub(x);
    const x = tf.tensor([1, 2, 3, -7], [4], "int32");
    expect(Array.from((tf.function(body)(x) as tf.Tensor).dataSync())).toEqual(Array.from(body(x).dataSync()));
  });
});
