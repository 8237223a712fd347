import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpu } from "@kiln/backend-cpu";
import { opsNeedingKernels } from "@kiln/conformance";
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { cDialect, renderKernel } from "../src/dialect/c_dialect.js";
import { scalarKernelVariants } from "../src/dialect/kernel_catalog.js";
import { ELEMENTWISE_KERNEL_KEYS } from "../src/generated/elementwise_keys.js";
import { wasm } from "../src/index.js";

const names = (plugin: tf.BackendPlugin) => new Set(plugin.kernels.map((k) => (typeof k.op === "string" ? k.op : k.op.name)));

describe("wasm kernel coverage", () => {
  it("has a kernel for every op in core's op table that the runtime does not execute itself", () => {
    const wasmOps = names(wasm());
    expect(opsNeedingKernels().length).toBeGreaterThan(100);
    expect(
      opsNeedingKernels()
        .map((op) => op.name)
        .filter((name) => !wasmOps.has(name)),
    ).toEqual([]);
  });

  it("has a kernel for every op the cpu backend has (plan-only optional ops aside)", () => {
    const wasmOps = names(wasm());
    const optional = new Set(tf.planOnlyOps().map((op) => op.name));
    expect([...names(cpu())].filter((name) => !wasmOps.has(name) && !optional.has(name))).toEqual([]);
  });

  it("its C dialect writes every scalar function of core's table", () => {
    expect(tf.missingTemplates(cDialect)).toEqual([]);
  });

  it("the binaries contain exactly the kernels core's scalar table renders to today", () => {
    const keys = new Set(scalarKernelVariants().map((v) => renderKernel(v.kernel).key));
    expect([...keys].filter((key) => !ELEMENTWISE_KERNEL_KEYS.includes(key))).toEqual([]);
    expect(ELEMENTWISE_KERNEL_KEYS.filter((key) => !keys.has(key))).toEqual([]);
  });

  it("the committed binaries were built from the current C sources (build stamp)", () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), "..", "scripts", "build-wasm.mjs");
    const result = spawnSync(process.execPath, [script, "--check-stamp"], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});
