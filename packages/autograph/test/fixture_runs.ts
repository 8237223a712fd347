import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { esbuild as autograph } from "../src/plugin.js";

// Fixture apps run the way users run them: in a child Node process under the loader hook
// (`node --import @kiln/autograph/register app.mjs`; tsx and the "source" condition let it
// load the packages' TypeScript), or bundled with the esbuild plugin and run with plain node.
// Each app prints one JSON line last.

export const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** The path of a file in test/fixtures. */
export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const lastJsonLine = (output: string): unknown => JSON.parse(output.trim().split("\n").at(-1)!);

/** Runs a fixture app under the loader hook; `preload` modules are imported first (after tsx). */
export function runWithLoader(name: string, preload: readonly string[] = []): unknown {
  const imports = ["tsx", ...preload, "@kiln/autograph/register"].flatMap((m) => ["--import", m]);
  const output = execFileSync(process.execPath, ["--conditions=source", ...imports, fixture(name)], {
    cwd: packageDir,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return lastJsonLine(output);
}

/** Bundles a fixture app with the esbuild plugin and runs the bundle with plain node. */
export async function runBundled(name: string): Promise<unknown> {
  const outfile = join(mkdtempSync(join(tmpdir(), "kiln-autograph-")), "app.mjs");
  await build({
    entryPoints: [fixture(name)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    conditions: ["source"],
    logLevel: "silent",
    // Bundled CommonJS dependencies (Babel, for apps importing @kiln/autograph) require Node's modules.
    banner: { js: 'import { createRequire as __kilnRequire } from "node:module"; const require = __kilnRequire(import.meta.url);' },
    plugins: [autograph()],
  });
  return lastJsonLine(execFileSync(process.execPath, [outfile], { encoding: "utf8" }));
}
