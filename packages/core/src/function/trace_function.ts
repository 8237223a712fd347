import { KilnError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import { Identity } from "../ir/builtin_ops.js";
import { FuncGraph } from "../ir/func_graph.js";
import type { OpOutput } from "../ir/graph.js";
import { Tensor } from "../tensor/tensor.js";
import { GraphTrace } from "../trace/graph_trace.js";
import { getRuntime } from "../trace/runtime.js";
import { ConcreteFunction } from "./concrete_function.js";
import type { FunctionType, TypeNode } from "./function_type.js";
import { mapStructure } from "./structure.js";
import { Variable } from "./variable.js";

/** Everything `traceFunction` needs to know about the user's function and this trace. */
export interface TraceRequest {
  readonly fn: Function;
  readonly thisArg: unknown;
  readonly name: string;
  readonly type: FunctionType;
  /** Tensor dims to trace with (the call's, or relaxed ones with `null`). */
  readonly dims: readonly Shape[];
  /** The bound call arguments (for identity-keyed objects, passed through as they are). */
  readonly args: readonly unknown[];
  readonly paramNames: readonly string[];
  readonly allowVariableCreation: boolean;
}

let nextFunctionUid = 0;

/** The input signatures (type keys) each JS function is being traced for right now: a recursion guard. */
const tracing = new WeakMap<Function, Set<string>>();

/**
 * Marks `request` as being traced until `end` is called; a function that calls itself with
 * the same signature while tracing would trace forever, so that is a typed error instead.
 */
function enterTrace(request: TraceRequest): () => void {
  let open = tracing.get(request.fn);
  if (open === undefined) tracing.set(request.fn, (open = new Set()));
  const key = request.type.key;
  if (open.has(key)) {
    throw new KilnError(
      `${request.name}: the function calls itself with the same input signature while it is being traced; a graph cannot contain itself, so tracing would never end. ` +
        `Recurse on JS values that change toward a base case (each value is its own trace), or write the repetition with tf.whileLoop`,
    );
  }
  open.add(key);
  return () => open.delete(key);
}

/** Errors already annotated with the tf.function being traced (the innermost one names it). */
const annotated = new WeakSet<Error>();

/**
 * Appends which tf.function was being traced to a typed Kiln error raised by the user's
 * code (an op's bad input, a variable rule), keeping its class: the stack alone points into
 * Kiln's tracer, not at the function. Messages that already name the function are kept.
 */
function annotate(error: unknown, name: string): void {
  if (!(error instanceof KilnError) || annotated.has(error)) return;
  annotated.add(error);
  if (error.message.includes(`'${name}'`)) return;
  const before = error.message;
  error.message = `${before} (while tracing tf.function '${name}')`;
  if (typeof error.stack === "string" && error.stack.includes(before)) error.stack = error.stack.replace(before, error.message);
}

/**
 * Where a symbolic tensor is held inside a returned class instance (its own data
 * properties, arrays, Maps and Sets, searched without calling getters), if anywhere.
 */
function heldTensorPath(value: object): string | undefined {
  const seen = new Set<object>();
  const search = (v: unknown, path: string): string | undefined => {
    if (v instanceof Tensor) return v.isSymbolic ? path : undefined;
    if (typeof v !== "object" || v === null || v instanceof Variable || ArrayBuffer.isView(v) || seen.has(v)) return undefined;
    seen.add(v);
    const join = (key: string) => (Array.isArray(v) ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`);
    if (v instanceof Map || v instanceof Set) {
      let i = 0;
      for (const item of v.values()) {
        const found = search(item, `${path}<${i++}>`);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    for (const [key, property] of Object.entries(Object.getOwnPropertyDescriptors(v))) {
      if (!property.enumerable || !("value" in property)) continue;
      const found = search(property.value, join(key));
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return search(value, "");
}

/** A read-only view of an array or object argument: mutating it is an error naming the parameter (SPEC B6). */
function readOnly<T extends object>(value: T, fnName: string, path: string): T {
  const fail = (what: string): never => {
    throw new TypeError(
      `${fnName}: argument '${path}' was mutated inside the function (${what}). Arguments are read-only while tracing: ` +
        `the mutation would happen only once, at trace time, not on every call. Build and return a new value instead`,
    );
  };
  return new Proxy(value, {
    set: (_t, prop) => fail(`setting '${String(prop)}'`),
    deleteProperty: (_t, prop) => fail(`deleting '${String(prop)}'`),
    defineProperty: (_t, prop) => fail(`defining '${String(prop)}'`),
    setPrototypeOf: () => fail("changing its prototype"),
  });
}

/**
 * Traces `fn` once into a new FuncGraph (SPEC A3): placeholders stand in for tensor
 * arguments, variable arguments are seen through stand-ins bound to resource placeholders
 * (`Variable.argumentStandIn`), JS values are passed as they are, every op is recorded,
 * and each tensor in the result goes through an `Identity`. A result holding tensors in a
 * class instance is a TypeError. A throw leaves no cache entry and the trace stack intact;
 * a typed Kiln error gets the name of the function being traced.
 */
export function traceFunction(request: TraceRequest): ConcreteFunction {
  const endTrace = enterTrace(request);
  try {
    return traceGraph(request);
  } finally {
    endTrace();
  }
}

function traceGraph(request: TraceRequest): ConcreteFunction {
  const runtime = getRuntime();
  const parent = runtime.graphTrace()?.graph;
  const graph = new FuncGraph(request.name, parent, request.allowVariableCreation);
  const trace = new GraphTrace(graph);
  const argInputs: OpOutput[] = [];
  const standIns = new Map<number, Variable>();
  let leaf = 0;
  const materialize = (node: TypeNode, arg: unknown, path: string, base: string): unknown => {
    switch (node.kind) {
      case "tensor": {
        const placeholder = trace.addPlaceholder(node.name ?? base, { shape: request.dims[leaf++]!, dtype: node.dtype });
        argInputs.push(placeholder);
        return trace.tensorOf(placeholder);
      }
      case "variable": {
        // The function sees a stand-in bound to the argument's placeholder (one per aliased
        // variable), never the passed object: a closure read of that same object must stay a
        // capture of its own, or a trace reused for another variable would read the argument.
        let standIn = standIns.get(node.alias);
        if (standIn === undefined) {
          const placeholder = trace.addPlaceholder(base, { shape: node.shape, dtype: node.dtype }, true);
          standIn = Variable.argumentStandIn(arg as Variable, graph);
          standIns.set(node.alias, standIn);
          graph.addResource(standIn, placeholder);
          argInputs.push(placeholder);
        }
        return standIn;
      }
      case "literal":
        return node.value;
      case "ref":
        return arg;
      case "list":
        return readOnly(
          node.items.map((item, i) => materialize(item, (arg as unknown[])[i], `${path}[${i}]`, base)),
          request.name,
          path,
        );
      case "dict": {
        // Placeholders follow the canonical (sorted) order; the object has the caller's key order.
        const values = new Map(node.keys.map((k, i) => [k, materialize(node.values[i]!, (arg as Record<string, unknown>)[k], `${path}.${k}`, base)]));
        const out: Record<string, unknown> = {};
        for (const k of node.order) out[k] = values.get(k);
        return readOnly(out, request.name, path);
      }
    }
  };
  try {
    const { structured, outputs, outputTensors } = runtime.withTrace(trace, () => {
      const inputs = request.type.params.map((node, i) => materialize(node, request.args[i], request.paramNames[i] ?? `args_${i}`, request.paramNames[i] ?? `args_${i}`));
      const result: unknown = request.fn.apply(request.thisArg, inputs);
      if (result instanceof Promise) {
        throw new TypeError(`${request.name}: tf.function cannot trace an async function (it returned a Promise); graphs run synchronously, so make the function synchronous`);
      }
      const outputs: OpOutput[] = [];
      const outputTensors: Tensor[] = [];
      const structured = mapStructure(result, (value, path) => {
        const tensor = value instanceof Variable ? value.readForOp() : value;
        if (!(tensor instanceof Tensor)) {
          const held = typeof value === "object" && value !== null ? heldTensorPath(value) : undefined;
          if (held !== undefined) {
            const where = path === "" ? "the result" : `the result at '${path}'`;
            const at = path === "" ? held : held.startsWith("[") || held.startsWith("<") ? `${path}${held}` : `${path}.${held}`;
            throw new TypeError(
              `${request.name}: ${where} is a ${value!.constructor?.name ?? "object"} holding a tensor at '${at}'. A tf.function returns tensors, variables and JS values, in arrays and plain objects; ` +
                `other objects are returned as they were traced, so their tensors would be symbolic on every call. Return the tensors (e.g. in a plain object), or ta.stack() for a TensorArray`,
            );
          }
          return value;
        }
        const ref = trace.valueOf(tensor, undefined, outputs.length);
        const identity = trace.addOperation(Identity, "Identity", [ref], {}, [ref]).outputs[0]!;
        outputs.push(identity);
        const symbolic = trace.tensorOf(identity);
        outputTensors.push(symbolic);
        return symbolic;
      });
      return { structured, outputs, outputTensors };
    });
    graph.inputs = [...argInputs, ...graph.captures.map((c) => c.placeholder)];
    graph.outputs = outputs;
    return new ConcreteFunction(graph, `__inference_${request.name}_${nextFunctionUid++}`, request.type, structured, outputTensors, request.name);
  } catch (error) {
    annotate(error, request.name);
    throw error;
  } finally {
    graph.isOpen = false;
  }
}
