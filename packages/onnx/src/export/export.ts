/**
 * `toOnnx` and `saveOnnx`: a Kiln concrete function as an ONNX model (opset 17). Tensor
 * parameters become graph inputs (their `null` dims symbolic), results become graph outputs,
 * captured variables and tensors become initializers (variables may be inputs instead), and
 * every operation goes through its mapping. The model is checked (`checkModel`) before it is
 * returned, so an export that breaks ONNX's rules fails here, not in a serving runtime.
 *
 * ```ts
 * const f = tf.function((x: tf.Tensor) => tf.relu(tf.matMul(x, w)), { inputSignature: [new tf.TensorSpec([null, 4])] });
 * const bytes = toOnnx(f);              // Uint8Array, an ONNX ModelProto
 * await saveOnnx(f, "model.onnx");      // the same bytes, written to a file
 * ```
 */
import { create, toBinary } from "@bufbuild/protobuf";
import * as tf from "@kiln/core";
import { type ModelProto, ModelProtoSchema, OperatorSetIdProtoSchema } from "onnx-buf";
import { assertValidModel } from "../check/checker.js";
import { OnnxExportError } from "../errors.js";
import type { ElemData } from "../proto/build.js";
import { Emitter } from "./emitter.js";
import { GraphBuilder, NameScope } from "./graph_builder.js";
import type { ExportOptions } from "./options.js";
import { pruneInitializers } from "./prune.js";

export type { ExportOptions } from "./options.js";

/** The ONNX opset the exporter targets (default domain). */
export const OPSET_VERSION = 17;
/** The ONNX IR version written (IR 8 is the version of opset 17's release). */
export const IR_VERSION = 8;

/** What can be exported: a concrete function, or a tf.function with one trace (or an inputSignature). */
export type Exportable = tf.ConcreteFunction | tf.PolymorphicFunction;

/** Reads a captured tensor's or variable's values. */
type ReadValues = (value: tf.Tensor) => ElemData;

/** The concrete function to export from what the caller passed. */
export function concreteFunctionOf(fn: Exportable): tf.ConcreteFunction {
  if (fn instanceof tf.ConcreteFunction) return fn;
  if (fn instanceof tf.PolymorphicFunction) {
    if (fn.options.inputSignature !== undefined) return fn.getConcreteFunction();
    const traced = fn.concreteFunctions();
    if (traced.length === 1) return traced[0]!;
    throw new OnnxExportError(
      `toOnnx: '${fn.name}' has ${traced.length} traced concrete functions and no inputSignature; an ONNX model has one signature, ` +
        `so pass one concrete function (fn.getConcreteFunction(new tf.TensorSpec([null, 784])), with null for dims that vary)`,
    );
  }
  throw new TypeError(`toOnnx: expected a concrete function or a tf.function, received ${fn === null ? "null" : typeof fn}`);
}

/** `requested` (exactly, or a typed error) or a fresh name based on `fallback`. */
function reserve(names: NameScope, requested: string | undefined, fallback: string, what: string): string {
  const name = names.unique(requested ?? fallback);
  if (requested !== undefined && name !== requested) {
    throw new OnnxExportError(`toOnnx: ${what} name '${requested}' is not a valid, unique ONNX name (it would become '${name}'); use distinct names of letters, digits and _`);
  }
  return name;
}

/** The tensor captures' and variables' values, read synchronously. */
const readSync: ReadValues = (t) => t.dataSync() as ElemData;

/** A capture's current value as a tensor: a variable's value, or the tensor itself. */
function captureTensor(value: object, fnName: string): tf.Tensor {
  if (value instanceof tf.Variable) return value.eagerValue;
  if (value instanceof tf.Tensor && !value.isSymbolic && !value.isDisposed) return value;
  throw new OnnxExportError(`toOnnx: '${fnName}' captures a value that is not a live tensor or variable (a disposed tensor?), which cannot be exported`);
}

/**
 * Builds the ONNX model of a concrete function, reading captured values with `read`. Every
 * name in the model comes from one NameScope, so sub-graphs never shadow outer names.
 */
/** The options whose values are one of a few words: each must be one of them. */
const CHOICES = { variables: ["initializers", "inputs"], prints: ["error", "drop"], specialValues: ["kiln", "runtime"] } as const;

function checkOptions(options: ExportOptions): void {
  for (const [key, valid] of Object.entries(CHOICES)) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined && !(valid as readonly unknown[]).includes(value)) {
      throw new OnnxExportError(`toOnnx: option ${key} must be ${valid.map((v) => JSON.stringify(v)).join(" or ")}, received ${JSON.stringify(value)}`);
    }
  }
}

function buildModel(cf: tf.ConcreteFunction, options: ExportOptions, read: ReadValues): ModelProto {
  checkOptions(options);
  const graph = cf.graph;
  const names = new NameScope();
  const root = GraphBuilder.root(names, names.unique(options.name ?? cf.name));
  const captured = new Map(graph.captures.map((c) => [c.placeholder, c.value]));
  const bindings: string[] = [];
  let tensorInput = 0;
  for (const placeholder of graph.inputs) {
    const value = captured.get(placeholder);
    const isVariable = (placeholder.op.attrs as { resource?: boolean }).resource === true;
    if (value !== undefined && !(isVariable && options.variables === "inputs")) {
      // A captured variable or tensor: its current value, stored in the model.
      const base = value instanceof tf.Variable ? value.name : placeholder.op.name;
      const tensor = captureTensor(value, cf.name);
      bindings.push(root.constant(tensor.dtype, tensor.shape as number[], read(tensor), base));
      continue;
    }
    if (isVariable) {
      // A variable the caller feeds: a graph input named after it, of its value's type.
      const name = names.unique(value instanceof tf.Variable ? value.name : placeholder.op.name);
      root.addInput(name, placeholder.dtype, [...placeholder.shape]);
      bindings.push(name);
      continue;
    }
    const name = reserve(names, options.inputNames?.[tensorInput], placeholder.op.name, "input");
    const dimName = options.dimName ?? ((input: string, axis: number) => `${input}_dim${axis}`);
    root.addInput(name, placeholder.dtype, placeholder.shape.map((d, axis) => d ?? dimName(name, axis)));
    bindings.push(name);
    tensorInput++;
  }
  if (graph.outputs.length === 0) {
    throw new OnnxExportError(
      `toOnnx: '${cf.name}' returns no tensors, and an ONNX model needs at least one output; return what the model should compute`,
    );
  }
  // Output names are reserved before the graph's own names, so they come out exactly as asked.
  const outputNames = graph.outputs.map((_, k) => reserve(names, options.outputNames?.[k], `output_${k}`, "output"));
  const outputs = new Emitter(options).emit(graph, root, bindings);
  // Each output is written by the node that makes it; a graph input, an initializer or a value
  // returned a second time is copied with an Identity.
  const renamed = new Map<string, string>();
  outputs.forEach((value, k) => {
    const info = graph.outputs[k]!;
    const current = renamed.get(value);
    if (current !== undefined) root.copyTo(current, outputNames[k]!);
    else if (root.renameOutput(value, outputNames[k]!)) renamed.set(value, outputNames[k]!);
    else root.copyTo(value, outputNames[k]!);
    root.addOutput(outputNames[k]!, info.dtype, [...info.shape]);
  });
  const main = root.toGraph();
  pruneInitializers(main);
  return create(ModelProtoSchema, {
    irVersion: BigInt(IR_VERSION),
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: BigInt(OPSET_VERSION) })],
    producerName: "@kiln/onnx",
    producerVersion: "0",
    docString: options.docString ?? "",
    graph: main,
  });
}

/**
 * The ONNX model (`ModelProto` message) of a concrete function, checked with `checkModel`.
 * Captured variables are read synchronously (a backend with synchronous reads, such as cpu;
 * use `saveOnnx` on asynchronous backends).
 *
 * ```ts
 * const model = toOnnxModel(cf);
 * model.graph!.node.map((n) => n.opType); // ["MatMul", "Add", "Relu", "Identity"]
 * ```
 */
export function toOnnxModel(fn: Exportable, options: ExportOptions = {}): ModelProto {
  const model = buildModel(concreteFunctionOf(fn), options, readSync);
  assertValidModel(model);
  return model;
}

/**
 * The ONNX model of a concrete function (or a tf.function with an inputSignature or a single
 * trace) as protobuf bytes, ready for `onnxruntime`'s `InferenceSession.create(bytes)`.
 *
 * ```ts
 * const session = await ort.InferenceSession.create(toOnnx(f));
 * ```
 */
export function toOnnx(fn: Exportable, options: ExportOptions = {}): Uint8Array {
  return toBinary(ModelProtoSchema, toOnnxModel(fn, options));
}

/**
 * Exports like `toOnnx`, reading captured values with `await` (so it works on every backend),
 * and writes the model to `target` when it is a path. Returns the bytes.
 *
 * ```ts
 * await saveOnnx(f, "model.onnx");
 * const bytes = await saveOnnx(f, { bytes: true }); // no file
 * ```
 */
export async function saveOnnx(fn: Exportable, target: string | { readonly bytes: true }, options: ExportOptions = {}): Promise<Uint8Array> {
  const cf = concreteFunctionOf(fn);
  const values = new Map<tf.Tensor, ElemData>();
  for (const c of cf.graph.captures) {
    const t = captureTensor(c.value, cf.name);
    values.set(t, (await t.data()) as ElemData);
  }
  const model = buildModel(cf, options, (t) => values.get(t) ?? readSync(t));
  assertValidModel(model);
  const bytes = toBinary(ModelProtoSchema, model);
  if (typeof target === "string") {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(target, bytes);
  }
  return bytes;
}
