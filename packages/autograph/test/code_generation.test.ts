import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { fixture, packageDir } from "./fixture_runs.js";

describe("run-time conversion where code generation is forbidden (a CSP without 'unsafe-eval')", () => {
  it("is a tf.CodeGenerationError naming the function and the ways that need no code generation, not a raw EvalError", () => {
    const output = execFileSync(
      process.execPath,
      ["--disallow-code-generation-from-strings", "--conditions=source", "--import", "tsx", fixture("csp_runtime_app.mjs")],
      { cwd: packageDir, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } },
    );
    const result = JSON.parse(output.trim().split("\n").at(-1)!) as { codeGenerationError: boolean; message: string };
    expect(result.codeGenerationError).toBe(true);
    expect(result.message).toMatch(/AutoGraph's run-time conversion of '.*' needs to compile JavaScript/);
    expect(result.message).toMatch(/@kiln\/autograph\/register.*@kiln\/autograph\/plugin.*autograph: false/);
    expect(result.message).toMatch(/EvalError/);
  });
});
