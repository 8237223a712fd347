import { bytesPerElement, type DataArray, type DType, isDType } from "../base/dtype.js";
import { KilnError } from "../base/errors.js";
import { FuncGraph, type LibraryFunction } from "./func_graph.js";
import { type Graph, Operation, type OpOutput } from "./graph.js";
import { type Attrs, type AttrValue, checkArity, inferOp, type ValueInfo } from "./op.js";
import { FUNCTION_ATTRS, formatName, formatType, libraryFunctions } from "./printer.js";
import { attrInputProblems, InvalidGraphError, type OpResolver, verifyGraph } from "./verify.js";

/**
 * A serialized graph or saved function that is malformed, inconsistent or unsafe to load
 * (unknown op, dangling reference, shapes that disagree with inference, truncated data,
 * sizes no backend can allocate), or a graph that cannot be written as JSON.
 */
export class GraphFormatError extends KilnError {
  static override readonly errorName: string = "GraphFormatError";
}

/** An attribute value in JSON: numbers JSON cannot hold (NaN, ±Infinity, -0) are tagged `{"@number": "NaN"}`. */
export type AttrJSON = number | string | boolean | null | readonly AttrJSON[] | { readonly [key: string]: AttrJSON };

export interface ValueInfoJSON {
  readonly shape: readonly (number | null)[];
  readonly dtype: DType;
}

/** One operation: inputs are output references (`"pow:0"`), control inputs operation names. */
export interface OperationJSON {
  readonly name: string;
  readonly type: string;
  readonly inputs: readonly string[];
  readonly controlInputs?: readonly string[];
  readonly attrs: { readonly [key: string]: AttrJSON };
  readonly outputs: readonly ValueInfoJSON[];
}

/** A graph's body: operations in creation order, and its inputs and outputs as references. */
export interface FunctionGraphJSON {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly operations: readonly OperationJSON[];
}

/** `serializeGraph`'s result: the graph plus every function it calls (flattened, each once). */
export interface GraphJSON extends FunctionGraphJSON {
  readonly format: "kiln.graph";
  readonly version: 1;
  readonly library: readonly { readonly name: string; readonly graph: FunctionGraphJSON }[];
}

export interface DeserializeOptions {
  /** What to store in a graph's library for a called function (default: its FuncGraph). */
  readonly libraryEntry?: (graph: FuncGraph, name: string) => LibraryFunction;
  /** Where the graph sits in the enclosing file, for error messages (default `"graph"`). */
  readonly path?: string;
}

/** The largest tensor a loaded graph or weight may declare (typed arrays cannot hold more). */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;
const MAX_RANK = 64;
const MAX_NESTING = 64;
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const NUMBER_TAG = "@number";

// ---------------------------------------------------------------- reading untrusted JSON

function fail(path: string, message: string): never {
  throw new GraphFormatError(`${path}: ${message}`);
}

function describeJSON(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** A plain object from untrusted input: no inherited fields, no keys that could reach a prototype. */
export function readRecord(value: unknown, path: string): Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail(path, `expected an object, received ${describeJSON(value)}`);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail(path, "expected a plain object");
  for (const key of Object.keys(value))
    if (FORBIDDEN_KEYS.has(key)) fail(path, `forbidden key '${key}' (it could tamper with object prototypes)`);
  return value as Record<string, unknown>;
}

/** An own field of a record (never an inherited one). */
export function readField(record: Readonly<Record<string, unknown>>, key: string, path: string, optional = false): unknown {
  if (!Object.hasOwn(record, key)) {
    if (optional) return undefined;
    fail(path, `missing field '${key}'`);
  }
  return record[key];
}

export function readString(value: unknown, path: string): string {
  if (typeof value !== "string") fail(path, `expected a string, received ${describeJSON(value)}`);
  return value;
}

export function readArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, `expected an array, received ${describeJSON(value)}`);
  return value;
}

export function readDType(value: unknown, path: string): DType {
  if (!isDType(value)) fail(path, `unknown dtype ${describeJSON(value)}; valid dtypes are float32, int32, bool`);
  return value;
}

/** A shape: at most 64 dims, each a non-negative integer below 2^31 (or `null` when `unknown` is allowed). */
export function readShape(value: unknown, path: string, unknown = true): (number | null)[] {
  const dims = readArray(value, path);
  if (dims.length > MAX_RANK) fail(path, `rank ${dims.length} exceeds the maximum of ${MAX_RANK}`);
  return dims.map((d, i) => {
    if (d === null && unknown) return null;
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0 || d > MAX_TENSOR_ELEMENTS) {
      fail(
        `${path}[${i}]`,
        `expected a dimension size (an integer from 0 to ${MAX_TENSOR_ELEMENTS}${unknown ? ", or null" : ""}), received ${describeJSON(d)}`,
      );
    }
    return d;
  });
}

/** Number of elements of a known shape, checked against `MAX_TENSOR_ELEMENTS` without overflowing. */
export function checkedSize(shape: readonly number[], path: string): number {
  let size = 1;
  for (const d of shape) size *= d;
  if (size > MAX_TENSOR_ELEMENTS)
    fail(path, `shape [${shape.join(",")}] declares ${size} elements, more than the maximum tensor size ${MAX_TENSOR_ELEMENTS}`);
  return size;
}

// ---------------------------------------------------------------- attributes

function encodeAttr(value: unknown, path: string): AttrJSON {
  if (typeof value === "number") {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { [NUMBER_TAG]: Object.is(value, -0) ? "-0" : String(value) };
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map((v, i) => encodeAttr(v, `${path}[${i}]`));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    if (Object.hasOwn(value, NUMBER_TAG)) fail(path, `the key '${NUMBER_TAG}' is reserved by the graph format`);
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return Object.fromEntries(entries.map(([k, v]) => [k, encodeAttr(v, `${path}.${k}`)]));
  }
  return fail(
    path,
    `attributes must be plain data (numbers, strings, booleans, null, arrays, plain objects), received ${value === undefined ? "undefined" : describeJSON(value)}`,
  );
}

function decodeAttr(value: unknown, path: string, depth = 0): AttrValue {
  if (depth > MAX_NESTING) fail(path, `attribute nested more than ${MAX_NESTING} levels deep`);
  if (value === null || typeof value === "string" || typeof value === "boolean" || typeof value === "number") return value;
  if (Array.isArray(value)) return value.map((v, i) => decodeAttr(v, `${path}[${i}]`, depth + 1));
  const record = readRecord(value, path);
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === NUMBER_TAG) {
    const tag = record[NUMBER_TAG];
    if (tag === "NaN" || tag === "Infinity" || tag === "-Infinity" || tag === "-0") return Number(tag);
    fail(path, `'${NUMBER_TAG}' must be one of "NaN", "Infinity", "-Infinity", "-0", received ${describeJSON(tag)}`);
  }
  // fromEntries defines own properties, so even odd keys cannot reach a prototype.
  return Object.fromEntries(keys.map((k) => [k, decodeAttr(record[k], `${path}.${k}`, depth + 1)]));
}

// ---------------------------------------------------------------- writing

function encodeBody(graph: Graph): FunctionGraphJSON {
  const operations = graph.operations.map((op): OperationJSON => {
    const path = `operation ${formatName(op.name)} (${op.type})`;
    const attrs = encodeAttr(op.attrs, `${path}.attrs`) as { [key: string]: AttrJSON };
    return {
      name: op.name,
      type: op.type,
      inputs: op.inputs.map((i) => `${i.op.name}:${i.index}`),
      ...(op.controlInputs.length > 0 ? { controlInputs: op.controlInputs.map((c) => c.name) } : {}),
      attrs,
      outputs: op.outputs.map((o) => ({ shape: [...o.shape], dtype: o.dtype })),
    };
  });
  const ref = (o: OpOutput) => `${o.op.name}:${o.index}`;
  return { name: graph.name, inputs: graph.inputs.map(ref), outputs: graph.outputs.map(ref), operations };
}

/**
 * The graph as plain JSON data (SPEC B14): operations in creation order with their
 * inputs, control inputs, attributes and output types, plus every function it calls,
 * flattened into `library` (each once). `JSON.stringify` of the result is lossless
 * (NaN, ±Infinity and -0 attributes are tagged).
 *
 * ```ts
 * const json = serializeGraph(cf.graph);
 * const copy = deserializeGraph(JSON.parse(JSON.stringify(json)), tf.knownOps());
 * ```
 */
export function serializeGraph(graph: Graph): GraphJSON {
  const library = libraryFunctions(graph, (name) => fail(`graph '${graph.name}'`, `two different functions are both named '${name}'`));
  return {
    format: "kiln.graph",
    version: 1,
    ...encodeBody(graph),
    library: library.map((f) => ({ name: f.name, graph: encodeBody(f.graph) })),
  };
}

// ---------------------------------------------------------------- reading

function parseRef(value: unknown, path: string): { name: string; index: number } {
  const text = readString(value, path);
  const colon = text.lastIndexOf(":");
  const index = Number(text.slice(colon + 1));
  if (colon <= 0 || !/^\d+$/.test(text.slice(colon + 1)) || !Number.isSafeInteger(index))
    fail(path, `expected a reference like "op_name:0", received ${describeJSON(text)}`);
  return { name: text.slice(0, colon), index };
}

function sameInfo(a: ValueInfo, b: ValueInfo): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

class Reader {
  readonly #functions = new Map<string, { value: unknown; path: string }>();
  readonly #built = new Map<string, LibraryFunction>();
  readonly #building = new Set<string>();

  constructor(
    readonly ops: OpResolver,
    readonly options: DeserializeOptions,
    library: readonly unknown[],
    root: string,
  ) {
    library.forEach((entry, i) => {
      const path = `${root}.library[${i}]`;
      const record = readRecord(entry, path);
      const name = readString(readField(record, "name", path), `${path}.name`);
      if (name.length === 0) fail(`${path}.name`, "function names cannot be empty");
      if (this.#functions.has(name)) fail(`${path}.name`, `two library functions are named '${name}'`);
      this.#functions.set(name, { value: readField(record, "graph", path), path: `${path}.graph` });
    });
  }

  /** The library entry for a called function, building its graph first (and rejecting call cycles). */
  function(name: string, path: string, depth: number): LibraryFunction {
    const built = this.#built.get(name);
    if (built !== undefined) return built;
    if (!this.#functions.has(name)) fail(path, `calls function '${name}', which is not in the library`);
    if (this.#building.has(name))
      fail(path, `function '${name}' calls itself (directly or through other functions); graphs cannot recurse`);
    if (depth > MAX_NESTING) fail(path, `functions are nested more than ${MAX_NESTING} calls deep`);
    this.#building.add(name);
    const { value, path: at } = this.#functions.get(name)!;
    const graph = this.graph(value, at, depth + 1);
    this.#building.delete(name);
    const entry = this.options.libraryEntry?.(graph, name) ?? { name, graph };
    this.#built.set(name, entry);
    return entry;
  }

  graph(value: unknown, path: string, depth: number): FuncGraph {
    const record = readRecord(value, path);
    const graph = new FuncGraph(readString(readField(record, "name", path), `${path}.name`), undefined, false);
    readArray(readField(record, "operations", path), `${path}.operations`).forEach((op, i) =>
      this.operation(graph, op, `${path}.operations[${i}]`, depth),
    );
    const refs = (key: string) =>
      readArray(readField(record, key, path), `${path}.${key}`).map((r, i) => this.output(graph, r, `${path}.${key}[${i}]`));
    graph.inputs = refs("inputs");
    graph.outputs = refs("outputs");
    graph.isOpen = false;
    try {
      // Called functions were verified when they were built: each graph is checked once.
      verifyGraph(graph, { ops: this.ops, shallow: true });
    } catch (error) {
      if (error instanceof InvalidGraphError) fail(path, error.message);
      throw error;
    }
    return graph;
  }

  output(graph: Graph, value: unknown, path: string): OpOutput {
    const { name, index } = parseRef(value, path);
    const op = graph.getOperationByName(name);
    if (op === undefined) fail(path, `refers to operation '${name}', which is not defined before this point`);
    const output = op.outputs[index];
    if (output === undefined) fail(path, `refers to output ${index} of '${name}', which has ${op.outputs.length} output(s)`);
    return output;
  }

  operation(graph: FuncGraph, value: unknown, path: string, depth: number): void {
    const record = readRecord(value, path);
    const name = readString(readField(record, "name", path), `${path}.name`);
    if (name.length === 0) fail(`${path}.name`, "operation names cannot be empty");
    if (graph.getOperationByName(name) !== undefined || graph.peekName(name) !== name)
      fail(`${path}.name`, `the name '${name}' is used twice`);
    const type = readString(readField(record, "type", path), `${path}.type`);
    // Op types resolve only through the table: a file can name ops, never define them.
    const def = this.ops.get(type);
    if (def === undefined)
      fail(`${path}.type`, `unknown op type '${type}'; only ops declared in code (core's ops and tf.defineOp) can be loaded`);
    const where = `${path} '${name}' (${type})`;
    const inputs = readArray(readField(record, "inputs", path), `${path}.inputs`).map((r, i) =>
      this.output(graph, r, `${where}.inputs[${i}]`),
    );
    const controlNames = readField(record, "controlInputs", path, true);
    const controls =
      controlNames === undefined
        ? []
        : readArray(controlNames, `${path}.controlInputs`).map((c, i) => {
            const control = graph.getOperationByName(readString(c, `${where}.controlInputs[${i}]`));
            if (control === undefined) fail(`${where}.controlInputs[${i}]`, `operation '${String(c)}' is not defined before this point`);
            return control;
          });
    const attrs = decodeAttr(readRecord(readField(record, "attrs", path), `${path}.attrs`), `${where}.attrs`) as Attrs;
    for (const key of FUNCTION_ATTRS) {
      const callee = attrs[key];
      if (typeof callee === "string") graph.library.set(callee, this.function(callee, `${where}.attrs.${key}`, depth));
    }
    let inferred: ValueInfo[];
    try {
      checkArity(def, inputs.length);
    } catch (error) {
      fail(where, (error as Error).message);
    }
    // Attr inputs are read when the plan runs: they must make a well-formed attr (checked before `infer` trusts them).
    const [problem] = attrInputProblems(def, inputs, attrs);
    if (problem !== undefined) fail(where, problem);
    try {
      inferred = inferOp(def, inputs, attrs);
    } catch (error) {
      fail(where, `the op rejects its inputs or attributes: ${error instanceof Error ? error.message : String(error)}`);
    }
    // The executor trusts output shapes, so they come from inference, never from the file.
    const outputs = this.checkOutputs(inferred, readArray(readField(record, "outputs", path), `${path}.outputs`), where);
    graph.addOperation(new Operation(graph.uniqueName(name), def, inputs, attrs, outputs, controls));
  }

  checkOutputs(inferred: unknown, declared: readonly unknown[], where: string): ValueInfo[] {
    if (!Array.isArray(inferred)) fail(where, "shape inference returned no outputs");
    const outputs = inferred.map((info: ValueInfo, i): ValueInfo => {
      const shape = readShape(info?.shape, `${where}: inferred output ${i} shape`);
      const dtype = readDType(info?.dtype, `${where}: inferred output ${i} dtype`);
      if (shape.every((d) => d !== null)) checkedSize(shape as number[], `${where}: output ${i}`);
      return { shape, dtype };
    });
    if (declared.length !== outputs.length)
      fail(`${where}.outputs`, `declares ${declared.length} output(s) but the op produces ${outputs.length}`);
    declared.forEach((d, i) => {
      const path = `${where}.outputs[${i}]`;
      const record = readRecord(d, path);
      const info = {
        shape: readShape(readField(record, "shape", path), `${path}.shape`),
        dtype: readDType(readField(record, "dtype", path), `${path}.dtype`),
      };
      if (!sameInfo(info, outputs[i]!))
        fail(path, `declared as ${formatType(info)} but the op's inference gives ${formatType(outputs[i]!)}`);
    });
    return outputs;
  }
}

/**
 * Rebuilds a FuncGraph from `serializeGraph`'s JSON (SPEC B14) without running anything
 * from it: op types resolve only through `ops` (e.g. `tf.knownOps()`), every reference
 * must point at an earlier operation, attributes must be plain data, output shapes are
 * recomputed by each op's shape inference and must match the recorded ones, and the
 * result passes `verifyGraph`. Any problem is a GraphFormatError naming where it is.
 *
 * ```ts
 * const graph = deserializeGraph(JSON.parse(text), tf.knownOps());
 * graph.toString() === original.toString(); // true
 * ```
 */
export function deserializeGraph(json: unknown, ops: OpResolver, options: DeserializeOptions = {}): FuncGraph {
  const root = options.path ?? "graph";
  const record = readRecord(json, root);
  const format = readField(record, "format", root);
  if (format !== "kiln.graph") fail(`${root}.format`, `expected "kiln.graph", received ${describeJSON(format)}`);
  const version = readField(record, "version", root);
  if (version !== 1) fail(`${root}.version`, `this Kiln reads version 1 graphs, received version ${describeJSON(version)}`);
  const reader = new Reader(ops, options, readArray(readField(record, "library", root), `${root}.library`), root);
  return reader.graph(record, root, 0);
}

// ---------------------------------------------------------------- tensor data (base64 of little-endian bytes)

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_CHARS = Uint8Array.from(BASE64, (c) => c.charCodeAt(0));
const BASE64_CODES = (() => {
  const codes = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) codes[BASE64_CHARS[i]!] = i;
  return codes;
})();
const PAD = 61; // "="
const ASCII = new TextDecoder("latin1");
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each 4-byte element (only needed on big-endian hosts). */
function swap32(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) {
    out[i] = bytes[i + 3]!;
    out[i + 1] = bytes[i + 2]!;
    out[i + 2] = bytes[i + 1]!;
    out[i + 3] = bytes[i]!;
  }
  return out;
}

/**
 * A tensor's values as base64 of their little-endian bytes: exact for every float32
 * (NaN, -0 included) and a third the size of a JSON number list.
 *
 * ```ts
 * encodeTensorData(new Float32Array([1])); // "AACAPw=="
 * ```
 */
export function encodeTensorData(values: DataArray): string {
  let bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (!LITTLE_ENDIAN && values.BYTES_PER_ELEMENT === 4) bytes = swap32(bytes);
  const chars = new Uint8Array(4 * Math.ceil(bytes.length / 3));
  const whole = bytes.length - (bytes.length % 3);
  let c = 0;
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chars[c++] = BASE64_CHARS[n >>> 18]!;
    chars[c++] = BASE64_CHARS[(n >>> 12) & 63]!;
    chars[c++] = BASE64_CHARS[(n >>> 6) & 63]!;
    chars[c++] = BASE64_CHARS[n & 63]!;
  }
  if (whole < bytes.length) {
    const n = (bytes[whole]! << 16) | ((bytes[whole + 1] ?? 0) << 8);
    chars[c++] = BASE64_CHARS[n >>> 18]!;
    chars[c++] = BASE64_CHARS[(n >>> 12) & 63]!;
    chars[c++] = whole + 1 < bytes.length ? BASE64_CHARS[(n >>> 6) & 63]! : PAD;
    chars[c] = PAD;
  }
  // Every base64 character is ASCII, which any single-byte decoder maps to itself.
  return ASCII.decode(chars);
}

/**
 * Decodes `encodeTensorData`'s text for a tensor of `shape` and `dtype`. The declared size
 * is checked against the text's length BEFORE anything is allocated, so a file declaring
 * a huge shape with little data fails fast; bool values must be 0 or 1.
 */
export function decodeTensorData(text: unknown, dtype: DType, shape: readonly number[], path: string): DataArray {
  const size = checkedSize(shape, path);
  const byteLength = size * bytesPerElement(dtype);
  const data = readString(text, path);
  const expected = 4 * Math.ceil(byteLength / 3);
  if (data.length !== expected) {
    fail(
      path,
      `a ${dtype} tensor of shape [${shape.join(",")}] needs ${byteLength} bytes (${expected} base64 characters) but the data has ${data.length} characters; the data is truncated or does not match its shape`,
    );
  }
  const bytes = new Uint8Array(byteLength);
  const digit = (i: number): number => {
    const code = data.charCodeAt(i);
    const value = code < 128 ? BASE64_CODES[code]! : -1;
    if (value < 0) fail(path, `invalid base64 character ${JSON.stringify(data[i])} at offset ${i}`);
    return value;
  };
  const whole = byteLength - (byteLength % 3);
  for (let i = 0, b = 0; b < whole; i += 4, b += 3) {
    const n = (digit(i) << 18) | (digit(i + 1) << 12) | (digit(i + 2) << 6) | digit(i + 3);
    bytes[b] = n >>> 16;
    bytes[b + 1] = (n >>> 8) & 255;
    bytes[b + 2] = n & 255;
  }
  if (whole < byteLength) {
    // The last group holds one or two bytes; the rest of it must be "=" padding.
    const i = (whole / 3) * 4;
    const two = byteLength - whole === 2;
    const n = (digit(i) << 18) | (digit(i + 1) << 12) | (two ? digit(i + 2) << 6 : 0);
    if ((!two && data.charCodeAt(i + 2) !== PAD) || data.charCodeAt(i + 3) !== PAD) fail(path, `the base64 data must end with "=" padding`);
    bytes[whole] = n >>> 16;
    if (two) bytes[whole + 1] = (n >>> 8) & 255;
  }
  switch (dtype) {
    case "float32":
      return new Float32Array((LITTLE_ENDIAN ? bytes : swap32(bytes)).buffer);
    case "int32":
      return new Int32Array((LITTLE_ENDIAN ? bytes : swap32(bytes)).buffer);
    case "bool": {
      const bad = bytes.findIndex((v) => v > 1);
      if (bad >= 0) fail(path, `bool values must be 0 or 1, element ${bad} is ${bytes[bad]}`);
      return bytes;
    }
  }
}
