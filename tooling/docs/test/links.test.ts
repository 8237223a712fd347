import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { brokenLinks } from "../src/links.js";
import { markdownFiles } from "../src/markdown_files.js";
import { repoRoot } from "../src/repo.js";

// Links in the repository's markdown (READMEs, docs/, changesets) resolve, offline:
// relative files and folders exist and #anchors name a heading of the target.

describe.each(markdownFiles(repoRoot).map((file) => [file]))("%s", (file) => {
  it("has no broken relative link or anchor", () => {
    expect(brokenLinks(repoRoot, file)).toEqual([]);
  });
});

describe("the link checker", () => {
  const root = mkdtempSync(join(tmpdir(), "kiln-links-"));
  mkdirSync(join(root, "docs"));
  writeFileSync(
    join(root, "docs/target.md"),
    '# Target\n\n## Shapes: when `x.shape[i]` is `null`\n\n## Twice\n\n## Twice\n\n<a id="custom"></a>\n',
  );
  const check = (markdown: string) => {
    writeFileSync(join(root, "page.md"), markdown);
    return brokenLinks(root, "page.md").map((b) => `${b.line}: ${b.url} (${b.reason})`);
  };

  it("accepts existing files, folders, headings (GitHub slugs, repeats numbered) and HTML anchors", () => {
    expect(
      check(
        [
          "[a](docs/target.md) [b](docs) [c](docs/target.md#shapes-when-xshapei-is-null)",
          "[d](docs/target.md#twice-1) [e](docs/target.md#custom) [f](#top) [g](/docs/target.md)",
          "[h]: docs/target.md#target",
          "",
          "# Top",
        ].join("\n"),
      ),
    ).toEqual([]);
  });

  it("reports a missing file and a missing anchor, with their lines", () => {
    expect(check("[a](docs/gone.md)\n\n[b](docs/target.md#nowhere) ![c](img/none.png)")).toEqual([
      "1: docs/gone.md (no such file or folder)",
      "3: docs/target.md#nowhere (no heading or anchor #nowhere)",
      "3: img/none.png (no such file or folder)",
    ]);
  });

  it("skips links with a scheme and text inside code", () => {
    expect(check("[a](https://example.com/gone) [b](mailto:x@y.z)\n\n`[c](gone.md)`\n\n```md\n[d](gone.md)\n```\n")).toEqual([]);
  });
});
