import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { kilnTestConfig } from "../../vitest.shared.js";

const base = kilnTestConfig(import.meta.url);

/**
 * The relaxed-SIMD binaries' tests run in their own project. Node 20 runs relaxed SIMD only
 * with a V8 flag (newer engines by default, and may not know the flag), so that project's
 * workers get the flag exactly when this process cannot validate the relaxed binary.
 */
const relaxedBinary = readFileSync(new URL("./wasm/kiln-relaxed-simd.wasm", import.meta.url));
const relaxedFlags = WebAssembly.validate(relaxedBinary) ? [] : ["--experimental-wasm-relaxed-simd"];

/** A project: the shared plugins and resolution, its own files (extending would merge the include lists). */
const project = (
  name: string,
  include: string[],
  extra: { exclude?: string[]; execArgv?: string[]; env?: Record<string, string> } = {},
) => ({
  plugins: base.plugins,
  resolve: base.resolve,
  ssr: base.ssr,
  test: { name, include, testTimeout: base.test?.testTimeout, ...extra },
});

/** Tests that also run on the relaxed binaries: edge values of every kernel against cpu, and fused = unfused. */
const ALSO_RELAXED = ["test/elementwise_oracle.test.ts", "test/sigmoid.test.ts", "test/fusion.test.ts"];

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    projects: [
      project("wasm", ["test/**/*.test.ts"], { exclude: ["test/relaxed/**"], env: { KILN_WASM_RELAXED: "0" } }),
      project("relaxed", ["test/relaxed/**/*.test.ts", ...ALSO_RELAXED], { execArgv: relaxedFlags, env: { KILN_WASM_RELAXED: "1" } }),
    ],
  },
});
