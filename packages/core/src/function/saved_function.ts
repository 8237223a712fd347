
import type { DataArray, DType } from "../base/dtype.js";
import { ArgumentError } from "../base/errors.js";
import type { ConcreteShape } from "../base/shape.js";
import { checkMemoryBudget, type MemoryBudget, resolveMemoryBudget } from "../ir/budget.js";
import { FuncGraph } from "../ir/func_graph.js";
import { isResourceOutput as isResource } from "../ir/graph.js";
import { OpTable } from "../ir/op_table.js";
import {
  decodeTensorData,
  deserializeGraph,
  encodeTensorData,
  GraphFormatError,
  type GraphJSON,
  readArray,
  readDType,
  readField,
  readRecord,
  readShape,
  readString,
  serializeGraph,
} from "../ir/serialize.js";
import type { OpResolver } from "../ir/verify.js";
import { coreOps } from "./ops.js";
import { Tensor } from "../tensor/tensor.js";
import { GraphTrace } from "../trace/graph_trace.js";
import { getRuntime } from "../trace/runtime.js";
import { makeCallable } from "./callable.js";
import { ConcreteFunction } from "./concrete_function.js";
import type { FunctionType, TypeNode } from "./function_type.js";
import { LoadedConcreteFunction, type LoadedEntry, LoadedFunction } from "./loaded_function.js";
import { type CallableConcreteFunction, PolymorphicFunction } from "./polymorphic_function.js";
import {
  checkParams,
  loadOutput,
  loadTypeNode,
  type SavedOutput,
  type SavedTypeNode,
  saveOutput,
  saveTypeNode,
} from "./saved_signature.js";
import { Variable } from "./variable.js";

export type { SavedLiteral, SavedOutput, SavedTypeNode } from "./saved_signature.js";

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
  /**
   * The most memory the loaded graphs may ask for, checked before anything is allocated
   * (default `tf.DEFAULT_MEMORY_BUDGET`: 256 MiB per tensor, 1 GiB for all the tensors
   * whose sizes the file fixes). Raise it for large trusted models.
   */
  readonly memoryBudget?: MemoryBudget;
}

/**
 * Every op a saved graph may name: core's op families, the IR's builtins, the function
 * layer's variable, call, control-flow and print ops, and ops declared with `tf.defineOp`.
 *
 * ```ts
 * tf.knownOps().has("AddV2"); // true
 * ```
 */
export function knownOps(): OpTable {
  const table = new OpTable();
  for (const op of coreOps()) table.add(op);
  const custom = getRuntime().ops;
  for (const name of custom.names()) table.add(custom.get(name)!);
  return table;
}

// ---------------------------------------------------------------- saving

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
      this.weights[key] = {
        kind: "variable",
        name: value.name,
        trainable: value.trainable,
        dtype: value.dtype,
        shape: [...(value.shape as ConcreteShape)],
        data,
      };
    } else if (value instanceof Tensor && !value.isSymbolic && !value.isDisposed) {
      this.weights[key] = {
        kind: "tensor",
        dtype: value.dtype,
        shape: [...(value.shape as ConcreteShape)],
        data: encodeTensorData(value.dataSync()),
      };
    } else {
      const why =
        value instanceof Tensor
          ? value.isSymbolic
            ? "a symbolic tensor of an enclosing trace (save the outer function instead)"
            : "a disposed tensor"
          : "not a tensor or variable";
      throw new ArgumentError(`saveFunction: '${fnName}' captures ${why}, which cannot be saved`);
    }
    this.keys.set(value, key);
    return key;
  }
}

function saveConcrete(cf: ConcreteFunction, inputSignature: boolean, weights: WeightWriter): SavedConcreteFunction {
  const args = cf.graph.inputs.slice(0, cf.graph.inputs.length - cf.graph.captures.length);
  const tensorPlaceholders = args.filter((o) => !isResource(o));
  return {
    name: cf.name,
    inputSignature,
    params: cf.functionType.params.map((p, i) => saveTypeNode(p, `${i}`, tensorPlaceholders)),
    outputs: saveOutput(cf.structuredOutputs, cf.graph.outputs, ""),
    captures: cf.graph.captures.map((c) => weights.add(c.value, cf.graph.name)),
    graph: serializeGraph(cf.graph),
  };
}

/** The concrete functions to save, and whether each came from an inputSignature. */
function toSave(fn: unknown): { name: string; entries: { cf: ConcreteFunction; inputSignature: boolean }[] } {
  if (fn instanceof LoadedFunction)
    return { name: fn.name, entries: fn.entries.map((e) => ({ cf: e.cf, inputSignature: e.inputSignature })) };
  if (fn instanceof ConcreteFunction) return { name: fn.graph.name, entries: [{ cf: fn, inputSignature: false }] };
  if (fn instanceof PolymorphicFunction) {
    if (fn.options.inputSignature !== undefined)
      return { name: fn.name, entries: [{ cf: fn.getConcreteFunction(), inputSignature: true }] };
    const traced: ConcreteFunction[] = fn.concreteFunctions();
    if (traced.length === 0) {
      throw new ArgumentError(
        `saveFunction: '${fn.name}' has no traced concrete functions and no inputSignature, so there is nothing to save. ` +
          `Call it (or fn.getConcreteFunction(...)) with each signature to export first, or give tf.function an inputSignature`,
      );
    }
    return { name: fn.name, entries: traced.map((cf) => ({ cf, inputSignature: false })) };
  }
  throw new TypeError(
    `saveFunction: expected a tf.function, a concrete function or a loaded function, received ${fn === null ? "null" : typeof fn}`,
  );
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

/** A graph wrapped as a concrete function whose flat inputs are the graph's inputs and whose result is the output list. */
function wrapGraph(graph: FuncGraph, name: string): ConcreteFunction {
  for (const [key, entry] of graph.library) if (entry instanceof FuncGraph) graph.library.set(key, wrapGraph(entry, key));
  const outputs = graph.outputs.map((o) => new GraphTrace(graph).tensorOf(o));
  const params: TypeNode[] = graph.inputs.map((o, i) =>
    isResource(o)
      ? { kind: "variable", dtype: o.dtype, shape: o.shape, trainable: true, alias: i }
      : { kind: "tensor", dtype: o.dtype, shape: o.shape },
  );
  const type: FunctionType = {
    params,
    key: "",
    relaxKey: "",
    dims: graph.inputs.filter((o) => !isResource(o)).map((o) => o.shape),
    flat: [],
  };
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

interface LoadedWeight {
  readonly kind: "variable" | "tensor";
  readonly name: string | undefined;
  readonly trainable: boolean;
  readonly dtype: DType;
  readonly shape: number[];
  readonly values: DataArray;
}

function fail(path: string, message: string): never {
  throw new GraphFormatError(`${path}: ${message}`);
}

/** Reads each referenced weight once; its size is checked against the data before anything is allocated. */
class WeightReader {
  readonly loaded = new Map<string, LoadedWeight>();

  constructor(private readonly weights: Readonly<Record<string, unknown>>) {}

  read(key: unknown, path: string): LoadedWeight {
    const name = readString(key, path);
    if (!Object.hasOwn(this.weights, name)) fail(path, `refers to weight '${name}', which is not in 'weights'`);
    const cached = this.loaded.get(name);
    if (cached !== undefined) return cached;
    const where = `weights.${name}`;
    const record = readRecord(this.weights[name], where);
    const kind = readField(record, "kind", where);
    if (kind !== "variable" && kind !== "tensor") fail(`${where}.kind`, `expected "variable" or "tensor"`);
    const varName = readField(record, "name", where, true);
    const trainable = readField(record, "trainable", where, true);
    if (trainable !== undefined && typeof trainable !== "boolean") fail(`${where}.trainable`, "expected a boolean");
    const dtype = readDType(readField(record, "dtype", where), `${where}.dtype`);
    const shape = readShape(readField(record, "shape", where), `${where}.shape`, false) as number[];
    const weight: LoadedWeight = {
      kind,
      name: varName === undefined ? undefined : readString(varName, `${where}.name`),
      trainable: trainable !== false,
      dtype,
      shape,
      values: decodeTensorData(readField(record, "data", where), dtype, shape, `${where}.data`),
    };
    this.loaded.set(name, weight);
    return weight;
  }
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
  const budget = resolveMemoryBudget(options.memoryBudget, "loadFunction");
  const reader = new WeightReader(weights);

  // Everything is validated before the first tensor or variable is created.
  const pending = functions.map((value, i) => {
    const path = `functions[${i}]`;
    const record = readRecord(value, path);
    const graph = deserializeGraph(readField(record, "graph", path), ops, { libraryEntry: (g, n) => wrapGraph(g, n), path: `${path}.graph` });
    checkMemoryBudget(graph, budget, path);
    const params = readArray(readField(record, "params", path), `${path}.params`).map((p, k) => loadTypeNode(p, `${path}.params[${k}]`, 0));
    const { dims, used } = checkParams(params, graph.inputs, path);
    const captures = readArray(readField(record, "captures", path), `${path}.captures`).map((key, k) => {
      const weight = reader.read(key, `${path}.captures[${k}]`);
      const input = graph.inputs[used + k];
      const same =
        input !== undefined &&
        isResource(input) === (weight.kind === "variable") &&
        input.dtype === weight.dtype &&
        input.shape.length === weight.shape.length &&
        input.shape.every((d, j) => d === weight.shape[j]);
      if (!same) fail(`${path}.captures[${k}]`, `weight '${String(key)}' does not match the graph's input ${used + k}`);
      return { key: key as string, weight, placeholder: input };
    });
    if (used + captures.length !== graph.inputs.length)
      fail(path, `the graph has ${graph.inputs.length} inputs but the signature and captures account for ${used + captures.length}`);
    const outputs = graph.outputs.map((o) => new GraphTrace(graph).tensorOf(o));
    const structured = loadOutput(readField(record, "outputs", path), outputs, `${path}.outputs`, 0);
    const inputSignature = readField(record, "inputSignature", path) === true;
    const cfName = readString(readField(record, "name", path), `${path}.name`);
    return { graph, params, dims, captures, outputs, structured, inputSignature, cfName };
  });

  const runtime = getRuntime();
  return runtime.withEager(() => {
    const backend = runtime.backends.active();
    const objects = new Map<string, Tensor | Variable>();
    for (const [key, weight] of reader.loaded) {
      const tensor = runtime.tracker.keep(
        runtime.wrap(backend, backend.write(weight.values, weight.shape, weight.dtype), weight.shape, weight.dtype),
      );
      if (weight.kind === "tensor") objects.set(key, tensor);
      else {
        objects.set(
          key,
          new Variable(tensor, {
            trainable: weight.trainable,
            dtype: weight.dtype,
            ...(weight.name !== undefined ? { name: weight.name } : {}),
          }),
        );
        tensor.dispose();
      }
    }
    const entries: LoadedEntry[] = pending.map((p) => {
      for (const c of p.captures) {
        const value = objects.get(c.key)!;
        p.graph.addCapture(value, c.placeholder!);
        if (value instanceof Variable) p.graph.addResource(value, c.placeholder!);
      }
      const type: FunctionType = { params: p.params, key: "", relaxKey: "", dims: p.dims, flat: [] };
      const cf = new LoadedConcreteFunction(p.graph, p.cfName, type, p.structured, p.outputs, name);
      return { cf, inputSignature: p.inputSignature, specificity: p.dims.reduce((n, s) => n + s.filter((d) => d !== null).length, 0) };
    });
    return LoadedFunction.create(name, entries, [...objects.values()]);
  });
}
