/**
 * The seed examples (examples/seeds, examples/keras) run as a user runs them, and print
 * what TensorFlow's guides show (SPEC B1, D1, E1, F1, G3, H2, H3, H5, I2, I3, J2).
 */
import { describe, expect, it } from "vitest";
import { EXAMPLE_TIMEOUT_MS, linesMatching, runExample } from "./run_example.js";

describe("seed examples", () => {
  it("tf_cube: the trace log of SPEC B1/D1, the (None, 2) relaxation, and the E1 warning on the 5th trace", {
    timeout: EXAMPLE_TIMEOUT_MS,
  }, async () => {
    const run = await runExample("seeds/tf_cube.mjs");
    expect(run.code).toBe(0);
    expect(linesMatching(run.stdout, /^x = /)).toEqual([
      'x = Tensor("x:0", shape=(), dtype=float32)',
      "x = 2",
      "x = 3",
      'x = Tensor("x:0", shape=(1, 2), dtype=float32)',
      'x = Tensor("x:0", shape=(None, 2), dtype=float32)',
    ]);
    expect(run.stdout).toContain("tracingCount: 5");
    expect(run.stdout).toContain("trace 5: x: shape (1, 2) -> (2, 2); relaxed x to (None, 2)");
    expect(run.stdout).toContain("<Operation 'pow' type=Pow>");
    expect(run.stdout).toContain("same object as the relaxed trace: true");
    expect(run.stderr).toMatch(/5 out of the last 6 calls to tfCube triggered retracing/);
  });

  it("shrink: one trace for [null, 28, 28], and a TypeError naming the input and the signature (SPEC F1, F2)", {
    timeout: EXAMPLE_TIMEOUT_MS,
  }, async () => {
    const run = await runExample("seeds/shrink.mjs");
    expect(run.code).toBe(0);
    expect(linesMatching(run.stdout, /^Tracing /)).toEqual(['Tracing Tensor("images:0", shape=(None, 28, 28), dtype=float32)']);
    expect(run.stdout).toContain("shape [100,14,14]");
    expect(run.stdout).toContain("shape [50,14,14]");
    expect(run.stdout).toContain("tracingCount: 1");
    expect(run.stdout).toMatch(/TypeError: shrink: .*shape \(2, 2, 2\).*TensorSpec\(shape=\(None, 28, 28\), dtype=float32/);
  });

  it("add_10: a JS loop unrolls into ten AddV2, a tf.range loop is one While (SPEC G3)", { timeout: EXAMPLE_TIMEOUT_MS }, async () => {
    const run = await runExample("seeds/add_10.mjs");
    expect(run.code).toBe(0);
    const [jsLoop, tensorLoop] = run.stdout.split("for (const i of tf.range(10))");
    expect(linesMatching(jsLoop!, /^<Operation 'add(_\d)?' type=AddV2>$/)).toHaveLength(10);
    expect(jsLoop).not.toContain("While");
    expect(linesMatching(tensorLoop!, /^<Operation .* type=\w*While>$/)).toHaveLength(1);
    expect(linesMatching(tensorLoop!, /^<Operation .* type=AddV2>$/)).toHaveLength(0);
    expect(linesMatching(run.stdout, /^tf\.Tensor\(15, shape=\(\), dtype=int32\)$/)).toHaveLength(2);
  });

  it("counter: passed and captured variables are resource inputs, assignments run every call, methods per instance (SPEC H2, H3, H5)", {
    timeout: EXAMPLE_TIMEOUT_MS,
  }, async () => {
    const run = await runExample("seeds/counter.mjs");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("passed:   after increment(counter) twice, counter = 2");
    expect(run.stdout).toContain('input_arg { name: "counter" type: DT_RESOURCE }');
    expect(run.stdout).toContain("captured: after increment() twice, counter = 2");
    expect(run.stdout).toContain('input_arg { name: "assignaddvariableop_resource" type: DT_RESOURCE }');
    expect(run.stdout).toContain("c.increment() -> 1, c.increment() -> 2");
    expect(run.stdout).toContain("d.increment() -> 1");
  });

  it("custom training loop: one trace for every step, the loss falls, the max-norm constraint holds (SPEC J2)", {
    timeout: EXAMPLE_TIMEOUT_MS,
  }, async () => {
    const run = await runExample("keras/custom_training_loop.mjs", ["--quick"]);
    expect(run.code).toBe(0);
    const losses = linesMatching(run.stdout, /^Epoch /).map((line) => Number(/loss: ([\d.]+)/.exec(line)![1]));
    expect(losses).toHaveLength(2);
    expect(losses[1]).toBeLessThan(losses[0]!);
    expect(run.stdout).toContain("train_step traced 1 time(s) for 128 steps");
    const norm = Number(/output kernel norm ([\d.]+)/.exec(run.stdout)![1]);
    expect(norm).toBeLessThanOrEqual(1 + 1e-4);
  });

  it("Keras dynamic and runEagerly: call runs per trace when traced, per batch otherwise; dynamic + runEagerly: false is an error (SPEC I2, I3)", {
    timeout: EXAMPLE_TIMEOUT_MS,
  }, async () => {
    const run = await runExample("keras/dynamic_and_run_eagerly.mjs");
    expect(run.code).toBe(0);
    const sections = run.stdout.split(/\n(?=\S)/).filter((s) => s.trim() !== "");
    const callsPerEpoch = (section: string) =>
      section
        .split("  epoch ")
        .slice(1)
        .map((epoch) => linesMatching(epoch, /LoggingDense\.call/).length);
    expect(sections[0]).toMatch(/^Traced/);
    expect(callsPerEpoch(sections[0]!)).toEqual([2, 0]);
    expect(sections[0]).toContain("input shape (None, 8)");
    expect(callsPerEpoch(sections[1]!)).toEqual([4, 4]);
    expect(callsPerEpoch(sections[2]!)).toEqual([4, 4]);
    expect(sections[2]).toContain("model.runEagerly = true");
    expect(sections[3]).toMatch(/ConfigError: compile: layer .* is dynamic/);
  });
});
