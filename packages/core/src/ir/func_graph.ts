import { Graph, type Operation, type OpOutput } from "./graph.js";

/** A value captured from outside the function: an eager tensor, a variable, or an outer graph's tensor. */
export interface Capture {
  /** The placeholder that stands for the value inside this graph. */
  readonly placeholder: OpOutput;
  /** The captured object (a Tensor or a Variable); passed as an implicit input on every call. */
  readonly value: object;
}

/**
 * A function in a graph's library, called by name from call, `If` and `While` operations:
 * a concrete function, a control-flow branch or body, or a loaded graph.
 */
export interface LibraryFunction {
  readonly name: string;
  readonly graph: FuncGraph;
}

/**
 * The graph of one concrete function while it is traced and afterwards: a Graph plus
 * what tracing needs to know (captures, the last stateful operation for automatic control
 * dependencies, the parent graph for nested traces, whether variables may be created).
 */
export class FuncGraph extends Graph {
  isOpen = true;
  readonly captures: Capture[] = [];
  readonly #captureIndex = new Map<object, OpOutput>();
  /** Resource placeholders of variables passed as arguments or captured. */
  readonly resources = new Map<object, OpOutput>();
  /** The variable each resource placeholder stands for (the reverse of `resources`). */
  readonly #variables = new Map<OpOutput, object>();
  lastStateful: Operation | undefined;
  /** The open name scopes' prefix (`block/dense/`), put before the names of new operations. */
  scopePrefix = "";
  /** Nested functions called from this graph, by name (the `f` attribute of call ops). */
  readonly library = new Map<string, LibraryFunction>();

  constructor(
    name: string,
    readonly parent: FuncGraph | undefined,
    readonly allowVariableCreation: boolean,
  ) {
    super(name);
  }

  /** The placeholder already standing for a captured object, if any. */
  capturedPlaceholder(value: object): OpOutput | undefined {
    return this.#captureIndex.get(value);
  }

  /** Records that `placeholder` is `variable`'s resource in this graph. */
  addResource(variable: object, placeholder: OpOutput): void {
    this.resources.set(variable, placeholder);
    this.#variables.set(placeholder, variable);
  }

  /** The variable a resource placeholder of this graph stands for. */
  variableOf(placeholder: OpOutput): object | undefined {
    return this.#variables.get(placeholder);
  }

  addCapture(value: object, placeholder: OpOutput): void {
    this.captures.push({ placeholder, value });
    this.#captureIndex.set(value, placeholder);
  }

  /** True if `graph` is this graph or one of its ancestors (whose tensors may be captured). */
  isSelfOrAncestor(graph: unknown): boolean {
    for (let g: FuncGraph | undefined = this; g !== undefined; g = g.parent) if (g === graph) return true;
    return false;
  }
}
