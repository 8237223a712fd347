import { fileURLToPath } from "node:url";
import { defineConfig, mergeConfig } from "vitest/config";
import { kilnTestConfig } from "../../vitest.shared.js";

// Core's behaviour tests (tf.function, memory, backend swapping) run on the cpu oracle.
// @kiln/core must not depend on a backend package, so tests alias it from source instead.
export default mergeConfig(
  defineConfig(kilnTestConfig(import.meta.url)),
  defineConfig({ resolve: { alias: { "@kiln/backend-cpu": fileURLToPath(new URL("../backend-cpu/src/index.ts", import.meta.url)) } } }),
);
