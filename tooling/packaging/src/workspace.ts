import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** A package.json, as far as these checks read it. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  type?: string;
  main?: string;
  types?: string;
  exports?: Record<string, unknown>;
  publishConfig?: { exports?: Record<string, unknown>; [key: string]: unknown };
  files?: string[];
  sideEffects?: boolean | string[];
  engines?: Record<string, string>;
  repository?: { type: string; url: string; directory?: string };
  homepage?: string;
  bugs?: { url: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** One workspace package under packages/. */
export interface WorkspacePackage {
  /** Its folder name (`core`). */
  readonly folder: string;
  readonly dir: string;
  readonly manifest: Manifest;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
}

/**
 * Every package under packages/ that is published (its package.json is not `private`), so a
 * package added there is checked without editing these checks.
 *
 * ```ts
 * publishedPackages().map((p) => p.manifest.name); // ["@kiln/autograph", "@kiln/backend-cpu", "@kiln/core", "@kiln/keras"]
 * ```
 */
export function publishedPackages(): WorkspacePackage[] {
  const packagesDir = join(repoRoot, "packages");
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ folder: entry.name, dir: join(packagesDir, entry.name) }))
    .filter(({ dir }) => {
      try {
        return readManifest(dir).private !== true;
      } catch {
        return false; // a folder without package.json is no package
      }
    })
    .map(({ folder, dir }) => ({ folder, dir, manifest: readManifest(dir) }))
    .sort((a, b) => a.folder.localeCompare(b.folder));
}
