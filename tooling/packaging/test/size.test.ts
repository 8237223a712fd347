import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { binPath } from "../src/bin.js";
import { repoRoot } from "../src/workspace.js";

// Size budgets (.size-limit.json in this package): what a browser bundle of Kiln costs,
// minified and brotli-compressed by size-limit's esbuild preset, tree-shaken through the
// packages' `sideEffects: false`. A change that grows past a budget fails here; raise the
// budget on purpose (and in the READMEs) or make the change smaller.

interface Budget {
  readonly name: string;
  readonly limit: string;
}
interface Measured {
  readonly name: string;
  readonly passed: boolean;
  readonly size: number;
  readonly sizeLimit: number;
}

const packageDir = join(repoRoot, "tooling/packaging");
const budgets = JSON.parse(readFileSync(join(packageDir, ".size-limit.json"), "utf8")) as Budget[];
const sizeLimit = binPath("size-limit", "size-limit");

describe("size budgets", () => {
  it("every budget holds", async () => {
    const result = await promisify(execFile)(process.execPath, [sizeLimit, "--json"], { cwd: packageDir }).catch((error) => error);
    const measured = JSON.parse(result.stdout) as Measured[];
    expect(measured.map((m) => m.name)).toEqual(budgets.map((b) => b.name));
    for (const m of measured) expect(m.size, `${m.name} (kB)`).toBeLessThanOrEqual(m.sizeLimit);
  });

  it.each([["README.md"], ["../../packages/core/README.md"]])("%s records every budget", (readme) => {
    const text = readFileSync(join(packageDir, readme), "utf8");
    for (const { name, limit } of budgets) expect(text, name).toMatch(new RegExp(`\\| ${escapeRegExp(name)} \\|.*\\| ${escapeRegExp(limit)} \\|`));
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
