import type { DType, DataArray } from "../base/dtype.js";
import type { Shape } from "../base/shape.js";
import { floatFormatter, formatFloatScalar } from "./float_format.js";

/** Formats a shape like TF: `()`, `(3,)`, `(None, 2)`. */
export function formatTfShape(shape: Shape): string {
  const dims = shape.map((d) => (d === null ? "None" : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

/** NumPy's print options TF's `str` uses: summarise above 1000 elements, 3 edge items, 75 columns. */
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 75;

/** The elements shown (all, or the edges of each dimension when summarising), in order. */
function shownElements(values: DataArray, shape: readonly number[], summarise: boolean): number[] {
  const strides: number[] = [];
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  const out: number[] = [];
  const visit = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      out.push(values[offset]!);
      return;
    }
    const n = shape[dim]!;
    for (let i = 0; i < n; i++) {
      if (summarise && n > 2 * EDGE_ITEMS && i === EDGE_ITEMS) i = n - EDGE_ITEMS;
      visit(dim + 1, offset + i * strides[dim]!);
    }
  };
  visit(0, 0);
  return out;
}

/** The element formatter NumPy picks for a dtype: aligned floats, right-aligned ints, ` True`/`False`. */
function elementFormatter(shown: readonly number[], dtype: DType): (value: number) => string {
  if (dtype === "float32") return floatFormatter(shown);
  if (dtype === "bool") return (v) => (v ? " True" : "False");
  const width = Math.max(...shown.map((v) => String(v).length));
  return (v) => String(v).padStart(width);
}

/**
 * Formats values like NumPy's `str` (what TF's eager tensor string shows): nested
 * brackets, elements aligned to one width, rows wrapped at 75 columns with a hanging
 * indent, tensors over 1000 elements summarised with `...` (3 items at each edge), a 0-d
 * float like Python's repr.
 *
 * ```ts
 * formatValues(new Float32Array([1.5, 2.25]), [2], "float32"); // "[1.5  2.25]"
 * formatValues(new Float32Array([1e-5, -2500]), [2], "float32"); // "[ 1.0e-05 -2.5e+03]"
 * ```
 */
export function formatValues(values: DataArray, shape: readonly number[], dtype: DType): string {
  if (shape.length === 0) {
    const v = values[0]!;
    return dtype === "bool" ? (v ? "True" : "False") : dtype === "int32" ? String(v) : formatFloatScalar(v);
  }
  const summarise = values.length > THRESHOLD;
  const shown = shownElements(values, shape, summarise);
  // NumPy prints any array without elements as `[]`, whatever its shape.
  if (shown.length === 0) return "[]";
  const format = elementFormatter(shown, dtype);
  let next = 0;
  // NumPy's _formatArray: each nesting level adds one space of hanging indent and takes one
  // column off the width (for its closing bracket); rows wrap before an element that would
  // pass the width.
  const render = (dim: number, hangingIndent: string, width: number): string => {
    if (dim === shape.length) return format(shown[next++]!);
    const n = shape[dim]!;
    const summary = summarise && n > 2 * EDGE_ITEMS;
    const count = summary ? 2 * EDGE_ITEMS : n;
    const innerIndent = `${hangingIndent} `;
    const innerWidth = width - 1;
    let text = "";
    if (dim === shape.length - 1) {
      const elementWidth = width - 1;
      let line = hangingIndent;
      const extend = (word: string): void => {
        // Wrapping never helps a line holding only the indent.
        if (line.length + word.length > elementWidth && line.length > hangingIndent.length) {
          text += `${line.trimEnd()}\n`;
          line = hangingIndent;
        }
        line += word;
      };
      for (let i = 0; i < count; i++) {
        if (summary && i === EDGE_ITEMS) {
          extend("...");
          line += " ";
        }
        extend(render(dim + 1, innerIndent, innerWidth));
        if (i < count - 1) line += " ";
      }
      text += line;
    } else {
      const lineSeparator = "\n".repeat(shape.length - dim - 1);
      for (let i = 0; i < count; i++) {
        if (summary && i === EDGE_ITEMS) text += `${hangingIndent}...${lineSeparator}`;
        text += hangingIndent + render(dim + 1, innerIndent, innerWidth);
        if (i < count - 1) text += lineSeparator;
      }
    }
    return `[${text.slice(hangingIndent.length)}]`;
  };
  return render(0, " ", LINE_WIDTH);
}
