import { KilnError, formatShape } from "../../base/errors.js";
import { isPlainObject } from "../../base/plain_object.js";
import type { Shape } from "../../base/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { flattenStructure } from "../structure.js";

/** Thrown when branches or loop iterations disagree in structure, dtype or shape (SPEC G5, G6). */
export class ControlFlowError extends KilnError {
  static override readonly errorName: string = "ControlFlowError";
}

function describeLeaf(leaf: unknown): string {
  if (leaf instanceof Tensor) return `a tensor of dtype ${leaf.dtype}`;
  if (leaf === undefined) return "undefined";
  return `the JS value ${String(leaf)}`;
}

function structureOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(structureOf).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${k}:${structureOf((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return value instanceof Tensor ? "T" : "v";
}

/**
 * Checks two results have the same structure and, leaf by leaf, the same dtype (tensors)
 * or the same value (JS values). `names` name the leaves in messages (AutoGraph passes
 * the variable names); `sides` name the two results.
 */
export function checkSameStructure(a: unknown, b: unknown, names: readonly string[] | undefined, sides: readonly [string, string]): void {
  const left = flattenStructure(a);
  const right = flattenStructure(b);
  const name = (i: number) => (names?.[i] === undefined ? `output ${i}` : `'${names[i]}'`);
  if (structureOf(a) !== structureOf(b) || left.length !== right.length) {
    const i = left.findIndex((l, k) => l instanceof Tensor !== right[k] instanceof Tensor);
    throw new ControlFlowError(
      i >= 0
        ? `${name(i)} is ${describeLeaf(left[i])} ${sides[0]}, but ${describeLeaf(right[i])} ${sides[1]}; both must produce the same structure`
        : `the results ${sides[0]} and ${sides[1]} have different structures (${structureOf(a)} vs ${structureOf(b)}); both must produce the same nested structure`,
    );
  }
  left.forEach((l, i) => {
    const r = right[i];
    if (l instanceof Tensor && r instanceof Tensor) {
      if (l.dtype !== r.dtype) throw new ControlFlowError(`${name(i)} has dtype ${l.dtype} ${sides[0]}, but dtype ${r.dtype} ${sides[1]}`);
    } else if (!(l instanceof Tensor) && !Object.is(l, r)) {
      throw new ControlFlowError(
        `${name(i)} is ${describeLeaf(l)} ${sides[0]}, but ${describeLeaf(r)} ${sides[1]}; JS values must agree (make them tensors to differ)`,
      );
    }
  });
}

/** The most specific shape both fit: dims that differ become null (ranks must agree). */
export function mergeShapes(a: Shape, b: Shape, name: string): Shape {
  if (a.length !== b.length) {
    throw new ControlFlowError(
      `${name} has shape ${formatShape(a)} in one branch and ${formatShape(b)} in the other; the ranks must agree`,
    );
  }
  return a.map((d, i) => (d === b[i] ? d : null));
}
