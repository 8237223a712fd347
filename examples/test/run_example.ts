/**
 * Runs an example the way a user does (`node <file> [args]` against the built packages)
 * and collects its output, so the tests read what a user would see.
 *
 * ```ts
 * const { stdout, stderr, code } = await runExample("seeds/tf_cube.mjs");
 * ```
 */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The examples folder (the working directory examples run in). */
export const examplesDir = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * How long one example may run: generous, because the machines that run the tests are
 * shared and often loaded many times over (the examples take seconds when idle).
 */
export const EXAMPLE_TIMEOUT_MS = 300_000;

export interface ExampleRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
  readonly seconds: number;
}

/** Runs `node <examples>/<file> ...args`; resolves with its output and exit code (never rejects on a non-zero exit). */
export function runExample(file: string, args: readonly string[] = [], timeoutMs = EXAMPLE_TIMEOUT_MS - 10_000): Promise<ExampleRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(examplesDir, file), ...args],
      { cwd: examplesDir, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== "number") {
          reject(new Error(`${file} did not finish: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ stdout, stderr, code: typeof error?.code === "number" ? error.code : 0, seconds: (performance.now() - started) / 1000 });
      },
    );
  });
}

/** The lines of `text` that match `pattern`. */
export function linesMatching(text: string, pattern: RegExp): string[] {
  return text.split("\n").filter((line) => pattern.test(line));
}
