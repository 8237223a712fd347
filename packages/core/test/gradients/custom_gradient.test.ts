import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";
import { timesTwoGradTen } from "./check.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

describe("J3: tf.customGradient inside a tf.function", () => {
  it("J3: tf.grad of a tf.function that calls a customGradient uses gradFunc", () => {
    const cg = timesTwoGradTen();
    const f = tf.function((x: tf.Tensor) => cg(x), { autograph: false });
    const x = tf.tensor([1, 2]);
    const dx = tf.grad((t) => f(t) as tf.Tensor)(x);
    expect(value(dx)).toEqual([10, 10]);
    // The forward value is still x * 2.
    const y = f(x) as tf.Tensor;
    expect(value(y)).toEqual([2, 4]);
    tf.dispose([x, dx, y]);
  });

  it("J3: a tape inside a tf.function around a customGradient uses gradFunc", () => {
    const cg = timesTwoGradTen();
    const f = tf.function(
      (x: tf.Tensor) => {
        const tape = new tf.GradientTape();
        const y = tape.record(() => {
          tape.watch(x);
          return cg(x).sum();
        });
        return tape.gradient(y, [x])[0]!;
      },
      { autograph: false },
    );
    expect(value(f(tf.tensor([1, 2])))).toEqual([10, 10]);
  });

  it("J3: a tape inside a tf.function around a nested tf.function using customGradient uses gradFunc", () => {
    const cg = timesTwoGradTen();
    const inner = tf.function((x: tf.Tensor) => cg(x).sum(), { autograph: false });
    const outer = tf.function(
      (x: tf.Tensor) => {
        const tape = new tf.GradientTape();
        const y = tape.record(() => {
          tape.watch(x);
          return inner(x) as tf.Tensor;
        });
        return tape.gradient(y, [x])[0]!;
      },
      { autograph: false },
    );
    expect(value(outer(tf.tensor([1, 2])))).toEqual([10, 10]);
  });

  it("J3: customGradient with several inputs and saved tensors inside a tf.function", () => {
    // value = a * b; the claimed gradients are (dy * b * 3, dy * a * 5), using saved tensors.
    const cg = tf.customGradient((a: tf.Tensor, b: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
      save([a, b]);
      return { value: a.mul(b), gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [dy.mul(sb!).mul(3), dy.mul(sa!).mul(5)] };
    });
    const f = tf.function((a: tf.Tensor, b: tf.Tensor) => cg(a, b).sum(), { autograph: false });
    const a = tf.tensor([1, 2]);
    const b = tf.tensor([3, 4]);
    const [da, db] = tf.grads((p, q) => f(p, q) as tf.Tensor)([a, b]);
    expect(value(da)).toEqual([9, 12]);
    expect(value(db)).toEqual([5, 10]);
    tf.dispose([a, b, da, db]);
  });

  it("J3: the traced customGradient is one CustomGradient op whose forward value is the body's", () => {
    const cg = timesTwoGradTen();
    const f = tf.function((x: tf.Tensor) => cg(x), { autograph: false });
    const x = tf.tensor([1, 2]);
    const types = f
      .getConcreteFunction(x)
      .graph.getOperations()
      .map((o) => o.type);
    expect(types).toContain("CustomGradient");
    const y = f(x) as tf.Tensor;
    expect(value(y)).toEqual([2, 4]);
    tf.dispose([x, y]);
  });
});

describe("J3: a traced customGradient replays its gradFunc wherever the gradient is taken", () => {
  it("gradFunc may close over the body's intermediates and the function's other arguments", () => {
    const f = tf.function(
      (x: tf.Tensor, w: tf.Tensor) => {
        const cg = tf.customGradient((a: tf.Tensor) => {
          const e = a.mul(w);
          return { value: e.add(1), gradFunc: (dy: tf.Tensor) => dy.mul(e).mul(w) };
        });
        return cg(x).sum();
      },
      { autograph: false },
    );
    const x = tf.tensor([1, 2]);
    const w = tf.tensor([3, 4]);
    const [dx, dw] = tf.grads((a, b) => f(a, b) as tf.Tensor)([x, w]);
    // dx = e * w = x * w^2; w gets nothing through the custom gradient.
    expect(value(dx)).toEqual([9, 32]);
    expect(value(dw)).toEqual([0, 0]);
    tf.dispose([x, w, dx, dw]);
  });

  it("gradFunc may read a variable", () => {
    const v = new tf.Variable(5);
    const cg = tf.customGradient((a: tf.Tensor) => ({ value: a.square(), gradFunc: (dy: tf.Tensor) => dy.mul(v.read()) }));
    const f = tf.function((x: tf.Tensor) => cg(x), { autograph: false });
    const x = tf.tensor([1, 2]);
    const dx = tf.grad((t) => f(t) as tf.Tensor)(x);
    expect(value(dx)).toEqual([5, 5]);
    tf.dispose([x, dx]);
    v.dispose();
  });

  it("a gradFunc that cannot be traced fails only when the gradient is needed", () => {
    const cg = tf.customGradient((a: tf.Tensor) => ({ value: a.square(), gradFunc: (dy: tf.Tensor) => tf.scalar(dy.dataSync()[0]!) }));
    const f = tf.function((x: tf.Tensor) => cg(x), { autograph: false });
    const x = tf.scalar(3);
    expect(value(f(x))).toBe(9);
    expect(() => tf.grad((t) => f(t) as tf.Tensor)(x)).toThrow(/symbolic|trac/i);
    x.dispose();
  });

  it("a customGradient inside a traced whileLoop body keeps its gradient", () => {
    const cg = timesTwoGradTen();
    const g = tf.function(
      (x: tf.Tensor) => {
        const tape = new tf.GradientTape();
        const y = tape.record(() => {
          tape.watch(x);
          return tf
            .whileLoop(
              (i) => tf.less(i, 2),
              (i, v) => [i!.add(1), cg(v!)],
              [tf.scalar(0, "int32"), x],
            )[1]!
            .sum();
        });
        return tape.gradient(y, [x])[0]!;
      },
      { autograph: false },
    );
    expect(value(g(tf.tensor([1, 2])))).toEqual([100, 100]);
  });

  it("second-order gradients go through gradFunc's own ops", () => {
    const cg = tf.customGradient((a: tf.Tensor) => ({ value: a.square(), gradFunc: (dy: tf.Tensor) => dy.mul(a).mul(3) }));
    const x = tf.scalar(2);
    const d2 = tf.grad((t) => tf.grad((u) => cg(u))(t))(x);
    expect(value(d2)).toBe(3);
    tf.dispose([x, d2]);
  });

  it("a saved function with a customGradient loads and runs; without its gradFunc it says why it cannot differentiate", () => {
    const cg = timesTwoGradTen();
    const f = tf.function((x: tf.Tensor) => cg(x), { autograph: false, inputSignature: [new tf.TensorSpec([2], "float32")] });
    const json = JSON.stringify(tf.saveFunction(f));
    const x = tf.tensor([1, 2]);
    const loaded = tf.loadFunction(json) as unknown as (t: tf.Tensor) => tf.Tensor;
    expect(value(loaded(x))).toEqual([2, 4]);
    // Saved elsewhere (another process): the op's id names no gradient here.
    const foreign = tf.loadFunction(json.replace(/"id":"[^"]+"/g, '"id":"elsewhere_0"')) as unknown as (t: tf.Tensor) => tf.Tensor;
    expect(() => tf.grad((t) => foreign(t))(x)).toThrow(/custom gradients are not saved with a function/);
    x.dispose();
  });
});

describe("J3: customGradient checks what its body returns", () => {
  it("J3: a body returning undefined is an ArgumentError naming customGradient", () => {
    const cg = tf.customGradient(
      (() => undefined) as unknown as (x: tf.Tensor) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor) => tf.Tensor },
    );
    const x = tf.scalar(1);
    expect(() => cg(x)).toThrow(tf.ArgumentError);
    expect(() => cg(x)).toThrow(/customGradient: f must return \{ value, gradFunc \}.*received undefined/);
    x.dispose();
  });

  it("J3: a body returning a value that is not a tensor is an ArgumentError", () => {
    const cg = tf.customGradient(((_x: tf.Tensor) => ({ value: 3, gradFunc: (dy: tf.Tensor) => dy })) as unknown as (x: tf.Tensor) => {
      value: tf.Tensor;
      gradFunc: (dy: tf.Tensor) => tf.Tensor;
    });
    const x = tf.scalar(1);
    expect(() => cg(x)).toThrow(tf.ArgumentError);
    expect(() => cg(x)).toThrow(/value must be a tensor/);
    x.dispose();
  });

  it("J3: a value that is the input itself gets only gradFunc's gradient, eagerly and traced", () => {
    const cg = tf.customGradient((x: tf.Tensor) => ({ value: x, gradFunc: (dy: tf.Tensor) => dy.mul(10) }));
    const x = tf.tensor([1, 2]);
    const dx = tf.grad((t) => cg(t))(x);
    expect(value(dx)).toEqual([10, 10]);
    const traced = tf.function(
      (t: tf.Tensor) => {
        const tape = new tf.GradientTape();
        const y = tape.record(() => {
          tape.watch(t);
          return cg(t).sum();
        });
        return tape.gradient(y, [t])[0]!;
      },
      { autograph: false },
    );
    expect(value(traced(x))).toEqual([10, 10]);
    // The returned value is a copy: disposing it leaves the input alive.
    const y = cg(x);
    expect(y).not.toBe(x);
    y.dispose();
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, dx]);
  });
});
