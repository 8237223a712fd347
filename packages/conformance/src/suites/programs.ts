import { describe, expect, it } from "vitest";
import { tf } from "../context.js";

/** Reads a result with `await` (every backend supports it), then frees it. */
async function read(t: tf.Tensor): Promise<tf.NestedArray> {
  const value = await t.array();
  t.dispose();
  return value;
}

/** Collects what `tf.print` writes while the returned `stop` has not been called. */
function capturePrints(): { lines: string[]; stop: () => void } {
  const runtime = tf.getRuntime();
  const saved = runtime.print;
  const lines: string[] = [];
  runtime.print = (text) => lines.push(text);
  return { lines, stop: () => (runtime.print = saved) };
}

/**
 * Whole programs written once that must run unchanged on every backend (SPEC L1): traced
 * functions with `tf.cond`, `tf.whileLoop` (data-dependent trip counts, nested), `tf.print`
 * in program order, nested `tf.function` calls, variables assigned inside functions, and
 * gradients (tapes inside and around functions, through cond and while). Results are
 * read with `await`, so the suite runs on async-only backends too.
 */
export function programsSuite(): void {
  describe("programs written once run on every backend (SPEC L1, L2)", () => {
    it("L1: a traced cond picks its branch from data", async () => {
      const f = tf.function((x: tf.Tensor) => tf.cond(tf.greater(tf.sum(x), 0), () => x.mul(2), () => x.neg()), { autograph: false });
      const [pos, neg] = [tf.tensor([1, 2]), tf.tensor([-1, -2])];
      expect(await read(f(pos) as tf.Tensor)).toEqual([2, 4]);
      expect(await read(f(neg) as tf.Tensor)).toEqual([1, 2]);
      tf.dispose([pos, neg]);
      for (const cf of f.concreteFunctions()) cf.dispose();
    });

    it("L1: a traced while loop runs a data-dependent number of iterations (Collatz steps)", async () => {
      const steps = tf.function(
        (n: tf.Tensor) =>
          tf.whileLoop(
            (m: tf.Tensor) => tf.greater(m, 1),
            (m: tf.Tensor, k: tf.Tensor) => [tf.where(tf.equal(tf.mod(m, 2), 0), tf.floorDiv(m, 2), m.mul(3).add(1)), k.add(1)],
            [n, tf.scalar(0, "int32")],
          )[1]!,
        { autograph: false },
      );
      const results: tf.NestedArray[] = [];
      for (const n of [1, 6, 7, 27]) {
        const input = tf.scalar(n, "int32");
        results.push(await read(steps(input) as tf.Tensor));
        input.dispose();
      }
      expect(results).toEqual([0, 8, 16, 111]);
      for (const cf of steps.concreteFunctions()) cf.dispose();
    });

    it("L1: nested loops and a cond inside a loop body", async () => {
      const f = tf.function(
        (n: tf.Tensor) =>
          tf.whileLoop(
            (i: tf.Tensor) => tf.less(i, n),
            (i: tf.Tensor, total: tf.Tensor) => {
              const inner = tf.whileLoop((j: tf.Tensor) => tf.less(j, i), (j: tf.Tensor, t: tf.Tensor) => [j.add(1), t.add(1)], [tf.scalar(0, "int32"), total]);
              const bumped = tf.cond(tf.equal(tf.mod(i, 2), 0), () => inner[1]!.add(100), () => inner[1]!);
              return [i.add(1), bumped];
            },
            [tf.scalar(0, "int32"), tf.scalar(0, "int32")],
          )[1]!,
        { autograph: false },
      );
      // i = 0..4: inner adds i each time (0+1+2+3+4 = 10) and even i add 100 (i = 0, 2, 4).
      const n = tf.scalar(5, "int32");
      expect(await read(f(n) as tf.Tensor)).toBe(310);
      n.dispose();
      for (const cf of f.concreteFunctions()) cf.dispose();
    });

    it("L1: eager tf.cond and tf.whileLoop with tensor conditions", async () => {
      const x = tf.scalar(3);
      const pred = tf.greater(x, 0);
      expect(await read(tf.cond(pred, () => x.add(1), () => x.sub(1)))).toBe(4);
      const [start, one] = [tf.scalar(0), tf.scalar(1)];
      const [i, acc] = tf.whileLoop((i: tf.Tensor) => tf.less(i, 4), (i: tf.Tensor, a: tf.Tensor) => [i.add(1), a.mul(2)], [start, one]);
      expect(await read(i!)).toBe(4);
      expect(await read(acc!)).toBe(16);
      tf.dispose([x, pred, start, one]);
    });

    it("L2: tf.print inside and outside functions prints in program order", async () => {
      const { lines, stop } = capturePrints();
      try {
        const f = tf.function(
          (x: tf.Tensor) => {
            tf.print("inside", x);
            const y = tf.whileLoop((v: tf.Tensor) => tf.less(v, 3), (v: tf.Tensor) => {
              tf.print("iteration", v);
              return [v.add(1)];
            }, [x])[0]!;
            tf.print("after", y);
            return y;
          },
          { autograph: false },
        );
        const x = tf.scalar(1);
        tf.print("before");
        const y = f(x) as tf.Tensor;
        tf.print("eager", y);
        const z = f(y) as tf.Tensor;
        expect(await read(z)).toBe(3);
        await tf.asyncWait();
        expect(lines).toEqual(["before", "inside 1", "iteration 1", "iteration 2", "after 3", "eager 3", "inside 3", "after 3"]);
        tf.dispose([x, y]);
        for (const cf of f.concreteFunctions()) cf.dispose();
      } finally {
        stop();
      }
    });

    it("L1: nested tf.function calls, one of them looping", async () => {
      const square = tf.function((x: tf.Tensor) => x.square(), { autograph: false });
      const power = tf.function(
        (x: tf.Tensor, k: tf.Tensor) =>
          tf.whileLoop((i: tf.Tensor) => tf.less(i, k), (i: tf.Tensor, v: tf.Tensor) => [i.add(1), square(v) as tf.Tensor], [tf.scalar(0, "int32"), x])[1]!,
        { autograph: false },
      );
      const outer = tf.function((x: tf.Tensor) => (power(x, tf.scalar(2, "int32")) as tf.Tensor).add(square(x) as tf.Tensor), { autograph: false });
      const two = tf.scalar(2);
      expect(await read(outer(two) as tf.Tensor)).toBe(20);
      two.dispose();
      for (const fn of [square, power, outer]) for (const cf of fn.concreteFunctions()) cf.dispose();
    });

    it("H2 + L2: variables assigned inside functions, read eagerly after each call", async () => {
      const counter = new tf.Variable(0, { dtype: "int32" });
      const total = new tf.Variable(0);
      const step = tf.function(
        (x: tf.Tensor) => {
          counter.assignAdd(1);
          // A loop decides how much to add, so the call waits for host reads on async backends.
          const add = tf.whileLoop((i: tf.Tensor) => tf.less(i, counter.read()), (i: tf.Tensor, s: tf.Tensor) => [i.add(1), s.add(x)], [tf.scalar(0, "int32"), tf.scalar(0)])[1]!;
          total.assignAdd(add);
          return total.read();
        },
        { autograph: false },
      );
      const x = tf.scalar(1.5);
      const seen: tf.NestedArray[] = [];
      for (let k = 0; k < 3; k++) {
        const out = step(x) as tf.Tensor;
        seen.push(await read(counter.read()), await read(out));
      }
      // total = 1.5 * (1 + 2 + 3)
      expect(seen).toEqual([1, 1.5, 2, 4.5, 3, 9]);
      counter.assign(10).dispose();
      expect(await read(counter.read())).toBe(10);
      tf.dispose(x);
      counter.dispose();
      total.dispose();
      for (const cf of step.concreteFunctions()) cf.dispose();
    });

    it("J1 + J4: a tape around a function differentiates through a cond and a while that read a variable", async () => {
      const w = new tf.Variable(0.5);
      const f = tf.function(
        (x: tf.Tensor) => {
          const h = tf.whileLoop((i: tf.Tensor) => tf.less(i, 3), (i: tf.Tensor, v: tf.Tensor) => [i.add(1), v.mul(w.read())], [tf.scalar(0, "int32"), x])[1]!;
          return tf.cond(tf.greater(h, 0), () => h.mul(w.read()), () => h);
        },
        { autograph: false },
      );
      const x = tf.scalar(2);
      const tape = new tf.GradientTape();
      const y = tape.record(() => {
        tape.watch(x);
        return f(x) as tf.Tensor;
      });
      // y = x * w^4: dy/dx = w^4 = 0.0625, dy/dw = 4 x w^3 = 1
      const [dx, dw] = tape.gradient(y, [x, w]);
      expect(await read(y)).toBeCloseTo(0.125);
      expect(await read(dx!)).toBeCloseTo(0.0625);
      expect(await read(dw!)).toBeCloseTo(1);
      x.dispose();
      w.dispose();
      for (const cf of f.concreteFunctions()) cf.dispose();
    });

    it("J2: a training step with the tape inside the function converges, and its loss reads back each step", async () => {
      const w = new tf.Variable([[0], [0]]);
      const b = new tf.Variable([0]);
      const xs = tf.tensor([[0, 0], [1, 0], [0, 1], [1, 1]]);
      const ys = tf.tensor([[1], [3], [-1], [1]]); // y = 2 x0 - 2 x1 + 1
      const train = tf.function(
        (x: tf.Tensor, y: tf.Tensor) => {
          const tape = new tf.GradientTape();
          const loss = tape.record(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w.read()), b.read()), y))));
          const [dw, db] = tape.gradient(loss, [w, b]);
          w.assignSub(dw!.mul(0.3));
          b.assignSub(db!.mul(0.3));
          return loss;
        },
        { autograph: false },
      );
      const losses: number[] = [];
      for (let step = 0; step < 200; step++) {
        const loss = train(xs, ys) as tf.Tensor;
        if (step % 50 === 0 || step === 199) losses.push((await read(loss)) as number);
        else loss.dispose();
      }
      expect(losses[0]).toBeGreaterThan(1);
      expect(losses.at(-1)!).toBeLessThan(1e-3);
      const weights = (await read(w.read())) as number[][];
      expect(weights[0]![0]).toBeCloseTo(2, 1);
      expect(weights[1]![0]).toBeCloseTo(-2, 1);
      tf.dispose([xs, ys]);
      w.dispose();
      b.dispose();
      for (const cf of train.concreteFunctions()) cf.dispose();
    });
  });
}
