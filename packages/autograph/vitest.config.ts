import { defineConfig, mergeConfig } from "vitest/config";
import { kilnTestConfig } from "../../vitest.shared.js";
import { vite as autograph } from "./src/plugin.js";

// Test files that trace converted functions use the bundler plugin, as a Vite user would:
// Vite rewrites imports (tf.range becomes __vite_ssr_import_0__.range), so conversion from
// fn.toString() at run time could not see them. The run-time fallback has its own tests.
export default mergeConfig(
  defineConfig(kilnTestConfig(import.meta.url)),
  defineConfig({
    plugins: [autograph({ include: (id) => /\/test\/(graph|readme_collatz|async_backend|loop_options|tf_autograph)\.test\.ts$/.test(id) })],
  }),
);
