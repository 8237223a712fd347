import type { OpOutput } from "./graph.js";
import type { ValueInfo } from "./op.js";

/** Largest value a graph reads this way: shapes and small index lists, not data. */
const MAX_ELEMENTS = 64;

/** True for a graph value (an operation's output) rather than a bare type. */
function isOutput(info: ValueInfo): info is OpOutput {
  return typeof (info as Partial<OpOutput>).op === "object";
}

/**
 * What a graph knows of a small int32 value before running (TF's constant-value
 * inference, used for shape tensors): the flat values where known, `null` for elements
 * only the run knows, or `undefined` when nothing is known. Constants are known;
 * `Shape` gives its input's static dims; `Pack` (a stack of scalars) and `Cast` combine
 * what their inputs give.
 *
 * ```ts
 * partialValue(shapeOfX); // [null, 3] for tf.shape(x) with x: float32[?, 3]
 * ```
 */
export function partialValue(info: ValueInfo): (number | null)[] | undefined {
  if (!isOutput(info) || info.dtype !== "int32") return undefined;
  const op = info.op;
  switch (op.type) {
    case "Const": {
      const value = (op.attrs as { value?: readonly number[] }).value;
      return Array.isArray(value) && value.length <= MAX_ELEMENTS ? [...value] : undefined;
    }
    case "Shape":
      return op.inputs[0]!.shape.length <= MAX_ELEMENTS ? [...op.inputs[0]!.shape] : undefined;
    case "Cast":
    case "Identity":
      return partialValue(op.inputs[0]!);
    case "Pack": {
      if (op.inputs.some((i) => i.shape.length !== 0) || op.inputs.length > MAX_ELEMENTS) return undefined;
      return op.inputs.map((i) => partialValue(i)?.[0] ?? null);
    }
    default:
      return undefined;
  }
}
