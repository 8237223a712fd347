import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import { beforeAll, describe, expect, it } from "vitest";
import { analyze } from "../src/analysis.js";
import { EXAMPLES } from "../src/examples.js";
import { loadProgram } from "../src/program.js";

beforeAll(async () => {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
  await tf.setBackend("cpu");
});

const example = (id: string) => EXAMPLES.find((e) => e.id === id)!.source;

describe("the preloaded examples, analyzed as the page does", () => {
  it("tf_cube traces five times, says why each time, and relaxes to (None, 2)", async () => {
    const analysis = await analyze(await loadProgram(example("tf-cube")), { timing: false });
    expect(analysis.calls.map((c) => c.reason)).toEqual([
      "first trace",
      "x: TensorSpec(shape=(), dtype=float32) -> Literal[2]",
      "x: value Literal[2] -> Literal[3]",
      "x: rank () -> (1, 2)",
      "x: shape (1, 2) -> (2, 2); relaxed x to (None, 2)",
      undefined,
    ]);
    expect(analysis.calls[0]!.result).toContain("8");
    expect(analysis.calls.at(-1)!.result).toContain("343");
    expect(analysis.signatures).toContain("TensorSpec(shape=(None, 2), dtype=float32, name='x')");
    expect(analysis.warnings.join("\n")).toMatch(/5 out of the last \d+ calls to tfCube triggered retracing/);
  });

  it("the AutoGraph while loop is one While op with an If inside, and counts Collatz steps", async () => {
    const analysis = await analyze(await loadProgram(example("collatz")));
    expect(analysis.calls.map((c) => c.result)).toEqual([expect.stringContaining("111"), expect.stringContaining("118")]);
    expect(analysis.calls.map((c) => c.traced)).toEqual([true, false]);
    const [trace] = analysis.traces;
    expect(trace!.graphText).toMatch(/= (Stateless)?While\(/);
    expect(trace!.plan.functions.some((f) => f.summary.steps.some((s) => /If$/.test(s.type)))).toBe(true);
    expect(analysis.timing!.eagerMs).toBeGreaterThan(0);
    expect(analysis.timing!.tracedMs).toBeGreaterThan(0);
  });

  it("the MLP step fuses bias + relu, and a gradient MatMul with its update's Mul, and retraces once, relaxed, for a smaller batch", async () => {
    const analysis = await analyze(await loadProgram(example("mlp")), { timing: false });
    expect(analysis.calls.map((c) => c.traced)).toEqual([true, false, false, true]);
    expect(analysis.calls[3]!.reason).toBe(
      "x: shape (32, 4) -> (8, 4); y: shape (32, 1) -> (8, 1); relaxed x to (None, 4); relaxed y to (None, 1)",
    );
    const losses = analysis.calls.map((c) => Number(/[\d.]+(?:e-?\d+)?/.exec(c.result.replace(/^tf\.Tensor\(/, ""))![0]));
    expect(losses[1]).toBeLessThan(losses[0]!);
    const fused = analysis.traces[0]!.plan.steps.filter((s) => s.kind === "fused").map((s) => s.ops.map((op) => op.type).join(" "));
    expect(fused).toEqual(expect.arrayContaining(["AddV2 Relu", "MatMul Mul"]));
  });
});

describe("loading a program", () => {
  it("a program importing a module the playground lacks is a ProgramError naming it", async () => {
    await expect(loadProgram('import * as fs from "node:fs";\nexport default {};')).rejects.toThrow(/cannot import "node:fs"/);
  });

  it("a default export that is not a tf.function says what to write", async () => {
    await expect(loadProgram('import * as tf from "@kiln/core";\nexport default { fn: (x) => x, calls: [] };')).rejects.toThrow(
      /a plain function: wrap it in tf.function/,
    );
  });

  it("an error the program's top-level code throws reaches the page as thrown (its own type and message)", async () => {
    const error = await loadProgram('import * as tf from "@kiln/core";\ntf.ones([2]);\nthrow new RangeError("no data yet");\n').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RangeError);
    expect((error as RangeError).message).toBe("no data yet");
  });

  it("a syntax error names the line", async () => {
    await expect(loadProgram('import * as tf from "@kiln/core";\nconst f = tf.function((x) => {;\n')).rejects.toThrow(
      /playground\.js: Unexpected token \(3:0\)/,
    );
  });
});
