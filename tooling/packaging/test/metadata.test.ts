import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conditionMaps, type ExportsValue, withoutSource } from "../src/exports.js";
import { publishedPackages, readManifest, repoRoot } from "../src/workspace.js";

// What every published package declares, read from the workspace's package.json files:
// generic over packages/*, so a package added there is held to the same rules.

const root = readManifest(repoRoot);
const repositoryUrl = root.repository!.url; // git+https://github.com/<owner>/<repo>.git
const webUrl = repositoryUrl.replace(/^git\+/, "").replace(/\.git$/, "");
const license = readFileSync(join(repoRoot, "LICENSE"), "utf8");
const packages = publishedPackages();

describe("the repository", () => {
  it("has an Apache-2.0 LICENSE file at its root, matching the packages' license field", () => {
    expect(license).toContain("Apache License\n                           Version 2.0, January 2004");
    expect(root.license).toBe("Apache-2.0");
  });

  it("publishes at least core and the cpu backend", () => {
    expect(packages.map((p) => p.manifest.name)).toEqual(expect.arrayContaining(["@kiln/core", "@kiln/backend-cpu"]));
  });

  it("lists every published package as a dependency of these checks, so turbo builds them first", () => {
    const checks = readManifest(join(repoRoot, "tooling/packaging"));
    for (const { manifest } of packages) expect(checks.devDependencies?.[manifest.name], manifest.name).toBe("workspace:*");
  });
});

describe.each(packages.map((p) => [p.manifest.name, p] as const))("%s", (_, { folder, dir, manifest }) => {
  it("is Apache-2.0 and carries the same LICENSE file in its published files", () => {
    expect(manifest.license).toBe("Apache-2.0");
    expect(readFileSync(join(dir, "LICENSE"), "utf8")).toBe(license);
    expect(manifest.files).toEqual(expect.arrayContaining(["dist", "README.md", "LICENSE"]));
  });

  it("points at its folder in the repository, its README and the issue tracker", () => {
    expect(manifest.repository).toEqual({ type: "git", url: repositoryUrl, directory: `packages/${folder}` });
    expect(manifest.homepage).toBe(`${webUrl}/tree/main/packages/${folder}#readme`);
    expect(manifest.bugs).toEqual({ url: `${webUrl}/issues` });
  });

  it("needs Node 20.19 or newer (require() of ES modules) and is an ES module package", () => {
    expect(manifest.engines).toEqual({ node: ">=20.19.0" });
    expect(manifest.type).toBe("module");
  });

  it("declares its side effects: none, or the listed entry points, which exist", () => {
    const { sideEffects } = manifest;
    if (sideEffects === false) return;
    expect(Array.isArray(sideEffects), "sideEffects is false or a list of files").toBe(true);
    for (const file of sideEffects as string[]) {
      if (file.startsWith("./src/")) expect(existsSync(join(dir, file)), file).toBe(true);
    }
  });

  it("exports types first, then import and default (so require() works too), for every entry", () => {
    for (const { path, conditions } of conditionMaps(manifest.exports as ExportsValue)) {
      const keys = Object.keys(conditions).filter((key) => key !== "source");
      if (keys.length === 1 && keys[0] === "default") continue;
      const nested = keys.filter((key) => typeof conditions[key] === "object");
      const leaf = keys.filter((key) => !nested.includes(key));
      expect(leaf, path).toEqual(["types", "import", "default"]);
      expect(conditions.default, path).toBe(conditions.import);
    }
  });

  it("publishes its exports map without the workspace-only source condition", () => {
    expect(manifest.publishConfig?.exports, "publishConfig.exports must be the exports map without `source`").toEqual(
      withoutSource(manifest.exports as ExportsValue),
    );
    expect(JSON.stringify(manifest.publishConfig?.exports)).not.toContain('"source"');
  });
});
