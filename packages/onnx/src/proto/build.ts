/**
 * Builders for ONNX protobuf messages, made with `@bufbuild/protobuf` from the schema that
 * `onnx-buf` generates out of ONNX's official `onnx.proto`. Nothing here encodes bytes by hand:
 * `toBinary(ModelProtoSchema, model)` does.
 *
 * ```ts
 * const w = tensorProto("w", "float32", [2, 2], new Float32Array([1, 2, 3, 4]));
 * const n = nodeProto("MatMul", ["x", "w"], ["y"], "matmul", {});
 * ```
 */
import { create } from "@bufbuild/protobuf";
import {
  AttributeProto_AttributeType as AttrType,
  type AttributeProto,
  AttributeProtoSchema,
  type GraphProto,
  type NodeProto,
  NodeProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from "onnx-buf";
import { type ElemType, onnxType } from "./dtype.js";

/** Element data the exporter writes: typed arrays of each element type. */
export type ElemData = Float32Array | Int32Array | Uint8Array | BigInt64Array | Float64Array;

/** A dimension: a size, a symbolic name (`"batch"`), or `null` for unknown and unnamed. */
export type Dim = number | string | null;

/** An attribute value: ONNX attributes are typed, so each kind is tagged. */
export type AttrSpec =
  | { readonly int: number | bigint }
  | { readonly ints: readonly (number | bigint)[] }
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly string: string }
  | { readonly tensor: TensorProto }
  | { readonly graph: GraphProto };

/** Little-endian bytes of typed data (ONNX `raw_data` is little-endian). */
function rawBytes(data: ElemData): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/**
 * An initializer or constant tensor, its values stored as `raw_data`.
 *
 * ```ts
 * tensorProto("shape", "int64", [2], BigInt64Array.from([-1n, 784n]));
 * ```
 */
export function tensorProto(name: string, type: ElemType, dims: readonly number[], data: ElemData): TensorProto {
  return create(TensorProtoSchema, { name, dataType: onnxType(type), dims: dims.map((d) => BigInt(d)), rawData: rawBytes(data) });
}

/**
 * A typed value (graph input, output or value info): a tensor of `type` with the given dims;
 * `dims === undefined` leaves the shape out (rank unknown).
 *
 * ```ts
 * valueInfo("x", "float32", ["batch", 784]);
 * ```
 */
export function valueInfo(name: string, type: ElemType, dims: readonly Dim[] | undefined): ValueInfoProto {
  const shape =
    dims === undefined
      ? undefined
      : create(TensorShapeProtoSchema, {
          dim: dims.map((d) =>
            create(TensorShapeProto_DimensionSchema, {
              value: d === null ? { case: undefined } : typeof d === "string" ? { case: "dimParam", value: d } : { case: "dimValue", value: BigInt(d) },
            }),
          ),
        });
  const tensor = create(TypeProto_TensorSchema, { elemType: onnxType(type), ...(shape === undefined ? {} : { shape }) });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: "tensorType", value: tensor } }) });
}

/** One attribute proto from a tagged value. */
export function attributeProto(name: string, spec: AttrSpec): AttributeProto {
  if ("int" in spec) return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(spec.int) });
  if ("ints" in spec) return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: spec.ints.map((v) => BigInt(v)) });
  if ("float" in spec) return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: spec.float });
  if ("floats" in spec) return create(AttributeProtoSchema, { name, type: AttrType.FLOATS, floats: [...spec.floats] });
  if ("string" in spec) return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(spec.string) });
  if ("tensor" in spec) return create(AttributeProtoSchema, { name, type: AttrType.TENSOR, t: spec.tensor });
  return create(AttributeProtoSchema, { name, type: AttrType.GRAPH, g: spec.graph });
}

/**
 * A node of the default (`ai.onnx`) domain.
 *
 * ```ts
 * nodeProto("Transpose", ["x"], ["y"], "t", { perm: { ints: [0, 3, 1, 2] } });
 * ```
 */
export function nodeProto(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attrs: Readonly<Record<string, AttrSpec>>): NodeProto {
  const attribute = Object.entries(attrs).map(([key, spec]) => attributeProto(key, spec));
  return create(NodeProtoSchema, { opType, input: [...inputs], output: [...outputs], name, attribute });
}
