import { defineConfig, mergeConfig } from "vitest/config";
import { kilnTestConfig } from "../../vitest.shared.js";

export default mergeConfig(defineConfig(kilnTestConfig(import.meta.url)), defineConfig({ test: { testTimeout: 300_000 } }));
