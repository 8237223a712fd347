import type { ConcreteShape } from "../base/shape.js";
import type { ValueInfo } from "../ir/op.js";
import type { KernelKey, KernelKeyValue, KernelSpecialization } from "./backend.js";

/** A value as a kernel sees it: concrete shape and dtype. */
type ConcreteValue = ValueInfo & { readonly shape: ConcreteShape };

/** What `specialization` keeps of one value. */
function keyValue(value: ConcreteValue, spec: KernelSpecialization): KernelKeyValue {
  return {
    ...(spec.dtypes !== false ? { dtype: value.dtype } : {}),
    ...(spec.rank === true || spec.shapes === true ? { rank: value.shape.length } : {}),
    ...(spec.shapes === true ? { shape: value.shape } : {}),
  };
}

/**
 * The key a compiled kernel is cached under: exactly what its specialization names (dtypes
 * by default, ranks, exact dims, attrs), nothing more, so two calls that the kernel's code
 * cannot tell apart share one compiled form.
 *
 * ```ts
 * kernelKey({ rank: true, attrs: ["transposeA"] }, inputs, outputs, attrs).id; // "float32/2,float32/2>float32/2|{"transposeA":false}"
 * ```
 */
export function kernelKey<A extends object>(
  spec: KernelSpecialization,
  inputs: readonly ConcreteValue[],
  outputs: readonly ConcreteValue[],
  attrs: A,
): KernelKey<A> {
  const ins = inputs.map((v) => keyValue(v, spec));
  const outs = outputs.map((v) => keyValue(v, spec));
  const names =
    spec.attrs === true ? Object.keys(attrs).sort() : spec.attrs === undefined || spec.attrs === false ? [] : [...spec.attrs].sort();
  const kept = Object.fromEntries(names.map((k) => [k, (attrs as Record<string, unknown>)[k]])) as Partial<A>;
  const text = (v: KernelKeyValue) => `${v.dtype ?? ""}/${v.shape?.join("x") ?? v.rank ?? ""}`;
  const id = `${ins.map(text).join(",")}>${outs.map(text).join(",")}|${JSON.stringify(kept, attrText)}`;
  return { inputs: ins, outputs: outs, attrs: kept, id };
}

/**
 * JSON of attrs that keeps the numbers JSON cannot tell apart: NaN, ±Infinity (all `null`
 * in plain JSON) and -0 (`0`), so `fill(NaN)` and `fill(Infinity)` get different kernels.
 */
function attrText(_key: string, value: unknown): unknown {
  if (typeof value !== "number" || (Number.isFinite(value) && !Object.is(value, -0))) return value;
  return { number: Object.is(value, -0) ? "-0" : String(value) };
}
