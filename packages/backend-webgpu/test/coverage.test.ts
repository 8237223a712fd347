import * as tf from "@kiln/core";
import { opsNeedingKernels } from "@kiln/conformance";
import { describe, expect, it } from "vitest";
import { webgpu } from "../src/index.js";

// SPEC L4: every core op has a kernel on every Kiln backend. This checks the registrations
// themselves, so it runs on machines without any GPU; the conformance suite's coverage test
// checks the same through the live registry where a GPU (or SwiftShader) exists.
describe("kernel coverage without a device (SPEC L4)", () => {
  it("the plugin registers a compiled kernel for every core op that needs one, under its own name", () => {
    const plugin = webgpu({ name: "webgpu-coverage" });
    const registered = new Set(plugin.kernels.map((k) => (typeof k.op === "string" ? k.op : k.op.name)));
    const ops = opsNeedingKernels();
    expect(ops.length).toBeGreaterThan(100);
    expect(ops.filter((op) => !registered.has(op.name)).map((op) => op.name)).toEqual([]);
    expect(plugin.kernels.every((k) => k.backend === "webgpu-coverage" && "compile" in k)).toBe(true);
  });

  it("registers nothing that is not a core op", () => {
    const known = new Set(tf.coreOps().map((op) => op.name));
    const extra = webgpu()
      .kernels.map((k) => (typeof k.op === "string" ? k.op : k.op.name))
      .filter((name) => !known.has(name));
    expect(extra).toEqual([]);
  });
});
