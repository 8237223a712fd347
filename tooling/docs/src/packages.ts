import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repo.js";

/** What these checks read of a package.json. */
export interface Manifest {
  readonly name: string;
  readonly private?: boolean;
}

/**
 * The published packages (packages/* whose package.json is not `private`), which the API
 * reference documents; a package added there is covered without editing the checks.
 *
 * ```ts
 * publishedPackages().map((p) => p.manifest.name); // ["@kiln/autograph", "@kiln/backend-cpu", "@kiln/core", ...]
 * ```
 */
export function publishedPackages(): { dir: string; manifest: Manifest }[] {
  const packagesDir = join(repoRoot, "packages");
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const dir = join(packagesDir, entry.name);
      try {
        const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
        return manifest.private === true ? [] : [{ dir, manifest }];
      } catch {
        return []; // a folder without package.json is no package
      }
    })
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}
