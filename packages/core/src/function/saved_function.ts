import type { DType } from "../base/dtype.js";
import { ArgumentError } from "../base/errors.js";
import type { ConcreteShape, Shape } from "../base/shape.js";
import { FuncGraph } from "../ir/func_graph.js";
import type { OpOutput } from "../ir/graph.js";
import { OpTable } from "../ir/op_table.js";
import { isResource } from "../ir/printer.js";
import {
  type GraphJSON,
  GraphFormatError,
  decodeTensorData,
  deserializeGraph,
  encodeTensorData,
  readArray,
  readDType,
  readField,
  readRecord,
  readShape,
  readString,
  serializeGraph,
} from "../ir/serialize.js";
import type { OpResolver } from "../ir/verify.js";
import { coreOpDefs } from "../ops/op_list.js";
import { Tensor } from "../tensor/tensor.js";
import { GraphTrace } from "../trace/graph_trace.js";
import { getRuntime } from "../trace/runtime.js";
import { PartitionedCall, StatefulPartitionedCall } from "./call_ops.js";
import { makeCallable } from "./callable.js";
import { ConcreteFunction } from "./concrete_function.js";
import type { FunctionType, TypeNode } from "./function_type.js";
import { LoadedFunction, type LoadedEntry } from "./loaded_function.js";
import { type CallableConcreteFunction, PolymorphicFunction } from "./polymorphic_function.js";
import { PrintV2 } from "./print.js";
import { AssignAddVariableOp, AssignSubVariableOp, AssignVariableOp, ReadVariableOp } from "./variable_ops.js";
import { Variable } from "./variable.js";

/** A literal in JSON: JSON's own values, or a tag for what JSON cannot hold. */
export type SavedLiteral =
  | { readonly kind: "literal"; readonly value: string | number | boolean | null }
  | { readonly kind: "literal"; readonly special: "undefined" | "NaN" | "Infinity" | "-Infinity" | "-0" }
  | { readonly kind: "literal"; readonly bigint: string };

/** One traced parameter: a tensor spec, a variable, a pinned JS value, or a structure of them. */
export type SavedTypeNode =
  | { readonly kind: "tensor"; readonly dtype: DType; readonly shape: Shape; readonly name?: string }
  | { readonly kind: "variable"; readonly dtype: DType; readonly shape: ConcreteShape; readonly trainable: boolean; readonly alias: number }
  | SavedLiteral
  | { readonly kind: "list"; readonly items: readonly SavedTypeNode[] }
  | { readonly kind: "dict"; readonly keys: readonly string[]; readonly values: readonly SavedTypeNode[] };

/** The structure of a function's result: graph outputs by index, JS values, arrays and objects. */
export type SavedOutput =
  | { readonly kind: "tensor"; readonly index: number }
  | SavedLiteral
  | { readonly kind: "list"; readonly items: readonly SavedOutput[] }
  | { readonly kind: "dict"; readonly keys: readonly string[]; readonly values: readonly SavedOutput[] };

/** One concrete function: its graph, its traced signature, and the weights its captures read. */
export interface SavedConcreteFunction {
  readonly name: string;
  /** Traced from an `inputSignature`: JS numbers and arrays are converted to the spec's dtype. */
  readonly inputSignature: boolean;
  readonly params: readonly SavedTypeNode[];
  readonly outputs: SavedOutput;
  /** Keys into `weights` for the graph's trailing (captured) inputs, in order. */
  readonly captures: readonly string[];
  readonly graph: GraphJSON;
}

/** A captured variable or tensor; `data` is base64 of its little-endian values. */
export interface SavedWeight {
  readonly kind: "variable" | "tensor";
  readonly name?: string;
  readonly trainable?: boolean;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: string;
}

/** What `tf.saveFunction` returns: plain JSON (`JSON.stringify` it to store it). */
export interface SavedFunction {
  readonly format: "kiln.function";
  readonly version: 1;
  readonly name: string;
  readonly functions: readonly SavedConcreteFunction[];
  readonly weights: { readonly [key: string]: SavedWeight };
}

export interface LoadOptions {
  /** Where op types are looked up (default `tf.knownOps()`: core's ops plus those declared with `tf.defineOp`). */
  readonly ops?: OpResolver;
}

const MAX_NESTING = 64;
const SPECIAL_LITERALS = ["undefined", "NaN", "Infinity", "-Infinity", "-0"] as const;

/**
 * Every op a saved graph may name: core's op families, the IR's builtins, the function
 * layer's variable, call and print ops, and ops declared with `tf.defineOp`.
 *
 * ```ts
 * tf.knownOps().has("AddV2"); // true
 * ```
 */
export function knownOps(): OpTable {
  const table = new OpTable();
  const functionOps = [ReadVariableOp, AssignVariableOp, AssignAddVariableOp, AssignSubVariableOp, PartitionedCall, StatefulPartitionedCall, PrintV2];
  for (const op of [...coreOpDefs(), ...functionOps]) table.add(op);
  const custom = getRuntime().ops;
  for (const name of custom.names()) table.add(custom.get(name)!);
  return table;
}

// ---------------------------------------------------------------- saving

function saveLiteral(value: unknown, path: string, what: string): SavedLiteral {
  if (value === undefined) return { kind: "literal", special: "undefined" };
  if (typeof value === "bigint") return { kind: "literal", bigint: String(value) };
  if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0))) {
    return { kind: "literal", special: Object.is(value, -0) ? "-0" : (String(value) as "NaN" | "Infinity" | "-Infinity") };
  }
  if (value === null || typeof value === "number" || typeof value === "string" || typeof value === "boolean") return { kind: "literal", value };
  const kind = typeof value === "function" ? "a function" : `an object (${(value as object).constructor?.name ?? "null prototype"})`;
  throw new ArgumentError(`saveFunction: ${what} ${path} is ${kind}, which cannot be saved; saved functions hold tensors, variables, JS primitives, and arrays and plain objects of them`);
}

function saveTypeNode(node: TypeNode, path: string): SavedTypeNode {
  switch (node.kind) {
    case "tensor":
      return { kind: "tensor", dtype: node.dtype, shape: [...node.shape], ...(node.name !== undefined ? { name: node.name } : {}) };
    case "variable":
      return { kind: "variable", dtype: node.dtype, shape: [...(node.shape as ConcreteShape)], trainable: node.trainable, alias: node.alias };
    case "literal":
      return saveLiteral(node.value, path, "argument");
    case "list":
      return { kind: "list", items: node.items.map((item, i) => saveTypeNode(item, `${path}[${i}]`)) };
    case "dict":
      return { kind: "dict", keys: [...node.keys], values: node.values.map((v, i) => saveTypeNode(v, `${path}.${node.keys[i]}`)) };
    case "ref":
      return saveLiteral(node.ref.deref(), path, "argument");
  }
}

function saveOutput(value: unknown, outputs: readonly OpOutput[], path: string): SavedOutput {
  if (value instanceof Tensor && value.handle.kind === "symbolic") {
    const index = outputs.indexOf(value.handle.ref as OpOutput);
    if (index >= 0) return { kind: "tensor", index };
  }
  if (Array.isArray(value)) return { kind: "list", items: value.map((v, i) => saveOutput(v, outputs, `${path}[${i}]`)) };
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const keys = Object.keys(value).sort();
    return { kind: "dict", keys, values: keys.map((k) => saveOutput((value as Record<string, unknown>)[k], outputs, `${path}.${k}`)) };
  }
  return saveLiteral(value, path || "(the whole result)", "result");
}

/** Collects captured values once each (a variable shared by several traces is saved once). */
class WeightWriter {
  readonly keys = new Map<object, string>();
  readonly weights: Record<string, SavedWeight> = {};

  add(value: object, fnName: string): string {
    const existing = this.keys.get(value);
    if (existing !== undefined) return existing;
    const key = `w${this.keys.size}`;
    if (value instanceof Variable) {
      const data = encodeTensorData(value.eagerValue.dataSync());
      this.weights[key] = { kind: "variable", name: value.name, trainable: value.trainable, dtype: value.dtype, shape: [...(value.shape as ConcreteShape)], data };
    } else if (value instanceof Tensor && !value.isSymbolic && !value.isDisposed) {
      this.weights[key] = { kind: "tensor", dtype: value.dtype, shape: [...(value.shape as ConcreteShape)], data: encodeTensorData(value.dataSync()) };
    } else {
      const why = value instanceof Tensor ? (value.isSymbolic ? "a symbolic tensor of an enclosing trace (save the outer function instead)" : "a disposed tensor") : "not a tensor or variable";
      throw new ArgumentError(`saveFunction: '${fnName}' captures ${why}, which cannot be saved`);
    }
    this.keys.set(value, key);
    return key;
  }
}

function saveConcrete(cf: ConcreteFunction, inputSignature: boolean, weights: WeightWriter): SavedConcreteFunction {
  return {
    name: cf.name,
    inputSignature,
    params: cf.functionType.params.map((p, i) => saveTypeNode(p, `${i}`)),
    outputs: saveOutput(cf.structuredOutputs, cf.graph.outputs, ""),
    captures: cf.graph.captures.map((c) => weights.add(c.value, cf.graph.name)),
    graph: serializeGraph(cf.graph),
  };
}

/** The concrete functions to save, and whether each came from an inputSignature. */
function toSave(fn: unknown): { name: string; entries: { cf: ConcreteFunction; inputSignature: boolean }[] } {
  if (fn instanceof LoadedFunction) return { name: fn.name, entries: fn.entries.map((e) => ({ cf: e.cf, inputSignature: e.inputSignature })) };
  if (fn instanceof ConcreteFunction) return { name: fn.graph.name, entries: [{ cf: fn, inputSignature: false }] };
  if (fn instanceof PolymorphicFunction) {
    if (fn.options.inputSignature !== undefined) return { name: fn.name, entries: [{ cf: fn.getConcreteFunction(), inputSignature: true }] };
    // TODO(lead): replace with a public PolymorphicFunction accessor for its traces.
    const traced = fn["cache"].entries();
    if (traced.length === 0) {
      throw new ArgumentError(
        `saveFunction: '${fn.name}' has no traced concrete functions and no inputSignature, so there is nothing to save. ` +
          `Call it (or fn.getConcreteFunction(...)) with each signature to export first, or give tf.function an inputSignature`,
      );
    }
    return { name: fn.name, entries: traced.map((cf) => ({ cf, inputSignature: false })) };
  }
  throw new TypeError(`saveFunction: expected a tf.function, a concrete function or a loaded function, received ${fn === null ? "null" : typeof fn}`);
}

/**
 * Saves a function's traced graphs and the values they capture as plain JSON (SPEC K1):
 * every concrete function of a tf.function (or the single trace of one with an
 * inputSignature, traced now if needed), a single concrete function, or a loaded
 * function. Captured variables and tensors are stored once each, as base64 data.
 *
 * ```ts
 * tfCube(tf.constant(2));
 * const text = JSON.stringify(tf.saveFunction(tfCube));
 * const cube = tf.loadFunction(text);
 * cube(tf.constant(3)); // 27, without tfCube's source
 * ```
 */
export function saveFunction(fn: PolymorphicFunction | ConcreteFunction | LoadedFunction): SavedFunction {
  const { name, entries } = toSave(fn);
  const weights = new WeightWriter();
  const functions = entries.map(({ cf, inputSignature }) => saveConcrete(cf, inputSignature, weights));
  return { format: "kiln.function", version: 1, name, functions, weights: weights.weights };
}

// ---------------------------------------------------------------- loading

function fail(path: string, message: string): never {
  throw new GraphFormatError(`${path}: ${message}`);
}

function loadLiteral(record: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(record, "special")) {
    const special = record.special;
    if (!SPECIAL_LITERALS.includes(special as (typeof SPECIAL_LITERALS)[number])) fail(`${path}.special`, `expected one of ${SPECIAL_LITERALS.join(", ")}`);
    return special === "undefined" ? undefined : Number(special);
  }
  if (Object.hasOwn(record, "bigint")) {
    const text = readString(record.bigint, `${path}.bigint`);
    if (!/^-?\d{1,400}$/.test(text)) fail(`${path}.bigint`, "expected decimal digits");
    return BigInt(text);
  }
  const value = readField(record, "value", path);
  if (value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") fail(`${path}.value`, "a literal must be a string, number, boolean or null");
  return value;
}

function loadKeys(record: Readonly<Record<string, unknown>>, path: string): string[] {
  const keys = readArray(readField(record, "keys", path), `${path}.keys`).map((k, i) => readString(k, `${path}.keys[${i}]`));
  // Canonical order (sorted, unique) is what fixes the order of the flat inputs.
  keys.forEach((k, i) => {
    if (i > 0 && !(keys[i - 1]! < k)) fail(`${path}.keys`, "keys must be sorted and unique");
    if (k === "__proto__" || k === "constructor" || k === "prototype") fail(`${path}.keys`, `forbidden key '${k}'`);
  });
  return keys;
}

function loadTypeNode(value: unknown, path: string, depth: number): TypeNode {
  if (depth > MAX_NESTING) fail(path, `arguments nested more than ${MAX_NESTING} levels deep`);
  const record = readRecord(value, path);
  const kind = readField(record, "kind", path);
  switch (kind) {
    case "tensor": {
      const name = readField(record, "name", path, true);
      const node = { kind, dtype: readDType(readField(record, "dtype", path), `${path}.dtype`), shape: readShape(readField(record, "shape", path), `${path}.shape`) };
      return name === undefined ? node : { ...node, name: readString(name, `${path}.name`) };
    }
    case "variable": {
      const alias = readField(record, "alias", path);
      if (typeof alias !== "number" || !Number.isInteger(alias) || alias < 0) fail(`${path}.alias`, "expected a non-negative integer");
      const trainable = readField(record, "trainable", path);
      if (typeof trainable !== "boolean") fail(`${path}.trainable`, "expected a boolean");
      const shape = readShape(readField(record, "shape", path), `${path}.shape`, false) as number[];
      return { kind, dtype: readDType(readField(record, "dtype", path), `${path}.dtype`), shape, trainable, alias };
    }
    case "literal":
      return { kind, value: loadLiteral(record, path) };
    case "list":
      return { kind, items: readArray(readField(record, "items", path), `${path}.items`).map((v, i) => loadTypeNode(v, `${path}.items[${i}]`, depth + 1)) };
    case "dict": {
      const keys = loadKeys(record, path);
      const values = readArray(readField(record, "values", path), `${path}.values`);
      if (values.length !== keys.length) fail(`${path}.values`, `expected ${keys.length} values, one per key`);
      return { kind, keys, values: values.map((v, i) => loadTypeNode(v, `${path}.values[${i}]`, depth + 1)) };
    }
    default:
      return fail(`${path}.kind`, `expected "tensor", "variable", "literal", "list" or "dict", received ${JSON.stringify(kind)}`);
  }
}

function loadOutput(value: unknown, outputs: readonly Tensor[], path: string, depth: number): unknown {
  if (depth > MAX_NESTING) fail(path, `result nested more than ${MAX_NESTING} levels deep`);
  const record = readRecord(value, path);
  const kind = readField(record, "kind", path);
  if (kind === "tensor") {
    const index = readField(record, "index", path);
    const tensor = typeof index === "number" && Number.isInteger(index) ? outputs[index] : undefined;
    if (tensor === undefined) fail(`${path}.index`, `expected the index of one of the graph's ${outputs.length} output(s), received ${JSON.stringify(index)}`);
    return tensor;
  }
  if (kind === "literal") return loadLiteral(record, path);
  if (kind === "list") return readArray(readField(record, "items", path), `${path}.items`).map((v, i) => loadOutput(v, outputs, `${path}.items[${i}]`, depth + 1));
  if (kind === "dict") {
    const keys = loadKeys(record, path);
    const values = readArray(readField(record, "values", path), `${path}.values`);
    if (values.length !== keys.length) fail(`${path}.values`, `expected ${keys.length} values, one per key`);
    return Object.fromEntries(keys.map((k, i) => [k, loadOutput(values[i], outputs, `${path}.values[${i}]`, depth + 1)]));
  }
  return fail(`${path}.kind`, `expected "tensor", "literal", "list" or "dict", received ${JSON.stringify(kind)}`);
}

/** Checks the parameters line up with the graph's inputs (so the graph only ever sees what it was traced for). */
function checkParams(params: readonly TypeNode[], inputs: readonly OpOutput[], path: string): { dims: Shape[]; used: number } {
  const dims: Shape[] = [];
  let next = 0;
  let aliases = 0;
  const expect = (resource: boolean, dtype: DType, shape: Shape, where: string) => {
    const input = inputs[next++];
    const same = input !== undefined && isResource(input) === resource && input.dtype === dtype && input.shape.length === shape.length && input.shape.every((d, i) => d === shape[i]);
    if (!same) fail(where, `does not match the graph's input ${next - 1}`);
  };
  const visit = (node: TypeNode, where: string): void => {
    if (node.kind === "tensor") {
      expect(false, node.dtype, node.shape, where);
      dims.push(node.shape);
    } else if (node.kind === "variable") {
      if (node.alias > aliases) fail(`${where}.alias`, `variable aliases must count up from 0 in order of first use`);
      if (node.alias === aliases++) expect(true, node.dtype, node.shape, where);
      else aliases--;
    } else if (node.kind === "list") node.items.forEach((item, i) => visit(item, `${where}.items[${i}]`));
    else if (node.kind === "dict") node.values.forEach((v, i) => visit(v, `${where}.values[${i}]`));
  };
  params.forEach((p, i) => visit(p, `${path}.params[${i}]`));
  return { dims, used: next };
}

/** A graph wrapped as a concrete function whose flat inputs are the graph's inputs and whose result is the output list. */
function wrapGraph(graph: FuncGraph, name: string): ConcreteFunction {
  for (const [key, entry] of graph.library) if (entry instanceof FuncGraph) graph.library.set(key, wrapGraph(entry, key));
  const outputs = graph.outputs.map((o) => new GraphTrace(graph).tensorOf(o));
  const params: TypeNode[] = graph.inputs.map((o, i) =>
    isResource(o) ? { kind: "variable", dtype: o.dtype, shape: o.shape, trainable: true, alias: i } : { kind: "tensor", dtype: o.dtype, shape: o.shape },
  );
  const type: FunctionType = { params, key: "", relaxKey: "", dims: graph.inputs.filter((o) => !isResource(o)).map((o) => o.shape), flat: [] };
  return new ConcreteFunction(graph, name, type, outputs, outputs, graph.name);
}

/**
 * Makes a deserialized graph callable (its called functions too): arguments are the
 * graph's inputs in order (tensors, or Variables for resource inputs) and the result is
 * the array of its outputs.
 *
 * ```ts
 * const run = tf.functionFromGraph(tf.deserializeGraph(json, tf.knownOps()));
 * run(tf.constant(2)); // [Tensor 8]
 * ```
 */
export function functionFromGraph(graph: FuncGraph, name = graph.name): CallableConcreteFunction {
  const cf = wrapGraph(graph, name);
  return makeCallable(cf, (...args: unknown[]) => {
    const flat = args.map((a, i) => {
      if (a instanceof Tensor || a instanceof Variable) return a;
      throw new TypeError(`${name}: argument ${i} must be a tensor or a variable (the graph's input ${graph.inputs[i]?.op.name ?? i})`);
    });
    return cf.callFlat(flat);
  });
}

interface PendingWeight {
  readonly kind: "variable" | "tensor";
  readonly name: string | undefined;
  readonly trainable: boolean;
  readonly dtype: DType;
  readonly shape: number[];
  readonly data: unknown;
  readonly path: string;
}

function readWeight(weights: Readonly<Record<string, unknown>>, key: unknown, path: string): PendingWeight {
  const name = readString(key, path);
  if (!Object.hasOwn(weights, name)) fail(path, `refers to weight '${name}', which is not in 'weights'`);
  const where = `weights.${name}`;
  const record = readRecord(weights[name], where);
  const kind = readField(record, "kind", where);
  if (kind !== "variable" && kind !== "tensor") fail(`${where}.kind`, `expected "variable" or "tensor"`);
  const varName = readField(record, "name", where, true);
  const trainable = readField(record, "trainable", where, true);
  if (trainable !== undefined && typeof trainable !== "boolean") fail(`${where}.trainable`, "expected a boolean");
  return {
    kind,
    name: varName === undefined ? undefined : readString(varName, `${where}.name`),
    trainable: trainable !== false,
    dtype: readDType(readField(record, "dtype", where), `${where}.dtype`),
    shape: readShape(readField(record, "shape", where), `${where}.shape`, false) as number[],
    data: readField(record, "data", where),
    path: `${where}.data`,
  };
}

/**
 * Loads what `tf.saveFunction` wrote (the object or its JSON text) into a callable that
 * runs the saved graphs without the original source (SPEC K1). Only the traced signatures
 * can be called; anything else is a TypeError listing them. Captured variables come back
 * as new `tf.Variable`s (`loaded.variables`). Nothing in the file is ever executed: op
 * types resolve only through `options.ops`, and every size is checked against the actual
 * data before memory is allocated; a malformed file is a GraphFormatError.
 *
 * ```ts
 * const cube = tf.loadFunction(JSON.parse(text));
 * cube(tf.constant(2)); // 8
 * ```
 */
export function loadFunction(saved: SavedFunction | string, options: LoadOptions = {}): LoadedFunction & ((...args: any[]) => any) {
  let json: unknown = saved;
  if (typeof saved === "string") {
    try {
      json = JSON.parse(saved);
    } catch (error) {
      fail("saved function", `not valid JSON (${(error as Error).message})`);
    }
  }
  const root = readRecord(json, "saved function");
  if (readField(root, "format", "saved function") !== "kiln.function") fail("saved function.format", `expected "kiln.function"`);
  const version = readField(root, "version", "saved function");
  if (version !== 1) fail("saved function.version", `this Kiln reads version 1, received ${JSON.stringify(version)}`);
  const name = readString(readField(root, "name", "saved function"), "saved function.name");
  const weights = readRecord(readField(root, "weights", "saved function"), "weights");
  const functions = readArray(readField(root, "functions", "saved function"), "functions");
  if (functions.length === 0) fail("functions", "the file holds no concrete functions");
  const ops = options.ops ?? knownOps();

  // Everything is validated before the first tensor or variable is created.
  const pending = functions.map((value, i) => {
    const path = `functions[${i}]`;
    const record = readRecord(value, path);
    const graph = deserializeGraph(readField(record, "graph", path), ops, { libraryEntry: (g, n) => wrapGraph(g, n) });
    const params = readArray(readField(record, "params", path), `${path}.params`).map((p, k) => loadTypeNode(p, `${path}.params[${k}]`, 0));
    const { dims, used } = checkParams(params, graph.inputs, path);
    const captures = readArray(readField(record, "captures", path), `${path}.captures`).map((key, k) => {
      const weight = readWeight(weights, key, `${path}.captures[${k}]`);
      const input = graph.inputs[used + k];
      const same = input !== undefined && isResource(input) === (weight.kind === "variable") && input.dtype === weight.dtype && input.shape.length === weight.shape.length && input.shape.every((d, j) => d === weight.shape[j]);
      if (!same) fail(`${path}.captures[${k}]`, `weight '${String(key)}' does not match the graph's input ${used + k}`);
      return { key: key as string, weight, placeholder: input };
    });
    if (used + captures.length !== graph.inputs.length) fail(path, `the graph has ${graph.inputs.length} inputs but the signature and captures account for ${used + captures.length}`);
    const outputs = graph.outputs.map((o) => new GraphTrace(graph).tensorOf(o));
    const structured = loadOutput(readField(record, "outputs", path), outputs, `${path}.outputs`, 0);
    const inputSignature = readField(record, "inputSignature", path) === true;
    const cfName = readString(readField(record, "name", path), `${path}.name`);
    return { graph, params, dims, captures, outputs, structured, inputSignature, cfName };
  });
  const data = new Map<string, { weight: PendingWeight; values: ReturnType<typeof decodeTensorData> }>();
  for (const p of pending) for (const c of p.captures) if (!data.has(c.key)) data.set(c.key, { weight: c.weight, values: decodeTensorData(c.weight.data, c.weight.dtype, c.weight.shape, c.weight.path) });

  const runtime = getRuntime();
  return runtime.withEager(() => {
    const backend = runtime.backends.active();
    const objects = new Map<string, Tensor | Variable>();
    for (const [key, { weight, values }] of data) {
      const tensor = runtime.tracker.keep(runtime.wrap(backend, backend.write(values, weight.shape, weight.dtype), weight.shape, weight.dtype));
      if (weight.kind === "tensor") objects.set(key, tensor);
      else {
        objects.set(key, new Variable(tensor, { trainable: weight.trainable, dtype: weight.dtype, ...(weight.name !== undefined ? { name: weight.name } : {}) }));
        tensor.dispose();
      }
    }
    const entries: LoadedEntry[] = pending.map((p) => {
      for (const c of p.captures) {
        const value = objects.get(c.key)!;
        p.graph.addCapture(value, c.placeholder!);
        if (value instanceof Variable) p.graph.resources.set(value, c.placeholder!);
      }
      const type: FunctionType = { params: p.params, key: "", relaxKey: "", dims: p.dims, flat: [] };
      const cf = new ConcreteFunction(p.graph, p.cfName, type, p.structured, p.outputs, name);
      return { cf, inputSignature: p.inputSignature, specificity: p.dims.reduce((n, s) => n + s.filter((d) => d !== null).length, 0) };
    });
    return LoadedFunction.create(name, entries, [...objects.values()]);
  });
}
