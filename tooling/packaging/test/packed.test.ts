import { describe, expect, inject, it } from "vitest";
import { exportTargets, type ExportsValue } from "../src/exports.js";
import { packedManifest, tarballFiles } from "../src/pack.js";
import { publishedPackages } from "../src/workspace.js";

// What `pnpm pack` puts in each tarball is what `pnpm publish` (and `changeset publish`,
// which calls it) uploads: the manifest after publishConfig and workspace: rewriting.

const packed = inject("packed");
const versions = new Map(publishedPackages().map((p) => [p.manifest.name, p.manifest.version]));

describe.each(packed.map((p) => [p.name, p] as const))("%s, packed", (_, { tarball }) => {
  it("has no workspace: ranges left: each Kiln dependency names the version being published", async () => {
    const manifest = await packedManifest(tarball);
    expect(JSON.stringify(manifest)).not.toContain("workspace:");
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"] as const) {
      for (const [name, range] of Object.entries(manifest[field] ?? {})) {
        if (versions.has(name)) expect(range, `${field}.${name}`).toBe(versions.get(name));
      }
    }
  });

  it("shows consumers no source condition: its exports resolve only to built files", async () => {
    const manifest = await packedManifest(tarball);
    expect(manifest.publishConfig).toBeUndefined();
    expect(JSON.stringify(manifest.exports)).not.toContain('"source"');
    for (const target of exportTargets(manifest.exports as ExportsValue)) {
      expect(target, "an export target").toMatch(/^\.\/(dist\/.*\.(js|d\.ts)|package\.json)$/);
    }
  });

  it("contains its LICENSE, README, and every file its exports, main and types point at, and no build info", async () => {
    const manifest = await packedManifest(tarball);
    const files = await tarballFiles(tarball);
    for (const file of ["LICENSE", "README.md", "package.json"]) expect(files.has(file), file).toBe(true);
    const targets = [...exportTargets(manifest.exports as ExportsValue), manifest.main!, manifest.types!];
    for (const target of targets) expect(files.has(target.replace(/^\.\//, "")), target).toBe(true);
    expect([...files.keys()].filter((file) => /tsbuildinfo|(^|\/)test\//.test(file))).toEqual([]);
  });
});
