#!/usr/bin/env node
/**
 * The two entry points of a fresh checkout, needing nothing but Node 20 and npm (Debian
 * packages the workspace declares, such as datasets, are installed with apt-get first):
 *
 *   npm run demo   install, build, then run examples/demo.mjs with plain node on the built packages
 *   npm test       install, build, run every package's tests, and close with `N passed, N failed`
 *   npm run playground   install, then serve apps/playground (Vite dev server, cross-origin isolated)
 *
 * pnpm is fetched from the npm registry at the version pinned in package.json's `packageManager`
 * field and run through `npx`, so no global pnpm is needed (corepack is not used: it fails on
 * registry signature checks on some machines). Every later step runs under that pnpm, which
 * puts itself on PATH for turbo, which runs each package's scripts with it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDebianPackages } from "./debian-packages.mjs";
import { closingLine, summarize } from "./test-summary.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pnpmSpec = rootManifest.packageManager; // "pnpm@10.34.9"
// No update banners from npm or pnpm in the middle of build and test logs.
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", npm_config_update_notifier: "false" };
// `npm test --silent` (as scripts/fresh-clone.mjs, CI's step, calls it, so that npm prints nothing after the closing line)
// passes loglevel=silent down through the environment; keep it from muting pnpm's own logs.
if (env.npm_config_loglevel === "silent") delete env.npm_config_loglevel;

/** Runs `pnpm <args>` at the pinned version; returns the exit code. */
function pnpm(args, extraEnv = {}) {
  const result = spawnSync("npx", ["--yes", pnpmSpec, ...args], { cwd: root, stdio: "inherit", env: { ...env, ...extraEnv } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function step(title) {
  console.log(`\n== ${title}`);
}

/** Workspace package folders (packages/*, apps/*, tooling/* and examples) whose package.json has a `test` script (each writes one report). */
function packagesWithTests() {
  const dirs = ["packages", "apps", "tooling"].flatMap((group) =>
    existsSync(join(root, group))
      ? readdirSync(join(root, group), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(root, group, entry.name))
      : [],
  );
  dirs.push(join(root, "examples"));
  return dirs.filter((dir) => {
    try {
      return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts?.test !== undefined;
    } catch {
      return false;
    }
  });
}

/**
 * The wasm backend's binaries are committed (packages/backend-wasm/wasm/); Debian's emscripten,
 * clang-19 and lld-19 are needed only to rebuild them. Runs its build script with `flag`; returns the exit code.
 */
function wasmBuild(flag) {
  const script = join(root, "packages", "backend-wasm", "scripts", "build-wasm.mjs");
  return spawnSync(process.execPath, [script, flag], { cwd: root, stdio: "inherit", env }).status ?? 1;
}

/** The wasm binaries' compilers: Debian's emscripten, and clang-19 with lld-19 for the relaxed-SIMD ones. */
const WASM_TOOLS = [
  { command: "emcc", debian: "emscripten" },
  { command: "clang-19", debian: "clang-19" },
  { command: "wasm-ld-19", debian: "lld-19" },
];

/** Whether a wasm compiler runs here. */
function runs(tool) {
  return spawnSync(tool.command, ["--version"], { stdio: "ignore", env }).status === 0;
}

/** Whether every wasm compiler runs here. */
function hasWasmToolchain() {
  return WASM_TOOLS.every(runs);
}

/** Installs the Debian packages of the missing wasm compilers (needs root and Debian's package lists); returns whether all work. */
function ensureWasmToolchain() {
  const missing = WASM_TOOLS.filter((t) => !runs(t)).map((t) => t.debian);
  if (missing.length === 0) return true;
  step(`install ${missing.join(", ")} (apt-get install -y ${missing.join(" ")}), for the wasm backend's binaries`);
  for (const args of [["update"], ["install", "-y", ...missing]]) {
    const result = spawnSync("apt-get", args, { stdio: "inherit", env: { ...env, DEBIAN_FRONTEND: "noninteractive" } });
    if (result.status !== 0) {
      console.error(
        `could not install ${missing.join(", ")} with apt-get; install them (Debian: apt-get install -y ${missing.join(" ")}) and retry`,
      );
      return false;
    }
  }
  return true;
}

/** Before a build: the wasm sources changed since the committed binaries were built, and a wasm compiler is missing. */
function installWasmToolchainIfNeeded() {
  if (wasmBuild("--needs-toolchain") === 0) ensureWasmToolchain();
}

function install() {
  // Datasets, toolchains and drivers the packages declare (package.json "kiln.debianPackages").
  ensureDebianPackages(root, (title) => step(title));
  step(`install (${pnpmSpec} install --frozen-lockfile)`);
  const code = pnpm(["install", "--frozen-lockfile"]);
  if (code !== 0) {
    console.error(`install failed (exit ${code})`);
    process.exit(code);
  }
}

/** `npm run demo -- --quick`: arguments after `--` go to examples/demo.mjs. */
function demo(demoArgs) {
  install();
  installWasmToolchainIfNeeded();
  step("build (the demo's packages)");
  // Only what the demo imports, so a half-built unrelated package cannot block it.
  const built = pnpm(["run", "build", "--filter=@kiln/examples..."]);
  if (built !== 0) process.exit(built);
  step(["node examples/demo.mjs", ...demoArgs].join(" "));
  const result = spawnSync(process.execPath, [join(root, "examples", "demo.mjs"), ...demoArgs], { cwd: root, stdio: "inherit", env });
  process.exit(result.status ?? 1);
}

function test() {
  install();
  installWasmToolchainIfNeeded();
  step("build");
  // Tests resolve workspace packages from source, so they still run (and count) if the build
  // fails; the run as a whole then fails.
  const built = pnpm(["run", "build"]);
  // CI (installing the compilers) and machines that have all of them rebuild the committed
  // wasm binaries and fail when they differ from their sources.
  let wasmProblem;
  if (env.CI !== undefined || hasWasmToolchain()) {
    step("verify the wasm binaries (rebuild and compare)");
    if (!ensureWasmToolchain()) wasmProblem = "the wasm compilers could not be installed, so the committed binaries were not verified";
    else if (wasmBuild("--verify") !== 0) wasmProblem = "the committed wasm binaries do not match a rebuild of their sources";
  }
  const reportDir = join(root, ".test-reports");
  rmSync(reportDir, { recursive: true, force: true });
  mkdirSync(reportDir, { recursive: true });
  step("test (every package's vitest, one package at a time)");
  const tested = pnpm(["run", "test:packages"], { KILN_TEST_REPORT_DIR: reportDir });
  const totals = summarize(
    reportDir,
    packagesWithTests().map((dir) => basename(dir)),
  );
  if (built !== 0) totals.problems.unshift(`build failed (exit ${built})`);
  if (wasmProblem !== undefined) totals.problems.unshift(wasmProblem);
  if (tested !== 0 && totals.problems.length === 0) totals.problems.push(`turbo run test failed (exit ${tested})`);
  console.log("");
  for (const problem of totals.problems) console.log(`test summary: ${problem}`);
  console.log(closingLine(totals));
  process.exit(totals.problems.length > 0 || tested !== 0 ? 1 : 0);
}

function playground() {
  install();
  step("apps/playground: vite dev server (open the URL it prints; Ctrl-C stops it)");
  process.exit(pnpm(["--filter", "@kiln/playground", "run", "dev", "--host", "127.0.0.1"]));
}

const command = process.argv[2];
if (command === "demo") demo(process.argv.slice(3));
else if (command === "test") test();
else if (command === "playground") playground();
else {
  console.error("usage: node scripts/kiln.mjs demo|test|playground");
  process.exit(2);
}
