import type { DType, DataArray } from "../base/dtype.js";

/** tfjs summarises a dimension longer than this to its first and last 3 entries. */
const SUMMARY_THRESHOLD = 20;
const EDGE_ITEMS = 3;
/** tfjs rounds values to 7 decimals and drops trailing zeros (`parseFloat(v.toFixed(7))`). */
const DECIMALS = 7;

/** One element as tfjs writes it inside an array: `1`, `2.5`, `0.1234568`, `NaN`, `true`. */
function elementText(value: number, dtype: DType): string {
  if (dtype === "bool") return value !== 0 ? "true" : "false";
  return String(Number.parseFloat(value.toFixed(DECIMALS)));
}

/** The widest element of each column (the last dimension), over every row; rank < 2 pads nothing. */
function columnWidths(values: DataArray, shape: readonly number[], dtype: DType): number[] {
  if (shape.length < 2) return [];
  const columns = shape[shape.length - 1]!;
  const widths = new Array<number>(columns).fill(0);
  for (let i = 0; i < values.length; i++) {
    const j = i % columns;
    widths[j] = Math.max(widths[j]!, elementText(values[i]!, dtype).length);
  }
  return widths;
}

/**
 * The lines of one sub-tensor (`values` starting at `offset` with `shape`); `last` says
 * whether it is the last block of its parent (otherwise it ends with `,` and blank lines).
 */
function blockLines(values: DataArray, offset: number, shape: readonly number[], dtype: DType, widths: readonly number[], last: boolean): string[] {
  const size = shape[0]!;
  if (shape.length === 1) {
    const text = (j: number) => elementText(values[offset + j]!, dtype).padEnd(widths[j] ?? 0);
    const shown =
      size > SUMMARY_THRESHOLD
        ? [...Array.from({ length: EDGE_ITEMS }, (_, j) => text(j)), "...", ...Array.from({ length: EDGE_ITEMS }, (_, j) => text(size - EDGE_ITEMS + j))]
        : Array.from({ length: size }, (_, j) => text(j));
    return [`[${shown.join(", ")}]`];
  }
  const inner = shape.slice(1);
  const stride = inner.reduce((a, b) => a * b, 1);
  const rows = size > SUMMARY_THRESHOLD ? [...range(0, EDGE_ITEMS), -1, ...range(size - EDGE_ITEMS, size)] : range(0, size);
  const lines: string[] = [];
  for (const i of rows) {
    if (i < 0) lines.push("...");
    else lines.push(...blockLines(values, offset + i * stride, inner, dtype, widths, i === size - 1));
  }
  const comma = shape.length === 2 ? "," : "";
  lines[0] = `[${size > 0 ? lines[0] + comma : ""}`;
  for (let i = 1; i < lines.length - 1; i++) lines[i] = ` ${lines[i]}${comma}`;
  const closing = last ? "" : `,\n${"\n".repeat(shape.length - 2)}`;
  lines[lines.length - 1] = ` ${lines[lines.length - 1]}]${closing}`;
  return lines;
}

function range(start: number, stop: number): number[] {
  return Array.from({ length: Math.max(0, stop - start) }, (_, i) => start + i);
}

/**
 * A tensor's text as tfjs's `print()` writes it: `Tensor`, then the values indented by
 * four spaces, columns padded to one width, dimensions longer than 20 summarised with
 * `...`; with `verbose`, the dtype, rank and shape first.
 *
 * ```ts
 * formatTfjs(new Float32Array([1, 22, 400, 5]), [2, 2], "float32");
 * // "Tensor\n    [[1  , 22],\n     [400, 5 ]]"
 * ```
 */
export function formatTfjs(values: DataArray, shape: readonly number[], dtype: DType, verbose = false): string {
  const lines = ["Tensor"];
  if (verbose) lines.push(`  dtype: ${dtype}`, `  rank: ${shape.length}`, `  shape: [${shape.join(",")}]`, "  values:");
  const body =
    shape.length === 0
      ? [dtype === "bool" ? elementText(values[0]!, dtype) : String(values[0])]
      : blockLines(values, 0, shape, dtype, columnWidths(values, shape, dtype), true);
  lines.push(body.map((line) => `    ${line}`).join("\n"));
  return lines.join("\n");
}
