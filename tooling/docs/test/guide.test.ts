import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/repo.js";
import { pageSamples, runProgram, sampleProject, typecheckPrograms } from "../src/samples.js";

// Every TypeScript sample of the guides (docs/guide/*.md) runs as the guide tells readers to
// run it (tsx with AutoGraph's loader, on the built packages, after the page's setup block),
// and prints exactly the output the page shows after it. Error samples catch and print their
// error, so a sample that throws fails here. The samples also type-check (strict), as a
// TypeScript user who copies them would compile them.

const guideDir = join(repoRoot, "docs/guide");
// Pages with TypeScript samples (a page may have none, like the tfjs migration table).
const pages = readdirSync(guideDir).filter((file) => file.endsWith(".md") && pageSamples(join(guideDir, file)).samples.length > 0);
const project = sampleProject(join(repoRoot, "tooling/docs/node_modules"));
afterAll(() => project.dispose());

/** Output as the page shows it: no trailing spaces, no trailing blank lines. */
const tidy = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .trimEnd();

it("finds the samples of the tf.function guide", () => {
  expect(pages).toContain("tf-function.md");
});

describe.each(pages.map((page) => [page]))("docs/guide/%s", (page) => {
  const { setup, samples } = pageSamples(join(guideDir, page));

  it("type-checks every sample under strict", async () => {
    const programs = Object.fromEntries(samples.map((sample) => [`line${sample.line}`, `${setup}\n${sample.code}\n`]));
    expect(await typecheckPrograms(project.dir, `${page.replace(/\W/g, "_")}_typecheck`, programs)).toEqual([]);
  });

  describe.concurrent.each(samples.map((sample) => [sample.line, sample] as const))("the sample at line %i", (line, sample) => {
    it(sample.expected === undefined ? "runs" : "runs and prints what the page shows", async () => {
      const { code, output } = await runProgram(project.dir, `${page.replace(/\W/g, "_")}_${line}`, `${setup}\n${sample.code}\n`);
      expect(code, output).toBe(0);
      if (sample.expected !== undefined) expect(tidy(output)).toBe(tidy(sample.expected));
    });
  });
});
