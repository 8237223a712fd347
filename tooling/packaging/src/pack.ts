import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { unpack } from "@publint/pack";
import type { Manifest, WorkspacePackage } from "./workspace.js";

/** A package as `pnpm pack` (and so `pnpm publish` and `changeset publish`) would publish it. */
export interface PackedPackage {
  readonly name: string;
  readonly folder: string;
  /** The .tgz file. */
  readonly tarball: string;
}

/**
 * The command that runs pnpm: the pnpm running this script when there is one (`pnpm test`,
 * turbo under `npm test`), else `pnpm` from PATH.
 */
export function pnpmCommand(): [string, string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && /pnpm/.test(execPath)) return [process.execPath, [execPath]];
  return ["pnpm", []];
}

/**
 * Packs one workspace package into `destination` with `pnpm pack`, which applies
 * `publishConfig` and rewrites `workspace:` ranges exactly as publishing does.
 *
 * ```ts
 * packPackage(core, "/tmp/packed"); // { name: "@kiln/core", tarball: "/tmp/packed/kiln-core-0.0.0.tgz", ... }
 * ```
 */
export function packPackage(pkg: WorkspacePackage, destination: string): PackedPackage {
  const [command, prefix] = pnpmCommand();
  const output = execFileSync(command, [...prefix, "pack", "--json", "--pack-destination", destination], {
    cwd: pkg.dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { filename } = JSON.parse(output) as { filename: string };
  return { name: pkg.manifest.name, folder: pkg.folder, tarball: filename };
}

/** The files of a packed tarball, by path inside the package (`package.json`, `dist/index.js`). */
export async function tarballFiles(tarball: string): Promise<Map<string, Uint8Array>> {
  const { rootDir, files } = await unpack(readFileSync(tarball).buffer as ArrayBuffer);
  return new Map(files.map((file) => [file.name.slice(rootDir.length + 1), file.data]));
}

/** The package.json inside a packed tarball. */
export async function packedManifest(tarball: string): Promise<Manifest> {
  const json = (await tarballFiles(tarball)).get("package.json");
  if (json === undefined) throw new Error(`${tarball} has no package.json`);
  return JSON.parse(new TextDecoder().decode(json)) as Manifest;
}
