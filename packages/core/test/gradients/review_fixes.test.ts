import * as tf from "@kiln/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();
const live = () => tf.memory().numTensors;

/** Doubles its input, but claims a gradient of 10 * dy (so a used gradFunc is visible). */
const timesTwoGradTen = () =>
  tf.customGradient((x: tf.Tensor) => ({
    value: x.mul(2),
    gradFunc: (dy: tf.Tensor) => dy.mul(10),
  }));

describe("review fixes: function-call gradients (finding 4)", () => {
  it("4a: a variable assigned inside a tf.function contributes its pre-call value to the gradient", () => {
    const v = new tf.Variable(3);
    const f = tf.function(
      (x: tf.Tensor) => {
        const y = x.mul(v.read());
        v.assign(tf.scalar(100));
        return y;
      },
      { autograph: false },
    );
    const x = tf.scalar(2);
    const dx = tf.grad((t) => f(t) as tf.Tensor)(x);
    expect(value(dx)).toBe(3);
    // The variable's own gradient is d(x * v)/dv = x, taken at the read before the assign.
    v.assign(3);
    const tape = new tf.GradientTape();
    const y = tape.record(() => f(x) as tf.Tensor);
    const [dv] = tape.gradient(y, [v]);
    expect(value(dv)).toBe(2);
    tf.dispose([x, dx, y, dv]);
    v.dispose();
  });

  it("4a: the same inside an outer tf.function (a nested call under a tape)", () => {
    const v = new tf.Variable(3);
    const inner = tf.function(
      (x: tf.Tensor) => {
        const y = x.mul(v.read());
        v.assign(tf.scalar(100));
        return y;
      },
      { autograph: false },
    );
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
    expect(value(outer(tf.scalar(2)))).toBe(3);
    v.dispose();
  });

  it("4b: tf.grad of a tf.function that calls a customGradient uses gradFunc", () => {
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

  it("4b: a tape inside a tf.function around a customGradient uses gradFunc", () => {
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

  it("4b: a tape inside a tf.function around a nested tf.function using customGradient uses gradFunc", () => {
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

  it("4b: customGradient with several inputs and saved tensors inside a tf.function", () => {
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

  it("4b: the traced customGradient is one CustomGradient op whose forward value is the body's", () => {
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

describe("review fixes: traced customGradient replayed elsewhere (finding 4b)", () => {
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

describe("review fixes: memory of functional gradients and custom gradients (finding 11)", () => {
  let before: number;
  beforeEach(() => {
    before = live();
  });
  afterEach(() => {
    expect(live()).toBe(before);
  });

  it("tf.grad frees the forward pass's intermediates", () => {
    const x = tf.tensor([1, 2, 3]);
    const dx = tf.grad((t) => t.mul(t).sum())(x);
    expect(value(dx)).toEqual([2, 4, 6]);
    expect(live()).toBe(before + 2);
    tf.dispose([x, dx]);
  });

  it("tf.grads, tf.valueAndGrad, tf.valueAndGrads and tf.variableGrads keep only their results", () => {
    const x = tf.tensor([1, 2]);
    const y = tf.tensor([3, 4]);
    const gs = tf.grads((a, b) => a.mul(b).exp().sum())([x, y]);
    expect(live()).toBe(before + 4);
    tf.dispose(gs);
    const vg = tf.valueAndGrad((a) => a.square().sum())(x);
    expect(value(vg.value)).toBe(5);
    expect(live()).toBe(before + 4);
    tf.dispose([vg.value, vg.grad]);
    const vgs = tf.valueAndGrads((a, b) => a.mul(b).sum())([x, y]);
    expect(live()).toBe(before + 5);
    tf.dispose([vgs.value, vgs.grads]);
    const w = new tf.Variable([1, 2]);
    const beforeVar = live();
    const vr = tf.variableGrads(() => w.read().square().mul(3).sum());
    expect(live()).toBe(beforeVar + 2);
    expect(value(vr.grads[w.name])).toEqual([6, 12]);
    tf.dispose([vr.value, vr.grads]);
    w.dispose();
    tf.dispose([x, y]);
  });

  it("a JS dy may be used by several gradient ops", () => {
    const x = tf.tensor([1, 2]);
    const y = tf.tensor([3, 4]);
    const [dx, dy] = tf.grads((a, b) => a.mul(b))([x, y], [1, 2]);
    expect([value(dx), value(dy)]).toEqual([
      [3, 8],
      [1, 4],
    ]);
    tf.dispose([x, y, dx, dy]);
  });

  it("tf.grad with a non-scalar result and an explicit dy keeps only the gradient", () => {
    const x = tf.tensor([1, 2]);
    const dx = tf.grad((t) => t.square())(x, [1, 3]);
    expect(value(dx)).toEqual([2, 12]);
    const dx2 = tf.grad((t) => t.square())(x);
    expect(value(dx2)).toEqual([2, 4]);
    expect(live()).toBe(before + 3);
    tf.dispose([x, dx, dx2]);
  });

  it("JS-number arguments of the functional gradients are freed, even when f uses them in several ops", () => {
    const dx = tf.grad((t) => t.mul(t).add(t).sum())(3);
    expect(value(dx)).toBe(7);
    const gs = tf.grads((a, b) => a.mul(b))([2, 5]);
    expect(gs.map(value)).toEqual([5, 2]);
    expect(live()).toBe(before + 3);
    tf.dispose([dx, gs]);
  });

  it("a gradient of zero for an unused input does not depend on the freed argument", () => {
    const gs = tf.grads((a, _b) => a.square())([2, 5]);
    expect(gs.map(value)).toEqual([4, 0]);
    tf.dispose(gs);
  });

  it("a throwing f leaks nothing", () => {
    const x = tf.tensor([1, 2]);
    expect(() =>
      tf.grad((t) => {
        t.square();
        throw new Error("boom");
      })(x),
    ).toThrow("boom");
    x.dispose();
  });

  it("customGradient frees the tensors it made from JS arguments, also ones the body never used", () => {
    const cg = timesTwoGradTen();
    const y = cg(4);
    expect(value(y)).toBe(8);
    expect(live()).toBe(before + 1);
    y.dispose();
    const ignoring = tf.customGradient((_x: tf.Tensor) => ({ value: tf.scalar(7), gradFunc: (dy: tf.Tensor) => dy }));
    const z = ignoring(4);
    expect(value(z)).toBe(7);
    expect(live()).toBe(before + 1);
    z.dispose();
  });

  it("a customGradient body may use a JS-number argument in several ops", () => {
    const cg = tf.customGradient((x: tf.Tensor) => ({ value: x.mul(2).add(x), gradFunc: (dy: tf.Tensor) => dy.mul(3) }));
    // The body's own intermediates are the caller's (as in tfjs), hence the tidy.
    expect(tf.tidy(() => value(cg(4)))).toBe(12);
  });

  it("the gradient through a customGradient called with a JS number leaks nothing", () => {
    const cg = timesTwoGradTen();
    const x = tf.tensor([1, 2]);
    const dx = tf.grad((t) => cg(t).add(cg(1)).sum())(x);
    expect(value(dx)).toEqual([10, 10]);
    expect(live()).toBe(before + 2);
    tf.dispose([x, dx]);
  });
});

describe("review fixes: customGradient edge cases (findings 15, 17)", () => {
  it("15: a body returning undefined is an ArgumentError naming customGradient", () => {
    const cg = tf.customGradient(
      (() => undefined) as unknown as (x: tf.Tensor) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor) => tf.Tensor },
    );
    const x = tf.scalar(1);
    expect(() => cg(x)).toThrow(tf.ArgumentError);
    expect(() => cg(x)).toThrow(/customGradient: f must return \{ value, gradFunc \}.*received undefined/);
    x.dispose();
  });

  it("15: a body returning a value that is not a tensor is an ArgumentError", () => {
    const cg = tf.customGradient(((_x: tf.Tensor) => ({ value: 3, gradFunc: (dy: tf.Tensor) => dy })) as unknown as (x: tf.Tensor) => {
      value: tf.Tensor;
      gradFunc: (dy: tf.Tensor) => tf.Tensor;
    });
    const x = tf.scalar(1);
    expect(() => cg(x)).toThrow(tf.ArgumentError);
    expect(() => cg(x)).toThrow(/value must be a tensor/);
    x.dispose();
  });

  it("17: value that is the input itself gets only gradFunc's gradient, eagerly and traced", () => {
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

describe("review fixes: eager control-flow memory (finding 18)", () => {
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
