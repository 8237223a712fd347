import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { broadcastLayout } from "../src/kernels/elementwise/broadcast.js";
import { blockDialect, missingBlockLoops } from "../src/kernels/elementwise/block_dialect.js";
import { compileElementwiseBlocks } from "../src/kernels/elementwise/block_loop.js";
import { compileElementwise } from "../src/kernels/elementwise/compile.js";

/** Attrs that choose an op's semantics (Cast's target dtype, Gelu's approximation). */
const ATTR_CHOICES: object[] = [{}, { DstT: "float32" }, { DstT: "int32" }, { DstT: "bool" }, { approximate: true }, { approximate: false }];

/** Every scalar kernel in core's op table, once each, with the op it belongs to. */
function allScalarKernels(): { label: string; kernel: tf.ScalarKernel }[] {
  const seen = new Set<tf.ScalarKernel>();
  const out: { label: string; kernel: tf.ScalarKernel }[] = [];
  for (const op of tf.coreOpDefs()) {
    const scalar = op.scalar;
    if (scalar === undefined) continue;
    const lists = typeof scalar === "function" ? ATTR_CHOICES.map((attrs) => scalar(attrs as never)) : [scalar];
    for (const kernel of lists.flat()) {
      if (seen.has(kernel)) continue;
      seen.add(kernel);
      out.push({ label: `${op.name}(${kernel.args.join(", ")}) -> ${kernel.body.dtype}`, kernel });
    }
  }
  return out;
}

const FLOATS = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3, -7, 0.1, 100, 1e-45, 1e-30, 3.4e38, -3.4e38, 88.7, -103, 1e7, NaN, Infinity, -Infinity];
const INTS = [0, 1, -1, 2, -2, 3, 7, -7, 31, 100, 2147483647, -2147483648, 65536, -65537];
const BOOLS = [0, 1];

/** Inputs covering every combination of special values for the kernel's argument dtypes. */
function specialInputs(args: readonly tf.DType[]): tf.DataArray[] {
  const pools = args.map((d) => (d === "float32" ? FLOATS : d === "int32" ? INTS : BOOLS));
  const size = pools.reduce((n, p) => n * p.length, 1);
  const arrays = args.map((d) => tf.allocate(d, size));
  for (let i = 0; i < size; i++) {
    let rest = i;
    pools.forEach((pool, k) => {
      arrays[k]![i] = pool[rest % pool.length]!;
      rest = Math.floor(rest / pool.length);
    });
  }
  return arrays;
}

/** `size` elements cycling through `x`. */
function cycle(x: tf.DataArray, size: number): tf.DataArray {
  const out = tf.allocate(x instanceof Float32Array ? "float32" : x instanceof Int32Array ? "int32" : "bool", size);
  for (let i = 0; i < size; i++) out[i] = x[i % x.length]!;
  return out;
}

/**
 * Values as text that tells -0 from 0. NaN is one value: JS leaves a NaN's sign bit to the
 * engine (V8 gives `x % 0` a different one in a prebuilt loop than in a generated one).
 */
const bits = (a: tf.DataArray) => Array.from(a, (v) => (Object.is(v, -0) ? "-0" : String(v)));

describe("block kernels (the cpu backend without code generation, as under a CSP without 'unsafe-eval') compute what generated kernels compute", () => {
  it("the loop table has an entry for every scalar function and operand dtype, like a dialect", () => {
    expect(missingBlockLoops(blockDialect)).toEqual([]);
  });

  const kernels = allScalarKernels();
  it("covers every elementwise op of core", () => {
    expect(kernels.length).toBeGreaterThan(60);
  });

  it.each(kernels)("$label: identical values on every combination of special values", ({ label, kernel }) => {
    // Repeated past one block (256 elements), so block boundaries are crossed.
    const inputs = specialInputs(kernel.args).map((x) => cycle(x, x.length * 3));
    const size = inputs[0]!.length;
    const generated = tf.allocate(kernel.body.dtype, size);
    const prebuilt = tf.allocate(kernel.body.dtype, size);
    compileElementwise(label, kernel)(generated, inputs, null);
    compileElementwiseBlocks(kernel)(prebuilt, inputs, null);
    expect(bits(prebuilt)).toEqual(bits(generated));
  });

  it.each(kernels.filter((k) => k.kernel.args.length >= 2))("$label: identical values when an operand broadcasts", ({ label, kernel }) => {
    // Input 0 is [30, 11]; the others broadcast a row [11] (first) or a column [30, 1]; 330
    // elements cross a block boundary inside a row.
    const shapes = kernel.args.map((_, k) => (k === 0 ? [30, 11] : k === 1 ? [11] : [30, 1]));
    const inputs = shapes.map((shape, k) => cycle(specialInputs([kernel.args[k]!])[0]!, tf.sizeOf(shape)));
    const layout = broadcastLayout([30, 11], shapes);
    const generated = tf.allocate(kernel.body.dtype, 330);
    const prebuilt = tf.allocate(kernel.body.dtype, 330);
    compileElementwise(label, kernel)(generated, inputs, layout);
    compileElementwiseBlocks(kernel)(prebuilt, inputs, layout);
    expect(bits(prebuilt)).toEqual(bits(generated));
  });
});
