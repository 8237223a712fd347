/**
 * WGSL helpers for float32 products with an unbounded exponent. WGSL has no f64, so a
 * running product is a pair `(m, e)` standing for `m * 2^e`: `m` a float32 with magnitude
 * in [0.5, 1) and `e` an integer held exactly in a float32 (clamped to +-2^23). Multiplying
 * two pairs multiplies the mantissas (no overflow or underflow is possible) and adds the
 * exponents, so intermediate products never leave the range, like the cpu oracle's
 * double-precision product; the result is rounded to float32 once (overflow to +-Infinity,
 * gradual underflow to subnormals and zero, round to nearest even).
 *
 * NaN, infinities and zeros travel as themselves in `m` (with `e` 0) and follow IEEE
 * rules decided on the bits: NaN wins, Infinity * 0 is NaN, signs multiply. Subnormal
 * inputs are split on their bits, so a device that flushes subnormals in arithmetic still
 * multiplies them exactly.
 *
 * ```wgsl
 * var acc = vec2<f32>(0.5, 1.0);                       // 1
 * acc = kiln_prod_mul(acc, kiln_prod_split(3e38));
 * acc = kiln_prod_mul(acc, kiln_prod_split(1e-30));
 * let p = kiln_prod_value(acc);                        // 3e8, not Infinity
 * ```
 */
export const productHelpers: Record<string, { readonly deps: readonly string[]; readonly source: string }> = {
  // x as (m, e): m in [+-0.5, +-1), or x itself (e 0) for zeros, infinities and NaN.
  // Branch-free (selects): a software GPU runs both sides of a divergent branch.
  kiln_prod_split: {
    deps: [],
    source: `fn kiln_prod_split(x: f32) -> vec2<f32> {
  let u = bitcast<u32>(x);
  let field = (u >> 23u) & 0xffu;
  let man = u & 0x7fffffu;
  let sub = field == 0u;
  let shift = countLeadingZeros(man | 1u) - 8u;
  let bits = select(man, (man << shift) & 0x7fffffu, sub);
  let e = select(i32(field) - 126, -125 - i32(shift), sub);
  let split = vec2<f32>(bitcast<f32>((u & 0x80000000u) | 0x3f000000u | bits), f32(e));
  return select(split, vec2<f32>(x, 0.0), field == 0xffu || (u & 0x7fffffffu) == 0u);
}`,
  },
  // The product of two (m, e) pairs, renormalised. Branch-free, like kiln_prod_split.
  kiln_prod_mul: {
    deps: ["kiln_isnan", "kiln_isinf", "kiln_iszero"],
    source: `fn kiln_prod_mul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let sign = (bitcast<u32>(a.x) ^ bitcast<u32>(b.x)) & 0x80000000u;
  let nan = kiln_isnan(a.x) || kiln_isnan(b.x);
  let inf = kiln_isinf(a.x) || kiln_isinf(b.x);
  let zero = kiln_iszero(a.x) || kiln_iszero(b.x);
  let m = a.x * b.x;
  let low = abs(m) < 0.5;
  let product = vec2<f32>(select(m, m * 2.0, low), clamp(a.y + b.y - select(0.0, 1.0, low), -8388608.0, 8388608.0));
  let special = select(select(sign, sign | 0x7f800000u, inf), 0x7fc00000u, nan || (inf && zero));
  return select(product, vec2<f32>(bitcast<f32>(special), 0.0), nan || inf || zero);
}`,
  },
  // m * 2^e rounded once to float32.
  kiln_prod_value: {
    deps: [],
    source: `fn kiln_prod_value(a: vec2<f32>) -> f32 {
  let u = bitcast<u32>(a.x);
  if ((u & 0x7f800000u) == 0x7f800000u || (u & 0x7fffffffu) == 0u) { return a.x; }
  let sign = u & 0x80000000u;
  let field = i32(a.y) + 126;
  if (field >= 255) { return bitcast<f32>(sign | 0x7f800000u); }
  if (field >= 1) { return bitcast<f32>(sign | (u32(field) << 23u) | (u & 0x7fffffu)); }
  let shift = u32(1 - field);
  if (shift > 24u) { return bitcast<f32>(sign); }
  let s = (u & 0x7fffffu) | 0x800000u;
  var q = s >> shift;
  let rest = s & ((1u << shift) - 1u);
  let half = 1u << (shift - 1u);
  if (rest > half || (rest == half && (q & 1u) == 1u)) { q = q + 1u; }
  return bitcast<f32>(sign | q);
}`,
  },
};
