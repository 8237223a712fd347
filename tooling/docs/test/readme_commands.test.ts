import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Code, Heading, RootContent } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { toString as textOf } from "mdast-util-to-string";
import { describe, expect, it } from "vitest";
import { printableLength, README_COMMANDS, withChecks } from "../../../scripts/fresh-clone.mjs";
import { repoRoot } from "../src/repo.js";

// CI (.ci/run) runs the README's two commands in a fresh clone with scripts/fresh-clone.mjs.
// That script names the commands; the README must list exactly those.

/** The shell commands of the first ```sh block under a heading, without comments. */
function commandsUnder(markdown: string, heading: string): string[] {
  const nodes: RootContent[] = fromMarkdown(markdown).children;
  const start = nodes.findIndex((node) => node.type === "heading" && textOf(node as Heading) === heading);
  const block = nodes.slice(start + 1).find((node): node is Code => node.type === "code" && node.lang === "sh");
  if (start < 0 || block === undefined) return [];
  return block.value
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line !== "");
}

describe("the README's two commands", () => {
  it("are the commands CI runs in a fresh clone", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    expect(commandsUnder(readme, "Two commands")).toEqual(README_COMMANDS.map((command) => command.join(" ")));
  });

  it("CI runs them through scripts/fresh-clone.mjs", () => {
    expect(readFileSync(join(repoRoot, ".ci/run"), "utf8")).toMatch(/^node scripts\/fresh-clone\.mjs$/m);
  });
});

describe("the fresh-clone step's closing line", () => {
  it("counts the demo as one more passed or failed check", () => {
    expect(withChecks("812 passed, 0 failed", [{ name: "npm run demo", ok: true }])).toBe("813 passed, 0 failed");
    expect(withChecks("812 passed, 0 failed", [{ name: "npm run demo", ok: false }])).toBe("812 passed, 1 failed");
    expect(withChecks("3 passed, 1 failed, 2 skipped", [{ name: "npm run demo", ok: true }])).toBe("4 passed, 1 failed, 2 skipped");
  });

  it("counts a test run that printed no closing line as a failure", () => {
    expect(withChecks("Error: install failed", [{ name: "npm run demo", ok: true }])).toBe("1 passed, 1 failed");
  });

  it("holds back the last non-blank line (the closing line) while passing the rest through", () => {
    const output = "== build\nbuilt\n812 passed, 0 failed\n\n";
    expect(output.slice(0, printableLength(output))).toBe("== build\nbuilt\n");
    expect(printableLength("one line, not yet complete")).toBe(0);
    expect(printableLength("a\nb\npartial")).toBe(2);
  });
});
