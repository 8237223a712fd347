import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import type { GpuData } from "../src/device/buffers.js";
import { gpu } from "./gpu.js";
import { disposeFunctions, gpuBackend, onCpu, readAll, useWebGPU } from "./helpers.js";

// Control flow from traced graphs on the GPU (SPEC G1, L1, L2): If without predicate
// read-backs (predicated, both branches guarded on the device) and While with one read per
// several iterations (speculative, guarded), with the cpu oracle's results.
describe.runIf(gpu.available)("control flow on webgpu", () => {
  useWebGPU();

  /** Reads (GPU to host copies) and submits a call takes, its results' reads included. */
  async function measure(fn: () => tf.Tensor | tf.Tensor[]): Promise<{ values: number[][]; reads: number; submits: number }> {
    const before = gpuBackend().stats();
    const values = await readAll(fn);
    await tf.asyncWait();
    const after = gpuBackend().stats();
    return { values, reads: after.reads - before.reads, submits: after.submits - before.submits };
  }

  describe("guards (Backend.guard)", () => {
    it("a guarded region runs its kernels only where the predicate holds, nested guards combine, and the host reads nothing", async () => {
      const backend = gpuBackend();
      const neg = (await import("../src/kernels/index.js")).kernelCompilers.get("Neg")!;
      const key = {
        inputs: [{ dtype: "float32" as const, shape: [3] }],
        outputs: [{ dtype: "float32" as const, shape: [3] }],
        attrs: {},
        id: "guard-test",
      };
      const kernel = neg(key, backend);
      const x = backend.write(new Float32Array([1, 2, 3]), [3], "float32");
      const run = async (predicates: readonly [number, boolean][]): Promise<number[]> => {
        const out = backend.write(new Float32Array([7, 7, 7]), [3], "float32") as GpuData;
        const flags = predicates.map(([v]) => backend.write(Uint8Array.of(v), [], "bool"));
        const ends = flags.map((p, k) => backend.guard(p, predicates[k]![1]));
        kernel({
          inputs: [{ dataId: x, shape: [3], dtype: "float32" }],
          attrs: {},
          outputs: [{ shape: [3], dtype: "float32" }],
          backend,
          out: [out],
        });
        for (const end of ends.reverse()) end();
        const values = Array.from(await backend.read(out));
        for (const id of [out, ...flags]) backend.disposeData(id);
        return values;
      };
      expect(await run([[1, false]])).toEqual([-1, -2, -3]);
      expect(await run([[0, false]])).toEqual([7, 7, 7]);
      expect(await run([[0, true]])).toEqual([-1, -2, -3]);
      expect(
        await run([
          [1, false],
          [1, false],
        ]),
      ).toEqual([-1, -2, -3]);
      expect(
        await run([
          [1, false],
          [0, false],
        ]),
      ).toEqual([7, 7, 7]);
      expect(
        await run([
          [0, false],
          [1, false],
        ]),
      ).toEqual([7, 7, 7]);
      backend.disposeData(x);
    });
  });

  describe("If", () => {
    const choose = tf.function((x: tf.Tensor) =>
      tf.cond(
        tf.greater(tf.sum(x), 0),
        () => tf.relu(x.mul(2)),
        () => tf.exp(x.neg()).sub(1),
      ),
    );

    it("a traced If with side-effect-free branches of one shape reads no predicate: one submit, one read (the result)", async () => {
      for (const values of [
        [0.5, 2, -1],
        [-3, 1, -0.5],
      ]) {
        const x = tf.tensor(values);
        const fast = await measure(() => choose(x) as tf.Tensor);
        expect(fast.values).toEqual(await onCpu(() => choose(x) as tf.Tensor));
        expect(fast.reads).toBe(1);
        x.dispose();
      }
      disposeFunctions(choose);
    });

    it("eager tf.cond on a tensor predicate (a staged call) gives the taken branch", async () => {
      const x = tf.tensor([1, -2]);
      const values = await readAll(() =>
        tf.cond(
          tf.less(tf.sum(x), 0),
          () => x.mul(10),
          () => x.add(1),
        ),
      );
      expect(values).toEqual([[10, -20]]);
      x.dispose();
    });
  });

  describe("While", () => {
    const recurrent = tf.function((h: tf.Tensor, w: tf.Tensor, n: tf.Tensor) =>
      tf.whileLoop(
        (i) => tf.less(i, n),
        (i, s) => [i!.add(1), tf.tanh(tf.matMul(s!, w).add(0.1))],
        [tf.scalar(0, "int32"), h],
      ),
    );

    it("a 100-iteration loop reads its predicate once per up to 32 iterations (9 reads, not 101) and equals the cpu oracle", async () => {
      const h = tf.tensor([[0.1, -0.2, 0.3, 0.05]]);
      const w = tf.tensor([0.5, -0.1, 0.2, 0.3, -0.4, 0.6, 0.1, 0.0, 0.2, 0.2, -0.3, 0.1, 0.05, -0.2, 0.4, 0.3], [4, 4]);
      const n = tf.scalar(100, "int32");
      const fast = await measure(() => recurrent(h, w, n) as tf.Tensor[]);
      const oracle = await onCpu(() => recurrent(h, w, n) as tf.Tensor[]);
      expect(fast.values[0]).toEqual([100]);
      fast.values[1]!.forEach((v, k) => expect(v).toBeCloseTo(oracle[1]![k]!, 5));
      // 1 + reads after 1, 2, 4, 8, 16, 32, 32 iterations (95 < 100 <= 127), plus two results.
      expect(fast.reads).toBe(1 + 8 + 2);
      tf.dispose([h, w, n]);
      disposeFunctions(recurrent);
    });

    it("the speculative loop gives the plain loop's values bit for bit wherever the end falls", async () => {
      const h = tf.tensor([[0.3, 0.1]]);
      const w = tf.tensor([0.9, -0.2, 0.4, 0.7], [2, 2]);
      for (const count of [0, 1, 2, 3, 7, 15, 16, 33]) {
        const n = tf.scalar(count, "int32");
        const fast = await readAll(() => recurrent(h, w, n) as tf.Tensor[]);
        // The same loop unrolled eagerly on webgpu: the same kernels, one at a time.
        const eager = await readAll(() => {
          let s = h;
          for (let i = 0; i < count; i++) s = tf.tanh(tf.matMul(s, w).add(0.1));
          return [tf.scalar(count, "int32"), s === h ? h.clone() : s];
        });
        expect(fast, `${count} iterations`).toEqual(eager);
        n.dispose();
      }
      tf.dispose([h, w]);
      disposeFunctions(recurrent);
    });

    it("a loop printing every iteration (a side effect) reads each predicate and prints in order", async () => {
      const lines: string[] = [];
      const runtime = tf.getRuntime();
      const saved = runtime.print;
      runtime.print = (line) => lines.push(line);
      try {
        const counted = tf.function((n: tf.Tensor) =>
          tf.whileLoop(
            (i) => tf.less(i, n),
            (i) => {
              tf.print(i!);
              return [i!.add(1)];
            },
            [tf.scalar(0, "int32")],
          ),
        );
        const n = tf.scalar(4, "int32");
        const result = await measure(() => counted(n) as tf.Tensor[]);
        expect(result.values).toEqual([[4]]);
        expect(lines).toEqual(["0", "1", "2", "3"]);
        expect(result.reads).toBeGreaterThanOrEqual(5);
        n.dispose();
        disposeFunctions(counted);
      } finally {
        runtime.print = saved;
      }
    });

    it("a list filled row by row in a While is written in place after the first copy, with the cpu oracle's values", async () => {
      const n = 40;
      const fill = tf.function((x: tf.Tensor) => {
        const [, list] = tf.whileLoop(
          (i) => tf.less(i, n),
          (i, l) => [i!.add(1), tf.setRow(l!, i!, tf.mul(x, tf.cast(i!, "float32")))],
          [tf.scalar(0, "int32"), tf.zeros([n, 3])],
        );
        return list!;
      });
      const x = tf.tensor([1, -2, 0.5]);
      const backend = gpuBackend();
      const dispatch = backend.dispatch.bind(backend);
      const labels: string[] = [];
      backend.dispatch = (program, ...rest) => {
        if (program.label.startsWith("set_row")) labels.push(program.label);
        dispatch(program, ...rest);
      };
      try {
        const [values] = await readAll(() => fill(x));
        const [oracle] = await onCpu(() => fill(x));
        expect(values).toEqual(oracle);
      } finally {
        backend.dispatch = dispatch;
      }
      // One whole-list copy (the caller's zeros), then one row per iteration, speculative
      // ones included (encoded past the end, skipped on the device by their guard).
      expect(labels.filter((l) => l === "set_row_copy").length).toBe(1);
      expect(labels.filter((l) => l === "set_row").length).toBeGreaterThanOrEqual(n - 1);
      x.dispose();
      disposeFunctions(fill);
    });

    it("gradients through a While loop and an If match the cpu oracle (SPEC J4)", async () => {
      const loss = tf.function((x: tf.Tensor) =>
        tf.grad((v: tf.Tensor) => {
          const [, out] = tf.whileLoop(
            (i) => tf.less(i, 5),
            (i, s) => [i!.add(1), tf.sin(s!).mul(1.1)],
            [tf.scalar(0, "int32"), v],
          );
          return tf.cond(
            tf.greater(tf.sum(out!), 0),
            () => tf.sum(tf.square(out!)),
            () => tf.sum(out!),
          );
        })(x),
      );
      const x = tf.tensor([0.3, -0.7, 1.2]);
      const [gpuGrad] = await readAll(() => loss(x) as tf.Tensor);
      const [cpuGrad] = await onCpu(() => loss(x) as tf.Tensor);
      gpuGrad!.forEach((v, k) => expect(v).toBeCloseTo(cpuGrad![k]!, 5));
      x.dispose();
      disposeFunctions(loss);
    });
  });
});
