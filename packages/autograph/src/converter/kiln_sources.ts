/**
 * Which files the loader hook and the bundler plugin leave alone: dependencies
 * (node_modules) and Kiln's own sources, found by the nearest package.json's name, which
 * also covers a workspace where Kiln's packages are not under node_modules.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";

const packageNames = new Map<string, string | undefined>();

function nearestPackage(dir: string): { dir: string; name: string | undefined } | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (packageNames.has(current)) return { dir: current, name: packageNames.get(current) };
    const file = join(current, "package.json");
    if (existsSync(file)) {
      let name: string | undefined;
      try {
        name = (JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name;
      } catch {
        name = undefined;
      }
      packageNames.set(current, name);
      return { dir: current, name };
    }
    if (dirname(current) === current) return undefined;
  }
}

/** True for files the converter must not touch: dependencies and @kiln/* package sources. */
export function isLibraryFile(path: string): boolean {
  if (path.includes(`${sep}node_modules${sep}`) || path.includes("/node_modules/")) return true;
  const pkg = nearestPackage(dirname(path));
  if (pkg === undefined || pkg.name?.startsWith("@kiln/") !== true) return false;
  const inside = path.slice(pkg.dir.length + 1);
  return inside.startsWith(`src${sep}`) || inside.startsWith(`dist${sep}`);
}
