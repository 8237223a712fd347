import * as tf from "@kiln/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";
import { AllocationCapExceeded, type Budget, budgeted } from "./budget_backend.js";
import { mutate, repairDeclaredOutputs, seeded } from "./saved_file_mutations.js";
import { disposeAll, type SavedFile, savedFiles } from "./saved_files.js";

useCpu();

// The saved-file fuzzer (SPEC K2). CI runs a short seeded run; a longer one on demand:
//   KILN_FUZZ_ITERATIONS=20000 KILN_FUZZ_SEED=7 npx vitest run test/function/saved_file_fuzz.test.ts
const ITERATIONS = Number(process.env.KILN_FUZZ_ITERATIONS ?? 500);
const SEED = Number(process.env.KILN_FUZZ_SEED ?? 1);
/** Kernel runs and host reads one call may take (an endless loop runs out of them). */
const STEPS = 20_000;
/** The loaded files' memory budget, and the cap the test backend enforces on every buffer. */
const MAX_BYTES = 2 ** 20;
const BUDGET: tf.MemoryBudget = { maxTensorBytes: MAX_BYTES, maxTotalBytes: 8 * MAX_BYTES };
/** Loading and calling one file must not take longer than this (no hang, no quadratic blow-up). */
const MAX_MS = 2000;

const budget: Budget = { steps: STEPS, maxBytes: MAX_BYTES, overAllocated: undefined };

/** How one mutated file fared: `ok` outcomes are the allowed ones, anything else is a finding. */
interface Outcome {
  readonly ok: boolean;
  readonly stage: "load" | "call" | "cleanup";
  readonly what: string;
}

/** A typed Kiln error, or the TypeError a loaded function documents for arguments no saved signature accepts (K1). */
function allowed(error: unknown): boolean {
  if (error instanceof AllocationCapExceeded) return false;
  if (error instanceof tf.KilnError) return true;
  return error instanceof TypeError && /no saved signature accepts/.test(error.message);
}

const describeError = (error: unknown) => (error instanceof Error ? `${error.constructor.name}: ${error.message.split("\n")[0]}` : String(error));

/** Float tensors among a call's arguments (what a tape watches when the run differentiates). */
function floatTensors(value: unknown): tf.Tensor[] {
  if (value instanceof tf.Tensor) return value.dtype === "float32" ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(floatTensors);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(floatTensors);
  return [];
}

/** Every tensor in a result, for reading it and summing it under a tape. */
function tensorsOf(value: unknown): tf.Tensor[] {
  if (value instanceof tf.Tensor) return [value];
  if (Array.isArray(value)) return value.flatMap(tensorsOf);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(tensorsOf);
  return [];
}

/**
 * Calls `loaded` on `args`, reading every result; with `differentiate`, under a tape, and
 * takes the gradient of the sum of the float results with respect to the float arguments
 * (a loaded graph replayed by the gradient machinery must be as safe as one run).
 */
function callOnce(loaded: (...args: unknown[]) => unknown, args: unknown[], differentiate: boolean): void {
  if (!differentiate) {
    const result = loaded(...args);
    for (const t of tensorsOf(result)) t.dataSync();
    disposeAll(result);
    return;
  }
  const sources = floatTensors(args);
  const tape = new tf.GradientTape();
  let result: unknown;
  let target: tf.Tensor | undefined;
  try {
    target = tape.record(() => {
      tape.watch(sources);
      result = loaded(...args);
      const floats = tensorsOf(result).filter((t) => t.dtype === "float32");
      return floats.length === 0 ? undefined : tf.tidy(() => floats.map((t) => tf.sum(t)).reduce((a, b) => tf.add(a, b)));
    });
    if (target !== undefined && sources.length > 0) {
      const grads = tape.gradient(target, sources);
      for (const g of tensorsOf(grads)) g.dataSync();
      disposeAll(grads);
    }
  } finally {
    tape.dispose?.();
    disposeAll([result, target]);
  }
}

/** Loads `saved` and calls it once on `file`'s arguments; checks that nothing leaks either way. */
function runOne(saved: unknown, file: SavedFile, differentiate = false): Outcome {
  const before = tf.memory();
  budget.steps = STEPS;
  budget.overAllocated = undefined;
  let outcome: Outcome = { ok: true, stage: "call", what: "ran" };
  let loaded: ReturnType<typeof tf.loadFunction> | undefined;
  for (let attempt = 0; loaded === undefined && attempt < 8; attempt++) {
    try {
      loaded = tf.loadFunction(saved as tf.SavedFunction, { memoryBudget: BUDGET });
      outcome = { ok: true, stage: "call", what: "ran" };
    } catch (error) {
      outcome = { ok: allowed(error), stage: "load", what: describeError(error) };
      // An edited attribute usually changes an output type: declare the new one and go on.
      if (!outcome.ok || !repairDeclaredOutputs(saved, error)) break;
    }
  }
  if (loaded !== undefined) {
    const args = file.args();
    try {
      // Every result is read, so a wrong shape or garbage buffer shows up here.
      callOnce(loaded, args, differentiate);
    } catch (error) {
      outcome = { ok: allowed(error), stage: "call", what: describeError(error) };
    } finally {
      disposeAll(args);
      loaded.dispose();
    }
  }
  if (budget.overAllocated !== undefined) return { ok: false, stage: outcome.stage, what: `over-allocated: ${budget.overAllocated}` };
  const after = tf.memory();
  if (after.numTensors !== before.numTensors || after.numDataBuffers !== before.numDataBuffers) {
    const leak = `${after.numTensors - before.numTensors} tensor(s), ${after.numDataBuffers - before.numDataBuffers} buffer(s)`;
    return { ok: false, stage: "cleanup", what: `leaked ${leak} after: ${outcome.what}` };
  }
  return outcome;
}

describe("SPEC K2: saved-file fuzzer", () => {
  let previous: string;
  let print: (text: string) => void;
  let maxTensorBytes: number;
  beforeAll(async () => {
    previous = tf.getBackend();
    tf.registerBackend(budgeted(budget));
    await tf.setBackend("cpu-budgeted");
    print = tf.getRuntime().print;
    tf.getRuntime().print = () => {};
    // Sizes only a run knows are checked against the runtime's tensor limit (a ResourceExhaustedError).
    maxTensorBytes = tf.config.maxTensorBytes();
    tf.config.setMaxTensorBytes(MAX_BYTES);
  });
  afterAll(async () => {
    tf.config.setMaxTensorBytes(maxTensorBytes);
    tf.getRuntime().print = print;
    await tf.setBackend(previous);
  });

  it("K2: every base file loads, runs and differentiates unedited (the fuzzer starts from valid files)", () => {
    for (const file of savedFiles()) {
      expect(runOne(file.saved, file), file.name).toEqual({ ok: true, stage: "call", what: "ran" });
      expect(runOne(file.saved, file, true), `${file.name} under a tape`).toEqual({ ok: true, stage: "call", what: "ran" });
    }
  });

  it(`K2: ${ITERATIONS} randomly edited files (seed ${SEED}) each run or fail with a typed error; none hangs, over-allocates or leaks`, () => {
    const files = savedFiles();
    const findings: string[] = [];
    const tally = { loadError: 0, callError: 0, ran: 0 };
    const reasons = new Map<string, number>();
    for (let i = 0; i < ITERATIONS; i++) {
      const random = seeded(SEED * 1_000_003 + i);
      const file = random.pick(files);
      const saved = JSON.parse(JSON.stringify(file.saved));
      // Mostly one edit (each further edit makes a rejection at load likelier), sometimes two or three.
      const count = [1, 1, 1, 1, 1, 1, 2, 2, 2, 3][random.int(10)]!;
      const edits = Array.from({ length: count }, () => mutate(saved, random));
      const differentiate = random.int(4) === 0;
      const started = performance.now();
      const outcome = runOne(saved, file, differentiate);
      const ms = performance.now() - started;
      if (!outcome.ok || ms > MAX_MS) {
        const how = differentiate ? " (under a tape)" : "";
        findings.push(`#${i} ${file.name}${how} [${edits.join("; ")}] ${outcome.stage}: ${outcome.what}${ms > MAX_MS ? ` (took ${ms.toFixed(0)} ms)` : ""}`);
      }
      const reason = outcome.what.replace(/'[^']*'|"[^"]*"|\[[^\]]*\]|-?\d+(\.\d+)?/g, "_").slice(0, 110);
      reasons.set(`${outcome.stage} ${reason}`, (reasons.get(`${outcome.stage} ${reason}`) ?? 0) + 1);
      if (outcome.stage === "load") tally.loadError++;
      else if (outcome.what === "ran") tally.ran++;
      else tally.callError++;
    }
    if (process.env.KILN_FUZZ_VERBOSE) {
      console.log(tally);
      console.log([...reasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n}\t${r}`).join("\n"));
    }
    expect(findings.slice(0, 20)).toEqual([]);
  }, 600_000);
});
