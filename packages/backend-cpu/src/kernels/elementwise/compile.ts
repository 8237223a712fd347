import { compileFunction, type DataArray, renderScalar, type ScalarKernel } from "@kiln/core";
import type { BroadcastLayout } from "./broadcast.js";
import { jsDialect, loadJs, storeJs } from "./js_dialect.js";
import { elementwiseHelpers } from "./math.js";

/**
 * Writes `out` from the inputs. `layout` is null when every input has exactly the output's
 * elements in the same order (same shape up to leading 1s): the tight path.
 */
export type ElementwiseLoop = (out: DataArray, inputs: readonly DataArray[], layout: BroadcastLayout | null) => void;

/** What a CodeGenerationError from the cpu backend advises. */
export const CLOSURES_INSTEAD = "register cpu() (which detects this and uses prebuilt kernels) or cpu({ codegen: false }) instead of cpu({ codegen: true })";

/** Names the expression uses for the current element of input 0, 1, 2. */
const ELEMENT_NAMES = ["a", "b", "c"] as const;

/**
 * Compiles an op's scalar semantics (core's data, rendered to JS by `jsDialect`) into
 * typed-array loops, once per op and dtype combination. Writing each op's loops by hand
 * would repeat ~8 loop shapes per op; calling a per-element callback from one shared loop
 * would be megamorphic and slow. Generated code gives every op its own monomorphic loops,
 * with the expression inlined and helpers from `math.ts` in scope.
 *
 * ```ts
 * const addF32 = compileElementwise("AddV2_float32", scalarKernelOf(tf.AddV2, ["float32", "float32"], "float32", {})!);
 * addF32(out, [x, y], null);
 * ```
 */
export function compileElementwise(label: string, kernel: ScalarKernel): ElementwiseLoop {
  const arity = kernel.args.length;
  const names = ELEMENT_NAMES.slice(0, arity);
  const xs = names.map((_, k) => `x${k}`);
  const os = names.map((_, k) => `o${k}`);
  const ss = names.map((_, k) => `s${k}`);
  const rendered = renderScalar(kernel, jsDialect, names.map((v, k) => loadJs(v, kernel.args[k]!)), "t");
  const compute = (target: string) => `${rendered.statements.join(" ")} ${target} = ${storeJs(rendered.value, kernel.body.dtype)};`;

  // Same layout: one flat loop, element i of every input.
  const same = `function same(out, ${xs.join(", ")}) {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    ${names.map((v, k) => `const ${v} = ${xs[k]}[i];`).join(" ")}
    ${compute("out[i]")}
  }
}`;

  // Broadcast layout: walk the collapsed outer dims with an odometer; along the inner dim
  // each input either advances (stride 1) or repeats one element, which is hoisted out of
  // the loop. `mask` bit k says input k advances; each combination gets its own loop.
  const cases: string[] = [];
  for (let mask = 0; mask < 1 << arity; mask++) {
    const hoisted = names.map((v, k) => ((mask >> k) & 1 ? "" : `const ${v} = ${xs[k]}[${os[k]}];`)).join(" ");
    const loaded = names.map((v, k) => ((mask >> k) & 1 ? `const ${v} = ${xs[k]}[${os[k]} + j];` : "")).join(" ");
    cases.push(`case ${mask}: { ${hoisted} for (let j = 0; j < inner; j++) { ${loaded} ${compute("out[o + j]")} } break; }`);
  }
  const strided = `function strided(out, ${xs.join(", ")}, shape, ${ss.join(", ")}) {
  const rank = shape.length;
  const inner = shape[rank - 1];
  const mask = ${ss.map((s, k) => `(${s}[rank - 1] !== 0 ? ${1 << k} : 0)`).join(" | ")};
  const index = new Array(rank).fill(0);
  ${os.map((o) => `let ${o} = 0;`).join(" ")}
  for (let o = 0; o < out.length; o += inner) {
    switch (mask) {
      ${cases.join("\n      ")}
    }
    for (let d = rank - 2; d >= 0; d--) {
      ${os.map((o, k) => `${o} += ${ss[k]}[d];`).join(" ")}
      if (++index[d] < shape[d]) break;
      index[d] = 0;
      ${os.map((o, k) => `${o} -= ${ss[k]}[d] * shape[d];`).join(" ")}
    }
  }
}`;

  const source = `"use strict";
const { ${Object.keys(elementwiseHelpers).join(", ")} } = helpers;
${same}
${strided}
return function ${label.replace(/\W/g, "_")}(out, inputs, layout) {
  if (layout === null) same(out, ${xs.map((_, k) => `inputs[${k}]`).join(", ")});
  else strided(out, ${xs.map((_, k) => `inputs[${k}]`).join(", ")}, layout.shape, ${ss.map((_, k) => `layout.strides[${k}]`).join(", ")});
};`;
  return compileFunction(`cpu backend: the ${label} kernel`, CLOSURES_INSTEAD, ["helpers"], source)(elementwiseHelpers) as ElementwiseLoop;
}
