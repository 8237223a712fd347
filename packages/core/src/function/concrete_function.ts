import { tfTypeName } from "../base/dtype.js";
import { DisposedError, OutOfScopeError } from "../base/errors.js";
import type { DType } from "../base/dtype.js";
import type { Shape } from "../base/shape.js";
import type { AnyOpDef } from "../ir/op.js";
import { disposeBackward } from "./call_gradient.js";
import { PartitionedCall, StatefulPartitionedCall } from "./call_ops.js";
import type { FuncGraph, LibraryFunction } from "../ir/func_graph.js";
import type { OpOutput } from "../ir/graph.js";
import { isResourceOutput } from "../ir/graph.js";
import type { Backend } from "../backend/backend.js";
import { libraryFunctions } from "../ir/printer.js";
import type { Plan } from "../plan/plan.js";
import { disposePlans, planFor } from "../plan/plan_cache.js";
import type { PlanSummary } from "../plan/plan_summary.js";
import { Tensor } from "../tensor/tensor.js";
import { getRuntime, } from "../trace/runtime.js";
import type { FunctionType, TypeNode } from "./function_type.js";
import { mapStructure } from "./structure.js";
import { formatConcreteSignature, type SignatureParameter } from "./pretty_signature.js";
import { TensorSpec } from "./tensor_spec.js";
import { Variable } from "./variable.js";

/** An argument or result of a function's TF-style signature. */
export interface ArgDef {
  readonly name: string;
  readonly type: string;
}

/** `cf.functionDef`: the signature part of TF's FunctionDef. */
export interface FunctionDef {
  readonly signature: { readonly name: string; readonly inputArg: readonly ArgDef[]; readonly outputArg: readonly ArgDef[] };
}

/** The op a concrete function's calls bind, with its attrs. */
interface CallOp {
  readonly def: AnyOpDef;
  readonly attrs: { readonly f: string; readonly Tout: readonly { shape: Shape; dtype: DType }[] };
}

/** Describes a traced input for `structuredInputSignature`: a TensorSpec, a variable, or the pinned JS value. */
function specOf(node: TypeNode, placeholder: (i: number) => OpOutput | undefined, counter: { i: number; aliases: Set<number> }): unknown {
  switch (node.kind) {
    case "tensor": {
      // The placeholder's shape, which has null dims where the trace was relaxed (SPEC D1).
      const input = placeholder(counter.i++);
      return new TensorSpec(input?.shape ?? node.shape, node.dtype, node.name ?? input?.op.name);
    }
    case "variable":
      // A variable passed twice has one placeholder (its resource).
      if (!counter.aliases.has(node.alias)) counter.i++;
      counter.aliases.add(node.alias);
      return { kind: "VariableSpec", shape: node.shape, dtype: node.dtype, trainable: node.trainable };
    case "literal":
      return node.value;
    case "ref":
      return node.ref.deref();
    case "list":
      return node.items.map((item) => specOf(item, placeholder, counter));
    case "dict":
      return Object.fromEntries(node.keys.map((k, i) => [k, specOf(node.values[i]!, placeholder, counter)]));
  }
}

/**
 * One traced graph of a `tf.function` for one input signature. Calling it runs the graph
 * (never the JS function) through a plan compiled once per backend. It never retraces:
 * JS-valued parameters are pinned to the traced values (SPEC B12).
 *
 * ```ts
 * const cf = tfCube.getConcreteFunction(new tf.TensorSpec([], "float32"));
 * cf(tf.constant(2)); // 8
 * cf.graph.getOperations().map(String);
 * ```
 */
export class ConcreteFunction implements LibraryFunction {
  /** For each flat output index, the graph output that produces it. */
  private readonly outputIndex: Map<Tensor, number>;

  constructor(
    readonly graph: FuncGraph,
    readonly name: string,
    readonly functionType: FunctionType,
    /** The function's result with symbolic tensors at the tensor leaves. */
    readonly structuredOutputs: unknown,
    outputTensors: readonly Tensor[],
    private readonly fnName: string,
  ) {
    this.outputIndex = new Map(outputTensors.map((t, i) => [t, i]));
    // Eager call ops find their function by name.
    getRuntime().functions.add(this);
  }

  /** The traced input signature: TensorSpecs, variable specs and pinned JS values, in argument structure. */
  get structuredInputSignature(): unknown[] {
    const counter = { i: 0, aliases: new Set<number>() };
    return this.functionType.params.map((p) => specOf(p, (i) => this.graph.inputs[i], counter));
  }

  /** Shapes of the tensor arguments' placeholders, in flat order (`null` where the trace was relaxed). */
  get inputDims(): Shape[] {
    const args = this.graph.inputs.slice(0, this.graph.inputs.length - this.graph.captures.length);
    return args.filter((o) => (o.op.attrs as { resource?: boolean }).resource !== true).map((o) => o.shape);
  }

  /** The values captured from outside (eager tensors and variables), passed implicitly on every call. */
  get capturedInputs(): (Tensor | Variable)[] {
    return this.graph.captures.map((c) => c.value as Tensor | Variable);
  }

  /** TF's FunctionDef signature: `DT_RESOURCE` for variables; a JS-values-only trace has no inputArg. */
  get functionDef(): FunctionDef {
    const inputArg = this.graph.inputs.map((o) => ({ name: o.op.name, type: isResourceOutput(o) ? "DT_RESOURCE" : tfTypeName(o.dtype) }));
    const outputArg = this.graph.outputs.map((o, i) => ({ name: i === 0 ? "identity" : `identity_${i}`, type: tfTypeName(o.dtype) }));
    return { signature: { name: this.name, inputArg, outputArg } };
  }

  /** The plan for a backend, compiled on first use. */
  planFor(backend: Backend): Plan {
    return planFor(this.graph, backend, getRuntime().backends);
  }

  /**
   * What a call runs on the active backend: the plan compiled from this graph (built now if
   * no call built it yet) after dead-code elimination, common subexpressions, constant
   * folding and fusion, with the plans of every function it calls (`If` branches, `While`
   * bodies, nested functions) in `functions`. Prints as text and as DOT; a fused step carries
   * the backend's generated code where the backend tells (`Backend.fusedKernelSource`).
   *
   * ```ts
   * const cf = tf.function((x) => tf.relu(x.mul(2).add(1))).getConcreteFunction(tf.ones([2, 3]));
   * cf.planSummary().steps.map((s) => s.type);   // ["Fused"]
   * console.log(String(cf.planSummary()));         // plan of __inference_..._1 on cpu: 1 step for 7 operations ...
   * ```
   */
  planSummary(): PlanSummary {
    const runtime = getRuntime();
    const backend = runtime.backends.active();
    const functions = libraryFunctions(this.graph).map(({ name, graph }) => ({
      name,
      summary: planFor(graph as FuncGraph, backend, runtime.backends).summary(),
    }));
    return planFor(this.graph, backend, runtime.backends).summary(functions);
  }

  /**
   * Runs the graph on flat inputs (the tensors and variables of the arguments in canonical
   * order) and returns the structured outputs. The call is one op, bound like any other
   * (SPEC B13): eagerly it runs the plan, while tracing it becomes a call node, and a
   * recording tape records it as one entry.
   */
  callFlat(inputs: readonly (Tensor | Variable)[]): unknown {
    const runtime = getRuntime();
    const expected = this.graph.inputs.length - this.graph.captures.length;
    if (inputs.length !== expected) {
      throw new TypeError(`${this.fnName}: concrete function ${this.name} expects ${expected} tensor/variable inputs, received ${inputs.length}`);
    }
    const { def, attrs } = this.call;
    const traced = runtime.graphTrace();
    const captured = this.graph.captures;
    const args: Tensor[] = new Array(inputs.length + captured.length);
    for (let i = 0; i < inputs.length; i++) args[i] = this.argument(inputs[i]!, def, i, traced === undefined);
    for (let i = 0; i < captured.length; i++) args[inputs.length + i] = this.argument(captured[i]!.value as Tensor | Variable, def, inputs.length + i, traced === undefined);
    traced?.graph.library.set(this.name, this);
    const outputs = runtime.trace.bind(def, args, attrs);
    return this.restructure(outputs);
  }

  /**
   * The call op (stateful when the graph reads or writes state) and its attrs, made once:
   * the graph is closed, and every call binds the same op.
   */
  private get call(): CallOp {
    const cache = this.callCache;
    if (cache.op === undefined) {
      const def = this.graph.operations.some((op) => op.def.stateful === true) ? StatefulPartitionedCall : PartitionedCall;
      cache.op = { def, attrs: { f: this.name, Tout: this.graph.outputs.map((o) => ({ shape: o.shape, dtype: o.dtype })) } };
    }
    return cache.op;
  }

  /** Filled on the first call (a container, never reassigned: callables share the instance's fields). */
  private readonly callCache: { op?: CallOp } = {};

  /** One input of the call op: a variable's resource, or the tensor (checked when run eagerly). */
  private argument(value: Tensor | Variable, def: AnyOpDef, index: number, eager: boolean): Tensor {
    if (value instanceof Variable) return value.resource(def);
    if (!eager) return value;
    const captured = index >= this.graph.inputs.length - this.graph.captures.length;
    if (value.isSymbolic) throw new OutOfScopeError(`${this.fnName}: ${captured ? "a captured tensor" : `input ${index}`} is a symbolic tensor from another trace`);
    if (value.isDisposed) {
      throw new DisposedError(
        `${this.fnName}: ${captured ? "a tensor captured by the function" : `input ${index}`} was disposed${captured ? "; captured tensors must outlive the function" : ""}`,
      );
    }
    return value;
  }

  /** Puts flat output tensors back into the function's result structure. */
  restructure(tensors: readonly Tensor[]): unknown {
    if (this.structuredOutputs instanceof Tensor) return tensors[0];
    return mapStructure(this.structuredOutputs, (leaf) =>
      leaf instanceof Tensor && this.outputIndex.has(leaf) ? tensors[this.outputIndex.get(leaf)!] : leaf,
    );
  }

  /** Disposes the plans' constant buffers (the graph stays usable; plans are rebuilt on demand). */
  dispose(): void {
    // Branches, loop bodies and nested functions hold plans (and constants) too, and so
    // does the backward function made when the call was differentiated.
    disposePlans(this.graph);
    disposeBackward(this.graph);
  }

  toString(): string {
    const params = this.graph.inputs.slice(0, this.graph.inputs.length - this.graph.captures.length).map((o) => o.op.name);
    return `<ConcreteFunction ${this.fnName}(${params.join(", ")}) name=${this.name}>`;
  }

  /**
   * One line per input (named after the JS parameters when given, else after their
   * placeholders), then the output type and captures, as in `prettyPrintedConcreteSignatures()`.
   */
  prettySignature(parameters?: readonly SignatureParameter[]): string {
    return formatConcreteSignature(this, parameters);
  }
}
