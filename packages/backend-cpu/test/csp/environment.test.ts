import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { cpu } from "../../src/index.js";

// Runs in the "csp" project: Node with --disallow-code-generation-from-strings (see vitest.config.ts).
describe("the cpu backend where code generation is forbidden (a CSP without 'unsafe-eval')", () => {
  it("detects it: tf.codeGenerationAllowed() is false", () => {
    expect(tf.codeGenerationAllowed()).toBe(false);
  });

  it("cpu() then uses its prebuilt kernels and says so in caps.details, and still fuses (as block loops)", async () => {
    tf.registerBackend(cpu({ name: "cpu-detecting" }), { priority: 0 });
    try {
      await tf.setBackend("cpu-detecting");
      expect(tf.backend().caps.details?.kernels).toBe("prebuilt");
      expect(tf.backend().caps.fusion.elementwise).toBe(true);
      const x = tf.tensor2d([[1, -2], [3, -4]]);
      const f = tf.function((t: tf.Tensor) => tf.relu(t.mul(2).add(1)).exp().sum());
      expect(x.square().add(x).arraySync()).toEqual([[2, 2], [12, 12]]);
      expect(f(x).arraySync()).toBeCloseTo(Math.exp(3) + 1 + Math.exp(7) + 1, 2);
      x.dispose();
    } finally {
      tf.removeBackend("cpu-detecting");
    }
  });

  it("cpu({ codegen: true }) is a CodeGenerationError when the backend is created, naming the fix", async () => {
    tf.registerBackend(cpu({ codegen: true, name: "cpu-forced" }), { priority: 0 });
    try {
      await expect(tf.setBackend("cpu-forced")).rejects.toThrow(tf.CodeGenerationError);
      await expect(tf.setBackend("cpu-forced")).rejects.toThrow(/cpu\(\{ codegen: true \}\).*use cpu\(\)/);
    } finally {
      tf.removeBackend("cpu-forced");
    }
  });

  it("tf.compileFunction turns the engine's EvalError into a CodeGenerationError naming what needed it", () => {
    expect(() => tf.compileFunction("my kernel", "use closures", ["a"], "return a")).toThrow(tf.CodeGenerationError);
    expect(() => tf.compileFunction("my kernel", "use closures", ["a"], "return a")).toThrow(/my kernel needs to compile JavaScript.*use closures.*EvalError/);
  });
});
