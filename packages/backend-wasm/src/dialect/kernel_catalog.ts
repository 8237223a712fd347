import { type AnyOpDef, type Attrs, coreOpDefs, DTYPES, type DType, type ScalarKernel } from "@kiln/core";

export type { DType };

/**
 * The attribute values that choose an op's scalar semantics, for the ops whose
 * `OpDef.scalar` is a function of attrs. Core does not declare the domain of those attrs,
 * so it is listed here; `scalarKernelVariants` throws for an attr-dependent op missing
 * from this list, so a new one cannot be skipped silently.
 */
const ATTR_VARIANTS: Readonly<Record<string, readonly Attrs[]>> = {
  Cast: DTYPES.map((DstT) => ({ DstT })),
  Gelu: [{ approximate: false }, { approximate: true }],
};

/** One scalar kernel of one op, with the attrs that select it. */
export interface KernelVariant {
  readonly op: AnyOpDef;
  readonly attrs: Attrs;
  readonly kernel: ScalarKernel;
}

/**
 * Every scalar kernel of every elementwise op in core's table, for every attr value that
 * changes its semantics: what the wasm binaries must contain.
 *
 * ```ts
 * scalarKernelVariants().filter((v) => v.op.name === "Cast").length; // 9 (3 sources x 3 targets)
 * ```
 */
export function scalarKernelVariants(ops: readonly AnyOpDef[] = coreOpDefs()): KernelVariant[] {
  const variants: KernelVariant[] = [];
  for (const op of ops) {
    const scalar = op.scalar;
    if (scalar === undefined) continue;
    if (typeof scalar !== "function") {
      for (const kernel of scalar) variants.push({ op, attrs: {}, kernel });
      continue;
    }
    const choices = ATTR_VARIANTS[op.name];
    if (choices === undefined)
      throw new Error(`backend-wasm: ${op.name}'s scalar semantics depend on attrs; list their values in ATTR_VARIANTS`);
    for (const attrs of choices) for (const kernel of scalar(attrs)) variants.push({ op, attrs, kernel });
  }
  return variants;
}
