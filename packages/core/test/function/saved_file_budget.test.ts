import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";
import { repairDeclaredOutputs } from "./saved_file_mutations.js";
import { disposeAll, savedFile } from "./saved_files.js";

useCpu();

type Json = any;

const top = (saved: Json) => saved.functions[0].graph;
const opNamed = (saved: Json, name: string) => top(saved).operations.find((o: Json) => o.name === name);
const MiB = 2 ** 20;

/** Loads `saved` (declaring the output types an edit changed anew, as a forger would); returns the error, if any. */
function load(saved: Json, options?: tf.LoadOptions): { loaded?: ReturnType<typeof tf.loadFunction>; error?: unknown } {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      return { loaded: tf.loadFunction(saved, options) };
    } catch (error) {
      if (!repairDeclaredOutputs(saved, error)) return { error };
    }
  }
  return { error: new Error("too many repairs") };
}

/** Each op that creates a tensor from sizes in its attributes, and an edit that makes it `elements` big. */
const GROW: Record<string, (attrs: Json, n: number) => void> = {
  fill: (a, n) => (a.shape = [n, n]),
  tile: (a, n) => (a.multiples = [n / 2, n / 2]),
  range: (a, n) => (a.stop = n * n),
  oneHot: (a, n) => (a.depth = (n * n) / 2),
  eye: (a, n) => ([a.numRows, a.numColumns] = [n, n]),
  broadcastTo: (a, n) => (a.shape = [(n * n) / 4, 2, 2]),
  randomUniform: (a, n) => (a.shape = [n, n]),
};

describe("SPEC K2: a memory budget checked when loading, before anything is allocated", () => {
  it("K2: the unedited file loads and runs within the default budget", () => {
    const { saved, args } = savedFile("creators");
    const loaded = tf.loadFunction(saved);
    const inputs = args();
    const y = loaded(...inputs) as tf.Tensor;
    expect(y.shape).toEqual([]);
    disposeAll([y, inputs]);
    loaded.dispose();
  });

  it("K2: Fill, Tile, Range, OneHot, Eye, BroadcastTo and random ops with a huge static size are refused, naming the op", () => {
    for (const [name, grow] of Object.entries(GROW)) {
      const { saved } = savedFile("creators");
      grow(opNamed(saved, name).attrs, 16384); // 2^28 elements: 1 GiB of float32
      const before = tf.memory();
      const started = performance.now();
      const { error } = load(saved);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(error, name).toBeInstanceOf(tf.GraphFormatError);
      expect((error as Error).message).toMatch(
        new RegExp(`operation ${name} \\(\\w+\\) creates a \\w+ tensor of shape \\[[\\d,]+\\] \\(\\d+ bytes\\), more than the memory budget's maxTensorBytes \\(268435456\\)`),
      );
      expect((error as Error).message).toMatch(/memoryBudget: \{ maxTensorBytes: \.\.\. \}/);
      expect(tf.memory().numBytes).toBe(before.numBytes);
    }
  });

  it("K2: many tensors each under the per-tensor limit are refused by the total", () => {
    const { saved } = savedFile("creators");
    for (const name of ["fill", "tile", "range", "eye", "broadcastTo", "randomUniform"]) GROW[name]!(opNamed(saved, name).attrs, 7000); // ~187 MiB each
    const { error } = load(saved);
    expect(error).toBeInstanceOf(tf.GraphFormatError);
    expect((error as Error).message).toMatch(/the tensors the function creates add up to more than the memory budget's maxTotalBytes \(1073741824\)/);
  });

  it("K2: sizes in called functions, branches and loop bodies count too", () => {
    // The top level makes 9 bytes (a sum, a constant, a bool); each branch makes float32[2], 8 bytes.
    const { saved } = savedFile("branches");
    const { error } = load(saved, { memoryBudget: { maxTensorBytes: 6 } });
    expect((error as Error).message).toMatch(/operation (mul|neg) \((Mul|Neg)\) in function 'cond_(true|false)_\d+' creates a float32 tensor of shape \[2\] \(8 bytes\)/);
  });

  it("K2: memoryBudget raises or lowers the limits", () => {
    const huge = savedFile("creators").saved;
    GROW.fill!(opNamed(huge, "fill").attrs, 16384);
    const { loaded, error } = load(huge, { memoryBudget: { maxTensorBytes: 2 ** 31, maxTotalBytes: Number.POSITIVE_INFINITY } });
    expect(error).toBeUndefined();
    loaded!.dispose(); // loading allocated nothing for it; only a call would
    const { error: lowered } = load(savedFile("creators").saved, { memoryBudget: { maxTensorBytes: 8 } });
    expect((lowered as Error).message).toMatch(/more than the memory budget's maxTensorBytes \(8\)/);
    const { error: total } = load(savedFile("creators").saved, { memoryBudget: { maxTotalBytes: 64 } });
    expect((total as Error).message).toMatch(/add up to more than the memory budget's maxTotalBytes \(64\)/);
  });

  it("K2: a memoryBudget that is not positive numbers is an ArgumentError", () => {
    for (const memoryBudget of [{ maxTensorBytes: -1 }, { maxTotalBytes: 0 }, { maxTensorBytes: Number.NaN }, { maxTensorBytes: "1" }, null]) {
      expect(() => tf.loadFunction(savedFile("creators").saved, { memoryBudget } as unknown as tf.LoadOptions)).toThrow(tf.ArgumentError);
    }
    expect(tf.DEFAULT_MEMORY_BUDGET).toEqual({ maxTensorBytes: 256 * MiB, maxTotalBytes: 1024 * MiB });
  });

  it("K2: sizes known only when the function runs are not counted when loading", () => {
    // `tf.range(0, k)` with a tensor `k`: its length comes with the call.
    const { saved } = savedFile("sizes");
    const { loaded, error } = load(saved, { memoryBudget: { maxTensorBytes: 64 } });
    expect(error).toBeUndefined();
    const args = [tf.ones([2, 3]), tf.scalar(100)];
    const [, , , , grown] = loaded!(...args) as tf.Tensor[];
    expect(grown!.arraySync()).toBe(4950);
    disposeAll(args);
    loaded!.dispose();
  });
});

describe("SPEC K2: graph outputs a result structure leaves out do not leak", () => {
  it("K2: an output the structure never mentions is freed on every call", () => {
    const { saved, args } = savedFile("calls");
    const outputs = saved.functions[0].outputs;
    // `rest` (graph output 2) becomes a JS value: output 2 is still computed on every call.
    outputs.values[outputs.keys.indexOf("rest")] = { kind: "literal", value: "dropped" };
    const loaded = tf.loadFunction(saved);
    const print = tf.getRuntime().print;
    tf.getRuntime().print = () => {};
    try {
      // The first call builds the plans (their constants live until loaded.dispose()).
      let before = tf.memory();
      for (let i = 0; i < 3; i++) {
        if (i === 1) before = tf.memory();
        const inputs = args();
        const result = loaded(...inputs) as { y: tf.Tensor; rest: unknown };
        expect(result.rest).toBe("dropped");
        expect(result.y.arraySync()).toEqual([33, 66]);
        disposeAll([result, inputs]);
      }
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
    } finally {
      tf.getRuntime().print = print;
      loaded.dispose();
    }
  });

  it("K2: a structure with no tensors at all frees every output", () => {
    const { saved, args } = savedFile("layout");
    saved.functions[0].outputs = { kind: "literal", value: 42 };
    const before = tf.memory();
    const loaded = tf.loadFunction(saved);
    const inputs = args();
    expect(loaded(...inputs)).toBe(42);
    disposeAll(inputs);
    expect(tf.memory().numTensors).toBe(before.numTensors + 1); // the restored filter
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
  });

  it("K2: the same output referenced twice is one tensor, and nothing leaks", () => {
    const { saved, args } = savedFile("sizes");
    saved.functions[0].outputs.items[1] = { kind: "tensor", index: 0 };
    const loaded = tf.loadFunction(saved);
    const before = tf.memory();
    const inputs = args();
    const result = loaded(...inputs) as tf.Tensor[];
    expect(result[1]).toBe(result[0]);
    disposeAll([result, inputs]);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    loaded.dispose();
  });
});
