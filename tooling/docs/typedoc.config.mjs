// The API reference: `pnpm docs` (turbo's `docs` task) writes it to tooling/docs/dist/api
// (not committed). One TypeDoc run over every published package (packages/* that are not
// private), each documented from its TypeScript sources through its exports map.
//
// Warnings are errors: a {@link} that names nothing, a relative link to a file that does
// not exist, or a type a public signature names that its package does not export. A
// package's own typedoc.json lists `intentionallyNotExported`: the types its public
// signatures name on purpose without exporting them (runtime internals reachable through
// public fields, helper types of option objects); export any other such type, or list it
// there. Each typedoc.json also sets its source links from the repository's address
// (`sourceLinkTemplate`, `disableGit`): a fresh clone's git remote is a local path, which
// TypeDoc cannot turn into links and warns about. test/api_reference.test.ts builds the
// reference and checks its links.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const packagesDir = new URL("../../packages/", import.meta.url).pathname;
const published = readdirSync(packagesDir).filter((name) => {
  try {
    return JSON.parse(readFileSync(join(packagesDir, name, "package.json"), "utf8")).private !== true;
  } catch {
    return false;
  }
});

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  name: "Kiln",
  entryPointStrategy: "packages",
  entryPoints: published.map((name) => join(packagesDir, name)),
  readme: "api-index.md",
  out: "dist/api",
  excludePrivate: true,
  excludeInternal: true,
  treatWarningsAsErrors: true,
  // Shown as plain text: doc comments that quote other languages (onnx's protobuf schema).
  ignoredHighlightLanguages: ["protobuf"],
  validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: false, unusedMergeModuleWith: true },
};
