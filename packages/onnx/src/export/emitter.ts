/**
 * Walks Kiln graphs into ONNX graphs: each operation through its mapping (`ops/index.ts`),
 * with the graph's inputs bound to ONNX names the caller chose. Branches, loop bodies and
 * callees are walked the same way into the builder a mapping gives; their library functions
 * are looked up from the innermost graph outwards.
 *
 * ```ts
 * const emitter = new Emitter(options, cf.graph);
 * const outputs = emitter.emit(cf.graph, builder, inputNames);
 * ```
 */
import type { DType, Graph, Operation, OpOutput } from "@kiln/core";
import { OpExportError, type OpLocation, StatefulOpError, UnknownRankError, UnsupportedOpError } from "../errors.js";
import { onnxMappings } from "../ops/index.js";
import type { NodeContext, SubgraphEmitter } from "../ops/mapping.js";
import { elemData, type GraphBuilder } from "./graph_builder.js";
import type { ExportOptions } from "./options.js";

/** A graph's library: the functions its calls, branches and loops name (`FuncGraph.library`). */
type Library = ReadonlyMap<string, { readonly graph: Graph }>;

/** A graph's library, for graphs that have one (FuncGraphs). */
function libraryOf(graph: Graph): Library | undefined {
  return (graph as { library?: Library }).library;
}

/** Ops whose results are never replaced by constants: control flow, calls, state and printing. */
const KEEP = new Set([
  "If",
  "StatelessIf",
  "While",
  "StatelessWhile",
  "PartitionedCall",
  "StatefulPartitionedCall",
  "PrintV2",
  "AssignVariableOp",
  "AssignAddVariableOp",
  "AssignSubVariableOp",
  "ReadVariableOp",
  "Const",
]);

/** Whether every output of `op` has a known shape with a 0 in it (and the op may be replaced). */
function staticallyEmpty(op: Operation): boolean {
  return !KEEP.has(op.type) && op.outputs.length > 0 && op.outputs.every((o) => o.shape.every((d) => d !== null) && o.shape.includes(0));
}

/** An empty tensor of a known shape. */
function emptyTensor(builder: GraphBuilder, shape: readonly number[], dtype: DType): string {
  return builder.constant(dtype, shape, elemData(dtype, []), "empty");
}

export class Emitter implements SubgraphEmitter {
  readonly #libraries: Library[] = [];
  readonly #graphs: Graph[] = [];

  constructor(readonly options: ExportOptions) {}

  library(name: string): Graph {
    for (let i = this.#libraries.length - 1; i >= 0; i--) {
      const entry = this.#libraries[i]!.get(name);
      if (entry !== undefined) return entry.graph;
    }
    const graph = this.#graphs[this.#graphs.length - 1];
    throw new OpExportError(
      { opType: "library", opName: name, graph: graph?.name ?? "?" },
      `the function '${name}' is not in the graph's library (or any enclosing graph's)`,
    );
  }

  emit(graph: Graph, builder: GraphBuilder, inputs: readonly string[]): string[] {
    const names = new Map<OpOutput, string>();
    graph.inputs.forEach((o, k) => names.set(o, inputs[k]!));
    const library = libraryOf(graph);
    if (library !== undefined) this.#libraries.push(library);
    this.#graphs.push(graph);
    const prefix = builder.prefix;
    try {
      for (const op of graph.operations) this.#convert(op, graph, builder, names);
      return graph.outputs.map((o) => names.get(o)!);
    } finally {
      builder.prefix = prefix;
      this.#graphs.pop();
      if (library !== undefined) this.#libraries.pop();
    }
  }

  #convert(op: Operation, graph: Graph, builder: GraphBuilder, names: Map<OpOutput, string>): void {
    const at: OpLocation = { opType: op.type, opName: op.name, graph: graph.name };
    if (op.type === "Placeholder") {
      if (!names.has(op.outputs[0]!)) throw new OpExportError(at, "this graph input is not bound to any value (a placeholder outside the graph's inputs)");
      return;
    }
    const mapping = onnxMappings().get(op.type);
    if (mapping === undefined) {
      throw new UnsupportedOpError(
        at,
        `no ONNX mapping for op type '${op.type}'${op.def.api === op.type ? "" : ` (tf.${op.def.api})`}; every core op is mapped (see @kiln/onnx's op table), ` +
          "so this is a custom op: compute it with core ops, or export a function without it",
      );
    }
    const inputs = op.inputs.map((o) => names.get(o)!);
    if (staticallyEmpty(op)) {
      // Every result is empty and of known shape: zeros of that shape, whatever the op. Runtimes
      // mishandle empty tensors in some kernels (onnxruntime's MatMul loses broadcast batch dims of
      // empty results; its Conv and pools reject windows that give no positions).
      builder.prefix = op.name;
      op.outputs.forEach((o) => names.set(o, emptyTensor(builder, o.shape as number[], o.dtype)));
      return;
    }
    const context: NodeContext = {
      op,
      inputs,
      b: builder,
      graphs: this,
      options: this.options,
      attrs: <A>() => op.attrs as unknown as A,
      input: (i) => op.inputs[i]!,
      output: (i) => op.outputs[i]!,
      fail: (message) => {
        throw new OpExportError(at, message);
      },
      unknownRank: (message) => {
        throw new UnknownRankError(at, message);
      },
      stateful: (message) => {
        throw new StatefulOpError(at, message);
      },
    };
    builder.prefix = op.name;
    const outputs = mapping.convert(context);
    if (outputs.length !== op.outputs.length && !(op.type === "PrintV2" && outputs.length === 0)) {
      throw new OpExportError(at, `its mapping produced ${outputs.length} value(s) for ${op.outputs.length} output(s) (a bug in @kiln/onnx)`);
    }
    op.outputs.forEach((o, k) => names.set(o, outputs[k]!));
  }
}
