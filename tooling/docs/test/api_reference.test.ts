import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brokenHtmlLinks } from "../src/html_links.js";
import { publishedPackages } from "../src/packages.js";
import { repoRoot } from "../src/repo.js";

// The API reference, built as `pnpm docs` builds it (typedoc.config.mjs, warnings are
// errors), into a temporary folder; then every link between its pages, fragments included,
// must resolve.

const docsDir = join(repoRoot, "tooling/docs");
const out = mkdtempSync(join(tmpdir(), "kiln-api-"));
let build: { code: number; output: string };

describe("the API reference (TypeDoc)", () => {
  beforeAll(async () => {
    const typedoc = join(docsDir, "node_modules/typedoc/bin/typedoc");
    build = await promisify(execFile)(process.execPath, [typedoc, "--out", out], { cwd: docsDir, maxBuffer: 64 << 20 })
      .then(({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }))
      .catch((error) => ({ code: error.code ?? 1, output: `${error.stdout}${error.stderr}` }));
  }, 600_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("builds without errors or warnings", () => {
    expect(build.output.split("\n").filter((line) => /\[(warning|error)\]/.test(line))).toEqual([]);
    expect(build.code).toBe(0);
  });

  it.each(publishedPackages().map((p) => [p.manifest.name]))("documents %s", (name) => {
    const page = `modules/${name.replace(/[@/]/g, "_")}.html`; // @kiln/core: modules/_kiln_core.html
    expect(readFileSync(join(out, "modules.html"), "utf8"), "the list of packages links to its page").toContain(`href="${page}"`);
    expect(existsSync(join(out, page)), "its page").toBe(true);
  });

  it("has no broken link between its pages, anchors included", async () => {
    const { broken, checked } = await brokenHtmlLinks(out);
    expect(broken).toEqual([]);
    const pages = readdirSync(out, { recursive: true }).filter((file) => String(file).endsWith(".html")).length;
    expect(checked, "links checked (every page is reached)").toBeGreaterThan(pages);
  });
});

describe("the HTML link checker", () => {
  const site = mkdtempSync(join(tmpdir(), "kiln-site-"));
  afterAll(() => rmSync(site, { recursive: true, force: true }));

  it("reports a missing page and a missing anchor, and skips links off the site", async () => {
    mkdirSync(join(site, "sub"));
    writeFileSync(
      join(site, "index.html"),
      '<a href="sub/page.html#here">ok</a> <a href="gone.html">gone</a> <a href="sub/page.html#nowhere">no anchor</a> <a href="https://example.invalid/">off site</a>',
    );
    writeFileSync(join(site, "sub/page.html"), '<h2 id="here">Here</h2><a href="../index.html">back</a>');
    const { broken } = await brokenHtmlLinks(site);
    expect(broken).toEqual([
      { url: "/gone.html", parent: "/" },
      { url: "/sub/page.html#nowhere", parent: "/" },
    ]);
  });
});
