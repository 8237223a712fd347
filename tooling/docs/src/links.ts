import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import GithubSlugger from "github-slugger";
import type { Heading, Html, Nodes, Root } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { toString as textOf } from "mdast-util-to-string";

/** A link that does not resolve: where it is, what it points at, and why it fails. */
export interface BrokenLink {
  readonly file: string;
  readonly line: number;
  readonly url: string;
  readonly reason: string;
}

function* walk(node: Nodes): Generator<Nodes> {
  yield node;
  if ("children" in node) for (const child of node.children) yield* walk(child);
}

const anchorCache = new Map<string, Set<string>>();

/**
 * The anchors a markdown file defines: its headings' GitHub slugs (`## Two commands` is
 * `#two-commands`, repeats get `-1`, `-2`) and the `id`/`name` of HTML elements in it.
 */
export function anchorsOf(path: string): Set<string> {
  const cached = anchorCache.get(path);
  if (cached !== undefined) return cached;
  const tree = fromMarkdown(readFileSync(path, "utf8"));
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const node of walk(tree)) {
    if (node.type === "heading") anchors.add(slugger.slug(textOf(node as Heading)));
    if (node.type === "html") for (const m of (node as Html).value.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  anchorCache.set(path, anchors);
  return anchors;
}

/**
 * Checks every relative link, image and link definition of a markdown file, offline: the
 * target file or folder must exist in the working tree and, when the link has a `#fragment`
 * into markdown, the target must define that anchor. Links with a scheme (`https:`,
 * `mailto:`) are not checked; links inside code are not links.
 *
 * ```ts
 * brokenLinks("/repo", "README.md"); // [{ file: "README.md", line: 12, url: "docs/gone.md", reason: "no such file" }]
 * ```
 */
export function brokenLinks(root: string, file: string): BrokenLink[] {
  const path = join(root, file);
  const tree: Root = fromMarkdown(readFileSync(path, "utf8"));
  const broken: BrokenLink[] = [];
  for (const node of walk(tree)) {
    if (node.type !== "link" && node.type !== "image" && node.type !== "definition") continue;
    const url = node.url;
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith("//")) continue;
    const line = node.position?.start.line ?? 0;
    const [target = "", fragment] = url.split("#", 2);
    const decoded = decodeURIComponent(target);
    const resolved = decoded === "" ? path : decoded.startsWith("/") ? join(root, decoded) : resolve(dirname(path), decoded);
    if (!existsSync(resolved)) {
      broken.push({ file, line, url, reason: "no such file or folder" });
      continue;
    }
    if (fragment === undefined || !resolved.endsWith(".md") || !statSync(resolved).isFile()) continue;
    if (!anchorsOf(resolved).has(decodeURIComponent(fragment)))
      broken.push({ file, line, url, reason: `no heading or anchor #${fragment}` });
  }
  return broken;
}
