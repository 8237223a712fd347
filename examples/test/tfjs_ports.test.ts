/**
 * tfjs programs ported by changing the imports only (examples/tfjs) print what tfjs prints.
 * They need core's tfjs compatibility layer (tensor1d/tensor2d, tf.variable, print, tf.util)
 * and `@kiln/backend-cpu/register`; until those are in this checkout the tests are skipped
 * and say why.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { EXAMPLE_TIMEOUT_MS, examplesDir, linesMatching, runExample } from "./run_example.js";

const core = tf as unknown as Record<string, unknown>;
const missing = [
  ...["tensor1d", "tensor2d", "variable", "util"].filter((name) => core[name] === undefined).map((name) => `tf.${name}`),
  ...(existsSync(join(examplesDir, "..", "packages", "backend-cpu", "src", "register.ts")) ? [] : ["@kiln/backend-cpu/register"]),
];

describe.skipIf(missing.length > 0)(
  `tfjs ports${missing.length > 0 ? ` (skipped: this checkout lacks ${missing.join(", ")})` : ""}`,
  () => {
    it("tensors and operations: tfjs's print format, reshape, reads, tidy, variables, tf.util", {
      timeout: EXAMPLE_TIMEOUT_MS,
    }, async () => {
      const run = await runExample("tfjs/tensors_and_operations.mjs");
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("Tensor\n    [[1, 2],\n     [3, 4]]");
      expect(run.stdout).toContain("dtype int32");
      expect(run.stdout).toContain("e shape: [ 4, 1 ]");
      expect(run.stdout).toContain("Tensor\n    [1, 4, 9, 16]");
      expect(run.stdout).toContain("Tensor\n    [11, 22, 33, 44]");
      expect(run.stdout).toContain("Tensor\n    [0, 0, 0, 0, 0]\nTensor\n    [0, 1, 0, 1, 0]");
      const counts = linesMatching(run.stdout, /^\d+$/).map(Number);
      expect(counts[1]).toBe(counts[0]! + 1); // tidy kept only its result
      expect(counts).toContain(2352);
      expect(run.stdout).toContain("[\n  0, 1, 2, 3, 4,\n  5, 6, 7, 8, 9\n]");
    });

    it("getting started: the linear regression trains for 10 epochs and prints a prediction", { timeout: EXAMPLE_TIMEOUT_MS }, async () => {
      const run = await runExample("tfjs/layers_getting_started.mjs");
      expect(run.code).toBe(0);
      expect(linesMatching(run.stdout, /^Epoch \d+\/10$/)).toHaveLength(10);
      const prediction = /Tensor\n\s+\[\[(-?[\d.e+-]+)\],\]/.exec(run.stdout);
      expect(prediction).not.toBeNull();
      expect(Number.isFinite(Number(prediction![1]))).toBe(true);
    });
  },
);
