/**
 * WGSL helpers for float32 sums that match a double-precision sum rounded once. WGSL has
 * no f64, so a running sum is a `vec4<f32>`: two compensated (sum, error) pairs
 * (`kiln_two_sum`, error-free per element). `.xy` adds the elements below 2^64 in
 * magnitude; `.zw` adds the larger ones scaled by 2^-64 (exactly). Neither pair can
 * overflow (2^32 elements below 2^64 stay below 2^96), so `3e38 + 3e38 - 3e38` is 3e38 as
 * in double precision, not Infinity, and `-3e38 - 3e38 + Infinity` is Infinity, not NaN;
 * the two pairs are combined and rounded to float32 once, at the end. Infinities and NaN
 * go into `.x` and stay there (Infinity - Infinity is NaN).
 *
 * ```wgsl
 * var acc = vec4<f32>(0.0);
 * acc = kiln_wide_sum_add(acc, 3e38);
 * acc = kiln_wide_sum_add(acc, 3e38);
 * acc = kiln_wide_sum_add(acc, -3e38);
 * let s = kiln_wide_sum_value(acc); // 3e38
 * ```
 */
export const sumHelpers: Record<string, { readonly deps: readonly string[]; readonly source: string }> = {
  // One element into a running sum; two running sums merged; the sum divided by n (1 for
  // the sum itself), rounded to float32 once. Shaders name kiln_wide_sum_add to get all four.
  kiln_wide_sum_add: {
    deps: ["kiln_two_sum", "kiln_finite", "kiln_inf"],
    source: `fn kiln_wide_sum_add(acc: vec4<f32>, v: f32) -> vec4<f32> {
  let field = bitcast<u32>(v) & 0x7f800000u;
  let large = field >= 0x5f800000u && field != 0x7f800000u;
  let t = kiln_two_sum(select(acc.x, acc.z, large), v * select(1.0, 0x1p-64f, large));
  let e = select(acc.y, acc.w, large) + t.y;
  return select(vec4<f32>(t.x, e, acc.z, acc.w), vec4<f32>(acc.x, acc.y, t.x, e), large);
}
fn kiln_wide_sum_merge(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
  let s = kiln_two_sum(a.x, b.x);
  let l = kiln_two_sum(a.z, b.z);
  return vec4<f32>(s.x, a.y + b.y + s.y, l.x, a.w + b.w + l.y);
}
fn kiln_wide_sum_mean(acc: vec4<f32>, n: f32) -> f32 {
  if (!kiln_finite(acc.x)) { return acc.x; }
  if (acc.z == 0.0 && acc.w == 0.0) { return (acc.x + acc.y) / n; }
  let large = acc.z + acc.w;
  if (n == 1.0 && abs(large) < 0x1p63f) {
    let t = kiln_two_sum(acc.z * 0x1p64f, acc.x);
    return t.x + (t.y + (acc.w * 0x1p64f + acc.y));
  }
  let scaled = (acc.z + (acc.w + (acc.x + acc.y) * 0x1p-64f)) / n;
  if (abs(scaled) >= 0x1p64f) { return kiln_inf(scaled < 0.0); }
  return scaled * 0x1p64f;
}
fn kiln_wide_sum_value(acc: vec4<f32>) -> f32 { return kiln_wide_sum_mean(acc, 1.0); }`,
  },
};
