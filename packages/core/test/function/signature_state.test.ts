import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { live, loosely, take, useCpu } from "../setup.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

describe("F. inputSignature", () => {
  const spec = [new tf.TensorSpec([null, 3], "float32", "batch")];

  it("F1: traces at most once; placeholders take the spec's shapes and names", () => {
    const shapes: string[] = [];
    const f = tf.function(
      (x: tf.Tensor) => {
        shapes.push(String(x));
        return x.add(1);
      },
      { inputSignature: spec },
    );
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

  it("F2: JS arguments converted for an inputSignature are freed after each call", () => {
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

  it("F2: inside another trace, converted signature arguments become graph constants and still work", () => {
    const inner = tf.function((x: tf.Tensor) => x.mul(2), { inputSignature: [new tf.TensorSpec([2])] });
    const outer = tf.function(() => loosely(inner)([1, 2]));
    expect(take(outer())).toEqual([2, 4]);
    expect(take(outer())).toEqual([2, 4]);
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

  it("C8: a tf.function assigned to a prototype binds per instance: each instance traces with its own `this`", () => {
    class Scaler {
      constructor(readonly k: number) {}
      declare apply: tf.TfFunction<(x: tf.Tensor) => tf.Tensor>;
    }
    Scaler.prototype.apply = tf.function(function (this: Scaler, x: tf.Tensor) {
      return tf.mul(x, this.k);
    });
    const a = new Scaler(2);
    const b = new Scaler(3);
    expect(value(a.apply(tf.scalar(1)))).toBe(2);
    expect(value(b.apply(tf.scalar(1)))).toBe(3);
    expect(value(a.apply(tf.scalar(5)))).toBe(10);
    const shared = Scaler.prototype.apply;
    expect(shared.forInstance(a).tracingCount).toBe(1);
    expect(shared.forInstance(b).tracingCount).toBe(1);
    expect(shared.forInstance(a)).toBe(shared.forInstance(a));
    // The same holds for an object literal's method, and under runFunctionsEagerly.
    const obj = {
      k: 4,
      f: tf.function(function (this: { k: number }, x: tf.Tensor) {
        return tf.mul(x, this.k);
      }),
    };
    expect(value(obj.f(tf.scalar(2)))).toBe(8);
    tf.config.runFunctionsEagerly(true);
    try {
      expect(value(b.apply(tf.scalar(2)))).toBe(6);
    } finally {
      tf.config.runFunctionsEagerly(false);
    }
  });

  it("C8: functions that never read `this` (arrows, plain functions) keep one cache whatever they are called on", () => {
    const arrow = tf.function((x: tf.Tensor) => x.add(1));
    const plain = tf.function(function plain(x: tf.Tensor) {
      return x.add(2);
    });
    const holders = [
      { arrow, plain },
      { arrow, plain },
    ];
    for (const h of holders) {
      h.arrow(tf.scalar(1));
      h.plain(tf.scalar(1));
    }
    expect(arrow.tracingCount).toBe(1);
    expect(plain.tracingCount).toBe(1);
    expect(() => arrow.forInstance(null as never)).toThrow(/forInstance expects an object, received null/);
  });

  it("H3/C5: a variable argument and the same variable read from a closure stay separate inputs", () => {
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

  it("C5/B5: a variable argument passed twice is one stand-in; the stand-in is out of scope after the trace", () => {
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

  it("H3: variable-argument stand-ins work in gradients, control flow and nested calls", () => {
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
    const step = tf.function(
      (a: tf.Variable, x: tf.Tensor) =>
        tf.cond(
          tf.greater(x, 0),
          () => {
            a.assignAdd(x);
            return double(a) as tf.Tensor;
          },
          () => a.read(),
        ),
      { autograph: false },
    );
    expect(take(step(v, tf.scalar(1)))).toBe(8);
    expect(take(step(w, tf.scalar(1)))).toBe(10);
    expect(take(step(w, tf.scalar(-1)))).toBe(5);
    expect([v.read().arraySync(), w.read().arraySync()]).toEqual([4, 5]);
    expect(step.tracingCount).toBe(1);
    for (const x of [v, w]) x.dispose();
  });

  it("H1: a variable initial value computed from a variable argument is the typed input-dependence error", () => {
    const v = new tf.Variable(2);
    const f = tf.function((w: tf.Variable) => {
      const made = new tf.Variable(w.read().mul(2));
      return made.read();
    });
    expect(() => f(v)).toThrow(tf.ArgumentError);
    expect(() => f(v)).toThrow(/depends on the traced function's inputs/);
    v.dispose();
  });

  it("C8: a decorated method called without an instance is a TypeError naming the method", () => {
    const decorated = tf.function(
      function step(this: unknown, x: tf.Tensor) {
        return x.add(1);
      } as (x: tf.Tensor) => tf.Tensor,
      { kind: "method", name: "step" } as never,
    ) as (x: tf.Tensor) => tf.Tensor;
    const unbound = decorated;
    expect(() => unbound(tf.ones([1]))).toThrow(TypeError);
    expect(() => unbound(tf.ones([1]))).toThrow(/method 'step' was called without an instance/);
    const obj = { step: decorated };
    expect(take(obj.step(tf.ones([1])))).toEqual([2]);
  });

  it("H2: a read stays valid when the variable is assigned later in the same call or a nested one", () => {
    const v = new tf.Variable(0, { dtype: "int32" });
    expect((tf.function(() => [v.read(), v.assignAdd(1)])() as tf.Tensor[]).map(value)).toEqual([0, 1]);
    const w = new tf.Variable(tf.tensor([1, 2]));
    expect(
      value(
        tf.function(() => {
          const r = w.read();
          w.assign(tf.tensor([5, 6]));
          return r;
        })(),
      ),
    ).toEqual([1, 2]);
    const inner = tf.function(() => {
      w.assign(tf.tensor([7, 8]));
      return tf.constant(0);
    });
    expect(value(tf.function(() => w.read().add(inner()))())).toEqual([5, 6]);
    expect(value(w.read())).toEqual([7, 8]);
  });

  it("H2: a traced assign rejects a value of another shape even when the trace relaxed the dims", () => {
    const v = new tf.Variable(tf.tensor([1, 2]));
    const f = tf.function((x: tf.Tensor) => {
      v.assign(x);
      return tf.constant(0);
    });
    f(tf.tensor([5, 6]));
    expect(() => f(tf.tensor([7, 8, 9]))).toThrow(tf.ShapeError);
    expect(value(v.read())).toEqual([5, 6]);
  });
});

describe("H2: a variable read is a snapshot", () => {
  it("H2: an eager read() and an assign result keep their values after later assignments, and are the caller's to free", () => {
    const v = new tf.Variable([1, 2]);
    const before = live();
    const read = v.read();
    const assigned = v.assign([3, 4]);
    const added = v.assignAdd([10, 10]);
    v.assign([0, 0]).dispose();
    expect([read.arraySync(), assigned.arraySync(), added.arraySync(), take(v.read())]).toEqual([
      [1, 2],
      [3, 4],
      [13, 14],
      [0, 0],
    ]);
    tf.dispose([read, assigned, added]);
    expect(live()).toBe(before);
    v.dispose();
  });

  it("H2 + I1: code that keeps a read across an assign gives the same result eagerly and traced", () => {
    const v = new tf.Variable(1);
    const step = () => {
      const old = v.read();
      v.assign(5);
      return [old, tf.identity(old), v.read()];
    };
    const traced = tf.function(step);
    const run = (fn: () => unknown) => {
      v.assign(1).dispose();
      const out = fn() as tf.Tensor[];
      const values = out.map((t) => t.arraySync());
      tf.dispose(out);
      return values;
    };
    tf.config.runFunctionsEagerly(true);
    try {
      expect(run(traced)).toEqual([1, 1, 5]);
    } finally {
      tf.config.runFunctionsEagerly(false);
    }
    expect(run(traced)).toEqual([1, 1, 5]);
    v.dispose();
  });

  it("H2: a traced function returning the same read twice after an assign returns both, leaking nothing", () => {
    const v = new tf.Variable(1);
    const f = tf.function(() => {
      const r = v.read();
      v.assignAdd(1);
      return [r, r, tf.identity(r), v.read()];
    });
    const before = live();
    for (const expected of [
      [1, 1, 1, 2],
      [2, 2, 2, 3],
    ]) {
      const out = f() as tf.Tensor[];
      expect(out.map((t) => t.arraySync())).toEqual(expected);
      tf.dispose(out);
      expect(live()).toBe(before);
    }
    // Nested: the same through a call inside another function, and through a tf.cond branch.
    const g = tf.function(() => {
      const [a, b] = f() as tf.Tensor[];
      return [a!, b!, tf.cond(tf.greater(a!, 0), () => a!, () => b!)];
    });
    const out = g() as tf.Tensor[];
    expect(out.map((t) => t.arraySync())).toEqual([3, 3, 3]);
    tf.dispose(out);
    expect(live()).toBe(before);
    v.dispose();
  });
});

describe("H1: variable initial values", () => {
  it("H1: an initializer function's tensors are freed; the variable keeps its own copy, and a tensor the caller holds is left alone", () => {
    const before = live();
    const made = new tf.Variable(() => tf.add(tf.ones([2]), tf.ones([2])));
    expect(live()).toBe(before + 1);
    const held = tf.ones([2]);
    const copied = new tf.Variable(() => held);
    expect(held.isDisposed).toBe(false);
    copied.assign([5, 5]).dispose();
    expect(held.arraySync()).toEqual([1, 1]);
    expect(take(made.read())).toEqual([2, 2]);
    for (const v of [made, copied]) v.dispose();
    held.dispose();
    expect(live()).toBe(before);
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

describe("plan optimizations keep results exact", () => {
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

describe("elementwise fusion is exact", () => {
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
