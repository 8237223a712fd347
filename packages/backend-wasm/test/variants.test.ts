import { BackendError } from "@kiln/core";
import { describe, expect, it } from "vitest";
import { binaryFile, defaultBinaryUrl, isRelaxed, isThreaded, type WasmVariant } from "../src/runtime/binaries.js";
import { detectFeatures, type WasmFeatures } from "../src/runtime/features.js";
import { chooseVariant } from "../src/runtime/module.js";

const ALL: WasmFeatures = { simd: true, relaxedSimd: true, threads: true };
const NO_RELAXED: WasmFeatures = { simd: true, relaxedSimd: false, threads: true };
const NO_THREADS: WasmFeatures = {
  simd: true,
  relaxedSimd: true,
  threads: false,
  threadsUnavailable: "the page is not cross-origin isolated",
};

describe("choosing the binary", () => {
  it("takes threads when more than one is wanted and the engine has them, relaxed SIMD when the engine runs it", () => {
    expect(chooseVariant(ALL, 2, {})).toBe("relaxed-simd-threads");
    expect(chooseVariant(ALL, 1, {})).toBe("relaxed-simd");
    expect(chooseVariant(NO_RELAXED, 2, {})).toBe("simd-threads");
    expect(chooseVariant(NO_RELAXED, 1, {})).toBe("simd");
    expect(chooseVariant(NO_THREADS, 4, {})).toBe("relaxed-simd");
  });

  it("relaxedSimd: false keeps the binaries whose results are the same bits on every machine", () => {
    expect(chooseVariant(ALL, 2, { relaxedSimd: false })).toBe("simd-threads");
    expect(chooseVariant(ALL, 1, { relaxedSimd: false })).toBe("simd");
  });

  it("binaryUrls that list only the plain binaries keep the app on them; listing a relaxed one allows it", () => {
    const plainOnly = { simd: "/assets/kiln-simd.wasm", "simd-threads": "/assets/kiln-simd-threads.wasm" };
    expect(chooseVariant(ALL, 2, { binaryUrls: plainOnly })).toBe("simd-threads");
    expect(chooseVariant(ALL, 1, { binaryUrls: plainOnly })).toBe("simd");
    expect(chooseVariant(ALL, 2, { binaryUrls: { ...plainOnly, "relaxed-simd-threads": "/assets/r.wasm" } })).toBe("relaxed-simd-threads");
    expect(chooseVariant(ALL, 1, { binaryUrls: { ...plainOnly, "relaxed-simd-threads": "/assets/r.wasm" } })).toBe("simd");
  });

  it("a forced variant is used as given, or rejected with a BackendError that says what the engine lacks", () => {
    for (const variant of ["simd", "simd-threads", "relaxed-simd", "relaxed-simd-threads"] as const) {
      expect(chooseVariant(ALL, 1, { variant })).toBe(variant);
    }
    expect(() => chooseVariant(NO_RELAXED, 1, { variant: "relaxed-simd" })).toThrow(BackendError);
    expect(() => chooseVariant(NO_RELAXED, 1, { variant: "relaxed-simd" })).toThrow(/relaxed SIMD.*use "simd"/);
    expect(() => chooseVariant(NO_THREADS, 2, { variant: "simd-threads" })).toThrow(
      /cannot run here: the page is not cross-origin isolated/,
    );
  });

  it("names each binary's file and threading", () => {
    const variants: WasmVariant[] = ["simd", "simd-threads", "relaxed-simd", "relaxed-simd-threads"];
    expect(variants.map(binaryFile)).toEqual([
      "kiln-simd.wasm",
      "kiln-simd-threads.wasm",
      "kiln-relaxed-simd.wasm",
      "kiln-relaxed-simd-threads.wasm",
    ]);
    expect(variants.map(isThreaded)).toEqual([false, true, false, true]);
    expect(variants.map(isRelaxed)).toEqual([false, false, true, true]);
    for (const variant of variants) expect(defaultBinaryUrl(variant).pathname.endsWith(`/wasm/${binaryFile(variant)}`)).toBe(true);
  });

  it("detects relaxed SIMD exactly when the engine validates the relaxed binary", async () => {
    const { readFile } = await import("node:fs/promises");
    const relaxed = await readFile(defaultBinaryUrl("relaxed-simd"));
    expect(detectFeatures().relaxedSimd).toBe(WebAssembly.validate(relaxed));
  });
});
