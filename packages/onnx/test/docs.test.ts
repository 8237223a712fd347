/** The README's op mapping table is the one the code has (`onnxOpTable()`). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { onnxOpTable } from "../src/index.js";

describe("README", () => {
  it("lists every op mapping as the code does", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const table = /<!-- op-table:start -->\n([\s\S]*?)\n<!-- op-table:end -->/.exec(readme)?.[1];
    expect(table, "regenerate with: node --import tsx -e 'import(\"./src/index.ts\").then((m) => console.log(m.onnxOpTable()))'").toBe(onnxOpTable());
  });
});
