import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { bundleFixture, packageDir } from "./bundle.js";

describe("bundling with Vite", () => {
  const outDir = mkdtempSync(join(tmpdir(), "kiln-wasm-bundle-"));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it("emits all four binaries as assets and the bundle loads them from there", async () => {
    await bundleFixture(outDir);
    const assets = readdirSync(join(outDir, "assets"));
    // Vite names an asset <name>-<hash>.wasm; the hash has no "-threads" in it.
    for (const name of ["kiln-simd", "kiln-simd-threads", "kiln-relaxed-simd", "kiln-relaxed-simd-threads"]) {
      const asset = assets.find((f) => f.startsWith(`${name}-`) && !f.slice(name.length + 1).startsWith("threads"));
      expect(asset, name).toBeDefined();
      expect(readFileSync(join(outDir, "assets", asset!)).equals(readFileSync(join(packageDir, "wasm", `${name}.wasm`))), name).toBe(true);
    }
    const bundle = (await import(pathToFileURL(join(outDir, "entry.js")).href)) as {
      addOne(values: number[]): Promise<{ values: number[] }>;
    };
    expect((await bundle.addOne([1, 2, 3])).values).toEqual([2, 3, 4]);
  });
});
