import { defineConfig } from "vitest/config";
import { kilnTestConfig } from "../../vitest.shared.js";

// Node tests of the program loader and analysis, and the browser test (test/browser.test.ts),
// which drives Debian's chromium over the built playground (`vite build` runs first: see
// package.json's test script).
export default defineConfig(kilnTestConfig(import.meta.url));
