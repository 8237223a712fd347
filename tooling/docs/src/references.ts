import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A place in a file: `path:line`, and the text found there. */
export interface Reference {
  readonly at: string;
  readonly text: string;
}

const BINARY = /\.(wasm|png|jpg|gif|ico|gz|tgz|zip|woff2?)$/;

/** The repository's tracked text files (`git ls-files`), as paths relative to `root`. */
export function trackedTextFiles(root: string): string[] {
  const listed = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  return listed.split("\0").filter((path) => path !== "" && !BINARY.test(path) && path !== "pnpm-lock.yaml");
}

/** Every match of `pattern` (a global regular expression) in the given files, with its line. */
export function findAll(root: string, files: readonly string[], pattern: RegExp): Reference[] {
  const found: Reference[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(root, file), "utf8");
    } catch {
      continue; // listed but deleted in the working tree
    }
    for (const match of text.matchAll(pattern)) {
      const line = text.slice(0, match.index).split("\n").length;
      found.push({ at: `${file}:${line}`, text: match[0] });
    }
  }
  return found;
}

/**
 * The behaviour ids a `SPEC ...` citation names, with the section letter carried along a
 * list or range: `SPEC B11, B12` is B11 and B12, `SPEC J1, 4` is J1 and J4, `SPEC G5-G7`
 * is G5 and G7 (the ends of a range).
 *
 * ```ts
 * citedIds("SPEC C1, 3 and D4"); // ["C1", "C3", "D4"]
 * ```
 */
export function citedIds(citation: string): string[] {
  const ids: string[] = [];
  let letter = "";
  for (const [, section = "", number] of citation.replace(/^SPEC\s+/, "").matchAll(/([A-Z]?)(\d+)/g)) {
    if (section !== "") letter = section;
    ids.push(`${letter}${number}`);
  }
  return ids;
}

/** The ids the specification defines: its list items that start `- B1.` */
export function definedIds(spec: string): Set<string> {
  return new Set([...spec.matchAll(/^- ([A-Z]\d+)\./gm)].map((match) => match[1]!));
}
