import type { DType, DataArray } from "../base/dtype.js";
import type { Shape } from "../base/shape.js";

/** Formats a shape like TF: `()`, `(3,)`, `(None, 2)`. */
export function formatTfShape(shape: Shape): string {
  const dims = shape.map((d) => (d === null ? "None" : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

function formatElement(value: number, dtype: DType): string {
  if (dtype === "bool") return value ? "True" : "False";
  if (dtype === "int32") return String(value);
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.`;
  const text = Math.abs(value) >= 1e-4 && Math.abs(value) < 1e16 ? String(Number(value.toPrecision(7))) : value.toExponential(6);
  return text;
}

const MAX_ELEMENTS = 1000;
const EDGE_ITEMS = 3;

/**
 * Formats values like NumPy / TF's eager repr: nested brackets, elements separated by
 * spaces, columns right-aligned, large tensors summarised with `...`.
 *
 * ```ts
 * formatValues(new Float32Array([1, 2, 3, 4]), [2, 2], "float32"); // "[[1. 2.]\n [3. 4.]]"
 * ```
 */
export function formatValues(values: DataArray, shape: readonly number[], dtype: DType): string {
  const summarise = values.length > MAX_ELEMENTS;
  const texts: string[] = [];
  const strides: number[] = [];
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  const visit = (dim: number, offset: number, sink: (s: string) => void): void => {
    if (dim === shape.length) {
      sink(formatElement(values[offset]!, dtype));
      return;
    }
    const n = shape[dim]!;
    for (let i = 0; i < n; i++) {
      if (summarise && n > 2 * EDGE_ITEMS && i === EDGE_ITEMS) i = n - EDGE_ITEMS;
      visit(dim + 1, offset + i * strides[dim]!, sink);
    }
  };
  visit(0, 0, (s) => texts.push(s));
  const width = Math.max(0, ...texts.map((t) => t.length));
  let next = 0;
  const render = (dim: number, indent: number): string => {
    if (dim === shape.length) return texts[next++]!.padStart(width);
    const n = shape[dim]!;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      if (summarise && n > 2 * EDGE_ITEMS && i === EDGE_ITEMS) {
        parts.push("...");
        i = n - EDGE_ITEMS;
      }
      parts.push(render(dim + 1, indent + 1));
    }
    const separator = dim === shape.length - 1 ? " " : "\n".repeat(shape.length - dim - 1) + " ".repeat(indent + 1);
    return `[${parts.join(separator)}]`;
  };
  return render(0, 0);
}
