import { type DType, type ScalarFn, SCALAR_FNS, scalarFnOperandDTypes } from "@kiln/core";
import { erfcf, erff } from "./float32_math/erf.js";
import { expf, expm1f, tanhf } from "./float32_math/exp.js";
import { log1pf, logf } from "./float32_math/log.js";
import { floatToInt32, floorDivInt, powFloat, powInt, remInt, roundHalfEven, selectFloat } from "./math.js";

/**
 * One scalar function applied to `n` elements: `out[i] = f(a[i], b[i], c[i])`. Values are
 * doubles holding what `jsDialect`'s expressions hold: float32 values computed in double
 * precision, wrapped int32 values, and bools as 0 or 1 (numbers, not JS booleans).
 */
export type BlockLoop = (out: Float64Array, n: number, a: Float64Array, b: Float64Array, c: Float64Array) => void;

/** One loop per (scalar function, operand dtype), like a dialect's templates. */
export type BlockLoops = { readonly [F in ScalarFn]: Partial<Record<DType, BlockLoop>> };

/**
 * Core's scalar functions as typed-array loops, for environments that forbid generating code
 * (a Content-Security-Policy without 'unsafe-eval'). Each entry is `jsDialect`'s template
 * (see that file for the reasons behind each) written as its own small loop, so V8 compiles
 * every one monomorphically with the arithmetic inlined: an expression is evaluated one
 * scalar function at a time over blocks of elements (`block_loop.ts`), never through a
 * per-element call that would be megamorphic. A test runs every scalar kernel in core both
 * ways and requires identical values.
 *
 * ```ts
 * const out = new Float64Array(1);
 * blockDialect.add.int32!(out, 1, Float64Array.of(2147483647), Float64Array.of(1), out); // out[0] === -2147483648
 * ```
 */
export const blockDialect: BlockLoops = {
  add: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! + b[i]!;
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = (a[i]! + b[i]!) | 0;
    },
  },
  sub: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! - b[i]!;
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = (a[i]! - b[i]!) | 0;
    },
  },
  mul: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! * b[i]!;
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = Math.imul(a[i]!, b[i]!);
    },
  },
  div: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! / b[i]!;
    },
  },
  neg: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = -a[i]!;
    },
    int32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = -a[i]! | 0;
    },
  },
  abs: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = Math.abs(a[i]!);
    },
    int32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = Math.abs(a[i]!) | 0;
    },
  },
  max: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = Math.max(a[i]!, b[i]!);
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = Math.max(a[i]!, b[i]!);
    },
  },
  min: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = Math.min(a[i]!, b[i]!);
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = Math.min(a[i]!, b[i]!);
    },
  },
  rem: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! % b[i]!;
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = remInt(a[i]!, b[i]!);
    },
  },
  floorDiv: {
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = floorDivInt(a[i]!, b[i]!);
    },
  },
  pow: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = powFloat(a[i]!, b[i]!);
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = powInt(a[i]!, b[i]!);
    },
  },
  exp: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = expf(a[i]!);
    },
  },
  expm1: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = expm1f(a[i]!);
    },
  },
  log: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = logf(a[i]!);
    },
  },
  log1p: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = log1pf(a[i]!);
    },
  },
  sqrt: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = Math.sqrt(a[i]!);
    },
  },
  sin: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = Math.sin(a[i]!);
    },
  },
  cos: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = Math.cos(a[i]!);
    },
  },
  tanh: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = tanhf(a[i]!);
    },
  },
  atan2: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = Math.atan2(a[i]!, b[i]!);
    },
  },
  erf: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = erff(a[i]!);
    },
  },
  erfc: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = erfcf(a[i]!);
    },
  },
  floor: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = Math.floor(a[i]!);
    },
  },
  ceil: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = Math.ceil(a[i]!);
    },
  },
  roundHalfEven: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = roundHalfEven(a[i]!);
    },
  },
  roundF32: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = Math.fround(a[i]!);
    },
  },
  isNan: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = Number.isNaN(a[i]!) ? 1 : 0;
    },
  },
  finite: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = Number.isFinite(a[i]!) ? 1 : 0;
    },
  },
  lt: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! < b[i]! ? 1 : 0;
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! < b[i]! ? 1 : 0;
    },
  },
  le: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! <= b[i]! ? 1 : 0;
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! <= b[i]! ? 1 : 0;
    },
  },
  gt: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! > b[i]! ? 1 : 0;
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! > b[i]! ? 1 : 0;
    },
  },
  ge: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! >= b[i]! ? 1 : 0;
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i]! >= b[i]! ? 1 : 0;
    },
  },
  // Bools are 0 or 1 here, so one comparison serves every dtype.
  eq: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i] === b[i] ? 1 : 0;
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i] === b[i] ? 1 : 0;
    },
    bool: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i] === b[i] ? 1 : 0;
    },
  },
  ne: {
    float32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i] !== b[i] ? 1 : 0;
    },
    int32: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i] !== b[i] ? 1 : 0;
    },
    bool: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i] !== b[i] ? 1 : 0;
    },
  },
  and: {
    bool: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i] !== 0 && b[i] !== 0 ? 1 : 0;
    },
  },
  or: {
    bool: (o, n, a, b) => {
      for (let i = 0; i < n; i++) o[i] = a[i] !== 0 || b[i] !== 0 ? 1 : 0;
    },
  },
  not: {
    bool: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = a[i] === 0 ? 1 : 0;
    },
  },
  // The condition comes first; both values were computed (core's semantics allow it), so
  // the pick is branchless (`selectFloat`: a jump would mispredict on random data, as relu's).
  select: {
    float32: (o, n, c, a, b) => {
      for (let i = 0; i < n; i++) o[i] = selectFloat(c[i] !== 0, a[i]!, b[i]!);
    },
    int32: (o, n, c, a, b) => {
      for (let i = 0; i < n; i++) o[i] = selectFloat(c[i] !== 0, a[i]!, b[i]!);
    },
    bool: (o, n, c, a, b) => {
      for (let i = 0; i < n; i++) o[i] = selectFloat(c[i] !== 0, a[i]!, b[i]!);
    },
  },
  // int32 -> float32 is rounded when stored, as in jsDialect; a bool is already 0 or 1.
  toFloat32: {
    float32: (o, n, a) => o.set(a.subarray(0, n)),
    int32: (o, n, a) => o.set(a.subarray(0, n)),
    bool: (o, n, a) => o.set(a.subarray(0, n)),
  },
  toInt32: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = floatToInt32(a[i]!);
    },
    int32: (o, n, a) => o.set(a.subarray(0, n)),
    bool: (o, n, a) => o.set(a.subarray(0, n)),
  },
  toBool: {
    float32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = a[i] !== 0 ? 1 : 0;
    },
    int32: (o, n, a) => {
      for (let i = 0; i < n; i++) o[i] = a[i] !== 0 ? 1 : 0;
    },
    bool: (o, n, a) => o.set(a.subarray(0, n)),
  },
};

/**
 * The (function, operand dtype) pairs the loop table lacks, like `missingTemplates` for a
 * rendered dialect; empty for a complete table.
 *
 * ```ts
 * missingBlockLoops(blockDialect); // []
 * ```
 */
export function missingBlockLoops(loops: BlockLoops): string[] {
  return SCALAR_FNS.flatMap((fn) => scalarFnOperandDTypes(fn).filter((dtype) => loops[fn][dtype] === undefined).map((dtype) => `${fn}/${dtype}`));
}
