import * as tf from "@kiln/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { live, useCpu } from "../setup.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

describe("tf.cond (SPEC G1, G5)", () => {
  it("eagerly runs one branch", () => {
    let ran = "";
    const y = tf.cond(
      tf.scalar(true),
      () => {
        ran += "t";
        return tf.scalar(1);
      },
      () => {
        ran += "f";
        return tf.scalar(2);
      },
    );
    expect(value(y)).toBe(1);
    expect(ran).toBe("t");
  });

  it("traced: one If op with both branches traced once; runs the right branch per call", () => {
    let traces = 0;
    const f = tf.function((x: tf.Tensor) => {
      traces++;
      return tf.cond(
        tf.greater(x, 0),
        () => x.mul(2),
        () => x.neg(),
      );
    });
    expect(value(f(tf.scalar(3)))).toBe(6);
    expect(value(f(tf.scalar(-4)))).toBe(4);
    expect(traces).toBe(1);
    const types = f
      .getConcreteFunction(tf.scalar(1))
      .graph.getOperations()
      .map((o) => o.type);
    expect(types).toContain("StatelessIf");
    expect(types).not.toContain("Mul");
  });

  it("traced: branches capture outer tensors, eager constants and variables; stateful branches use If", () => {
    const c = tf.scalar(10);
    const v = new tf.Variable(0);
    const f = tf.function((x: tf.Tensor, flag: tf.Tensor) =>
      tf.cond(
        flag,
        () => {
          v.assignAdd(x);
          return x.add(c);
        },
        () => x.sub(c),
      ),
    );
    expect(value(f(tf.scalar(1), tf.scalar(true)))).toBe(11);
    expect(value(f(tf.scalar(1), tf.scalar(false)))).toBe(-9);
    expect(value(v.read())).toBe(1);
    expect(
      f
        .getConcreteFunction(tf.scalar(1), tf.scalar(true))
        .graph.getOperations()
        .map((o) => o.type),
    ).toContain("If");
  });

  it("G5: dtype mismatch between branches names the variable; shapes may differ (null dims)", () => {
    const bad = tf.function((x: tf.Tensor) =>
      tf.cond(
        tf.greater(x, 0),
        () => tf.cast(x, "int32"),
        () => x,
        { names: ["x"] },
      ),
    );
    expect(() => bad(tf.scalar(1))).toThrow("'x' has dtype int32 in the main branch, but dtype float32 in the else branch");
    const shapes = tf.function((x: tf.Tensor) =>
      tf.cond(
        tf.greater(tf.sum(x), 0),
        () => x,
        () => tf.concat([x, x], 0),
      ),
    );
    const out = shapes.getConcreteFunction(tf.ones([2])).graph.outputs[0]!;
    expect(out.shape).toEqual([null]);
    expect(value(shapes(tf.tensor([-1, -2])))).toEqual([-1, -2, -1, -2]);
    const structure = tf.function((x: tf.Tensor) =>
      tf.cond(
        tf.greater(x, 0),
        () => [x, x],
        () => [x],
      ),
    );
    expect(() => structure(tf.scalar(1))).toThrow(tf.ControlFlowError);
  });

  it("returning an input unchanged from a branch is safe", () => {
    const f = tf.function((x: tf.Tensor) =>
      tf
        .cond(
          tf.greater(x, 0),
          () => x,
          () => x.neg(),
        )
        .add(1),
    );
    expect(value(f(tf.scalar(2)))).toBe(3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const x = tf.scalar(i - 10);
      expect(value(f(x))).toBe(Math.abs(i - 10) + 1);
      tf.dispose(x);
    }
    expect(tf.memory().numTensors).toBe(before + 20);
  });
});

describe("tf.whileLoop (SPEC G1, G4, G6)", () => {
  it("eagerly loops in JS", () => {
    const [i, total] = tf.whileLoop(
      (i) => tf.less(i, 5),
      (i, t) => [i!.add(1), t!.add(i!)],
      [tf.scalar(0), tf.scalar(0)],
    );
    expect([value(i), value(total)]).toEqual([5, 10]);
  });

  it("traced: one While op, any number of iterations without retracing, tf.print per iteration", () => {
    const printed: string[] = [];
    const runtime = tf.getRuntime();
    const saved = runtime.print;
    runtime.print = (m) => printed.push(m);
    try {
      const f = tf.function((n: tf.Tensor) => {
        const [, total] = tf.whileLoop(
          (i) => tf.less(i, n),
          (i, t) => {
            tf.print("i", i!);
            return [i!.add(1), t!.add(i!)];
          },
          [tf.scalar(0), tf.scalar(0)],
        );
        return total!;
      });
      expect(value(f(tf.scalar(4)))).toBe(6);
      expect(value(f(tf.scalar(100)))).toBe(4950);
      expect(f.tracingCount).toBe(1);
      expect(printed.slice(0, 4)).toEqual(["i 0", "i 1", "i 2", "i 3"]);
      expect(
        f
          .getConcreteFunction(tf.scalar(1))
          .graph.getOperations()
          .map((o) => o.type),
      ).toContain("While");
    } finally {
      runtime.print = saved;
    }
  });

  it("maximumIterations and captured values", () => {
    const step = tf.scalar(2);
    const f = tf.function(
      (x: tf.Tensor) =>
        tf.whileLoop(
          () => tf.scalar(true),
          (v) => [v!.add(step)],
          [x],
          { maximumIterations: 3 },
        )[0]!,
    );
    expect(value(f(tf.scalar(1)))).toBe(7);
  });

  it("G6: dtype and shape changes and a non-boolean condition are errors", () => {
    const dtype = tf.function((x: tf.Tensor) =>
      tf.whileLoop(
        (i) => tf.less(i, 3),
        (i) => [tf.cast(i!, "float32")],
        [x],
        { names: ["x"] },
      ),
    );
    expect(() => dtype(tf.scalar(0, "int32"))).toThrow("'x' has dtype int32 before the loop, but dtype float32 after one iteration");
    const shape = tf.function((x: tf.Tensor) =>
      tf.whileLoop(
        (v) => tf.less(tf.sum(v), 100),
        (v) => [tf.concat([v!, v!], 0)],
        [x],
        { names: ["x"] },
      ),
    );
    expect(() => shape(tf.ones([1]))).toThrow(/shapeInvariants/);
    const relaxed = tf.function(
      (x: tf.Tensor) =>
        tf.whileLoop(
          (v) => tf.less(tf.sum(v), 10),
          (v) => [tf.concat([v!, v!], 0)],
          [x],
          { shapeInvariants: [[null]] },
        )[0]!,
    );
    expect((relaxed(tf.ones([1])) as tf.Tensor).shape).toEqual([16]);
    const nonBool = tf.function((x: tf.Tensor) =>
      tf.whileLoop(
        (v) => v,
        (v) => [v!.sub(1)],
        [x],
      ),
    );
    expect(() => nonBool(tf.scalar(3))).toThrow(/boolean scalar/);
  });

  it("leaks nothing over repeated traced loops", () => {
    const f = tf.function(
      (n: tf.Tensor) =>
        tf.whileLoop(
          (i) => tf.less(i, n),
          (i) => [i!.add(1)],
          [tf.scalar(0)],
        )[0]!,
    );
    tf.dispose(f(tf.scalar(3)));
    const before = tf.memory();
    for (let k = 0; k < 50; k++) {
      const n = tf.scalar(k);
      tf.dispose([f(n), n]);
    }
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});

describe("tf.TensorArray", () => {
  it("accumulates values eagerly and inside a traced While with tensor indices", () => {
    let ta = new tf.TensorArray({ size: 3, elementShape: [2] });
    ta = ta.write(1, tf.tensor([1, 2]));
    expect(value(ta.stack())).toEqual([
      [0, 0],
      [1, 2],
      [0, 0],
    ]);
    expect(value(ta.read(1))).toEqual([1, 2]);
    expect(() => ta.read(3)).toThrow(/out of range/);
    const squares = tf.function((n: tf.Tensor) => {
      const [, out] = tf.whileLoop(
        (i) => tf.less(i, 4),
        (i, acc) => [i!.add(1), (acc as unknown as tf.TensorArray).write(i!, tf.cast(i!, "float32").square())],
        [tf.scalar(0, "int32"), new tf.TensorArray({ size: 4, elementShape: [] })],
      );
      return (out as unknown as tf.TensorArray).stack().mul(n);
    });
    expect(value(squares(tf.scalar(2)))).toEqual([0, 2, 8, 18]);
    expect(
      squares
        .getConcreteFunction(tf.scalar(1))
        .graph.getOperations()
        .map((o) => o.type),
    ).toContain("StatelessWhile");
  });
});

describe("whileLoop inside a trace", () => {
  it("is one While op even when the loop variables start as eager tensors and the condition reads an argument", () => {
    const start = tf.scalar(0, "int32");
    const f = tf.function(
      (n: tf.Tensor) =>
        tf.whileLoop(
          (i) => tf.less(i, n),
          (i) => [i!.add(1)],
          [start],
        )[0]!,
    );
    expect((f(tf.scalar(7, "int32")) as tf.Tensor).arraySync()).toBe(7);
    expect((f(tf.scalar(2, "int32")) as tf.Tensor).arraySync()).toBe(2);
    expect(f.tracingCount).toBe(1);
    expect(
      f
        .getConcreteFunction(tf.scalar(1, "int32"))
        .graph.getOperations()
        .some((o) => o.type.endsWith("While")),
    ).toBe(true);
  });
});

describe("control-flow argument errors", () => {
  it("cond and whileLoop reject non-function branches and non-array loop values with ArgumentErrors", () => {
    expect(() => tf.cond(tf.scalar(true), 1 as never, 2 as never)).toThrow(tf.ArgumentError);
    expect(() => tf.cond(tf.scalar(true), 1 as never, 2 as never)).toThrow(/cond: trueFn and falseFn must be functions/);
    expect(() =>
      tf.whileLoop(
        () => false,
        (v) => [v!],
        null as never,
      ),
    ).toThrow(/whileLoop: loopVars must be an array/);
    expect(() => tf.whileLoop(null as never, (v) => [v!], [tf.scalar(0)])).toThrow(tf.ArgumentError);
  });
});

describe("eager whileLoop and TensorArray keep only their results", () => {
  let before: number;
  beforeEach(() => {
    before = live();
  });
  afterEach(() => {
    expect(live()).toBe(before);
  });

  it("an eager TensorArray.write leaves only the new buffer", () => {
    const ta = new tf.TensorArray({ size: 3, elementShape: [2] });
    const v = tf.ones([2]);
    const start = live();
    const next = ta.write(1, v);
    expect(live()).toBe(start + 1);
    const i = tf.scalar(2, "int32");
    const third = next.write(i, [5, 6]);
    expect(live()).toBe(start + 3);
    expect(value(third.stack())).toEqual([
      [0, 0],
      [1, 1],
      [5, 6],
    ]);
    tf.dispose([ta.buffer, next.buffer, third.buffer, v, i]);
  });

  it("an eager TensorArray.write with no elementShape allocates only the new buffer", () => {
    const ta = new tf.TensorArray({ size: 2 });
    const v = tf.tensor([[1, 2]]);
    const next = ta.write(0, v);
    expect(live()).toBe(before + 2);
    expect(value(next.stack())).toEqual([[[1, 2]], [[0, 0]]]);
    tf.dispose([next.buffer, v]);
  });

  it("an eager whileLoop frees its condition scalars and replaced loop values", () => {
    const zero = tf.scalar(0);
    const x = tf.scalar(1);
    const [i, total] = tf.whileLoop(
      (i) => tf.less(i, 5),
      (i, t) => [i!.add(1), t!.add(i!)],
      [zero, x],
    );
    expect(value(i)).toBe(5);
    expect(value(total)).toBe(11);
    // The caller's tensors survive; only the two results are new.
    expect(zero.isDisposed || x.isDisposed).toBe(false);
    expect(live()).toBe(before + 4);
    tf.dispose([zero, x, i, total]);
  });

  it("an eager whileLoop never frees values the user passed in or the body returned unchanged", () => {
    const zero = tf.scalar(0);
    const x = tf.scalar(2);
    const w = tf.scalar(3);
    const [a, b, c] = tf.whileLoop(
      (a) => tf.less(a, 10),
      (a, b) => [a!.add(1), b!, w],
      [zero, x, w],
    );
    expect(value(a)).toBe(10);
    expect(b).toBe(x);
    expect(c).toBe(w);
    expect(x.isDisposed).toBe(false);
    expect(w.isDisposed).toBe(false);
    expect(zero.isDisposed).toBe(false);
    expect(live()).toBe(before + 4);
    tf.dispose([zero, a, x, w]);
  });

  it("an eager whileLoop swapping loop variables frees nothing still in use", () => {
    const zero = tf.scalar(0);
    const p = tf.scalar(1);
    const q = tf.scalar(2);
    const [i, r, s] = tf.whileLoop(
      (i) => tf.less(i, 3),
      (i, r, s) => [i!.add(1), s!, r!],
      [zero, p, q],
    );
    expect([value(i), value(r), value(s)]).toEqual([3, 2, 1]);
    expect(r).toBe(q);
    expect(s).toBe(p);
    tf.dispose([zero, i, p, q]);
  });

  it("an eager whileLoop over a TensorArray leaves only the final buffer", () => {
    const ta = new tf.TensorArray({ size: 4, elementShape: [] });
    const zero = tf.scalar(0, "int32");
    const start = live();
    const [i, out] = tf.whileLoop(
      (i) => tf.less(i, 4),
      (i, acc) => [i!.add(1), (acc as unknown as tf.TensorArray).write(i!, tf.cast(i!, "float32").square())],
      [zero, ta],
    );
    expect(value((out as unknown as tf.TensorArray).stack())).toEqual([0, 1, 4, 9]);
    // The final counter and the final buffer.
    expect(live()).toBe(start + 2);
    tf.dispose([zero, i, (out as unknown as tf.TensorArray).buffer, ta.buffer]);
  });

  it("an eager TensorArray.unstack of JS values keeps its buffer across reads", () => {
    const ta = new tf.TensorArray({ size: 2 }).unstack([
      [1, 2],
      [3, 4],
    ]);
    const a = ta.read(0);
    const b = ta.read(1);
    expect([value(a), value(b)]).toEqual([
      [1, 2],
      [3, 4],
    ]);
    tf.dispose([a, b, ta.buffer]);
  });

  it("inside a tf.function, a whileLoop over JS-number loop variables is still one While op", () => {
    const f = tf.function(
      (n: tf.Tensor) =>
        tf.whileLoop(
          (i) => tf.less(i, n),
          (i) => [i!.add(1)],
          [0],
        )[0]!,
      { autograph: false },
    );
    const n = tf.scalar(4);
    const out = f(n) as tf.Tensor;
    expect(value(out)).toBe(4);
    expect(
      f
        .getConcreteFunction(n)
        .graph.getOperations()
        .map((o) => o.type),
    ).toContain("StatelessWhile");
    tf.dispose([n, out]);
  });

  it("an eager whileLoop with a JS-number loop variable frees the tensor it made", () => {
    const [i] = tf.whileLoop(
      (i) => tf.less(i, 3),
      (i) => [i!.add(1)],
      [0],
    );
    expect(value(i)).toBe(3);
    expect(live()).toBe(before + 1);
    i!.dispose();
  });
});
