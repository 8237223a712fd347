#!/usr/bin/env node
/**
 * Sums the vitest JSON reports that a test run left in a folder (one `<package>.json` per
 * package, written by vitest.shared.ts when KILN_TEST_REPORT_DIR is set) and prints the one
 * closing line CI reads: `N passed, N failed` (`, N skipped` is added when tests were skipped).
 *
 * It exits non-zero when any test failed, when a test file failed outside any test (an import
 * error: vitest counts no failed test for it), when an expected package left no report (its
 * vitest crashed before writing one) or its report is unreadable, or when no test ran. Each of
 * the middle cases counts as one failure, so the closing line never reads "0 failed" for a
 * run in which tests failed to run.
 *
 *   node scripts/test-summary.mjs <report-dir> [expected-package ...]
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Reads every report in `dir` and returns the totals and the reasons the run failed.
 *
 * ```js
 * summarize(".test-reports", ["core", "backend-cpu"]); // { passed: 412, failed: 0, skipped: 0, problems: [] }
 * ```
 */
export function summarize(dir, expectedPackages = []) {
  const totals = { passed: 0, failed: 0, skipped: 0, problems: [] };
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".json")) : [];
  for (const name of expectedPackages) {
    if (files.includes(`${name}.json`)) continue;
    // Its vitest crashed or never started: count the package as one failure, so the closing
    // line itself says the run failed.
    totals.failed += 1;
    totals.problems.push(`${name}: no test report (its test run crashed or never started)`);
  }
  for (const file of files.sort()) {
    const pkg = basename(file, ".json");
    let report;
    try {
      report = JSON.parse(readFileSync(join(dir, file), "utf8"));
    } catch (error) {
      totals.failed += 1;
      totals.problems.push(`${pkg}: unreadable test report ${file} (${error.message})`);
      continue;
    }
    totals.passed += report.numPassedTests ?? 0;
    totals.failed += report.numFailedTests ?? 0;
    totals.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    for (const result of report.testResults ?? []) {
      const failedInside = (result.assertionResults ?? []).some((test) => test.status === "failed");
      if (result.status === "failed" && !failedInside) {
        // A file that failed to load or threw outside a test: no test counts it, so we do.
        totals.failed += 1;
        totals.problems.push(`${pkg}: ${result.name} failed outside any test: ${firstLine(result.message)}`);
      }
    }
    if (report.numFailedTests > 0) totals.problems.push(`${pkg}: ${report.numFailedTests} failed test(s)`);
  }
  if (totals.passed + totals.failed === 0) totals.problems.push("no test ran");
  return totals;
}

/** The closing line CI reads. */
export function closingLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`;
}

function firstLine(message) {
  return String(message ?? "").split("\n")[0] || "(no message)";
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [dir, ...expected] = process.argv.slice(2);
  if (dir === undefined) {
    console.error("usage: node scripts/test-summary.mjs <report-dir> [expected-package ...]");
    process.exit(2);
  }
  const totals = summarize(dir, expected);
  // Problems go to stdout too, so the closing line is reliably the last line of the combined output.
  for (const problem of totals.problems) console.log(`test summary: ${problem}`);
  console.log(closingLine(totals));
  process.exit(totals.problems.length > 0 ? 1 : 0);
}
