/**
 * The demo (`npm run demo` ends with it) in its quick mode, and the Fashion-MNIST example
 * in a smoke run: each section prints what it promises, the graph picture is written, and
 * nothing fails.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLE_TIMEOUT_MS, linesMatching, runExample } from "./run_example.js";

const outDir = mkdtempSync(join(tmpdir(), "kiln-demo-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("the demo, quick mode", () => {
  it("tours backend choice, tracing, AutoGraph with an SVG, timings, a backend swap and Keras training", {
    timeout: EXAMPLE_TIMEOUT_MS,
  }, async () => {
    const run = await runExample("demo.mjs", ["--quick", "--out", outDir]);
    expect(run.stderr.replace(/.*triggered retracing.*\n?/g, "")).toBe("");
    expect(run.code).toBe(0);
    const out = run.stdout;
    // 1: the chosen backend and why the faster ones were passed over.
    expect(linesMatching(out, /^== \d\. /)).toHaveLength(6);
    expect(out).toMatch(/^webgpu +no: .+$/m);
    expect(out).toMatch(/^(wasm|cpu) +yes: .+$/m);
    // 2: the seed's trace log, with the relaxed (None, 2) trace and its reason.
    expect(linesMatching(out, /^x = /)).toEqual([
      'x = Tensor("x:0", shape=(), dtype=float32)',
      "x = 2",
      "x = 3",
      'x = Tensor("x:0", shape=(1, 2), dtype=float32)',
      'x = Tensor("x:0", shape=(None, 2), dtype=float32)',
    ]);
    expect(out).toContain("5. x: shape (1, 2) -> (2, 2); relaxed x to (None, 2)");
    expect(out).toContain("the same calls trace 6 times");
    expect(run.stderr).toMatch(/5 out of the last 6 calls to tfCube triggered retracing/);
    // 3: the AutoGraph loop's value, graph text and picture.
    expect(out).toContain("tf.Tensor(111.0, shape=(), dtype=float32)");
    expect(out).toMatch(/whileLoop = StatelessWhile\(/);
    expect(out).toMatch(/cond = StatelessIf\(/);
    const svg = readFileSync(join(outDir, "collatz.svg"), "utf8");
    expect(svg).toContain("<svg");
    expect(svg).toContain("StatelessWhile");
    // 4: both workloads timed eagerly and traced.
    const rows = linesMatching(out, /^ {4}(collatz|MLP)\b.* ms +[\d.]+ ms +[\d.]+x$/);
    expect(rows).toHaveLength(2);
    // 5: the swap keeps the traces and builds a plan per backend.
    if (/^wasm +yes/m.test(out)) {
      expect(out).toContain('>>> await tf.setBackend("cpu")');
      expect(out).toContain("plan of collatz on wasm");
      expect(out).toContain("plan of collatz on cpu");
      expect(out).toContain("Traces before and after the swap: 2 and 2");
    }
    // 6: Keras training with the progress bar and a test accuracy (or a clear skip without the dataset).
    if (!out.includes("Fashion-MNIST is not installed")) {
      expect(out).toMatch(/^8\/8 \[=+\] - .* - loss: [\d.]+ - accuracy: [\d.]+$/m);
      const accuracy = Number(/Test accuracy ([\d.]+)%/.exec(out)![1]);
      expect(accuracy).toBeGreaterThan(20); // 10 classes: chance is 10%; 512 images, one epoch
    }
    expect(out).toMatch(/Demo finished in [\d.]+ s/);
  });
});

describe("Fashion-MNIST example, smoke run", () => {
  it("trains one epoch on 256 images and prints a test accuracy", { timeout: EXAMPLE_TIMEOUT_MS }, async () => {
    const run = await runExample("fashion_mnist/train.mjs", ["--epochs", "1", "--limit", "256", "--test-limit", "256", "--verbose", "2"]);
    if (run.stderr.includes("Fashion-MNIST is not installed")) return; // the dataset is installed by npm test's set-up
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("train 256 images, test 256 images");
    expect(run.stdout).toMatch(/test accuracy [\d.]+%/);
  });
});
