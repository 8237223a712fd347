import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import "@kiln/backend-wasm/register";
import { type WasmBackend, wasm } from "../src/index.js";

describe('import "@kiln/backend-wasm/register" (side-effect registration, as tfjs backends do)', () => {
  it("registers the wasm backend, which becomes active once ready, with no further set-up", async () => {
    expect(tf.listBackends()).toContain("wasm");
    await tf.ready();
    expect(tf.getBackend()).toBe("wasm");
    expect((tf.backend() as WasmBackend).info.variant).toMatch(/^(relaxed-)?simd/);
    const t = tf.tensor([1, 2, 3]).square();
    expect(t.arraySync()).toEqual([1, 4, 9]);
    t.dispose();
  });

  it("a second import, or an explicit registerBackend before it, registers nothing twice", async () => {
    await import("@kiln/backend-wasm/register");
    expect(tf.listBackends().filter((name) => name === "wasm")).toEqual(["wasm"]);
    expect(() => tf.registerBackend(wasm())).toThrow(/already registered/);
  });

  it("the package says register is its one module with side effects, so bundlers keep the import", async () => {
    const manifest = (await import("../package.json", { with: { type: "json" } })).default as { sideEffects: string[] };
    expect(manifest.sideEffects).toEqual(["./src/register.ts", "./dist/register.js"]);
  });
});
