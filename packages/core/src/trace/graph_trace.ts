import type { DataArray, DType } from "../base/dtype.js";
import type { ConcreteShape } from "../base/shape.js";
import { Const, Placeholder } from "../ir/builtin_ops.js";
import type { FuncGraph } from "../ir/func_graph.js";
import { Operation, type OpOutput } from "../ir/graph.js";
import { type AnyOpDef, type Attrs, checkArity, inferOp, type ValueInfo } from "../ir/op.js";
import { foldTracedAttrInputs, hasAttrInputs, rejectTensorAttrs } from "./attr_inputs.js";
import { checkAlive, Tensor } from "../tensor/tensor.js";
import { OutOfScopeError } from "../base/errors.js";
import type { Trace } from "./trace.js";

/**
 * The trace used while a `tf.function` is traced: every op becomes an Operation in the
 * function's graph and returns symbolic tensors. Eager tensors used inside are captured
 * as implicit inputs; tensors of an enclosing graph being traced are captured too;
 * tensors of a finished trace are out of scope.
 */
export class GraphTrace implements Trace {
  readonly #symbolic = new Map<OpOutput, Tensor>();

  constructor(readonly graph: FuncGraph) {}

  bind(op: AnyOpDef, given: readonly Tensor[], givenAttrs: object): Tensor[] {
    checkArity(op, given.length);
    rejectTensorAttrs(op, givenAttrs);
    // Shape tensors whose values are known become attrs; the others stay inputs of the op.
    const folded = hasAttrInputs(op, given) ? foldTracedAttrInputs(op, given, givenAttrs) : undefined;
    const inputs = folded?.inputs ?? given;
    const attrs = folded?.attrs ?? givenAttrs;
    const refs = inputs.map((t, i) => this.valueOf(t, op, i));
    const infos = inferOp(op, refs, attrs);
    return this.addOperation(op, op.api, refs, attrs, infos).outputs.map((o) => this.tensorOf(o));
  }

  constant(values: DataArray, shape: ConcreteShape, dtype: DType, name = "Const"): Tensor {
    const graph = this.graph;
    const slash = name.indexOf("/");
    // `pow/y`: named after the op it feeds, whose name is not taken yet.
    const base = slash > 0 ? `${graph.peekName(graph.scopePrefix + name.slice(0, slash))}${name.slice(slash)}` : graph.scopePrefix + name;
    const attrs = { value: Array.from(values), shape: [...shape], dtype };
    return this.tensorOf(this.#operation(Const, graph.uniqueName(base), [], attrs, [{ shape, dtype }]).outputs[0]!);
  }

  /**
   * Adds an operation named uniquely after `baseName` inside the open name scopes (graph
   * inputs keep their own names), chaining stateful ops in program order.
   */
  addOperation(op: AnyOpDef, baseName: string, inputs: readonly OpOutput[], attrs: object, outputs: readonly ValueInfo[]): Operation {
    const graph = this.graph;
    const scoped = op.execution?.kind === "input" ? baseName : graph.scopePrefix + baseName;
    return this.#operation(op, graph.uniqueName(scoped), inputs, attrs, outputs);
  }

  /**
   * Runs `fn` inside the name scope `name` (TF's `tf.name_scope`): operations it adds are
   * named `name/...`. A scope name used twice becomes `name_1`, like an op name.
   */
  withNameScope<T>(name: string, fn: () => T): T {
    const graph = this.graph;
    const saved = graph.scopePrefix;
    graph.scopePrefix = `${graph.uniqueName(saved + name)}/`;
    try {
      return fn();
    } finally {
      graph.scopePrefix = saved;
    }
  }

  #operation(op: AnyOpDef, name: string, inputs: readonly OpOutput[], attrs: object, outputs: readonly ValueInfo[]): Operation {
    const graph = this.graph;
    const control = op.stateful && graph.lastStateful !== undefined ? [graph.lastStateful] : [];
    const operation = graph.addOperation(new Operation(name, op, inputs, attrs as Attrs, outputs, control));
    if (op.stateful) graph.lastStateful = operation;
    return operation;
  }

  /** Adds a Placeholder and returns its output. */
  addPlaceholder(name: string, info: ValueInfo, resource = false): OpOutput {
    const attrs = resource ? { shape: info.shape, dtype: info.dtype, resource: true } : { shape: info.shape, dtype: info.dtype };
    return this.addOperation(Placeholder, name, [], attrs, [info]).outputs[0]!;
  }

  /** The symbolic tensor for a graph value (one Tensor object per output). */
  tensorOf(output: OpOutput): Tensor {
    let tensor = this.#symbolic.get(output);
    if (tensor === undefined) {
      tensor = new Tensor({ kind: "symbolic", graph: this.graph, ref: output, name: output.name }, output.shape, output.dtype);
      this.#symbolic.set(output, tensor);
    }
    return tensor;
  }

  /**
   * `variable`'s resource in this graph: the placeholder of the argument it was passed as,
   * or a capture named after the first op that used it (`readvariableop_resource`, like TF).
   */
  resourceOf(variable: object, info: ValueInfo, firstOp: string): OpOutput {
    const graph = this.graph;
    let placeholder = graph.resources.get(variable);
    if (placeholder === undefined) {
      placeholder = this.addPlaceholder(`${firstOp.toLowerCase()}_resource`, info, true);
      graph.addResource(variable, placeholder);
      graph.addCapture(variable, placeholder);
    }
    return placeholder;
  }

  /** The graph value a tensor stands for here, capturing eager and outer-graph tensors. */
  valueOf(tensor: Tensor, op: AnyOpDef | undefined, index: number): OpOutput {
    const graph = this.graph;
    const handle = tensor.handle;
    if (handle.kind === "resource") return this.resourceOf(handle.variable, tensor, op?.name ?? "capture");
    if (handle.kind === "symbolic") {
      if (handle.graph === graph) return handle.ref as OpOutput;
      if (!graph.isSelfOrAncestor(handle.graph) || !handle.graph.isOpen) {
        const where = op === undefined ? "" : `${op.api}: argument ${index}: `;
        throw new OutOfScopeError(
          `${where}the symbolic tensor ${tensor.toString()} belongs to the tf.function trace '${handle.graph.name}' and is out of scope in '${graph.name}'. ` +
            `Symbolic tensors cannot escape their trace (e.g. via an outer variable); return the value from the function, or pass it as an argument`,
        );
      }
    } else {
      checkAlive(tensor, op?.api ?? graph.name, `input ${index}`);
    }
    const existing = graph.capturedPlaceholder(tensor);
    if (existing !== undefined) return existing;
    const placeholder = this.addPlaceholder("capture", { shape: tensor.shape, dtype: tensor.dtype });
    graph.addCapture(tensor, placeholder);
    return placeholder;
  }
}
