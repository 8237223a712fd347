import { DTypeError } from "./errors.js";

/** The element types Kiln tensors can hold. `bool` is stored one byte per element. */
export type DType = "float32" | "int32" | "bool";

/** The typed array that stores each dtype's elements. */
export type DataArray = Float32Array | Int32Array | Uint8Array;

/** All dtypes, in promotion order. */
export const DTYPES: readonly DType[] = ["bool", "int32", "float32"];

/** TensorFlow's `DataType` enum name for a dtype (used in `functionDef` signatures). */
export function tfTypeName(dtype: DType): string {
  switch (dtype) {
    case "float32":
      return "DT_FLOAT";
    case "int32":
      return "DT_INT32";
    case "bool":
      return "DT_BOOL";
  }
}

/** The int32 range: JS numbers outside it (or not integers) do not convert to int32. */
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Bytes per element. */
export function bytesPerElement(dtype: DType): number {
  return dtype === "bool" ? 1 : 4;
}

/** Allocates a zeroed typed array for `size` elements of `dtype`. */
export function allocate(dtype: DType, size: number): DataArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

/** The dtype a typed array stores, or `undefined` for other arrays. */
export function dtypeOfArray(values: unknown): DType | undefined {
  if (values instanceof Float32Array) return "float32";
  if (values instanceof Int32Array) return "int32";
  if (values instanceof Uint8Array) return "bool";
  return undefined;
}

/** True for a string naming a Kiln dtype. */
export function isDType(value: unknown): value is DType {
  return value === "float32" || value === "int32" || value === "bool";
}

/** Throws a DTypeError naming `where` unless `value` is a dtype. */
export function checkDType(value: unknown, where: string): DType {
  if (!isDType(value)) {
    throw new DTypeError(`${where}: unknown dtype ${JSON.stringify(value)}; valid dtypes are float32, int32, bool`);
  }
  return value;
}
