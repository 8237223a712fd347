/**
 * Shape rules of the checker: output shapes of the common ops from their input shapes (and
 * constant axes and shapes), and the problems found on the way (broadcasts that cannot
 * happen, matrix products whose inner dims differ, reshapes that change the element count,
 * squeezes of axes that are not 1, transposes and concats that do not fit). An op without a
 * rule here gives unknown shapes, which later rules skip.
 *
 * ```ts
 * inferShapes(node, [[2, 3], [3]], constants, report); // [[2, 3]] for Add
 * ```
 */
import type { NodeProto } from "onnx-buf";

/** A dim: a size, a symbolic name, or null for unknown. */
export type CheckDim = number | string | null;
/** A shape, or undefined when even the rank is unknown. */
export type CheckShape = readonly CheckDim[] | undefined;

const SAME = new Set([
  "Identity", "Abs", "Neg", "Sign", "Relu", "Exp", "Log", "Sqrt", "Reciprocal", "Sin", "Cos", "Atan", "Tanh", "Sigmoid", "Softplus",
  "Erf", "Floor", "Ceil", "Round", "Elu", "Selu", "Not", "IsNaN", "IsInf", "Cast", "Clip", "CumSum",
  "RandomUniformLike", "RandomNormalLike", "EyeLike",
]);
const BROADCAST = new Set([
  "Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "And", "Or", "Xor", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Where",
]);

function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a === undefined ? fallback : Number(a.i);
}

function intsAttr(node: NodeProto, name: string): number[] | undefined {
  const a = node.attribute.find((x) => x.name === name);
  return a === undefined ? undefined : a.ints.map(Number);
}

const show = (s: readonly CheckDim[]) => `[${s.map((d) => (d === null ? "?" : String(d))).join(",")}]`;

/** Two dims that can be the same at run time (unknown and symbolic dims can be anything). */
function sameDim(a: CheckDim, b: CheckDim): boolean {
  return typeof a !== "number" || typeof b !== "number" || a === b;
}

function broadcast(shapes: readonly (readonly CheckDim[])[], report: (m: string) => void): CheckDim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: CheckDim[] = [];
  for (let i = 0; i < rank; i++) {
    // Missing leading dims are 1; an unknown dim (null) stays unknown.
    const dims = shapes.map((s) => (s.length - rank + i >= 0 ? s[s.length - rank + i]! : 1));
    const sizes = dims.filter((d): d is number => typeof d === "number" && d !== 1);
    if (new Set(sizes).size > 1) report(`shapes ${shapes.map(show).join(", ")} cannot be broadcast together (dimension ${i})`);
    const symbolic = dims.find((d) => typeof d === "string");
    out.push(sizes[0] ?? (dims.every((d) => d === 1) ? 1 : (symbolic ?? null)));
  }
  return out;
}

function reshape(input: readonly CheckDim[], target: readonly number[], allowZero: boolean, report: (m: string) => void): CheckDim[] {
  const out: CheckDim[] = target.map((d, i) => (d === 0 && !allowZero ? (input[i] ?? null) : d === -1 ? null : d));
  const known = (s: readonly CheckDim[]) => s.every((d) => typeof d === "number");
  const count = (s: readonly CheckDim[]) => (s as number[]).reduce((a, b) => a * b, 1);
  if (known(input)) {
    const inferred = out.indexOf(null);
    const rest = count(out.filter((d) => d !== null));
    if (inferred >= 0 && rest !== 0 && count(input) % rest === 0) out[inferred] = count(input) / rest;
    if (known(out) && count(out) !== count(input)) report(`cannot reshape ${show(input)} (${count(input)} elements) to ${show(target)}`);
  }
  return out;
}

/**
 * The output shapes of `node` from its input shapes; `constant(i)` is input i's value when it
 * is a known int64 constant. Problems go to `report`.
 */
export function inferShapes(node: NodeProto, inputs: readonly CheckShape[], constant: (i: number) => readonly number[] | undefined, report: (message: string) => void): CheckShape[] {
  const op = node.opType;
  const first = inputs[0];
  if (SAME.has(op)) return [first];
  if (BROADCAST.has(op)) return inputs.every((s) => s !== undefined) ? [broadcast(inputs as CheckDim[][], report)] : [undefined];
  if (op === "Shape") return [first === undefined ? [null] : [first.length]];
  if (op === "Size") return [[]];
  if (first === undefined) return [];
  switch (op) {
    case "MatMul": {
      const second = inputs[1];
      if (second === undefined || first.length < 2 || second.length < 2) return [undefined];
      if (!sameDim(first[first.length - 1]!, second[second.length - 2]!))
        report(`inner dimensions differ: ${show(first)} x ${show(second)}`);
      const batch = broadcast([first.slice(0, -2), second.slice(0, -2)], report);
      return [[...batch, first[first.length - 2]!, second[second.length - 1]!]];
    }
    case "Gemm": {
      const second = inputs[1];
      if (second === undefined) return [undefined];
      if (first.length !== 2 || second.length !== 2) {
        report(`Gemm takes matrices, received ranks ${first.length} and ${second.length}`);
        return [undefined];
      }
      const [m, k] = intAttr(node, "transA", 0) === 1 ? [first[1]!, first[0]!] : [first[0]!, first[1]!];
      const [k2, n] = intAttr(node, "transB", 0) === 1 ? [second[1]!, second[0]!] : [second[0]!, second[1]!];
      if (!sameDim(k, k2)) report(`inner dimensions differ: ${show(first)} x ${show(second)} (with transA/transB)`);
      return [[m, n]];
    }
    case "Transpose": {
      const perm = intsAttr(node, "perm") ?? first.map((_, i) => first.length - 1 - i);
      if (perm.length !== first.length || new Set(perm).size !== perm.length || perm.some((p) => p < 0 || p >= first.length)) {
        report(`perm ${show(perm)} is not a permutation of the ${first.length} axes of ${show(first)}`);
        return [undefined];
      }
      return [perm.map((p) => first[p]!)];
    }
    case "Reshape": {
      const target = constant(1);
      return [target === undefined ? undefined : reshape(first, target, intAttr(node, "allowzero", 0) === 1, report)];
    }
    case "Unsqueeze": {
      const axes = constant(1);
      if (axes === undefined) return [undefined];
      const rank = first.length + axes.length;
      const at = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
      const rest = [...first];
      return [Array.from({ length: rank }, (_, i) => (at.has(i) ? 1 : rest.shift()!))];
    }
    case "Squeeze": {
      const axes = node.input[1] ? constant(1) : first.flatMap((d, i) => (d === 1 ? [i] : []));
      if (axes === undefined) return [undefined];
      const at = new Set(axes.map((a) => (a < 0 ? a + first.length : a)));
      for (const a of at) if (typeof first[a] === "number" && first[a] !== 1) report(`cannot squeeze axis ${a} of ${show(first)}: it is not 1`);
      return [first.filter((_, i) => !at.has(i))];
    }
    case "Concat": {
      const shapes = inputs.filter((s): s is readonly CheckDim[] => s !== undefined);
      const rank = first.length;
      const axis = (intAttr(node, "axis", 0) + rank) % Math.max(rank, 1);
      if (shapes.some((s) => s.length !== rank)) {
        report(`inputs of different ranks ${shapes.map(show).join(", ")}`);
        return [undefined];
      }
      for (let i = 0; i < rank; i++)
        if (i !== axis && shapes.some((s) => !sameDim(s[i]!, first[i]!))) report(`inputs ${shapes.map(show).join(", ")} differ outside the concat axis ${axis}`);
      const total = inputs.length === shapes.length && shapes.every((s) => typeof s[axis] === "number") ? shapes.reduce((a, s) => a + (s[axis] as number), 0) : null;
      return [first.map((d, i) => (i === axis ? total : d))];
    }
    case "Conv": {
      const weights = inputs[1];
      if (weights === undefined) return [undefined];
      if (first.length !== weights.length) report(`input ${show(first)} and weights ${show(weights)} differ in rank`);
      const group = intAttr(node, "group", 1);
      const channels = first[1];
      const perGroup = weights[1];
      if (typeof channels === "number" && typeof perGroup === "number" && channels !== perGroup * group)
        report(`input has ${channels} channels but weights ${show(weights)} with group ${group} take ${perGroup * group}`);
      return [[first[0]!, weights[0]!, ...first.slice(2).map(() => null)]];
    }
    default:
      return node.output.map(() => undefined);
  }
}

export { show as showShape, sameDim };
