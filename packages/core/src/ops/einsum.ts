/**
 * `einsum`: Einstein summation over one or two operands, a composite of primitive ops (as
 * TensorFlow lowers it): letters summed in one operand only are reduced first, then the
 * operands are transposed and reshaped to `[batch, rows, contracted]` and
 * `[batch, contracted, columns]`, multiplied with one (batched) `matMul`, and the result
 * reshaped and transposed to the output's letters. Every backend runs it with the kernels
 * it already has, and its gradient comes from those ops. Sizes unknown while tracing come
 * from `tf.shape`, so a traced einsum takes any batch or sequence length.
 */
import { ArgumentError, ShapeError, formatShape } from "../base/errors.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { mul } from "./binary.js";
import { composite } from "./composite.js";
import { toTensor } from "./convert.js";
import { scalar } from "./creation.js";
import { gather } from "./gather.js";
import { stack } from "./joining.js";
import { matMul } from "./matmul.js";
import { sum } from "./reduction.js";
import { shape } from "./shape_of.js";
import { reshape, transpose } from "./shape_ops.js";

/** A dimension size: known while tracing, or an int32 scalar read when the graph runs. */
type Size = number | Tensor;

interface Parsed {
  readonly inputs: string[];
  readonly output: string;
}

function parse(equation: string, count: number): Parsed {
  if (typeof equation !== "string")
    throw new ArgumentError(`einsum: equation must be a string such as "ij,jk->ik", received ${typeof equation}`);
  const compact = equation.replace(/\s+/g, "");
  if (compact.includes("..."))
    throw new ArgumentError(`einsum: ellipsis ('...') is not supported, received "${equation}"; name every axis with a letter`);
  const arrow = compact.indexOf("->");
  const left = arrow < 0 ? compact : compact.slice(0, arrow);
  const inputs = left.split(",");
  if (inputs.length !== count) throw new ArgumentError(`einsum: "${equation}" names ${inputs.length} operand(s), but ${count} were given`);
  if (count < 1 || count > 2)
    throw new ArgumentError(`einsum: one or two operands are supported, received ${count}; chain einsum calls for more`);
  const all = inputs.join("");
  const output =
    arrow < 0
      ? [...new Set(all)]
          .filter((c) => all.indexOf(c) === all.lastIndexOf(c))
          .sort()
          .join("")
      : compact.slice(arrow + 2);
  for (const term of [...inputs, output]) {
    if (!/^[a-zA-Z]*$/.test(term))
      throw new ArgumentError(`einsum: "${equation}" has an invalid term '${term}': use letters a-z and A-Z only`);
    if (new Set(term).size !== term.length) {
      throw new ArgumentError(`einsum: "${equation}" repeats a letter within '${term}' (diagonals and traces are not supported)`);
    }
  }
  for (const c of output) {
    if (!all.includes(c)) throw new ArgumentError(`einsum: output letter '${c}' of "${equation}" appears in no operand`);
  }
  return { inputs, output };
}

/** The size of each letter, checked to agree between operands where known. */
function letterSizes(equation: string, terms: readonly string[], operands: readonly Tensor[]): Map<string, Size> {
  const sizes = new Map<string, Size>();
  terms.forEach((term, k) => {
    const t = operands[k]!;
    if (term.length !== t.rank) {
      throw new ShapeError(
        `einsum: operand ${k} of "${equation}" has ${term.length} letters ('${term}') but rank ${t.rank} (shape ${formatShape(t.shape)})`,
      );
    }
    [...term].forEach((c, axis) => {
      const d = t.shape[axis];
      const known = sizes.get(c);
      if (typeof known === "number" && typeof d === "number" && known !== d) {
        throw new ShapeError(`einsum: letter '${c}' of "${equation}" has size ${known} in one operand and ${d} in operand ${k}`);
      }
      if (typeof known !== "number") sizes.set(c, d ?? gather(shape(t), axis));
    });
  });
  return sizes;
}

function product(sizes: readonly Size[]): Size {
  return sizes.reduce<Size>((a, b) => (typeof a === "number" && typeof b === "number" ? a * b : mul(a, b)), 1);
}

/** A reshape target: numbers when all are known, else an int32 shape tensor. */
function target(sizes: readonly Size[]): number[] | Tensor {
  if (sizes.every((s) => typeof s === "number")) return sizes as number[];
  return stack(sizes.map((s) => (typeof s === "number" ? scalar(s, "int32") : s)));
}

function permute(t: Tensor, from: string, to: string): Tensor {
  if (from === to) return t;
  return transpose(
    t,
    [...to].map((c) => from.indexOf(c)),
  );
}

/** Sums away the letters of `term` that `keep` lacks. */
function reduceTo(t: Tensor, term: string, keep: (c: string) => boolean): [Tensor, string] {
  const axes = [...term].flatMap((c, i) => (keep(c) ? [] : [i]));
  if (axes.length === 0) return [t, term];
  return [sum(t, axes), [...term].filter(keep).join("")];
}

/**
 * Einstein summation (tfjs's `tf.einsum`): `"ij,jk->ik"` is a matrix product, `"bij,bjk->bik"`
 * a batched one, `"ij->ji"` a transpose, `"ij->"` a sum; without `->` the output is every
 * letter that appears once, in alphabetical order. One or two operands, no ellipsis, no
 * repeated letter within an operand.
 *
 * ```ts
 * tf.einsum("abc,cde->abde", x, kernel); // a dense projection to [batch, time, heads, dim]
 * tf.einsum("ij,ij->i", a, b);           // row-wise dot products
 * ```
 */
export function einsum(equation: string, ...operands: TensorLike[]): Tensor {
  const { inputs: terms, output } = parse(equation, operands.length);
  const tensors = operands.map((o, i) => toTensor(o, "einsum", `operands[${i}]`));
  return composite(tensors, () => {
    const sizes = letterSizes(equation, terms, tensors);
    if (tensors.length === 1) {
      const [reduced, term] = reduceTo(tensors[0]!, terms[0]!, (c) => output.includes(c));
      return permute(reduced, term, output);
    }
    const [a0, b0] = tensors as [Tensor, Tensor];
    const [ta0, tb0] = terms as [string, string];
    // Letters of one operand that appear nowhere else are summed first.
    const [a, ta] = reduceTo(a0, ta0, (c) => output.includes(c) || tb0.includes(c));
    const [b, tb] = reduceTo(b0, tb0, (c) => output.includes(c) || ta.includes(c));
    const batch = [...ta].filter((c) => tb.includes(c) && output.includes(c)).join("");
    const contracted = [...ta].filter((c) => tb.includes(c) && !output.includes(c)).join("");
    const rows = [...ta].filter((c) => !tb.includes(c)).join("");
    const columns = [...tb].filter((c) => !ta.includes(c)).join("");
    const size = (letters: string) => [...letters].map((c) => sizes.get(c)!);
    const lead = batch.length > 0 ? [product(size(batch))] : [];
    const left = reshape(permute(a, ta, batch + rows + contracted), target([...lead, product(size(rows)), product(size(contracted))]));
    const right = reshape(
      permute(b, tb, batch + contracted + columns),
      target([...lead, product(size(contracted)), product(size(columns))]),
    );
    const result = reshape(matMul(left, right), target(size(batch + rows + columns)));
    return permute(result, batch + rows + columns, output);
  });
}
