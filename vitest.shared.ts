import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { type Plugin, defaultClientConditions, defaultServerConditions } from "vite";
import type { ViteUserConfig } from "vitest/config";

/**
 * Node 20 cannot run TC39 decorators (`@tf.function` on a method) and Vite's own transform
 * leaves them in place, so test files that use them are lowered by TypeScript first (esbuild
 * rejects `@tf.function`, although a reserved word after the dot is valid decorator syntax).
 */
function lowerDecorators(): Plugin {
  return {
    name: "kiln:lower-decorators",
    enforce: "pre",
    transform(code, id) {
      if (!id.endsWith(".ts") || !/^\s*@[\w.]+/m.test(code)) return undefined;
      const result = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true, verbatimModuleSyntax: true },
      });
      return { code: result.outputText.replace(/\/\/# sourceMappingURL=.*$/m, ""), map: result.sourceMapText };
    },
  };
}

/**
 * Shared vitest settings for every package: tests resolve workspace packages from source
 * (the `source` export condition), and when KILN_TEST_REPORT_DIR is set each package also
 * writes a JSON report there so `.ci/run` can print one `N passed, N failed` line.
 */
export function kilnTestConfig(configUrl: string): ViteUserConfig {
  const packageDir = dirname(fileURLToPath(configUrl));
  const reportDir = process.env.KILN_TEST_REPORT_DIR;
  return {
    plugins: [lowerDecorators()],
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
