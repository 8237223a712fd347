/**
 * A checker of ONNX models (the Node analogue of `onnx.checker.check_model` with type and
 * partial shape inference), run on every export and usable on any model:
 * - the model: an IR version, one default-domain opset import, a graph;
 * - names: unique within a graph, no sub-graph value shadowing an outer one, every node
 *   input defined before it is used (topological order), graph outputs defined in the graph;
 * - nodes: a known op (the schemas in `schemas.ts`), input and output counts, attributes
 *   (known, of the right type, required ones present);
 * - types: element types follow each op's type constraints; declared outputs match;
 *   initializers hold as many elements as their dims say;
 * - shapes: the rules of `shapes.ts`, and declared output shapes that contradict them;
 * - control flow: `If` branches return the If's outputs; a `Loop` body takes (iteration,
 *   condition, carried...) and returns (condition, carried..., scans...) of matching types.
 *
 * ```ts
 * checkModel(bytes);        // [] for a valid model, else one message per problem
 * assertValidModel(model);  // throws OnnxCheckError listing them
 * ```
 */
import { fromBinary } from "@bufbuild/protobuf";
import { type GraphProto, type ModelProto, ModelProtoSchema, type NodeProto, type TensorProto, type TypeProto, type ValueInfoProto } from "onnx-buf";
import { OnnxCheckError } from "../errors.js";
import { dataTypeName, DataType } from "../proto/dtype.js";
import { AttrType, type OpSchema, SCHEMAS, type Slot } from "./schemas.js";
import { type CheckDim, type CheckShape, inferShapes, sameDim, showShape } from "./shapes.js";

/** Bytes per element of the data types initializers may hold (raw_data). */
const ELEMENT_BYTES: Partial<Record<number, number>> = {
  [DataType.FLOAT]: 4, [DataType.UINT8]: 1, [DataType.INT8]: 1, [DataType.UINT16]: 2, [DataType.INT16]: 2, [DataType.INT32]: 4,
  [DataType.INT64]: 8, [DataType.BOOL]: 1, [DataType.FLOAT16]: 2, [DataType.DOUBLE]: 8, [DataType.UINT32]: 4, [DataType.UINT64]: 8,
  [DataType.BFLOAT16]: 2,
};

/** What is known of a value: its element type, shape, and (small int64 constants) its values. */
interface Value {
  readonly type: number | undefined;
  readonly shape: CheckShape;
  readonly constant?: readonly number[];
}

/** The values visible in a graph: its own, then its enclosing graphs'. */
class Scope {
  readonly values = new Map<string, Value>();
  constructor(readonly parent: Scope | undefined) {}

  get(name: string): Value | undefined {
    return this.values.get(name) ?? this.parent?.get(name);
  }
}

const dimsOf = (t: TypeProto | undefined): CheckShape => {
  const tensor = t?.value.case === "tensorType" ? t.value.value : undefined;
  if (tensor?.shape === undefined) return undefined;
  return tensor.shape.dim.map((d): CheckDim => (d.value.case === "dimValue" ? Number(d.value.value) : d.value.case === "dimParam" ? d.value.value : null));
};

const elemTypeOf = (t: TypeProto | undefined): number | undefined => (t?.value.case === "tensorType" ? t.value.value.elemType : undefined);

class Checker {
  readonly problems: string[] = [];

  report(where: string, message: string): void {
    this.problems.push(`${where}: ${message}`);
  }

  /** A declared value (graph input or output): a tensor type with a known element type and dims >= 0. */
  declared(info: ValueInfoProto, where: string): Value {
    const type = elemTypeOf(info.type);
    if (type === undefined || type === DataType.UNDEFINED || DataType[type] === undefined)
      this.report(where, `'${info.name}' must have a tensor type with an element type`);
    const shape = dimsOf(info.type);
    if (shape?.some((d) => typeof d === "number" && d < 0)) this.report(where, `'${info.name}' has a negative dimension ${showShape(shape)}`);
    return { type, shape };
  }

  initializer(t: TensorProto, where: string): Value {
    const dims = t.dims.map(Number);
    const size = dims.reduce((a, b) => a * b, 1);
    const bytes = ELEMENT_BYTES[t.dataType];
    if (dims.some((d) => d < 0)) this.report(where, `initializer '${t.name}' has a negative dimension ${showShape(dims)}`);
    if (bytes === undefined) this.report(where, `initializer '${t.name}' has data type ${dataTypeName(t.dataType)}, which this checker does not read`);
    else {
      const count =
        t.rawData.length > 0
          ? t.rawData.length / bytes
          : t.floatData.length + t.int32Data.length + t.int64Data.length + t.doubleData.length + t.uint64Data.length;
      if (count !== size) this.report(where, `initializer '${t.name}' has dims ${showShape(dims)} (${size} elements) but holds ${count}`);
    }
    let constant: number[] | undefined;
    if (t.dataType === DataType.INT64 && t.rawData.length === size * 8 && size <= 64) {
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      constant = Array.from({ length: size }, (_, i) => Number(view.getBigInt64(i * 8, true)));
    }
    return { type: t.dataType, shape: dims, ...(constant === undefined ? {} : { constant }) };
  }

  /**
   * Checks a graph whose inputs are `given` (sub-graphs) or its declared inputs (main graph),
   * inside `outer`. Returns the graph's outputs as values.
   */
  graph(graph: GraphProto, outer: Scope | undefined, where: string): Value[] {
    const scope = new Scope(outer);
    const define = (name: string, value: Value, what: string) => {
      if (name === "") this.report(where, `${what} has an empty name`);
      else if (scope.values.has(name)) this.report(where, `'${name}' is defined twice (${what}); names are unique in a graph`);
      else if (outer?.get(name) !== undefined) this.report(where, `'${name}' (${what}) shadows a value of an enclosing graph`);
      scope.values.set(name, value);
    };
    for (const input of graph.input) define(input.name, this.declared(input, where), "graph input");
    for (const init of graph.initializer) {
      // An initializer may give a graph input its default value (same name, same type).
      if (scope.values.has(init.name) && graph.input.some((i) => i.name === init.name)) continue;
      define(init.name, this.initializer(init, where), "initializer");
    }
    for (const node of graph.node) this.node(node, scope, `${where} node '${node.name}' (${node.opType})`, define);
    return graph.output.map((output) => {
      const at = `${where} output '${output.name}'`;
      const declared = this.declared(output, at);
      const value = scope.values.get(output.name);
      if (value === undefined) {
        this.report(at, outer?.get(output.name) === undefined ? "is never defined" : "is a value of an enclosing graph; a graph's outputs must be its own values");
        return declared;
      }
      if (value.type !== undefined && declared.type !== undefined && value.type !== declared.type)
        this.report(at, `is declared ${dataTypeName(declared.type)} but computed as ${dataTypeName(value.type)}`);
      this.compareShapes(at, declared.shape, value.shape);
      return { type: declared.type ?? value.type, shape: declared.shape ?? value.shape };
    });
  }

  compareShapes(at: string, declared: CheckShape, inferred: CheckShape): void {
    if (declared === undefined || inferred === undefined) return;
    if (declared.length !== inferred.length || declared.some((d, i) => !sameDim(d, inferred[i]!)))
      this.report(at, `is declared with shape ${showShape(declared)} but has shape ${showShape(inferred)}`);
  }

  node(node: NodeProto, scope: Scope, where: string, define: (name: string, value: Value, what: string) => void): void {
    if (node.domain !== "" && node.domain !== "ai.onnx") this.report(where, `domain '${node.domain}' is not imported; the exporter uses the default domain only`);
    const schema = SCHEMAS.get(node.opType);
    const inputs = node.input.map((name, i) => {
      if (name === "") {
        if (schema !== undefined && (schema.optionalFrom === undefined || i < schema.optionalFrom)) this.report(where, `input ${i} is required but empty`);
        return undefined;
      }
      const value = scope.get(name);
      if (value === undefined) this.report(where, `input '${name}' is not defined before this node (the graph must be in topological order)`);
      return value;
    });
    if (schema === undefined) {
      this.report(where, `unknown op '${node.opType}' (not in the checker's opset 17 schemas)`);
      for (const out of node.output) define(out, { type: undefined, shape: undefined }, "node output");
      return;
    }
    this.counts(node, schema, where);
    this.attributes(node, schema, where);
    let types = this.types(node, schema, inputs.map((v) => v?.type), where);
    let shapes = inferShapes(node, inputs.map((v) => v?.shape), (i) => inputs[i]?.constant, (m) => this.report(where, m));
    if (node.opType === "If") ({ types, shapes } = this.ifNode(node, scope, where));
    if (node.opType === "Loop") ({ types, shapes } = this.loopNode(node, scope, inputs, where));
    node.output.forEach((out, k) => {
      if (out === "") return;
      define(out, { type: types[k], shape: shapes[k] }, "node output");
    });
  }

  counts(node: NodeProto, schema: OpSchema, where: string): void {
    const maxIn = schema.variadicInputs === true ? Infinity : schema.inputs.length;
    const minIn = schema.optionalFrom ?? (schema.variadicInputs === true ? 1 : schema.inputs.length);
    if (node.input.length < minIn || node.input.length > maxIn)
      this.report(where, `takes ${minIn === maxIn ? minIn : `${minIn} to ${maxIn === Infinity ? "any number of" : maxIn}`} inputs, received ${node.input.length}`);
    const maxOut = schema.variadicOutputs === true ? Infinity : schema.outputs.length;
    const minOut = schema.minOutputs ?? (schema.variadicOutputs === true ? 1 : schema.outputs.length);
    if (node.output.length < minOut || node.output.length > maxOut)
      this.report(where, `has ${minOut === maxOut ? minOut : `${minOut} to ${maxOut === Infinity ? "any number of" : maxOut}`} outputs, received ${node.output.length}`);
  }

  attributes(node: NodeProto, schema: OpSchema, where: string): void {
    const seen = new Set<string>();
    for (const a of node.attribute) {
      if (seen.has(a.name)) this.report(where, `attribute '${a.name}' is given twice`);
      seen.add(a.name);
      const expected = schema.attrs[a.name];
      if (expected === undefined) this.report(where, `has no attribute '${a.name}' (known: ${Object.keys(schema.attrs).join(", ") || "none"})`);
      else if (a.type !== expected) this.report(where, `attribute '${a.name}' must be ${AttrType[expected]}, received ${AttrType[a.type] ?? a.type}`);
    }
    for (const name of schema.required ?? []) if (!seen.has(name)) this.report(where, `is missing its required attribute '${name}'`);
  }

  /** Element types of the outputs, checking the inputs against the schema's type variables. */
  types(node: NodeProto, schema: OpSchema, inputs: readonly (number | undefined)[], where: string): (number | undefined)[] {
    if (node.opType === "If" || node.opType === "Loop") return [];
    const bound = new Map<string, number>();
    const slotOf = (slots: readonly Slot[], i: number, variadic: boolean | undefined) => slots[variadic === true ? Math.min(i, slots.length - 1) : i];
    inputs.forEach((type, i) => {
      const slot = slotOf(schema.inputs, i, schema.variadicInputs);
      if (type === undefined || slot === undefined) return;
      if (typeof slot === "number") {
        if (type !== slot) this.report(where, `input ${i} must be ${dataTypeName(slot)}, received ${dataTypeName(type)}`);
      } else if (typeof slot === "string") {
        const allowed = schema.types[slot] ?? [];
        if (!allowed.includes(type)) this.report(where, `input ${i} has type ${dataTypeName(type)}, which '${slot}' does not allow (${allowed.map(dataTypeName).join(", ")})`);
        const previous = bound.get(slot);
        if (previous === undefined) bound.set(slot, type);
        else if (previous !== type) this.report(where, `inputs of type '${slot}' must share one element type, received ${dataTypeName(previous)} and ${dataTypeName(type)}`);
      }
    });
    return node.output.map((_, k) => {
      const slot = slotOf(schema.outputs, k, schema.variadicOutputs);
      if (slot === undefined) return undefined;
      if (typeof slot === "number") return slot;
      if (typeof slot === "string") return bound.get(slot);
      const attr = node.attribute.find((a) => a.name === ("attr" in slot ? slot.attr : slot.tensorAttr));
      if ("tensorAttr" in slot) return attr?.t?.dataType ?? slot.else;
      if (attr !== undefined) return Number(attr.i);
      return typeof slot.else === "string" ? bound.get(slot.else) : slot.else;
    });
  }

  subgraph(node: NodeProto, name: string, where: string): GraphProto | undefined {
    const g = node.attribute.find((a) => a.name === name)?.g;
    if (g === undefined) this.report(where, `has no graph attribute '${name}'`);
    return g;
  }

  ifNode(node: NodeProto, scope: Scope, where: string): { types: (number | undefined)[]; shapes: CheckShape[] } {
    const branches = ["then_branch", "else_branch"].map((name) => {
      const g = this.subgraph(node, name, where);
      if (g === undefined) return undefined;
      if (g.input.length > 0) this.report(where, `${name} must take no inputs (it reads outer values by name), it declares ${g.input.length}`);
      const outs = this.graph(g, scope, `${where} ${name}`);
      if (outs.length !== node.output.length) this.report(where, `${name} returns ${outs.length} values for the If's ${node.output.length} outputs`);
      return outs;
    });
    const [then, otherwise] = branches;
    node.output.forEach((_, k) => {
      const [a, b] = [then?.[k]?.type, otherwise?.[k]?.type];
      if (a !== undefined && b !== undefined && a !== b) this.report(where, `output ${k} is ${dataTypeName(a)} in then_branch but ${dataTypeName(b)} in else_branch`);
    });
    const merge = (k: number): CheckShape => {
      const [a, b] = [then?.[k]?.shape, otherwise?.[k]?.shape];
      if (a === undefined || b === undefined || a.length !== b.length) return undefined;
      return a.map((d, i) => (d === b[i] ? d : null));
    };
    return { types: node.output.map((_, k) => then?.[k]?.type ?? otherwise?.[k]?.type), shapes: node.output.map((_, k) => merge(k)) };
  }

  loopNode(node: NodeProto, scope: Scope, inputs: readonly (Value | undefined)[], where: string): { types: (number | undefined)[]; shapes: CheckShape[] } {
    const body = this.subgraph(node, "body", where);
    const carried = Math.max(node.input.length - 2, 0);
    if (inputs[0] !== undefined && (inputs[0].type !== DataType.INT64 || (inputs[0].shape !== undefined && inputs[0].shape.length > 1)))
      this.report(where, "the trip count M must be an int64 scalar");
    if (inputs[1] !== undefined && inputs[1].type !== DataType.BOOL) this.report(where, "the condition must be bool");
    if (body === undefined) return { types: [], shapes: [] };
    if (body.input.length !== carried + 2) this.report(where, `the body takes ${body.input.length} inputs; it must take (iteration, condition, ${carried} carried)`);
    const declared = body.input.map((i) => this.declared(i, `${where} body`));
    if (declared[0] !== undefined && declared[0].type !== DataType.INT64) this.report(where, "body input 0 (the iteration number) must be int64");
    if (declared[1] !== undefined && declared[1].type !== DataType.BOOL) this.report(where, "body input 1 (the condition) must be bool");
    const outs = this.graph(body, scope, `${where} body`);
    if (outs.length < carried + 1) this.report(where, `the body returns ${outs.length} values; it must return (condition, ${carried} carried, scans...)`);
    if (outs[0] !== undefined && outs[0].type !== DataType.BOOL) this.report(where, "body output 0 (the next condition) must be bool");
    if (node.output.length !== outs.length - 1) this.report(where, `has ${node.output.length} outputs; the body gives ${carried} carried values and ${outs.length - 1 - carried} scans`);
    for (let k = 0; k < carried; k++) {
      const types = [inputs[k + 2]?.type, declared[k + 2]?.type, outs[k + 1]?.type];
      const known = types.filter((t): t is number => t !== undefined);
      if (new Set(known).size > 1)
        this.report(where, `carried value ${k} changes type (initial ${types.map((t) => (t === undefined ? "?" : dataTypeName(t))).join(", body input, body output ")})`);
    }
    return {
      types: node.output.map((_, k) => (k < carried ? (outs[k + 1]?.type ?? inputs[k + 2]?.type) : outs[k + 1]?.type)),
      shapes: node.output.map((_, k) => (k < carried ? declared[k + 2]?.shape : undefined)),
    };
  }

  model(model: ModelProto): void {
    if (model.irVersion < 3n) this.report("model", `ir_version ${model.irVersion} is missing or too old (3 or later)`);
    const defaults = model.opsetImport.filter((o) => o.domain === "" || o.domain === "ai.onnx");
    if (defaults.length !== 1) this.report("model", `must import the default opset exactly once, imports it ${defaults.length} times`);
    else if (defaults[0]!.version < 17n) this.report("model", `imports opset ${defaults[0]!.version}; the checker's schemas are opset 17`);
    if (model.graph === undefined) this.report("model", "has no graph");
    else this.graph(model.graph, undefined, `graph '${model.graph.name}'`);
  }
}

/**
 * The problems of an ONNX model (a `ModelProto` or its bytes) by ONNX's structural rules;
 * empty when it is valid. Undecodable bytes are one problem.
 *
 * ```ts
 * const problems = checkModel(fs.readFileSync("model.onnx"));
 * ```
 */
export function checkModel(model: ModelProto | Uint8Array): string[] {
  const checker = new Checker();
  let decoded: ModelProto;
  try {
    decoded = model instanceof Uint8Array ? fromBinary(ModelProtoSchema, model) : model;
  } catch (error) {
    return [`model: not a valid ModelProto (${(error as Error).message})`];
  }
  checker.model(decoded);
  return checker.problems;
}

/**
 * Throws an `OnnxCheckError` listing every problem `checkModel` finds.
 *
 * ```ts
 * assertValidModel(toOnnxModel(cf)); // passes for every export
 * ```
 */
export function assertValidModel(model: ModelProto | Uint8Array): void {
  const problems = checkModel(model);
  if (problems.length > 0) throw new OnnxCheckError(problems);
}
