import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "vite";
import { afterAll, describe, expect, it } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("bundling with Vite", () => {
  const outDir = mkdtempSync(join(tmpdir(), "kiln-wasm-bundle-"));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it("emits both binaries as assets and the bundle loads them from there", async () => {
    await build({
      root: packageDir,
      base: "./",
      configFile: false,
      logLevel: "silent",
      resolve: { conditions: ["source"] },
      build: {
        outDir,
        emptyOutDir: true,
        target: "es2022",
        rollupOptions: {
          input: join(packageDir, "test", "fixtures", "bundle_entry.ts"),
          preserveEntrySignatures: "strict",
          output: { format: "es", entryFileNames: "entry.js" },
        },
      },
    });
    const assets = readdirSync(join(outDir, "assets"));
    const simd = assets.find((f) => /^kiln-simd-[\w-]+\.wasm$/.test(f) && !f.startsWith("kiln-simd-threads"));
    expect(simd).toBeDefined();
    expect(assets.some((f) => f.startsWith("kiln-simd-threads"))).toBe(true);
    expect(readFileSync(join(outDir, "assets", simd!)).equals(readFileSync(join(packageDir, "wasm", "kiln-simd.wasm")))).toBe(true);
    const bundle = (await import(pathToFileURL(join(outDir, "entry.js")).href)) as { addOne(values: number[]): Promise<number[]> };
    expect(await bundle.addOne([1, 2, 3])).toEqual([2, 3, 4]);
  });
});
