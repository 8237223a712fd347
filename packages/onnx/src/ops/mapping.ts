/**
 * What an op mapping is: how one Kiln op (by its TF raw op name) becomes ONNX nodes. Each
 * op family's file exports a list of mappings; `ops/index.ts` joins them into the one table
 * the exporter looks ops up in and the README's op table is generated from.
 *
 * ```ts
 * const relu: OpMapping = { op: "Relu", onnx: "Relu", convert: (n) => [n.b.node1("Relu", n.inputs)] };
 * ```
 */
import type { Graph, Operation, ValueInfo } from "@kiln/core";
import type { GraphBuilder } from "../export/graph_builder.js";
import type { ExportOptions } from "../export/options.js";

/** Converts the sub-graphs of control flow and calls (supplied by the exporter). */
export interface SubgraphEmitter {
  /** The library function `name` that the op refers to (searched from the innermost graph out). */
  library(name: string): Graph;
  /**
   * Emits `graph`'s operations into `builder` with its inputs bound to `inputs` (ONNX names,
   * one per graph input); returns the ONNX names of its outputs.
   */
  emit(graph: Graph, builder: GraphBuilder, inputs: readonly string[]): string[];
}

/** What a mapping sees of one Kiln operation, and where it puts nodes. */
export interface NodeContext {
  /** The Kiln operation: its attrs, its inputs' and outputs' shapes and dtypes. */
  readonly op: Operation;
  /** The ONNX names of its inputs, in order. */
  readonly inputs: readonly string[];
  /** The graph the nodes go into. */
  readonly b: GraphBuilder;
  /** Converts branch, loop and callee graphs. */
  readonly graphs: SubgraphEmitter;
  /** The export's options. */
  readonly options: ExportOptions;
  /** The op's attributes, as the op's attrs type (`n.attrs<{ axis: number }>()`). */
  attrs<A>(): A;
  /** Input `i`'s Kiln shape and dtype. */
  input(i: number): ValueInfo;
  /** Output `i`'s Kiln shape and dtype. */
  output(i: number): ValueInfo;
  /** Throws an `OpExportError` naming this op. */
  fail(message: string): never;
  /** Throws an `UnknownRankError` naming this op. */
  unknownRank(message: string): never;
  /** Throws a `StatefulOpError` naming this op. */
  stateful(message: string): never;
}

/** One Kiln op's ONNX mapping. */
export interface OpMapping {
  /** The Kiln op type (TF's raw op name, `tf.coreOps()[i].name`). */
  readonly op: string;
  /** The ONNX ops it becomes, for the docs' table (`Add`, `Transpose + Conv + Transpose`, ...). */
  readonly onnx: string;
  /** Known differences from Kiln's semantics, for the docs' table. */
  readonly notes?: string;
  /** Emits the nodes; returns one ONNX value name per Kiln output. */
  readonly convert: (n: NodeContext) => readonly string[];
}
