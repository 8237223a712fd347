/**
 * Collects the nodes, initializers, inputs and outputs of one ONNX graph (the model's main
 * graph or a branch or loop body) and turns them into a `GraphProto`. Small constants go to
 * the main graph's initializers once each, where every sub-graph can read them.
 *
 * ```ts
 * const b = GraphBuilder.root(new NameScope(), "main");
 * const [y] = b.node("Relu", [x]);
 * const axes = b.int64s([0]);
 * ```
 */
import { create } from "@bufbuild/protobuf";
import { type GraphProto, GraphProtoSchema, type NodeProto, type TensorProto, type ValueInfoProto } from "onnx-buf";
import { type AttrSpec, type Dim, type ElemData, nodeProto, tensorProto, valueInfo } from "../proto/build.js";
import type { ElemType } from "../proto/dtype.js";
import { NameScope } from "./names.js";
import { renameValue } from "./rename.js";

/** Constants of at most this many elements are shared (deduplicated) across the model. */
const SHARED_CONSTANT_SIZE = 64;

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  /** Names defined in this graph (inputs, initializers, node outputs). */
  readonly defined = new Set<string>();
  /** Prefix of the next nodes' names: the Kiln op being converted. */
  prefix = "";
  readonly #constants: Map<string, string>;

  private constructor(
    readonly names: NameScope,
    readonly name: string,
    readonly root: GraphBuilder | undefined,
  ) {
    this.#constants = root === undefined ? new Map() : root.#constants;
  }

  /** The main graph's builder. */
  static root(names: NameScope, name: string): GraphBuilder {
    return new GraphBuilder(names, name, undefined);
  }

  /** A builder for a sub-graph (a branch or loop body) of this one's model. */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder(this.names, this.names.unique(name), this.root ?? this);
  }

  /**
   * Appends a node; returns its output names (fresh, named after the current prefix and the
   * op type). `outputs` is how many outputs to name.
   */
  node(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrSpec>> = {}, outputs = 1): string[] {
    const base = this.prefix === "" ? opType : `${this.prefix}/${opType}`;
    const nodeName = this.names.unique(base);
    const outs = Array.from({ length: outputs }, (_, k) => (k === 0 ? nodeName : this.names.unique(`${nodeName}_${k}`)));
    this.nodes.push(nodeProto(opType, inputs, outs, nodeName, attrs));
    for (const o of outs) this.defined.add(o);
    return outs;
  }

  /** Appends a one-output node and returns its output name. */
  node1(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrSpec>> = {}): string {
    return this.node(opType, inputs, attrs, 1)[0]!;
  }

  /**
   * A constant tensor, stored as an initializer of the main graph (visible in every
   * sub-graph). Small constants are stored once per distinct value.
   */
  constant(type: ElemType, dims: readonly number[], data: ElemData, base = "const"): string {
    const owner = this.root ?? this;
    const shared = data.length <= SHARED_CONSTANT_SIZE;
    const key = shared ? `${type}|${dims.join(",")}|${Array.from(data as ArrayLike<number | bigint>, keyOf).join(",")}` : "";
    if (shared) {
      const existing = this.#constants.get(key);
      if (existing !== undefined) return existing;
    }
    const name = this.names.unique(base);
    owner.initializers.push(tensorProto(name, type, dims, data));
    owner.defined.add(name);
    if (shared) this.#constants.set(key, name);
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, pads, repeats). */
  int64s(values: readonly (number | bigint)[]): string {
    return this.constant("int64", [values.length], BigInt64Array.from(values, (v) => BigInt(v)), "ints");
  }

  /** A 0-D constant of `type`. */
  scalar(type: ElemType, value: number | boolean): string {
    return this.constant(type, [], elemData(type, [Number(value)]), "scalar");
  }

  /** Declares a graph input. */
  addInput(name: string, type: ElemType, dims: readonly Dim[] | undefined): void {
    this.inputs.push(valueInfo(name, type, dims));
    this.defined.add(name);
  }

  /** Declares a graph output; the value must be defined in this graph (see `ownOutput`). */
  addOutput(name: string, type: ElemType, dims: readonly Dim[] | undefined): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /**
   * A name this graph defines for `value`: the value itself when a node of this graph made it
   * and no output took it yet, else an Identity copy (a sub-graph output that is an outer
   * value or an input, or the same value returned twice).
   */
  ownOutput(value: string, taken: Set<string>): string {
    const made = this.nodes.some((n) => n.output.includes(value));
    const out = made && !taken.has(value) ? value : this.node1("Identity", [value]);
    taken.add(out);
    return out;
  }

  /**
   * Makes a node of this graph write `value` under `name` (a name the caller reserved) instead,
   * so that a graph output needs no Identity copy; false when no node here makes `value`.
   * (onnxruntime's graph optimizer has mishandled values that feed both a fused node and an
   * Identity to a graph output; a node writing the output directly avoids that.)
   */
  renameOutput(value: string, name: string): boolean {
    if (!this.nodes.some((n) => n.output.includes(value))) return false;
    renameValue(this.nodes, value, name);
    this.defined.add(name);
    return true;
  }

  /** An Identity node copying `value` into `name` (a name the caller reserved). */
  copyTo(value: string, name: string): void {
    this.nodes.push(nodeProto("Identity", [value], [name], name, {}));
    this.defined.add(name);
  }

  /** The finished graph. */
  toGraph(): GraphProto {
    return create(GraphProtoSchema, {
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    });
  }
}

/** Typed data of `type` holding `values`. */
/** One element in a constant's sharing key: -0 apart from 0 (String(-0) is "0"). */
function keyOf(v: number | bigint): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

export function elemData(type: ElemType, values: readonly number[]): ElemData {
  switch (type) {
    case "float32":
      return Float32Array.from(values);
    case "float64":
      return Float64Array.from(values);
    case "int32":
      return Int32Array.from(values);
    case "bool":
      return Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
    case "int64":
      return BigInt64Array.from(values, (v) => BigInt(v));
  }
}

export { NameScope };
