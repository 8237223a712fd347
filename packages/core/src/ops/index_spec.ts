import { ArgumentError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import { show } from "./movement_args.js";
import type { StridedSliceAttrs } from "./strided_slice_spec.js";

/**
 * The NumPy-style index that `tf.index(x, spec)` accepts, parsed and lowered to the attrs
 * of one `StridedSlice` op. JS has no `x[:, ::2]` syntax, so the same index is written as
 * a string (`":, ::2"`) or as an array of parts (`[{}, { step: 2 }]`).
 */

/** A `start:stop:step` slice; an omitted (or null) part takes NumPy's default. */
export interface SliceRange {
  readonly start?: number | null;
  readonly stop?: number | null;
  readonly step?: number | null;
}

/**
 * One part of an index given as an array: an integer (picks one element and drops the
 * axis), a `SliceRange`, `"..."` (all remaining axes), `null` (a new axis of size 1, like
 * `np.newaxis`), or a string holding one part in the string syntax (`"1:3"`).
 */
export type IndexPart = number | SliceRange | "..." | null | string;

/** A whole index: a string like `":, ::2, -1"`, a single integer, or an array of parts. */
export type IndexSpec = string | number | readonly IndexPart[];

/** A parsed part. */
type Part =
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "slice"; readonly start: number | null; readonly stop: number | null; readonly step: number | null }
  | { readonly kind: "ellipsis" }
  | { readonly kind: "newaxis" };

const INTEGER = /^[+-]?\d+$/;

/** Parses one integer token (or "" as omitted) of a string spec. */
function parseNumber(token: string, fail: (why: string) => never): number | null {
  const text = token.trim();
  if (text === "") return null;
  if (!INTEGER.test(text)) fail(`'${text}' is not an integer`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) fail(`'${text}' is too large`);
  return value;
}

/** Parses one comma-free part of a string spec. */
function parseToken(token: string, fail: (why: string) => never): Part {
  const text = token.trim();
  if (text === "...") return { kind: "ellipsis" };
  if (text === "newaxis" || text === "None") return { kind: "newaxis" };
  if (text === "") fail("an index part is empty (two commas in a row, or a leading/trailing comma)");
  if (!text.includes(":")) {
    if (!INTEGER.test(text)) fail(`'${text}' is not an integer, a start:stop:step slice, '...' or 'newaxis'`);
    return { kind: "index", index: parseNumber(text, fail)! };
  }
  const pieces = text.split(":");
  if (pieces.length > 3) fail(`'${text}' has more than two ':'; a slice is start:stop:step`);
  return {
    kind: "slice",
    start: parseNumber(pieces[0]!, fail),
    stop: parseNumber(pieces[1]!, fail),
    step: pieces.length === 3 ? parseNumber(pieces[2]!, fail) : null,
  };
}

/** Checks one field of a `SliceRange` object. */
function rangeField(value: unknown, name: string, fail: (why: string) => never): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isSafeInteger(value)) fail(`slice ${name} must be an integer or null, received ${show(value)}`);
  return value as number;
}

/** Parses one element of an array spec. */
function parsePart(part: unknown, fail: (why: string) => never): Part {
  if (part === null) return { kind: "newaxis" };
  if (typeof part === "number") {
    if (!Number.isSafeInteger(part)) fail(`index ${part} is not an integer`);
    return { kind: "index", index: part };
  }
  if (typeof part === "string") {
    if (part.includes(","))
      fail(`the part ${show(part)} contains a comma; give one part per array element, or pass the whole spec as one string`);
    return parseToken(part, fail);
  }
  if (typeof part === "object" && Object.getPrototypeOf(part) === Object.prototype) {
    const extra = Object.keys(part).filter((k) => k !== "start" && k !== "stop" && k !== "step");
    if (extra.length > 0) fail(`a slice object has only start, stop and step, but this one has ${extra.map((k) => `'${k}'`).join(", ")}`);
    const range = part as SliceRange;
    return {
      kind: "slice",
      start: rangeField(range.start, "start", fail),
      stop: rangeField(range.stop, "stop", fail),
      step: rangeField(range.step, "step", fail),
    };
  }
  fail(
    `${show(part)} is not an index part; use an integer, { start, stop, step }, "...", null (new axis) or a string like "1:3". ` +
      `To index with a tensor of indices use tf.gather or tf.gatherNd`,
  );
}

/** Parses an index spec, rejecting malformed ones with an ArgumentError that quotes them. */
function parseIndexSpec(spec: unknown, api: string): Part[] {
  // Annotated so TypeScript knows a call to it ends the branch.
  const fail: (why: string) => never = (why) => {
    throw new ArgumentError(`${api}: invalid index ${show(spec)}: ${why}`);
  };
  let parts: Part[];
  if (typeof spec === "string") {
    if (spec.trim() === "") fail(`the spec is empty; use ":" or "..." to take everything`);
    parts = spec.split(",").map((token) => parseToken(token, fail));
  } else if (typeof spec === "number") {
    parts = [parsePart(spec, fail)];
  } else if (Array.isArray(spec)) {
    parts = spec.map((part) => parsePart(part, fail));
  } else {
    fail('an index is a string like ":, ::2", an integer, or an array of parts');
  }
  for (const part of parts) if (part.kind === "slice" && part.step === 0) fail("slice step cannot be zero");
  if (parts.filter((p) => p.kind === "ellipsis").length > 1) fail("an index can only have a single ellipsis ('...')");
  return parts;
}

/**
 * Lowers an index spec to StridedSlice attrs for a tensor of shape `shape`, checking, as
 * NumPy does, that it indexes no more dimensions than there are and that every integer
 * index is in range (where the dimension is known).
 *
 * ```ts
 * indexToStridedSlice(":, ::2", [4, 6], "index"); // begin [0, 0], strides [1, 2], ...
 * ```
 */
export function indexToStridedSlice(spec: IndexSpec, shape: Shape, api: string): StridedSliceAttrs {
  const parts = parseIndexSpec(spec, api);
  const rank = shape.length;
  const consuming = parts.filter((p) => p.kind === "index" || p.kind === "slice").length;
  if (consuming > rank) {
    throw new ArgumentError(`${api}: too many indices for a tensor of rank ${rank}: ${show(spec)} indexes ${consuming} dimensions`);
  }
  const begin: number[] = [];
  const end: number[] = [];
  const strides: number[] = [];
  const masks = { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 };
  let axis = 0;
  parts.forEach((part, i) => {
    const flag = 2 ** i;
    if (part.kind === "index") {
      const dim = shape[axis];
      if (dim !== null && dim !== undefined && (part.index < -dim || part.index >= dim)) {
        throw new ArgumentError(
          `${api}: index ${part.index} is out of bounds for axis ${axis} with size ${dim} in ${show(spec)}; valid indices are ${dim === 0 ? "none" : `${-dim}..${dim - 1}`}`,
        );
      }
      begin.push(part.index);
      end.push(part.index + 1);
      strides.push(1);
      masks.shrinkAxisMask += flag;
      axis++;
      return;
    }
    begin.push(part.kind === "slice" ? (part.start ?? 0) : 0);
    end.push(part.kind === "slice" ? (part.stop ?? 0) : 0);
    strides.push(part.kind === "slice" ? (part.step ?? 1) : 1);
    if (part.kind === "slice") {
      if (part.start === null) masks.beginMask += flag;
      if (part.stop === null) masks.endMask += flag;
      axis++;
    } else if (part.kind === "ellipsis") {
      masks.ellipsisMask += flag;
      // The ellipsis covers whatever the parts after it do not.
      axis = rank - parts.slice(i + 1).filter((p) => p.kind === "index" || p.kind === "slice").length;
    } else {
      masks.newAxisMask += flag;
    }
  });
  return { begin, end, strides, ...masks };
}
