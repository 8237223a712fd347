import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { kilnTestConfig } from "../../vitest.shared.js";

// The browser test lives apart from the Node tests (`pnpm test` runs both configs); it
// writes its own report so CI counts it.
const shared = kilnTestConfig(import.meta.url);
const reportDir = process.env.KILN_TEST_REPORT_DIR;
const name = basename(dirname(fileURLToPath(import.meta.url)));

export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ["test-browser/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    ...(reportDir ? { outputFile: { json: `${reportDir}/${name}-browser.json` } } : {}),
  },
});
