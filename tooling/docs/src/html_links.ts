import { resolve } from "node:path";
import { check, LinkState } from "linkinator";

/** A link of a built site that does not resolve, as a path inside the folder (`/classes/Gone.html#x`), and a page that links to it (`/` for the root page). */
export interface BrokenHtmlLink {
  readonly url: string;
  readonly parent: string;
}

/**
 * Crawls a folder of HTML pages (served locally by linkinator) from its `index.html` and
 * checks every link between them, `#fragment`s included; links off the site (any other
 * origin) are not followed, so the check runs offline.
 *
 * ```ts
 * await brokenHtmlLinks("dist/api"); // { broken: [{ url: "/classes/Gone.html", parent: "/" }], checked: 949 }
 * ```
 */
export async function brokenHtmlLinks(folder: string): Promise<{ broken: BrokenHtmlLink[]; checked: number }> {
  let origin: string | undefined;
  const result = await check({
    path: folder,
    recurse: true,
    checkFragments: true,
    concurrency: 20,
    linksToSkip: async (link) => {
      origin ??= new URL(link).origin; // the first link linkinator asks about is its own server's root page
      return !link.startsWith(`${origin}/`);
    },
  });
  // linkinator reports local links as file paths (`/abs/folder/classes/X.html`, the root page as `/abs/folder`).
  const root = resolve(folder);
  const inFolder = (url = "") => (url.startsWith(root) ? url.slice(root.length) || "/" : url);
  const broken = new Map<string, BrokenHtmlLink>();
  for (const link of result.links) {
    if (link.state === LinkState.BROKEN && !broken.has(inFolder(link.url)))
      broken.set(inFolder(link.url), { url: inFolder(link.url), parent: inFolder(link.parent) });
  }
  return {
    broken: [...broken.values()].sort((a, b) => a.url.localeCompare(b.url)),
    checked: result.links.filter((link) => link.state === LinkState.OK).length,
  };
}
