/**
 * The exact path of a float32 GEMM output. The fast loops multiply every staged pair,
 * padding included, on a device that may flush subnormals: a padded tap (a zero standing
 * for the image's border) times an infinite filter element, or an infinity times a flushed
 * subnormal, is NaN where the product should contribute nothing or be infinite. Only a NaN
 * output can hide such a product (every other sum is unchanged by it), so an output the fast
 * loop makes NaN is summed again here, in the same ascending k: taps the op skips contribute
 * nothing and products use `kiln_mul_ieee`. A genuine NaN (a NaN input, infinity minus
 * infinity, a true zero times infinity) comes out NaN again. The hot loop is untouched.
 *
 * ```ts
 * exactDeclarations({ statements: "let ea = in0[aOff + gm * K + gk]; let eb = in1[bOff + gk * N + gn];" });
 * // fn gemm_exact(v: f32, gm: u32, gn: u32, k0: u32, k1: u32, aOff: u32, bOff: u32) -> f32 { ... }
 * ```
 */
export interface ExactTerms {
  /**
   * WGSL statements run for each k (`gm`, `gk`, `gn` in range; `M`, `N`, `K`, `aOff`, `bOff`
   * defined) that define `ea` and `eb`, the op's operands for this product, or `continue`
   * where the op has no product (a padding tap, a position off the stride grid).
   */
  readonly statements: string;
}

/** WGSL for `gemm_exact(v, gm, gn, k0, k1, aOff, bOff)`: `v` itself unless NaN, else the exact sum over `[k0, k1)`. */
export function exactDeclarations(terms: ExactTerms): string {
  return `fn gemm_exact(v: f32, gm: u32, gn: u32, k0: u32, k1: u32, aOff: u32, bOff: u32) -> f32 {
  if (!kiln_isnan(v)) { return v; }
  let M = param_u(0u);
  let N = param_u(1u);
  let K = param_u(2u);
  var acc = 0.0;
  for (var gk = k0; gk < k1; gk = gk + 1u) {
${terms.statements
  .split("\n")
  .map((line) => `    ${line}`)
  .join("\n")}
    acc = acc + kiln_mul_ieee(ea, eb);
  }
  return acc;
}`;
}

/**
 * WGSL that passes every accumulated output of a thread through `gemm_exact`, at one call
 * site in a rolled loop (unrolled per output, software GPUs compile the exact path many
 * times over). `accs[r][c]` are the thread's vec4 accumulators (row r, vec4 column c, as
 * WGSL names), at output row `row(r)`, column `col(c)` + lane; `k0`, `k1` its K range.
 * Empty for i32 or without exact terms.
 */
export function exactStage(
  type: "f32" | "i32",
  exact: ExactTerms | undefined,
  accs: readonly (readonly string[])[],
  row: string,
  col: string,
  k0: string,
  k1: string,
): string {
  if (type !== "f32" || exact === undefined) return "";
  const rows = accs.length;
  const cols = accs[0]!.length;
  const flat = accs.flat();
  // Checked on the vec4s first, so the usual output (no NaN) never touches the array.
  const anyNan = flat
    .map((name) => `any((bitcast<vec4<u32>>(${name}) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u))`)
    .join(" ||\n    ");
  return `if (${anyNan}) {
  var fix = array<vec4<f32>, ${flat.length}>(${flat.join(", ")});
  for (var r = 0u; r < ${rows}u; r = r + 1u) {
    for (var c = 0u; c < ${cols * 4}u; c = c + 1u) {
      let gm = ${row};
      let gn = ${col};
      if (gm < M && gn < N) { fix[r * ${cols}u + c / 4u][c % 4u] = gemm_exact(fix[r * ${cols}u + c / 4u][c % 4u], gm, gn, ${k0}, ${k1}, aOff, bOff); }
    }
  }
${flat.map((name, i) => `  ${name} = fix[${i}];`).join("\n")}
}`;
}

/** An element `i` of binding `name`, read as a scalar whether it is bound as scalars or as vec4s. */
export function scalarAt(name: string, vector: boolean, i: string): string {
  return vector ? `${name}[(${i}) / 4u][(${i}) % 4u]` : `${name}[${i}]`;
}
