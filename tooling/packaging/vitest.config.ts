import { defineConfig, mergeConfig } from "vitest/config";
import { kilnTestConfig } from "../../vitest.shared.js";

// Packs every published package once (globalSetup) and checks the tarballs.
export default mergeConfig(
  defineConfig(kilnTestConfig(import.meta.url)),
  defineConfig({ test: { globalSetup: ["./test/pack_all.ts"], testTimeout: 180_000, hookTimeout: 300_000 } }),
);
