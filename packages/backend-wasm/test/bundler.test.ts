import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { bundleFixture, packageDir } from "./bundle.js";

describe("bundling with Vite", () => {
  const outDir = mkdtempSync(join(tmpdir(), "kiln-wasm-bundle-"));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it("emits both binaries as assets and the bundle loads them from there", async () => {
    await bundleFixture(outDir);
    const assets = readdirSync(join(outDir, "assets"));
    const simd = assets.find((f) => /^kiln-simd-[\w-]+\.wasm$/.test(f) && !f.startsWith("kiln-simd-threads"));
    expect(simd).toBeDefined();
    expect(assets.some((f) => f.startsWith("kiln-simd-threads"))).toBe(true);
    expect(readFileSync(join(outDir, "assets", simd!)).equals(readFileSync(join(packageDir, "wasm", "kiln-simd.wasm")))).toBe(true);
    const bundle = (await import(pathToFileURL(join(outDir, "entry.js")).href)) as {
      addOne(values: number[]): Promise<{ values: number[] }>;
    };
    expect((await bundle.addOne([1, 2, 3])).values).toEqual([2, 3, 4]);
  });
});
