/**
 * Small building blocks the op mappings share: casts, int64 shapes and axes, unsqueeze and
 * squeeze, and reading an attr that may arrive as a tensor input (`OpDef.attrInputs`).
 *
 * ```ts
 * const shape = attrOrInput(n, "shape"); // an int64 tensor name, from the attr or the input
 * ```
 */
import type { DType } from "@kiln/core";
import { elemData, type GraphBuilder } from "../export/graph_builder.js";
import { tensorProto } from "../proto/build.js";
import type { ElemType } from "../proto/dtype.js";
import { onnxType } from "../proto/dtype.js";
import type { NodeContext } from "./mapping.js";

/** `x` cast from `from` to `to` (no node when they are the same). */
export function cast(b: GraphBuilder, x: string, from: ElemType, to: ElemType): string {
  return from === to ? x : b.node1("Cast", [x], { to: { int: onnxType(to) } });
}

/** `x` with size-1 axes inserted at `axes` (of the output). */
export function unsqueeze(b: GraphBuilder, x: string, axes: readonly number[]): string {
  return axes.length === 0 ? x : b.node1("Unsqueeze", [x, b.int64s(axes)]);
}

/** `x` with the size-1 axes `axes` removed. */
export function squeeze(b: GraphBuilder, x: string, axes: readonly number[]): string {
  return axes.length === 0 ? x : b.node1("Squeeze", [x, b.int64s(axes)]);
}

/** `axis` in `[0, rank)`. */
export function normalize(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** The dims of a shape as ONNX `Reshape`/`Expand` reads them: known sizes, or fails on an unknown one. */
export function staticDims(n: NodeContext, dims: readonly (number | null)[], what: string): number[] {
  return dims.map((d) => (d === null ? n.fail(`${what} has an unknown dimension, which this mapping needs known`) : d));
}

/** The int64 1-D shape of `x` at run time. */
export function shapeOf(b: GraphBuilder, x: string): string {
  return b.node1("Shape", [x]);
}

/**
 * An attr that the op may take as an int32 tensor input instead (`tf.fill(tf.shape(x), 1)`),
 * as an int64 ONNX tensor: a constant from the attr, or the input cast to int64. A list attr
 * given by a tensor whose length is unknown leaves the result's rank unknown: UnknownRankError.
 */
export function attrOrInput(n: NodeContext, attr: string): string {
  const spec = n.op.def.attrInputs?.find((a) => a.attr === attr);
  if (spec !== undefined && n.op.inputs.length > spec.input) {
    const info = n.input(spec.input);
    if (!spec.scalar && (info.shape.length !== 1 || info.shape[0] === null)) {
      n.unknownRank(
        `its '${attr}' is a tensor of shape [${info.shape.map((d) => d ?? "null").join(",")}], so the rank of the result is unknown; ` +
          `ONNX needs every rank known: give the ${attr} as a JS array, or a tensor of static length (e.g. tf.shape of a tensor of known rank)`,
      );
    }
    return cast(n.b, n.inputs[spec.input]!, info.dtype, "int64");
  }
  const value = n.attrs<Record<string, unknown>>()[attr];
  if (spec?.scalar === true) return n.b.scalar("int64", value as number);
  return n.b.int64s(value as number[]);
}

/** Whether a Kiln dtype is float32. */
export function isFloat(dtype: DType): boolean {
  return dtype === "float32";
}

/** A one-element tensor (`ConstantOfShape`'s `value`): zero unless told. */
export function zeroTensor(type: ElemType, value = 0) {
  return tensorProto("value", type, [1], elemData(type, [value]));
}

/**
 * `Where(condition, a, b)` for values of `dtype`. onnxruntime has no bool `Where` kernel, so
 * bool values are selected with logic ops (`(c and a) or (not c and b)`, broadcasting alike).
 */
export function select(b: GraphBuilder, condition: string, a: string, otherwise: string, dtype: ElemType): string {
  if (dtype !== "bool") return b.node1("Where", [condition, a, otherwise]);
  return b.node1("Or", [b.node1("And", [condition, a]), b.node1("And", [b.node1("Not", [condition]), otherwise])]);
}

/** True where `x` has its sign bit set: negative numbers and -0 (found as 1 / -0 = -Infinity); false for NaN. */
export function signBit(b: GraphBuilder, x: string): string {
  const zero = b.scalar("float32", 0);
  const negativeZero = b.node1("And", [b.node1("Equal", [x, zero]), b.node1("Less", [b.node1("Reciprocal", [x]), zero])]);
  return b.node1("Or", [b.node1("Less", [x, zero]), negativeZero]);
}
