import type { DType } from "../base/dtype.js";
import { ArgumentError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import { graphToDot } from "./dot.js";
import type { AnyOpDef, Attrs, ValueInfo } from "./op.js";
import { graphToText } from "./printer.js";

/**
 * One output of an operation: the value that flows along a graph edge. Named like TF
 * (`pow:0`), with the shape and dtype inferred when the operation was added.
 */
export class OpOutput implements ValueInfo {
  /** Frozen once here, so every tensor a plan makes with this shape can share it. */
  readonly shape: Shape;

  constructor(
    readonly op: Operation,
    readonly index: number,
    shape: Shape,
    readonly dtype: DType,
  ) {
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
  }

  get name(): string {
    return `${this.op.name}:${this.index}`;
  }
}

/**
 * A node of a graph. `type` is the TF raw op name; `def` is the op's definition (kernels
 * and shape inference); inputs are other operations' outputs; `controlInputs` are
 * operations that must run first (used to order stateful operations).
 */
export class Operation {
  readonly outputs: OpOutput[];

  constructor(
    readonly name: string,
    readonly def: AnyOpDef,
    readonly inputs: readonly OpOutput[],
    readonly attrs: Attrs,
    outputs: readonly ValueInfo[],
    readonly controlInputs: readonly Operation[],
  ) {
    this.outputs = outputs.map((info, i) => new OpOutput(this, i, info.shape, info.dtype));
  }

  get type(): string {
    return this.def.name;
  }

  /** `<Operation 'pow' type=Pow>`, like TF. */
  toString(): string {
    return `<Operation '${this.name}' type=${this.type}>`;
  }
}

/**
 * A dataflow graph: operations in creation order (which is always a topological order),
 * the outputs that are its inputs (Placeholders) and the outputs it returns. Operation
 * names are unique and assigned like TF: `add`, `add_1`, ...
 *
 * ```ts
 * const g = new Graph("f");
 * g.getOperations().map(String); // ["<Operation 'x' type=Placeholder>", ...]
 * ```
 */
export class Graph {
  readonly operations: Operation[] = [];
  inputs: OpOutput[] = [];
  outputs: OpOutput[] = [];
  readonly #byName = new Map<string, Operation>();
  readonly #reserved = new Set<string>();
  readonly #nextSuffix = new Map<string, number>();

  constructor(readonly name: string) {}

  /** The operations in creation order. */
  getOperations(): Operation[] {
    return [...this.operations];
  }

  getOperationByName(name: string): Operation | undefined {
    return this.#byName.get(name);
  }

  /** Finds an output by its TF name (`"Identity:0"`); throws if there is none. */
  getTensorByName(name: string): OpOutput {
    const match = /^(.+):(\d+)$/.exec(name);
    const op = match === null ? undefined : this.#byName.get(match[1]!);
    const output = op?.outputs[Number(match![2])];
    if (output === undefined) {
      throw new ArgumentError(`getTensorByName: graph '${this.name}' has no tensor named '${name}'; names look like 'op_name:0'`);
    }
    return output;
  }

  /** The name the next operation asking for `base` would get, without reserving it. */
  peekName(base: string): string {
    if (!this.#reserved.has(base)) return base;
    let i = this.#nextSuffix.get(base) ?? 1;
    while (this.#reserved.has(`${base}_${i}`)) i++;
    return `${base}_${i}`;
  }

  /** Reserves a unique name: `base`, then `base_1`, `base_2`, ... like TF. */
  uniqueName(base: string): string {
    const name = this.peekName(base);
    this.#reserved.add(name);
    if (name !== base) this.#nextSuffix.set(base, Number(name.slice(base.length + 1)) + 1);
    return name;
  }

  /** Appends an operation (its name must come from `uniqueName`). */
  addOperation(op: Operation): Operation {
    if (this.#byName.has(op.name)) throw new ArgumentError(`graph '${this.name}': duplicate operation name '${op.name}'`);
    this.operations.push(op);
    this.#byName.set(op.name, op);
    return op;
  }

  /** The stable, readable text form (SPEC B14); see `graphToText`. */
  toString(): string {
    return graphToText(this);
  }

  /** Graphviz DOT (SPEC B14); see `graphToDot`. */
  toDot(): string {
    return graphToDot(this);
  }
}

/**
 * True when a value is a variable's resource (a resource Placeholder, possibly through
 * Identity) rather than a tensor.
 *
 * ```ts
 * isResourceOutput(graph.inputs[1]!); // true for a captured variable
 * ```
 */
export function isResourceOutput(output: OpOutput): boolean {
  for (let o: OpOutput | undefined = output; o !== undefined; o = o.op.type === "Identity" ? o.op.inputs[0] : undefined) {
    if (o.op.type === "Placeholder") return (o.op.attrs as { resource?: unknown }).resource === true;
  }
  return false;
}
