import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import "@kiln/backend-cpu/register";
import { cpu } from "../src/index.js";

describe('import "@kiln/backend-cpu/register" (side-effect registration, as tfjs backends do)', () => {
  it("registers the cpu backend, which ops then run on with no further set-up", () => {
    expect(tf.listBackends()).toContain("cpu");
    const t = tf.tensor([1, 2, 3]).square();
    expect(t.arraySync()).toEqual([1, 4, 9]);
    expect(tf.getBackend()).toBe("cpu");
    t.dispose();
  });

  it("a second import, or an explicit registerBackend before it, registers nothing twice", async () => {
    await import("@kiln/backend-cpu/register");
    expect(tf.listBackends().filter((name) => name === "cpu")).toEqual(["cpu"]);
    expect(() => tf.registerBackend(cpu())).toThrow(/already registered/);
  });

  it("the package says register is its one module with side effects, so bundlers keep the import", async () => {
    const manifest = (await import("../package.json", { with: { type: "json" } })).default as { sideEffects: string[] };
    expect(manifest.sideEffects).toEqual(["./src/register.ts", "./dist/register.js"]);
  });
});
