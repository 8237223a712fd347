import { existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type PackedPackage, packedManifest, tarballFiles } from "./pack.js";
import { publishedPackages } from "./workspace.js";

/**
 * Makes `dir` a project that installed the packed packages, offline: each tarball is
 * unpacked into `dir/node_modules/<name>` as npm would, and each third-party dependency is
 * linked to the copy the workspace installed (same version, from the lockfile). Optional
 * peer dependencies the workspace does not have are left out.
 *
 * ```ts
 * await installPacked(inject("packed"), "/tmp/consumer"); // /tmp/consumer/node_modules/@kiln/core/package.json ...
 * ```
 */
export async function installPacked(packed: readonly PackedPackage[], dir: string): Promise<void> {
  const workspace = new Map(publishedPackages().map((p) => [p.manifest.name, p.dir]));
  const kiln = new Set(packed.map((p) => p.name));
  for (const { name, tarball } of packed) {
    for (const [path, data] of await tarballFiles(tarball)) {
      const target = join(dir, "node_modules", name, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data);
    }
    const manifest = await packedManifest(tarball);
    const needed = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
    for (const dependency of needed.filter((d) => !kiln.has(d))) {
      const installed = join(workspace.get(name)!, "node_modules", dependency);
      const link = join(dir, "node_modules", dependency);
      if (!existsSync(installed) || existsSync(link)) continue;
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(realpathSync(installed), link, "dir");
    }
  }
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "consumer", private: true }, null, 2)}\n`);
}
