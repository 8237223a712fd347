/**
 * Debian packages the workspace needs beyond Node and npm (datasets, toolchains, drivers),
 * declared by each package that needs them in its package.json:
 *
 *   "kiln": { "debianPackages": ["dataset-fashion-mnist"] }
 *
 * `ensureDebianPackages(root)` installs the ones missing with apt-get (as root, on Debian)
 * before the README's demo and test commands build anything, so a fresh machine with only
 * Node 20 and npm gets them. Where apt-get cannot run, it says what to install and the tests
 * that need a package skip with a message instead of failing.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The `kiln.debianPackages` of every workspace package (packages/* and apps/*), deduplicated and sorted. */
export function declaredDebianPackages(root) {
  const names = new Set();
  const folders = ["packages", "apps"].filter((group) => existsSync(join(root, group)));
  for (const [group, entry] of folders.flatMap((group) => readdirSync(join(root, group), { withFileTypes: true }).map((e) => [group, e]))) {
    if (!entry.isDirectory()) continue;
    try {
      const manifest = JSON.parse(readFileSync(join(root, group, entry.name, "package.json"), "utf8"));
      for (const name of manifest.kiln?.debianPackages ?? []) names.add(name);
    } catch {
      // A folder without a manifest declares nothing.
    }
  }
  return [...names].sort();
}

/** Whether dpkg reports `name` as installed. */
function installed(name) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${Status} is dpkg-query's own format field
  const result = spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" });
  return result.status === 0 && result.stdout.includes("install ok installed");
}

/**
 * Installs the declared packages that are missing; returns the ones still missing (empty
 * when everything is there). `log` prints a step title.
 */
export function ensureDebianPackages(root, log = console.log) {
  const missing = declaredDebianPackages(root).filter((name) => !installed(name));
  if (missing.length === 0) return [];
  const apt = (args) => spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }).status === 0;
  log(`install Debian packages: ${missing.join(" ")}`);
  const canInstall = process.getuid?.() === 0 && spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  if (!canInstall || !apt(["update", "-q"]) || !apt(["install", "-y", "-q", "--no-install-recommends", ...missing])) {
    console.error(`could not install ${missing.join(", ")} with apt-get (needs root on Debian): install them and rerun; tests that need them skip until then`);
  }
  return missing.filter((name) => !installed(name));
}
