/**
 * Reductions, arg-reductions and cumulative sums. Kiln's attrs always list the axes (`null`
 * was resolved to every axis when the op was made); an empty list reduces nothing, which ONNX
 * would read as "every axis", so it becomes an Identity (or a Cast). Where onnxruntime's
 * kernels differ from Kiln's definitions the mapping works around them:
 * - int32 sums and cumulative sums wrap in Kiln; onnxruntime's int32 ReduceSum saturates, so
 *   they run in int64 and are cast back (keeping the low 32 bits: wrapping); int32 products
 *   (which overflow int64 too) multiply in a Loop that keeps the low 32 bits (`product.ts`);
 * - a mean is a sum divided by the count, so the mean of nothing is NaN as in Kiln (ReduceMean
 *   gives 0); int32 and bool means are computed in float64, exactly;
 * - `all`/`any` count (ReduceSum) instead of ReduceMin/ReduceMax, so that over nothing they are
 *   true and false as in Kiln;
 * - bool max/min (opset 17's ReduceMax/ReduceMin take no bool) are any/all;
 * - float32 max/min/argMax/argMin give NaN (its index) where a group holds one, as in Kiln.
 *
 * ```ts
 * // tf.sum(x, 1, true)  ->  ReduceSum(x, axes=[1], keepdims=1)
 * // tf.any(b)           ->  Greater(ReduceSum(Cast(b, int32)), 0)
 * ```
 */
import type { DType } from "@kiln/core";
import type { ElemType } from "../proto/dtype.js";
import { cast, normalize } from "./helpers.js";
import type { NodeContext, OpMapping } from "./mapping.js";
import { wrappingProduct } from "./product.js";

type ReductionAttrs = { axis: readonly number[]; keepDims: boolean };

/** The normalized axes and keepdims of a reduction, or undefined when it reduces nothing. */
function axesOf(n: NodeContext): { axes: number[]; keepdims: { int: number } } | undefined {
  const { axis, keepDims } = n.attrs<ReductionAttrs>();
  if (axis.length === 0) return undefined;
  return { axes: axis.map((a) => normalize(a, n.input(0).shape.length)), keepdims: { int: keepDims ? 1 : 0 } };
}

/** `onnx` over the op's axes of `x` (ReduceSum takes the axes as an input from opset 13, the others as an attribute until 18). */
function reduce(n: NodeContext, onnx: string, x: string): string {
  const { axes, keepdims } = axesOf(n)!;
  return onnx === "ReduceSum"
    ? n.b.node1(onnx, [x, n.b.int64s(axes)], { keepdims })
    : n.b.node1(onnx, [x], { axes: { ints: axes }, keepdims });
}

/** The type a reduction of `dtype` runs in: int64 where int32 must wrap, int32 for bools. */
const wrapping = (d: DType): ElemType => (d === "float32" ? d : "int64");
const boolAsInt = (d: DType): ElemType => (d === "bool" ? "int32" : d);
/** float32 products run in float64 (as Kiln's: partial products may leave float32's range). */
const wide = (d: DType): ElemType => (d === "float32" ? "float64" : "int64");

/** A reduction that casts its input to `work(dtype)`, reduces with `onnx`, and casts to the output dtype. */
function reduction(op: string, onnx: string, work: (dtype: DType) => ElemType, notes?: string): OpMapping {
  return {
    op,
    onnx: `${onnx} (int32 and bool in int64)`,
    ...(notes === undefined ? {} : { notes }),
    convert: (n) => {
      const from = n.input(0).dtype;
      const x = cast(n.b, n.inputs[0]!, from, work(from));
      const reduced = axesOf(n) === undefined ? x : reduce(n, onnx, x);
      const out = cast(n.b, reduced, work(from), n.output(0).dtype);
      return [out === n.inputs[0] ? n.b.node1("Identity", [out]) : out];
    },
  };
}

/** Mean: the sum over the count (float64 for int32 and bool inputs). */
function mean(n: NodeContext): string {
  const { b } = n;
  const from = n.input(0).dtype;
  const work: ElemType = from === "float32" ? "float32" : "float64";
  const x = cast(b, n.inputs[0]!, from, work);
  const axes = axesOf(n);
  if (axes === undefined) return cast(b, from === "float32" ? b.node1("Identity", [x]) : x, work, "float32");
  const dims = axes.axes.map((a) => n.input(0).shape[a]!);
  const count = dims.every((d) => d !== null)
    ? b.scalar(
        work,
        dims.reduce((p, d) => p * (d as number), 1),
      )
    : cast(
        b,
        b.node1("ReduceProd", [b.node1("Gather", [b.node1("Shape", [n.inputs[0]!]), b.int64s(axes.axes)], { axis: { int: 0 } })], {
          keepdims: { int: 0 },
        }),
        "int64",
        work,
      );
  return cast(b, b.node1("Div", [reduce(n, "ReduceSum", x), count]), work, "float32");
}

/** all / any: how many elements are false / true, compared with 0. */
function allAny(n: NodeContext, kind: "all" | "any"): string {
  const { b } = n;
  const x = kind === "all" ? b.node1("Not", [n.inputs[0]!]) : n.inputs[0]!;
  if (axesOf(n) === undefined) return b.node1("Identity", [n.inputs[0]!]);
  const count = reduce(n, "ReduceSum", cast(b, x, "bool", "int32"));
  const zero = b.scalar("int32", 0);
  return kind === "all" ? b.node1("Equal", [count, zero]) : b.node1("Greater", [count, zero]);
}

/** Whether each reduced group of float32 `x` holds a NaN: `Greater(ReduceMax(Cast(IsNaN(x), int32)), 0)` over `axes`. */
function hasNaN(n: NodeContext, x: string, axes: { axes: number[]; keepdims: { int: number } }): string {
  const { b } = n;
  const mask = cast(b, b.node1("IsNaN", [x]), "bool", "int32");
  const found = b.node1("ReduceMax", [mask], { axes: { ints: axes.axes }, keepdims: axes.keepdims });
  return b.node1("Greater", [found, b.scalar("int32", 0)]);
}

/**
 * max/min: ReduceMax/ReduceMin, with NaN where a group holds one (Kiln propagates NaN;
 * onnxruntime's kernels skip it). bool max/min are any/all.
 */
function extremum(op: "Max" | "Min", onnx: "ReduceMax" | "ReduceMin"): OpMapping {
  return {
    op,
    onnx: `${onnx} (float32: Where(NaN in the group, NaN, ${onnx}); bool: as all/any)`,
    notes: "NaN wins, as in Kiln",
    convert: (n) => {
      const { b } = n;
      const from = n.input(0).dtype;
      const axes = axesOf(n);
      if (axes === undefined) return [b.node1("Identity", [n.inputs[0]!])];
      // bool: any / all (false and true over nothing, as in Kiln; int32's ReduceMax of nothing is -2^31).
      if (from === "bool") return [allAny(n, op === "Max" ? "any" : "all")];
      const x = cast(b, n.inputs[0]!, from, boolAsInt(from));
      const reduced = cast(b, reduce(n, onnx, x), boolAsInt(from), n.output(0).dtype);
      if (from !== "float32" || n.options.specialValues === "runtime") return [reduced];
      return [b.node1("Where", [hasNaN(n, x, axes), b.scalar("float32", Number.NaN), reduced])];
    },
  };
}

/**
 * argMax/argMin: ONNX's int64 indices cast to int32 (bool inputs compared as int32). For
 * float32, a group holding a NaN gives its first NaN's index (Kiln counts NaN as the largest
 * and as the smallest value): ArgMax of the NaN mask, chosen with Where.
 */
function argReduction(op: string, onnx: string): OpMapping {
  return {
    op,
    onnx: `${onnx} + Cast (float32: Where(NaN in the group, ArgMax(IsNaN(x)), ${onnx}))`,
    notes: "ties pick the first index, as in Kiln; so does NaN (the first NaN's index)",
    convert: (n) => {
      const { b } = n;
      const from = n.input(0).dtype;
      const x = cast(b, n.inputs[0]!, from, boolAsInt(from));
      const axis = normalize(n.attrs<{ axis: number }>().axis, n.input(0).shape.length);
      const attrs = { axis: { int: axis }, keepdims: { int: 0 }, select_last_index: { int: 0 } };
      let index = b.node1(onnx, [x], attrs);
      if (from === "float32" && n.options.specialValues !== "runtime") {
        const firstNaN = b.node1("ArgMax", [cast(b, b.node1("IsNaN", [x]), "bool", "int32")], attrs);
        index = b.node1("Where", [hasNaN(n, x, { axes: [axis], keepdims: { int: 0 } }), firstNaN, index]);
      }
      return [cast(b, index, "int64", "int32")];
    },
  };
}

export const reductionMappings: readonly OpMapping[] = [
  reduction("Sum", "ReduceSum", wrapping),
  {
    op: "Mean",
    onnx: "ReduceSum / count (int32 and bool in float64)",
    notes: "the mean of nothing is NaN, as in Kiln",
    convert: (n) => [mean(n)],
  },
  extremum("Max", "ReduceMax"),
  extremum("Min", "ReduceMin"),
  {
    op: "Prod",
    onnx: "ReduceProd (float32 in float64, bool as int64); int32: Loop of Mul in int64 keeping the low 32 bits",
    notes: "int32 products wrap, and float32 products are exact until the last rounding, as in Kiln",
    convert: (n) => {
      const axes = axesOf(n);
      if (n.input(0).dtype !== "int32" || axes === undefined) return reduction("Prod", "ReduceProd", wide).convert(n);
      return [wrappingProduct(n, axes.axes, axes.keepdims.int === 1)];
    },
  },
  {
    op: "All",
    onnx: "Equal(ReduceSum(Cast(Not(x), int32)), 0)",
    notes: "true over nothing, as in Kiln",
    convert: (n) => [allAny(n, "all")],
  },
  { op: "Any", onnx: "Greater(ReduceSum(Cast(x, int32)), 0)", notes: "false over nothing, as in Kiln", convert: (n) => [allAny(n, "any")] },
  argReduction("ArgMax", "ArgMax"),
  argReduction("ArgMin", "ArgMin"),
  {
    op: "Cumsum",
    onnx: "CumSum (int32 and bool in int64)",
    convert: (n) => {
      const { b } = n;
      const { axis, exclusive, reverse } = n.attrs<{ axis: number; exclusive: boolean; reverse: boolean }>();
      const from = n.input(0).dtype;
      const x = cast(b, n.inputs[0]!, from, wrapping(from));
      const a = b.scalar("int64", normalize(axis, n.input(0).shape.length));
      const summed = b.node1("CumSum", [x, a], { exclusive: { int: exclusive ? 1 : 0 }, reverse: { int: reverse ? 1 : 0 } });
      return [cast(b, summed, wrapping(from), n.output(0).dtype)];
    },
  },
];
