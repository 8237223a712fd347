import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultClientConditions, defaultServerConditions } from "vite";
import type { ViteUserConfig } from "vitest/config";

/**
 * Shared vitest settings for every package: tests resolve workspace packages from source
 * (the `source` export condition), and when KILN_TEST_REPORT_DIR is set each package also
 * writes a JSON report there so `.ci/run` can print one `N passed, N failed` line.
 */
export function kilnTestConfig(configUrl: string): ViteUserConfig {
  const packageDir = dirname(fileURLToPath(configUrl));
  const reportDir = process.env.KILN_TEST_REPORT_DIR;
  return {
    resolve: { conditions: ["source", ...defaultClientConditions] },
    ssr: { resolve: { conditions: ["source", ...defaultServerConditions], externalConditions: ["source"] } },
    test: {
      include: ["test/**/*.test.ts"],
      testTimeout: 60_000,
      reporters: reportDir ? ["default", "json"] : ["default"],
      ...(reportDir ? { outputFile: { json: `${reportDir}/${basename(packageDir)}.json` } } : {}),
    },
  };
}
