import type { DType, DataArray } from "../base/dtype.js";
import type { Shape } from "../base/shape.js";

/** Formats a shape like TF: `()`, `(3,)`, `(None, 2)`. */
export function formatTfShape(shape: Shape): string {
  const dims = shape.map((d) => (d === null ? "None" : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

const MAX_ELEMENTS = 1000;
const EDGE_ITEMS = 3;

/** The fewest significant digits that read back as the same float32 (numpy's "unique" mode). */
function shortestDigits(value: number): number {
  for (let p = 1; p < 9; p++) if (Math.fround(Number(value.toPrecision(p))) === value) return p;
  return 9;
}

function nonFinite(value: number): string | undefined {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  return undefined;
}

/** Python's repr of a float, which numpy uses for 0-d float arrays: `8.0`, `0.33333334`, `1e-05`. */
function formatFloatScalar(value: number): string {
  const special = nonFinite(value);
  if (special !== undefined) return special;
  const digits = shortestDigits(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split("e") as [string, string];
    const sign = exponent.startsWith("-") ? "-" : "+";
    return `${mantissa}e${sign}${exponent.replace(/^[+-]/, "").padStart(2, "0")}`;
  }
  const text = Number(value.toPrecision(digits)).toString();
  return text.includes(".") ? text : `${text}.0`;
}

/** Splits each finite value into the parts numpy aligns: integer part, fraction, exponent. */
interface FloatParts {
  readonly int: string;
  readonly frac: string;
  readonly exp: string;
}

function floatParts(value: number, scientific: boolean): FloatParts {
  const digits = shortestDigits(value);
  if (scientific) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split("e") as [string, string];
    const [int, frac = ""] = mantissa.split(".") as [string, string?];
    const sign = exponent.startsWith("-") ? "-" : "+";
    return { int, frac, exp: `e${sign}${exponent.replace(/^[+-]/, "").padStart(2, "0")}` };
  }
  const [int, frac = ""] = Number(value.toPrecision(digits)).toString().split(".") as [string, string?];
  return { int, frac, exp: "" };
}

/**
 * numpy's FloatingFormat: scientific when values span too much (max >= 1e16, min nonzero
 * < 1e-4, or max/min > 1e3); otherwise positional with decimal points aligned (integer
 * parts padded left, fractions padded right).
 */
function floatFormatter(values: readonly number[]): (value: number) => string {
  const finite = values.filter((v) => Number.isFinite(v)).map(Math.abs);
  const nonzero = finite.filter((v) => v !== 0);
  const max = Math.max(0, ...finite);
  const min = nonzero.length === 0 ? 0 : Math.min(...nonzero);
  const scientific = max >= 1e16 || (min !== 0 && (min < 1e-4 || max / min > 1e3));
  const parts = values.filter((v) => Number.isFinite(v)).map((v) => floatParts(v, scientific));
  let padLeft = Math.max(0, ...parts.map((p) => p.int.length));
  const padRight = Math.max(0, ...parts.map((p) => p.frac.length));
  const padExp = Math.max(0, ...parts.map((p) => p.exp.length));
  const specials = values.map(nonFinite).filter((s): s is string => s !== undefined);
  const specialWidth = Math.max(0, ...specials.map((s) => s.length));
  if (padLeft + padRight + 1 + padExp < specialWidth) padLeft = specialWidth - padRight - 1 - padExp;
  const width = padLeft + 1 + padRight + padExp;
  return (value) => {
    const special = nonFinite(value);
    if (special !== undefined) return special.padStart(width);
    const p = floatParts(value, scientific);
    return `${p.int.padStart(padLeft)}.${p.frac.padEnd(padRight)}${p.exp.padEnd(padExp)}`;
  };
}

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

/**
 * Formats values like numpy's `str` (what TF's eager repr shows): nested brackets, elements
 * aligned, large tensors summarised with `...`, a 0-d float like Python's repr.
 *
 * ```ts
 * formatValues(new Float32Array([1.5, 2.25]), [2], "float32"); // "[1.5  2.25]"
 * ```
 */
export function formatValues(values: DataArray, shape: readonly number[], dtype: DType): string {
  if (shape.length === 0) {
    const v = values[0]!;
    return dtype === "bool" ? (v ? "True" : "False") : dtype === "int32" ? String(v) : formatFloatScalar(v);
  }
  if (values.length === 0) return "[]";
  const summarise = values.length > MAX_ELEMENTS;
  const shown = shownElements(values, shape, summarise);
  const format =
    dtype === "float32"
      ? floatFormatter(shown)
      : ((width: number) => (v: number) => (dtype === "bool" ? (v ? "True" : "False") : String(v)).padStart(width))(
          Math.max(...shown.map((v) => (dtype === "bool" ? (v ? 4 : 5) : String(v).length))),
        );
  let next = 0;
  const render = (dim: number, indent: number): string => {
    if (dim === shape.length) return format(shown[next++]!);
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
