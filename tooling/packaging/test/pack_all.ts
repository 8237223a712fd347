import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { type PackedPackage, packPackage } from "../src/pack.js";
import { publishedPackages } from "../src/workspace.js";

declare module "vitest" {
  export interface ProvidedContext {
    packed: PackedPackage[];
    packDir: string;
  }
}

/**
 * Packs every published package once for all test files, from its built `dist` (the test
 * task runs after the packages' builds; run `pnpm build` first when running this alone).
 */
export default function setup(project: TestProject): () => void {
  const packDir = mkdtempSync(join(tmpdir(), "kiln-packed-"));
  const packages = publishedPackages();
  const unbuilt = packages.filter((pkg) => !existsSync(join(pkg.dir, "dist")));
  if (unbuilt.length > 0) throw new Error(`build these packages first (pnpm build): ${unbuilt.map((p) => p.manifest.name).join(", ")}`);
  project.provide("packed", packages.map((pkg) => packPackage(pkg, packDir)));
  project.provide("packDir", packDir);
  return () => rmSync(packDir, { recursive: true, force: true });
}
