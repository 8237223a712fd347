import { checkDType, DTYPES, type DType } from "../base/dtype.js";
import { ArgumentError } from "../base/errors.js";
import type { Shape } from "../base/shape.js";
import { defineOp } from "./op.js";
import { scalarKernel } from "./scalar.js";

/** A graph input. Resource placeholders stand for a variable (TF's `DT_RESOURCE`). */
export const Placeholder = defineOp<{ shape: Shape; dtype: DType; resource?: boolean }>({
  name: "Placeholder",
  api: "placeholder",
  family: "opaque",
  inputs: [],
  execution: { kind: "input" },
  // Gradients reach inputs through the tape's record of the ops that use them.
  grad: "none",
  infer: (_inputs, attrs) => [{ shape: attrs.shape, dtype: checkDType(attrs.dtype, "placeholder") }],
});

/** A literal tensor; `value` holds the flat values as plain numbers so graphs serialize to JSON. */
export const Const = defineOp<{ value: readonly number[]; shape: readonly number[]; dtype: DType }>({
  name: "Const",
  api: "constant",
  family: "creation",
  inputs: [],
  execution: { kind: "constant" },
  grad: "none",
  infer: (_inputs, attrs) => {
    const size = attrs.shape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(attrs.value) || attrs.value.length !== size) {
      throw new ArgumentError(
        `Const: value has ${Array.isArray(attrs.value) ? attrs.value.length : "no"} elements but shape [${attrs.shape.join(",")}] needs ${size}`,
      );
    }
    return [{ shape: attrs.shape, dtype: checkDType(attrs.dtype, "Const") }];
  },
});

/** Passes its input through. Every function output goes through one, like TF. */
export const Identity = defineOp<{}>({
  name: "Identity",
  api: "identity",
  family: "elementwise",
  inputs: ["input"],
  execution: { kind: "alias" },
  infer: ([x]) => [x!],
  scalar: DTYPES.map((dtype) => scalarKernel([dtype], (x) => x!)),
  grad: ({ dys }) => [dys[0] ?? null],
});
