/**
 * The ONNX (opset 17, default domain) operator schemas the checker knows: every op the
 * exporter emits and a few more. Each gives input and output counts, attribute types (and
 * which are required), and type rules: which inputs share a type variable, which element
 * types that variable allows, and how each output's type follows. Written from the
 * operator specification (onnx/docs/Operators.md); a model using an op outside this table
 * is reported as unknown to the checker.
 *
 * ```ts
 * SCHEMAS.get("Add")!.inputs; // ["T", "T"]
 * ```
 */
import { AttributeProto_AttributeType as A } from "onnx-buf";
import { DataType } from "../proto/dtype.js";

const D = DataType;
/** Element types by group, as the specification's type constraints list them. */
const FLOATS = [D.FLOAT16, D.FLOAT, D.DOUBLE, D.BFLOAT16];
const SIGNED_INTS = [D.INT8, D.INT16, D.INT32, D.INT64];
const UNSIGNED = [D.UINT8, D.UINT16, D.UINT32, D.UINT64];
const NUMERIC = [...FLOATS, ...SIGNED_INTS, ...UNSIGNED];
const SIGNED = [...FLOATS, ...SIGNED_INTS];
const ALL = [...NUMERIC, D.BOOL, D.STRING];
const INDEX = [D.INT32, D.INT64];
const MATMUL = [D.FLOAT16, D.FLOAT, D.DOUBLE, D.BFLOAT16, D.INT32, D.INT64, D.UINT32, D.UINT64];

/**
 * An input or output slot: a type variable (`"T"`), a fixed element type, or for outputs a
 * rule: `{ attr }` (the type an INT attribute names, e.g. Cast's `to`), `{ attr, else }` (that
 * attribute or the type variable when absent), `{ tensorAttr }` (a TENSOR attribute's type).
 */
export type Slot = string | number | { readonly attr: string; readonly else?: string | number } | { readonly tensorAttr: string; readonly else: number };

export interface OpSchema {
  /** Input slots; the last repeats when `variadicInputs` is set. `optionalFrom`: inputs from this index may be absent or "". */
  readonly inputs: readonly Slot[];
  readonly optionalFrom?: number;
  readonly variadicInputs?: boolean;
  /** Output slots; the last repeats when `variadicOutputs` is set. `minOutputs` when some are optional. */
  readonly outputs: readonly Slot[];
  readonly minOutputs?: number;
  readonly variadicOutputs?: boolean;
  /** Allowed element types of each type variable. */
  readonly types: Readonly<Record<string, readonly number[]>>;
  /** Attribute types; names in `required` must be present. */
  readonly attrs: Readonly<Record<string, A>>;
  readonly required?: readonly string[];
}

const unary = (types: readonly number[], attrs: Record<string, A> = {}): OpSchema => ({ inputs: ["T"], outputs: ["T"], types: { T: types }, attrs });
const binary = (types: readonly number[]): OpSchema => ({ inputs: ["T", "T"], outputs: ["T"], types: { T: types }, attrs: {} });
const compare = (types: readonly number[]): OpSchema => ({ inputs: ["T", "T"], outputs: [D.BOOL], types: { T: types }, attrs: {} });
const reduce = (): OpSchema => ({ inputs: ["T"], outputs: ["T"], types: { T: NUMERIC }, attrs: { axes: A.INTS, keepdims: A.INT } });
const window = { auto_pad: A.STRING, kernel_shape: A.INTS, pads: A.INTS, strides: A.INTS };

const table: Record<string, OpSchema> = {
  Identity: unary(ALL),
  Abs: unary(NUMERIC),
  Neg: unary(SIGNED),
  Sign: unary(NUMERIC),
  Relu: unary(SIGNED),
  Exp: unary(FLOATS),
  Log: unary(FLOATS),
  Sqrt: unary(FLOATS),
  Reciprocal: unary(FLOATS),
  Sin: unary(FLOATS),
  Cos: unary(FLOATS),
  Atan: unary(FLOATS),
  Tanh: unary(FLOATS),
  Sigmoid: unary(FLOATS),
  Softplus: unary(FLOATS),
  Erf: unary(NUMERIC),
  Floor: unary(FLOATS),
  Ceil: unary(FLOATS),
  Round: unary(FLOATS),
  Elu: unary(FLOATS, { alpha: A.FLOAT }),
  Selu: unary(FLOATS, { alpha: A.FLOAT, gamma: A.FLOAT }),
  Not: unary([D.BOOL]),
  IsNaN: { inputs: ["T"], outputs: [D.BOOL], types: { T: FLOATS }, attrs: {} },
  IsInf: { inputs: ["T"], outputs: [D.BOOL], types: { T: [D.FLOAT, D.DOUBLE] }, attrs: { detect_negative: A.INT, detect_positive: A.INT } },
  Clip: { inputs: ["T", "T", "T"], optionalFrom: 1, outputs: ["T"], types: { T: NUMERIC }, attrs: {} },
  Add: binary(NUMERIC),
  Sub: binary(NUMERIC),
  Mul: binary(NUMERIC),
  Div: binary(NUMERIC),
  Mod: { ...binary(NUMERIC), attrs: { fmod: A.INT } },
  Pow: { inputs: ["T", "T1"], outputs: ["T"], types: { T: [D.INT32, D.INT64, ...FLOATS], T1: NUMERIC }, attrs: {} },
  Max: { inputs: ["T"], variadicInputs: true, outputs: ["T"], types: { T: NUMERIC }, attrs: {} },
  Min: { inputs: ["T"], variadicInputs: true, outputs: ["T"], types: { T: NUMERIC }, attrs: {} },
  And: { inputs: ["T", "T"], outputs: [D.BOOL], types: { T: [D.BOOL] }, attrs: {} },
  Or: { inputs: ["T", "T"], outputs: [D.BOOL], types: { T: [D.BOOL] }, attrs: {} },
  Xor: { inputs: ["T", "T"], outputs: [D.BOOL], types: { T: [D.BOOL] }, attrs: {} },
  Equal: compare(ALL),
  Less: compare(NUMERIC),
  LessOrEqual: compare(NUMERIC),
  Greater: compare(NUMERIC),
  GreaterOrEqual: compare(NUMERIC),
  Where: { inputs: [D.BOOL, "T", "T"], outputs: ["T"], types: { T: ALL }, attrs: {} },
  Cast: { inputs: ["T1"], outputs: [{ attr: "to" }], types: { T1: ALL }, attrs: { to: A.INT, saturate: A.INT }, required: ["to"] },
  ReduceSum: { inputs: ["T", D.INT64], optionalFrom: 1, outputs: ["T"], types: { T: NUMERIC }, attrs: { keepdims: A.INT, noop_with_empty_axes: A.INT } },
  ReduceMean: reduce(),
  ReduceMax: reduce(),
  ReduceMin: reduce(),
  ReduceProd: reduce(),
  ArgMax: { inputs: ["T"], outputs: [D.INT64], types: { T: NUMERIC }, attrs: { axis: A.INT, keepdims: A.INT, select_last_index: A.INT } },
  ArgMin: { inputs: ["T"], outputs: [D.INT64], types: { T: NUMERIC }, attrs: { axis: A.INT, keepdims: A.INT, select_last_index: A.INT } },
  CumSum: { inputs: ["T", "T2"], outputs: ["T"], types: { T: [D.FLOAT, D.DOUBLE, D.INT32, D.INT64, D.UINT32, D.UINT64, D.FLOAT16, D.BFLOAT16], T2: INDEX }, attrs: { exclusive: A.INT, reverse: A.INT } },
  MatMul: binary(MATMUL),
  Gemm: { inputs: ["T", "T", "T"], optionalFrom: 2, outputs: ["T"], types: { T: MATMUL }, attrs: { alpha: A.FLOAT, beta: A.FLOAT, transA: A.INT, transB: A.INT } },
  Transpose: { ...unary(ALL), attrs: { perm: A.INTS } },
  TopK: { inputs: ["T", D.INT64], outputs: ["T", D.INT64], types: { T: NUMERIC }, attrs: { axis: A.INT, largest: A.INT, sorted: A.INT } },
  Reshape: { inputs: ["T", D.INT64], outputs: ["T"], types: { T: ALL }, attrs: { allowzero: A.INT } },
  Unsqueeze: { inputs: ["T", D.INT64], outputs: ["T"], types: { T: ALL }, attrs: {} },
  Squeeze: { inputs: ["T", D.INT64], optionalFrom: 1, outputs: ["T"], types: { T: ALL }, attrs: {} },
  Expand: { inputs: ["T", D.INT64], outputs: ["T"], types: { T: ALL }, attrs: {} },
  Tile: { inputs: ["T", D.INT64], outputs: ["T"], types: { T: ALL }, attrs: {} },
  Slice: { inputs: ["T", "Tind", "Tind", "Tind", "Tind"], optionalFrom: 3, outputs: ["T"], types: { T: ALL, Tind: INDEX }, attrs: {} },
  Pad: { inputs: ["T", D.INT64, "T"], optionalFrom: 2, outputs: ["T"], types: { T: ALL }, attrs: { mode: A.STRING } },
  Shape: { inputs: ["T"], outputs: [D.INT64], types: { T: ALL }, attrs: { start: A.INT, end: A.INT } },
  Size: { inputs: ["T"], outputs: [D.INT64], types: { T: ALL }, attrs: {} },
  Gather: { inputs: ["T", "Tind"], outputs: ["T"], types: { T: ALL, Tind: INDEX }, attrs: { axis: A.INT } },
  GatherND: { inputs: ["T", D.INT64], outputs: ["T"], types: { T: ALL }, attrs: { batch_dims: A.INT } },
  GatherElements: { inputs: ["T", "Tind"], outputs: ["T"], types: { T: ALL, Tind: INDEX }, attrs: { axis: A.INT } },
  ScatterND: { inputs: ["T", D.INT64, "T"], outputs: ["T"], types: { T: ALL }, attrs: { reduction: A.STRING } },
  ScatterElements: { inputs: ["T", "Tind", "T"], outputs: ["T"], types: { T: ALL, Tind: INDEX }, attrs: { axis: A.INT, reduction: A.STRING } },
  ConstantOfShape: { inputs: [D.INT64], outputs: [{ tensorAttr: "value", else: D.FLOAT }], types: {}, attrs: { value: A.TENSOR } },
  Range: { inputs: ["T", "T", "T"], outputs: ["T"], types: { T: [D.FLOAT, D.DOUBLE, D.INT16, D.INT32, D.INT64] }, attrs: {} },
  Concat: { inputs: ["T"], variadicInputs: true, outputs: ["T"], types: { T: ALL }, attrs: { axis: A.INT }, required: ["axis"] },
  Split: { inputs: ["T", D.INT64], optionalFrom: 1, outputs: ["T"], variadicOutputs: true, types: { T: ALL }, attrs: { axis: A.INT } },
  EyeLike: { inputs: ["T1"], outputs: [{ attr: "dtype", else: "T1" }], types: { T1: [...NUMERIC, D.BOOL] }, attrs: { dtype: A.INT, k: A.INT } },
  RandomUniform: { inputs: [], outputs: [{ attr: "dtype", else: D.FLOAT }], types: {}, attrs: { dtype: A.INT, high: A.FLOAT, low: A.FLOAT, seed: A.FLOAT, shape: A.INTS }, required: ["shape"] },
  RandomNormal: { inputs: [], outputs: [{ attr: "dtype", else: D.FLOAT }], types: {}, attrs: { dtype: A.INT, mean: A.FLOAT, scale: A.FLOAT, seed: A.FLOAT, shape: A.INTS }, required: ["shape"] },
  RandomUniformLike: { inputs: ["T1"], outputs: [{ attr: "dtype", else: "T1" }], types: { T1: ALL }, attrs: { dtype: A.INT, high: A.FLOAT, low: A.FLOAT, seed: A.FLOAT } },
  RandomNormalLike: { inputs: ["T1"], outputs: [{ attr: "dtype", else: "T1" }], types: { T1: ALL }, attrs: { dtype: A.INT, mean: A.FLOAT, scale: A.FLOAT, seed: A.FLOAT } },
  Conv: { inputs: ["T", "T", "T"], optionalFrom: 2, outputs: ["T"], types: { T: FLOATS }, attrs: { ...window, dilations: A.INTS, group: A.INT } },
  ConvTranspose: { inputs: ["T", "T", "T"], optionalFrom: 2, outputs: ["T"], types: { T: FLOATS }, attrs: { ...window, dilations: A.INTS, group: A.INT, output_padding: A.INTS, output_shape: A.INTS } },
  MaxPool: { inputs: ["T"], outputs: ["T", D.INT64], minOutputs: 1, types: { T: [...FLOATS, D.INT8, D.UINT8] }, attrs: { ...window, ceil_mode: A.INT, dilations: A.INTS, storage_order: A.INT }, required: ["kernel_shape"] },
  AveragePool: { inputs: ["T"], outputs: ["T"], types: { T: FLOATS }, attrs: { ...window, ceil_mode: A.INT, count_include_pad: A.INT }, required: ["kernel_shape"] },
  // Control flow: the checker checks the sub-graphs and the carried types itself.
  If: { inputs: [D.BOOL], outputs: ["V"], variadicOutputs: true, types: { V: ALL }, attrs: { then_branch: A.GRAPH, else_branch: A.GRAPH }, required: ["then_branch", "else_branch"] },
  Loop: { inputs: [D.INT64, D.BOOL, "V"], optionalFrom: 0, variadicInputs: true, outputs: ["V"], minOutputs: 0, variadicOutputs: true, types: { V: ALL }, attrs: { body: A.GRAPH }, required: ["body"] },
};

/** The known schemas, by op type. */
export const SCHEMAS: ReadonlyMap<string, OpSchema> = new Map(Object.entries(table));

export { A as AttrType };
