import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

const SKIPPED = new Set(["node_modules", "dist", ".git", ".turbo", ".test-reports", "coverage"]);

/**
 * Every markdown file of the repository (outside dependencies and build output), as paths
 * relative to `root`, sorted.
 *
 * ```ts
 * markdownFiles(repoRoot); // ["README.md", "docs/architecture.md", "docs/guide/tf-function.md", ...]
 * ```
 */
export function markdownFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIPPED.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith(".md")) found.push(relative(root, path));
    }
  };
  walk(root);
  return found.sort();
}
