import { defineConfig } from "vitest/config";
import { kilnTestConfig } from "../../vitest.shared.js";

const shared = kilnTestConfig(import.meta.url);

// The GPU tests share one software GPU: files run one at a time, in one process each.
export default defineConfig({
  ...shared,
  test: { ...shared.test, setupFiles: ["./test/setup.ts"], fileParallelism: false, testTimeout: 120_000, hookTimeout: 120_000 },
});
