/**
 * Just enough of vitest's test API to run Kiln's GPU test files without vitest (on a GPU
 * machine with no npm packages: `bench/gpu.sh` bundles the tests with this module in
 * vitest's place). `describe`/`it` (with `skip`, `only`-less `runIf`/`skipIf`), the four
 * hooks and `expect` (vitest's own matchers from `@vitest/expect` on chai); tests run one at
 * a time, in order, when `runCollected()` is called.
 *
 * ```ts
 * import "../../test/gemm.test.ts"; // collects (vitest aliased to this module)
 * const { passed, failed } = await runCollected((line) => console.log(line));
 * ```
 */
import { chai, JestAsymmetricMatchers, JestChaiExpect, JestExtend } from "@vitest/expect";

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

type Fn = () => unknown;

interface Test {
  readonly name: string;
  readonly fn: Fn | undefined;
}

interface Suite {
  readonly name: string;
  readonly skip: boolean;
  readonly tests: (Test | Suite)[];
  readonly beforeAll: Fn[];
  readonly afterAll: Fn[];
  readonly beforeEach: Fn[];
  readonly afterEach: Fn[];
}

const newSuite = (name: string, skip: boolean): Suite => ({ name, skip, tests: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] });
const root = newSuite("", false);
let current = root;

function collect(name: string, body: Fn, skip: boolean): void {
  const suite = newSuite(name, skip);
  current.tests.push(suite);
  const parent = current;
  current = suite;
  try {
    body();
  } finally {
    current = parent;
  }
}

type DescribeFn = ((name: string, body: Fn) => void) & {
  skip: (name: string, body: Fn) => void;
  runIf: (condition: unknown) => (name: string, body: Fn) => void;
  skipIf: (condition: unknown) => (name: string, body: Fn) => void;
};
type ItFn = ((name: string, fn?: Fn, timeout?: unknown) => void) & {
  skip: (name: string, fn?: Fn, timeout?: unknown) => void;
  runIf: (condition: unknown) => (name: string, fn?: Fn, timeout?: unknown) => void;
  skipIf: (condition: unknown) => (name: string, fn?: Fn, timeout?: unknown) => void;
};

export const describe: DescribeFn = Object.assign((name: string, body: Fn) => collect(name, body, false), {
  skip: (name: string, body: Fn) => collect(name, body, true),
  runIf: (condition: unknown) => (name: string, body: Fn) => collect(name, body, !condition),
  skipIf: (condition: unknown) => (name: string, body: Fn) => collect(name, body, !!condition),
});

const addTest = (name: string, fn: Fn | undefined, skip: boolean) => current.tests.push({ name, fn: skip ? undefined : fn });
export const it: ItFn = Object.assign((name: string, fn?: Fn) => addTest(name, fn, false), {
  skip: (name: string, fn?: Fn) => addTest(name, fn, true),
  runIf: (condition: unknown) => (name: string, fn?: Fn) => addTest(name, fn, !condition),
  skipIf: (condition: unknown) => (name: string, fn?: Fn) => addTest(name, fn, !!condition),
});
export const test = it;

export const beforeAll = (fn: Fn) => current.beforeAll.push(fn);
export const afterAll = (fn: Fn) => current.afterAll.push(fn);
export const beforeEach = (fn: Fn) => current.beforeEach.push(fn);
export const afterEach = (fn: Fn) => current.afterEach.push(fn);

export const expect = Object.assign((value: unknown, message?: string) => chai.expect(value, message), {
  fail: (message?: string): never => chai.expect.fail(message) as never,
});

/** Runs every collected test in order; `log` gets one line per failure and skipped suite. */
export async function runCollected(log: (line: string) => void): Promise<{ passed: number; failed: number; skipped: number }> {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const countTests = (s: Suite): number => s.tests.reduce((n, t) => n + ("tests" in t ? countTests(t) : 1), 0);
  async function run(suite: Suite, path: string[], each: { before: Fn[]; after: Fn[] }): Promise<void> {
    if (suite.skip) {
      counts.skipped += countTests(suite);
      return;
    }
    const before = [...each.before, ...suite.beforeEach];
    const after = [...suite.afterEach, ...each.after];
    for (const hook of suite.beforeAll) await hook();
    for (const t of suite.tests) {
      if ("tests" in t) {
        await run(t, [...path, t.name], { before, after });
        continue;
      }
      if (t.fn === undefined) {
        counts.skipped++;
        continue;
      }
      const name = [...path, t.name].filter((p) => p !== "").join(" > ");
      try {
        for (const hook of before) await hook();
        try {
          await t.fn();
        } finally {
          for (const hook of after) await hook();
        }
        counts.passed++;
      } catch (error) {
        counts.failed++;
        log(`FAIL ${name}\n  ${String((error as Error)?.message ?? error).split("\n").slice(0, 12).join("\n  ")}`);
      }
    }
    for (const hook of suite.afterAll) await hook();
  }
  await run(root, [], { before: [], after: [] });
  return counts;
}
