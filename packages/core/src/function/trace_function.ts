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
 * arguments, JS values are passed as they are, every op is recorded, and each tensor in
 * the result goes through an `Identity`. A throw leaves no cache entry and the trace
 * stack intact.
 */
export function traceFunction(request: TraceRequest): ConcreteFunction {
  const runtime = getRuntime();
  const parent = runtime.graphTrace()?.graph;
  const graph = new FuncGraph(request.name, parent, request.allowVariableCreation);
  const trace = new GraphTrace(graph);
  const argInputs: OpOutput[] = [];
  let leaf = 0;
  const materialize = (node: TypeNode, arg: unknown, path: string, base: string): unknown => {
    switch (node.kind) {
      case "tensor": {
        const placeholder = trace.addPlaceholder(node.name ?? base, { shape: request.dims[leaf++]!, dtype: node.dtype });
        argInputs.push(placeholder);
        return trace.tensorOf(placeholder);
      }
      case "variable": {
        const variable = arg as Variable;
        if (!graph.resources.has(variable)) {
          const placeholder = trace.addPlaceholder(base, { shape: node.shape, dtype: node.dtype }, true);
          graph.resources.set(variable, placeholder);
          argInputs.push(placeholder);
        }
        return variable;
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
        const out: Record<string, unknown> = {};
        node.keys.forEach((k, i) => (out[k] = materialize(node.values[i]!, (arg as Record<string, unknown>)[k], `${path}.${k}`, base)));
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
        const tensor = value instanceof Variable ? value.read() : value;
        if (!(tensor instanceof Tensor)) return value;
        const ref = trace.valueOf(tensor, undefined, outputs.length);
        const identity = trace.addOperation(Identity, "Identity", [ref], {}, [ref]).outputs[0]!;
        outputs.push(identity);
        const symbolic = trace.tensorOf(identity);
        outputTensors.push(symbolic);
        void path;
        return symbolic;
      });
      return { structured, outputs, outputTensors };
    });
    graph.inputs = [...argInputs, ...graph.captures.map((c) => c.placeholder)];
    graph.outputs = outputs;
    return new ConcreteFunction(graph, `__inference_${request.name}_${nextFunctionUid++}`, request.type, structured, outputTensors, request.name);
  } finally {
    graph.isOpen = false;
  }
}
