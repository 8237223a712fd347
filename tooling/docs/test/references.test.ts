import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/repo.js";
import { citedIds, definedIds, findAll, trackedTextFiles } from "../src/references.js";

// References in code, tests and docs point at what the repository has: every SPEC citation
// names a behaviour docs/spec.md defines, and nothing cites documents or trackers a reader
// of the repository cannot open (the team's DESIGN notes, its issue numbers, shared/ files).

const files = trackedTextFiles(repoRoot).filter((file) => file !== "tooling/docs/test/references.test.ts");
const defined = definedIds(readFileSync(join(repoRoot, "docs/spec.md"), "utf8"));

describe("references", () => {
  it("every SPEC citation names a behaviour of docs/spec.md", () => {
    const citations = findAll(repoRoot, files, /\bSPEC\s+[A-M]\d+(?:\s*(?:,|-|–|\/|and)\s*[A-M]?\d+)*/g);
    expect(citations.length, "citations found").toBeGreaterThan(50);
    const unknown = citations.flatMap(({ at, text }) =>
      citedIds(text)
        .filter((id) => !defined.has(id))
        .map((id) => `${at}: ${id} (in "${text}")`),
    );
    expect(unknown).toEqual([]);
  });

  it("nothing cites documents or issues outside the repository", () => {
    const pattern = new RegExp(
      [
        String.raw`\bDESIGN(?: \d+|\.md)\b`,
        String.raw`\bfoundation issue\b`,
        String.raw`\b[Ii]ssue \d+\b`,
        String.raw`\bshared/[A-Z]+\.md\b`,
      ].join("|"),
      "g",
    );
    expect(findAll(repoRoot, files, pattern).map(({ at, text }) => `${at}: ${text}`)).toEqual([]);
  });
});

describe("citedIds", () => {
  it("carries the section letter along lists and ranges", () => {
    expect(citedIds("SPEC B11, B12")).toEqual(["B11", "B12"]);
    expect(citedIds("SPEC J1, 4 and D4")).toEqual(["J1", "J4", "D4"]);
    expect(citedIds("SPEC G5-G7")).toEqual(["G5", "G7"]);
  });
});
