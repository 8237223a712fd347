import { describe, expect, it } from "vitest";
import { tf } from "../context.js";

/**
 * The ops a backend must have its own kernel for: every core op the runtime does not
 * execute itself, plus Identity (the runtime copies values with it).
 */
export function opsNeedingKernels(): tf.AnyOpDef[] {
  return tf.coreOps().filter((op) => op.execution === undefined || op.name === "Identity");
}

/** SPEC L4: every core op has a kernel on every Kiln backend; falling back to cpu is for user ops only. */
export function coverageSuite(): void {
  describe("kernel coverage (SPEC L4)", () => {
    it("the active backend registers a kernel for every core op that needs one", () => {
      const backend = tf.getBackend();
      const registry = tf.getRuntime().backends;
      const ops = opsNeedingKernels();
      expect(ops.length).toBeGreaterThan(100);
      expect(ops.filter((op) => !registry.hasKernel(op.name, backend)).map((op) => op.name)).toEqual([]);
    });
  });
}
