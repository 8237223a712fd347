import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The file of an installed package's command, to run with `process.execPath` (no shell,
 * no PATH lookup).
 *
 * ```ts
 * binPath("size-limit", "size-limit"); // ".../node_modules/size-limit/bin.js"
 * ```
 */
export function binPath(pkg: string, command: string): string {
  const manifestPath = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  const { bin } = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin: string | Record<string, string> };
  return join(dirname(manifestPath), typeof bin === "string" ? bin : bin[command]!);
}
