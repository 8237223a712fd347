import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

/**
 * Public functions the sweep leaves out: they take callbacks, manage memory, backends or
 * registries, or have effects outside the call (printing, saving). Everything else is swept.
 */
const SKIPPED = new Set([
  // take callbacks
  "function",
  "tfFunction",
  "tidy",
  "customGradient",
  "cond",
  "whileLoop",
  "grad",
  "grads",
  "valueAndGrad",
  "valueAndGrads",
  "variableGrads",
  "initScope",
  "nameScope",
  // manage memory
  "keep",
  "dispose",
  // backends, kernels, op definitions, the runtime
  "registerBackend",
  "setBackend",
  "removeBackend",
  "getBackend",
  "backend",
  "listBackends",
  "ready",
  "asyncWait",
  "registerKernel",
  "defineOp",
  "getRuntime",
  "bind",
  "bind1",
  // effects outside the call
  "print",
  "saveFunction",
  "loadFunction",
  "functionFromGraph",
]);

/** Arguments no op accepts where they are put: wrong types, bad numbers, ragged or mixed arrays. */
const BAD_VALUES: readonly [string, unknown][] = [
  ["a symbol", Symbol("bad")],
  ['"bad"', "bad"],
  ["{ bad: 1 }", { bad: 1 }],
  ["null", null],
  ["NaN", Number.NaN],
  ["-7", -7],
  ["2.5", 2.5],
  ["1e12", 1e12],
  ["[[1], [2, 3]]", [[1], [2, 3]]],
  ['[1, "x"]', [1, "x"]],
];

/** Good JS arguments the bad one follows: a vector, and an NHWC image so image ops get past their rank checks. */
const GOOD_VALUES: readonly [string, unknown][] = [
  ["[1, 2, 3, 4]", [1, 2, 3, 4]],
  ["a [1, 2, 2, 1] image", [[[[1], [2]], [[3], [4]]]]],
];

/** The public functions to sweep, in a fixed order. */
function sweptFunctions(): [string, (...args: unknown[]) => unknown][] {
  const ns = tf as unknown as Record<string, unknown>;
  return Object.keys(ns)
    .sort()
    .filter((name) => typeof ns[name] === "function" && !/^[A-Z]/.test(name) && !SKIPPED.has(name))
    .map((name) => [name, ns[name] as (...args: unknown[]) => unknown]);
}

/** Frees whatever tensors a call that succeeded returned (a tensor, a list, `topK`'s object). */
function release(result: unknown): void {
  if (result instanceof tf.Tensor) result.dispose();
  else if (Array.isArray(result)) for (const r of result) release(r);
  else if (typeof result === "object" && result !== null) {
    if (typeof (result as PromiseLike<unknown>).then === "function") (result as Promise<unknown>).catch(() => {});
    else if (Object.getPrototypeOf(result) === Object.prototype) for (const r of Object.values(result)) release(r);
  }
}

const usage = () => {
  const m = tf.memory();
  return { tensors: m.numTensors, bytes: m.numBytes };
};

/** Calls `fn(...args)`; returns how many tensors and bytes it left behind, and whether it threw. */
function leakOf(fn: (...args: unknown[]) => unknown, args: unknown[]): { tensors: number; bytes: number; threw: boolean } {
  const before = usage();
  let threw = false;
  try {
    release(fn(...args));
  } catch {
    threw = true;
  }
  const after = usage();
  return { tensors: after.tensors - before.tensors, bytes: after.bytes - before.bytes, threw };
}

describe("conversion leaks", () => {
  it("every op frees the tensors it converted from JS arguments when it rejects an argument", () => {
    const swept = sweptFunctions();
    const names = swept.map(([name]) => name);
    // The sweep reaches the ops (not just helpers): binary, contraction, joining, reductions, shapes, pools.
    for (const name of ["add", "matMul", "where", "concat", "sum", "argMax", "reshape", "maxPool", "conv2d", "gather", "shape"]) {
      expect(names).toContain(name);
    }
    const offenders: string[] = [];
    let rejected = 0;
    for (const [name, fn] of swept) {
      for (const [goodName, good] of GOOD_VALUES) {
        for (const [badName, bad] of BAD_VALUES) {
          const calls: [string, unknown[]][] = [];
          // The bad value as argument 1, 2 or 3, after good JS values (which the op converts first).
          for (let position = 1; position <= 3; position++) {
            const args = [good, good, 1].slice(0, position);
            args[position] = bad;
            const shown = args.map((a, i) => (i === position ? badName : i < 2 ? goodName : String(a)));
            calls.push([`${name}(${shown.join(", ")})`, args]);
          }
          // The bad value as the last element of a list argument (concat, stack).
          calls.push([`${name}([${goodName}, ${goodName}, ${badName}])`, [[good, good, bad]]]);
          for (const [call, args] of calls) {
            const leak = leakOf(fn, args);
            if (leak.threw) rejected++;
            if (leak.tensors !== 0 || leak.bytes !== 0) offenders.push(`${call}: ${leak.tensors} tensors, ${leak.bytes} bytes`);
          }
        }
      }
    }
    expect(rejected).toBeGreaterThan(1000);
    expect(offenders.length, `${offenders.length} calls leaked after rejecting an argument:\n${offenders.join("\n")}`).toBe(0);
  });

  it("the cases of the issue throw their usual errors and leave nothing behind", () => {
    const int32 = new Int32Array([1, 2, 3]);
    const image = [[[[1], [2]], [[3], [4]]]];
    const cases: [string, () => unknown, RegExp][] = [
      ["matMul with a string", () => tf.matMul([[1]], "x" as never), /^matMul: argument 'y' must be a Tensor/],
      ["where with a bad b", () => tf.where([true], [1], "x" as never), /^where: argument 'y' must be a Tensor/],
      ["logicalAnd with a ragged b", () => tf.logicalAnd([true, false], [[true], [true, false]] as never), /ragged nested array/],
      ["gather with fractional indices", () => tf.gather([1, 2, 3], [0.5]), /0\.5 cannot be converted to int32/],
      ["concat with a bad element", () => tf.concat([[1], [2], "x" as never]), /^concat: argument 'tensors\[2\]' must be a Tensor/],
      ["stack with a ragged element", () => tf.stack([[1, 2], [[1], [2, 3]] as never]), /ragged nested array/],
      ["sum over a bad axis", () => tf.sum([1, 2], 5), /^sum: /],
      ["argMax over a bad axis", () => tf.argMax([1, 2], 3), /^argMax: /],
      ["cumsum with a bad flag", () => tf.cumsum([1, 2], 0, "yes" as never), /^cumsum: /],
      ["cast to a bad dtype", () => tf.cast([1, 2], "float64" as never), /^cast: /],
      ["maxPool with a bad filterSize", () => tf.maxPool(image, 0, 1, "valid"), /^maxPool: /],
      ["clipByValue with min > max", () => tf.clipByValue([1, 2], 3, 1), /^clipByValue: clipValueMin \(3\) must be less than or equal to/],
      ["clipByValue with a fractional int32 min", () => tf.clipByValue(int32, 0.5, 2), /0\.5 cannot be converted to int32/],
      ["clipByValue with a fractional int32 max", () => tf.clipByValue(int32, 0, 2.5), /2\.5 cannot be converted to int32/],
      ["reshape to a bad shape", () => tf.reshape([1, 2], [1.5]), /^reshape: /],
      ["tile with bad reps", () => tf.tile([1, 2], [-1]), /^tile: /],
      ["pad with a bad constant", () => tf.pad([1, 2], [[1, 1]], "x" as never), /^pad: /],
      ["index with a bad spec", () => tf.index([1, 2], "5"), /^index: /],
      ["oneHot with a bad dtype", () => tf.oneHot([0, 1], 2, 1, 0, "float64" as never), /^oneHot: /],
      ["scatterNd with a bad shape", () => tf.scatterNd([[0]], [1], [1.5]), /^scatterNd: /],
    ];
    const leaks: string[] = [];
    for (const [what, call, message] of cases) {
      const before = usage();
      expect(call, what).toThrow(message);
      const after = usage();
      const tensors = after.tensors - before.tensors;
      const bytes = after.bytes - before.bytes;
      if (tensors !== 0 || bytes !== 0) leaks.push(`${what}: ${tensors} tensors, ${bytes} bytes`);
    }
    expect(leaks).toEqual([]);
  });

  it("shape, size and rank of JS arrays leave nothing behind (they never run an op)", () => {
    const before = usage();
    const results = [tf.shape([[1, 2, 3], [4, 5, 6]]), tf.size([[1, 2, 3], [4, 5, 6]]), tf.rank([[1, 2, 3], [4, 5, 6]])];
    expect(results.map((t) => t.arraySync())).toEqual([[2, 3], 6, 2]);
    for (const t of results) t.dispose();
    expect(usage()).toEqual(before);
  });
});
