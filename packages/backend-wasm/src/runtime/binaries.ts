import { isNode } from "./features.js";

/**
 * The four binaries: SIMD128 on one thread, SIMD128 with threads on shared memory, and
 * each of those with relaxed SIMD (fused multiply-add in the polynomials of exp, tanh,
 * sigmoid and their kin).
 */
export type WasmVariant = "simd" | "simd-threads" | "relaxed-simd" | "relaxed-simd-threads";

const FILES: Readonly<Record<WasmVariant, string>> = {
  simd: "kiln-simd.wasm",
  "simd-threads": "kiln-simd-threads.wasm",
  "relaxed-simd": "kiln-relaxed-simd.wasm",
  "relaxed-simd-threads": "kiln-relaxed-simd-threads.wasm",
};

/** Whether a variant runs worker threads on shared memory. */
export function isThreaded(variant: WasmVariant): boolean {
  return variant.endsWith("-threads");
}

/** Whether a variant needs relaxed SIMD. */
export function isRelaxed(variant: WasmVariant): boolean {
  return variant.startsWith("relaxed-");
}

/**
 * Where a binary is, by default: `wasm/<file>` of this package, resolved relative to this
 * module (src/runtime or dist/runtime), so Node finds the package's file and bundlers
 * (Vite, esbuild with a file loader) see a `new URL(..., import.meta.url)` they rewrite
 * (one literal per file, which is why this is a switch).
 *
 * ```ts
 * defaultBinaryUrl("simd").href; // file:///.../backend-wasm/wasm/kiln-simd.wasm
 * ```
 */
export function defaultBinaryUrl(variant: WasmVariant): URL {
  switch (variant) {
    case "simd":
      return new URL("../../wasm/kiln-simd.wasm", import.meta.url);
    case "simd-threads":
      return new URL("../../wasm/kiln-simd-threads.wasm", import.meta.url);
    case "relaxed-simd":
      return new URL("../../wasm/kiln-relaxed-simd.wasm", import.meta.url);
    case "relaxed-simd-threads":
      return new URL("../../wasm/kiln-relaxed-simd-threads.wasm", import.meta.url);
  }
}

/** The file name of a variant's binary. */
export function binaryFile(variant: WasmVariant): string {
  return FILES[variant];
}

/**
 * Compiles a binary: from the file system in Node (file: URLs), otherwise with
 * `fetch` + `compileStreaming` (falling back to `compile` when the server sends another
 * MIME type than application/wasm).
 */
export async function compileBinary(url: URL | string): Promise<WebAssembly.Module> {
  const href = typeof url === "string" ? url : url.href;
  if (isNode() && href.startsWith("file:")) {
    // Kept out of static imports so browser bundles never see node: modules.
    const fsName = "node:fs/promises";
    const urlName = "node:url";
    const fs = (await import(/* @vite-ignore */ fsName)) as typeof import("node:fs/promises");
    const { fileURLToPath } = (await import(/* @vite-ignore */ urlName)) as typeof import("node:url");
    return WebAssembly.compile(await fs.readFile(fileURLToPath(href)));
  }
  const response = await fetch(href);
  if (!response.ok) throw new Error(`could not fetch ${href}: HTTP ${response.status}`);
  if (typeof WebAssembly.compileStreaming === "function" && response.headers.get("content-type")?.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}
