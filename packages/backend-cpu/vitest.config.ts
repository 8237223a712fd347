import { defineConfig } from "vitest/config";
import { kilnTestConfig } from "../../vitest.shared.js";

const base = kilnTestConfig(import.meta.url);
const { reporters, outputFile, ...perProject } = base.test ?? {};

// Two projects: the usual run, and "csp", which runs the conformance suite in Node with
// --disallow-code-generation-from-strings: `new Function` then throws as it does in a page
// whose Content-Security-Policy lacks 'unsafe-eval', so cpu() must detect it and use its
// closure kernels. (Projects are spelled out rather than extended: extending would merge the
// include lists.)
export default defineConfig({
  ...base,
  test: {
    reporters,
    outputFile,
    projects: [
      { ...base, test: { ...perProject, name: "cpu", exclude: ["test/csp/**", "**/node_modules/**"] } },
      {
        ...base,
        test: { ...perProject, name: "csp", include: ["test/csp/**/*.test.ts"], execArgv: ["--disallow-code-generation-from-strings"] },
      },
    ],
  },
});
