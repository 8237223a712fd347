import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { packageDir } from "./fixture_runs.js";

// SPEC G8: the README's toCode example runs as written (its import path and call), in a
// child Node process, and prints what the README says it prints (the `// ` lines after it).

it("the README's autograph.toCode example runs as written and prints the documented output", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.includes("autograph.toCode("));
  expect(block).toBeDefined();
  const lines = block!.trimEnd().split("\n");
  const printed = lines.map((l) => l.includes("console.log(")).lastIndexOf(true);
  const documented = lines.slice(printed + 1).map((l) => l.replace(/^\/\/ /, ""));
  const output = execFileSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "--input-type=module", "--eval", lines.slice(0, printed + 1).join("\n")],
    { cwd: packageDir, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } },
  );
  expect(output.trimEnd().split("\n")).toEqual(documented);
}, 60_000);
