#!/usr/bin/env node
/**
 * CI's step: the README's two commands, as a new user runs them, in a temporary fresh clone
 * of the commit checked out here (no node_modules, no build output, no turbo cache, nothing
 * untracked), needing only Node 20, npm and git:
 *
 *   npm run demo   in its quick mode (`npm run demo -- --quick`: a smaller training subset and fewer timing rounds)
 *   npm test       ends with the line `N passed, N failed`
 *
 * The demo counts as one check in that closing line (one more passed, or one more failed
 * with a `test summary:` line saying why), so the last line of the output is still the
 * whole run's verdict. The exit code is non-zero when the clone, the demo or the tests fail.
 *
 *   node scripts/fresh-clone.mjs          clone, run both, remove the clone
 *   node scripts/fresh-clone.mjs --keep   leave the clone (its path is printed) to look into
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The README's two commands (its "Two commands" section), in order; tooling/docs checks the README lists exactly these. */
export const README_COMMANDS = [
  ["npm", "run", "demo"],
  ["npm", "test"],
];

const CLOSING = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/;

/**
 * The closing line of `npm test` with other checks counted in: each passed one adds one
 * passed, each failed one adds one failed. A line that is not a closing line (the test run
 * died before printing one) becomes one that counts the test run as a failure.
 *
 * ```js
 * withChecks("812 passed, 0 failed", [{ name: "npm run demo", ok: false }]); // "812 passed, 1 failed"
 * ```
 */
export function withChecks(line, checks) {
  const match = CLOSING.exec(line.trim());
  const passed = (match ? Number(match[1]) : 0) + checks.filter((c) => c.ok).length;
  const failed = (match ? Number(match[2]) : 1) + checks.filter((c) => !c.ok).length;
  const skipped = match?.[3] === undefined ? 0 : Number(match[3]);
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`;
}

/**
 * How much of `text` can be printed: everything before its last non-blank complete line
 * (which may be the closing line, so it is held back with whatever follows it).
 */
export function printableLength(text) {
  const lines = text.split("\n"); // the last element is the incomplete rest ("" after a newline)
  let last = lines.length - 2;
  while (last >= 0 && lines[last].trim() === "") last -= 1;
  return last <= 0 ? 0 : lines.slice(0, last).reduce((length, line) => length + line.length + 1, 0);
}

/**
 * Runs a command with its stdout passed through as it comes, except its last non-blank line,
 * which it returns (with the exit code) instead of printing; stderr is passed through.
 */
function runHoldingLastLine(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "inherit"] });
    let held = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      held += chunk;
      const length = printableLength(held);
      if (length > 0) process.stdout.write(held.slice(0, length));
      held = held.slice(length);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const rest = held.trimEnd().split("\n");
      const last = rest.pop() ?? "";
      if (rest.length > 0) process.stdout.write(`${rest.join("\n")}\n`);
      resolve({ code: code ?? 1, last });
    });
  });
}

function git(args, cwd) {
  const result = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

async function main() {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const keep = process.argv.includes("--keep");
  const commit = git(["rev-parse", "HEAD"], root);
  const dirty = git(["status", "--porcelain", "--untracked-files=no"], root) !== "";
  const parent = mkdtempSync(join(tmpdir(), "kiln-fresh-clone-"));
  const clone = join(parent, "kiln");
  console.log(`\n== fresh clone of ${commit.slice(0, 12)} in ${clone}`);
  if (dirty) console.log("   (this checkout has uncommitted changes; the clone has only what is committed)");
  git(["clone", "--quiet", "--no-checkout", root, clone], parent);
  git(["checkout", "--quiet", "--detach", commit], clone);

  // A clean environment for the user's commands: no npm_* settings inherited from an npm
  // that started this script, no KILN_* variables.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_|^KILN_/i.test(key)));
  const [demoCommand, testCommand] = README_COMMANDS;
  const quickDemo = [...demoCommand, "--", "--quick"];
  console.log(`\n== ${quickDemo.join(" ")}`);
  const demo = spawnSync(quickDemo[0], quickDemo.slice(1), { cwd: clone, stdio: "inherit", env });
  const demoOk = demo.status === 0;
  if (!demoOk) console.log(`\n${demoCommand.join(" ")} failed (exit ${demo.status ?? demo.signal}); running the tests anyway`);

  console.log(`\n== ${testCommand.join(" ")}`);
  // --silent: npm prints nothing after the closing line (as .ci/run did).
  const tests = await runHoldingLastLine(testCommand[0], [...testCommand.slice(1), "--silent"], { cwd: clone, env });
  if (keep) console.log(`the clone is kept: ${clone}`);
  else rmSync(parent, { recursive: true, force: true });
  if (!demoOk) console.log(`test summary: ${demoCommand.join(" ")} failed in a fresh clone (exit ${demo.status ?? demo.signal})`);
  if (!CLOSING.test(tests.last.trim())) {
    console.log(tests.last);
    console.log(`test summary: ${testCommand.join(" ")} ended without its closing line (exit ${tests.code})`);
  }
  console.log(withChecks(tests.last, [{ name: demoCommand.join(" "), ok: demoOk }]));
  process.exit(demoOk && tests.code === 0 ? 0 : 1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
