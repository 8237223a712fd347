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
const project = (name: string, include: string[], extra: { exclude?: string[]; execArgv?: string[] } = {}) => ({
  plugins: base.plugins,
  resolve: base.resolve,
  ssr: base.ssr,
  test: { name, include, testTimeout: base.test?.testTimeout, ...extra },
});

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    projects: [
      project("wasm", ["test/**/*.test.ts"], { exclude: ["test/relaxed/**"] }),
      project("relaxed", ["test/relaxed/**/*.test.ts"], { execArgv: relaxedFlags }),
    ],
  },
});
