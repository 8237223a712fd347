/**
 * Element types: Kiln's dtypes and the ONNX `TensorProto.DataType`s the exporter uses (int64
 * for shapes, indices and counts; double where float32 would lose int32 precision).
 *
 * ```ts
 * onnxType("int32"); // TensorProto_DataType.INT32 (6)
 * ```
 */
import type { DType } from "@kiln/core";
import { TensorProto_DataType as DataType } from "onnx-buf";

export { DataType };

/** An ONNX element type the exporter writes: Kiln's three, and int64 and double for composites. */
export type ElemType = DType | "int64" | "float64";

const TO_ONNX: Readonly<Record<ElemType, DataType>> = {
  float32: DataType.FLOAT,
  int32: DataType.INT32,
  bool: DataType.BOOL,
  int64: DataType.INT64,
  float64: DataType.DOUBLE,
};

/** The ONNX data type of an element type. */
export function onnxType(type: ElemType): DataType {
  return TO_ONNX[type];
}

/** The element type of an ONNX data type, or undefined for a type the exporter never writes. */
export function elemTypeOf(type: number): ElemType | undefined {
  for (const [name, value] of Object.entries(TO_ONNX)) if (value === type) return name as ElemType;
  return undefined;
}

/** The name ONNX gives a data type (`FLOAT`, `INT64`, ...), for messages. */
export function dataTypeName(type: number): string {
  return DataType[type] ?? `data type ${type}`;
}
