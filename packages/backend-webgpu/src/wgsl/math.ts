import { productHelpers } from "./product.js";
import { sumHelpers } from "./sum.js";

/**
 * WGSL helper functions that give core's scalar functions their exact meaning on any
 * WebGPU device. WGSL lets implementations assume no NaN or infinity and leaves most
 * builtins loosely specified (SwiftShader's `a != a` is false for NaN, `max(NaN, 1)` is 1,
 * `log(0)` is -88, `sin` is off by 2e-4, `tanh(inf)` is NaN), so:
 *
 * - NaN, infinity and signed zero are tested on the bits (`bitcast<u32>`), never with
 *   comparisons, and produced as bit patterns;
 * - transcendentals are written here (Cephes-style range reduction and polynomials, a few
 *   float32 ulps), so every device computes the same thing;
 * - int32 corner cases (`x / 0`, `MIN / -1`, float conversions) are spelled out.
 *
 * Each helper names the helpers it calls; `helperSource(names)` emits a set with its
 * dependencies, so a generated shader carries only what it uses.
 *
 * ```ts
 * helperSource(["kiln_max_f32"]); // "fn kiln_isnan(...) ... fn kiln_max_f32(...) ..."
 * ```
 */
interface Helper {
  readonly deps: readonly string[];
  readonly source: string;
}

const H: Record<string, Helper> = {
  kiln_isnan: { deps: [], source: "fn kiln_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }" },
  kiln_isinf: { deps: [], source: "fn kiln_isinf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }" },
  kiln_finite: { deps: [], source: "fn kiln_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }" },
  kiln_iszero: { deps: [], source: "fn kiln_iszero(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0u; }" },
  kiln_signbit: { deps: [], source: "fn kiln_signbit(x: f32) -> bool { return (bitcast<u32>(x) & 0x80000000u) != 0u; }" },
  // A float from its bits, as a runtime value: WGSL rejects NaN and infinities in constant expressions.
  kiln_f32_bits: { deps: [], source: "fn kiln_f32_bits(b: u32) -> f32 { return bitcast<f32>(b); }" },
  kiln_nan: { deps: ["kiln_f32_bits"], source: "fn kiln_nan() -> f32 { return kiln_f32_bits(0x7fc00000u); }" },
  kiln_inf: {
    deps: ["kiln_f32_bits"],
    source: "fn kiln_inf(negative: bool) -> f32 { return kiln_f32_bits(select(0x7f800000u, 0xff800000u, negative)); }",
  },
  kiln_copysign: {
    deps: [],
    source:
      "fn kiln_copysign(x: f32, s: f32) -> f32 { return bitcast<f32>((bitcast<u32>(x) & 0x7fffffffu) | (bitcast<u32>(s) & 0x80000000u)); }",
  },
  // Ordered comparisons: false when either side is NaN. Decided on the bits (sign and
  // magnitude as one integer, both zeros 0), so a device that flushes subnormals in
  // arithmetic still orders them exactly: -1e-40 < 0 holds, 1e-40 == 0 does not.
  kiln_order: {
    deps: [],
    source:
      "fn kiln_order(x: f32) -> i32 { let u = bitcast<u32>(x); let m = i32(u & 0x7fffffffu); return select(m, -m, (u & 0x80000000u) != 0u); }",
  },
  kiln_lt: {
    deps: ["kiln_isnan", "kiln_order"],
    source: "fn kiln_lt(a: f32, b: f32) -> bool { return !kiln_isnan(a) && !kiln_isnan(b) && kiln_order(a) < kiln_order(b); }",
  },
  kiln_le: {
    deps: ["kiln_isnan", "kiln_order"],
    source: "fn kiln_le(a: f32, b: f32) -> bool { return !kiln_isnan(a) && !kiln_isnan(b) && kiln_order(a) <= kiln_order(b); }",
  },
  kiln_eq: {
    deps: ["kiln_isnan", "kiln_order"],
    source: "fn kiln_eq(a: f32, b: f32) -> bool { return !kiln_isnan(a) && !kiln_isnan(b) && kiln_order(a) == kiln_order(b); }",
  },
  // NaN wins; -0 orders below +0; subnormals compare on the bits (see kiln_order).
  kiln_max_f32: {
    deps: ["kiln_isnan", "kiln_nan", "kiln_order"],
    source: `fn kiln_max_f32(a: f32, b: f32) -> f32 {
  if (kiln_isnan(a) || kiln_isnan(b)) { return kiln_nan(); }
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  if (((ua | ub) & 0x7fffffffu) == 0u) { return bitcast<f32>(ua & ub); }
  return select(b, a, kiln_order(a) > kiln_order(b));
}`,
  },
  kiln_min_f32: {
    deps: ["kiln_isnan", "kiln_nan", "kiln_order"],
    source: `fn kiln_min_f32(a: f32, b: f32) -> f32 {
  if (kiln_isnan(a) || kiln_isnan(b)) { return kiln_nan(); }
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  if (((ua | ub) & 0x7fffffffu) == 0u) { return bitcast<f32>(ua | ub); }
  return select(b, a, kiln_order(a) < kiln_order(b));
}`,
  },
  // int32 -> float32 rounded to nearest even on every device: both halves convert exactly
  // and the one addition rounds (WGSL leaves the rounding of f32(i32) to the implementation).
  kiln_i2f: { deps: [], source: "fn kiln_i2f(a: i32) -> f32 { return f32(a >> 16u) * 65536.0 + f32(a & 0xffff); }" },
  // float32 -> int32: truncates toward zero, saturates, NaN is 0.
  kiln_f2i: {
    deps: ["kiln_isnan"],
    source: `fn kiln_f2i(x: f32) -> i32 {
  if (kiln_isnan(x)) { return 0; }
  if (x >= 2147483648.0) { return 2147483647; }
  if (x <= -2147483648.0) { return bitcast<i32>(0x80000000u); }
  return i32(x);
}`,
  },
  // float32 division that subnormals do not break. Devices may flush subnormal operands and
  // results to zero (WGSL allows it; SwiftShader does) and may compute a / b as a * (1 / b),
  // where 1 / b overflows for |b| < 2^-126 and flushes for |b| >= 2^126. So such a divisor,
  // and a subnormal dividend, are scaled by 2^64 or 2^-64 (exactly: powers of two, rebuilt
  // from the bits where subnormal), the quotient is scaled back exactly, and a quotient in
  // the subnormal range is built on the bits (`kiln_scale_down64`), where `kiln_floor`,
  // `kiln_ceil` and the comparisons read it exactly (floorDiv(-1, 3e38) is -1, not -0).
  kiln_subnormal: {
    deps: [],
    source: "fn kiln_subnormal(x: f32) -> bool { let u = bitcast<u32>(x); return (u & 0x7f800000u) == 0u && (u & 0x007fffffu) != 0u; }",
  },
  // A subnormal x times 2^64: its integer mantissa times 2^-149 * 2^64, a normal float.
  kiln_scale_up64: {
    deps: ["kiln_copysign"],
    source: "fn kiln_scale_up64(x: f32) -> f32 { return kiln_copysign(f32(bitcast<u32>(x) & 0x007fffffu) * 0x1p-85f, x); }",
  },
  // x times 2^-64, rounded to nearest even where the result is subnormal (built on the bits).
  kiln_scale_down64: {
    deps: [],
    source: `fn kiln_scale_down64(x: f32) -> f32 {
  let u = bitcast<u32>(x);
  let tiny = bitcast<f32>((u & 0x80000000u) | u32(round(abs(x) * 0x1p85f)));
  return select(tiny, x * 0x1p-64f, (u & 0x7fffffffu) >= 0x20800000u);
}`,
  },
  // Without branches (it sits in every sigmoid, and on SwiftShader a version with early
  // returns made the fused 10-op chain 1.4x slower; this one costs it about 1.1x): one
  // division of operands pre-scaled by exact powers of two, scaled back by 2^(64 e). A
  // subnormal dividend, or one far smaller than the divisor (its quotient may be subnormal),
  // is taken times 2^64; a subnormal divisor times 2^64 and one of 2^126 or more times 2^-64.
  kiln_div: {
    deps: ["kiln_scale_up64", "kiln_scale_down64"],
    source: `fn kiln_div(a: f32, b: f32) -> f32 {
  let ma = bitcast<u32>(a) & 0x7fffffffu;
  let mb = bitcast<u32>(b) & 0x7fffffffu;
  let ea = i32(ma >> 23u);
  let eb = i32(mb >> 23u);
  let sa = ma - 1u < 0x7fffffu;
  let sb = mb - 1u < 0x7fffffu;
  let hb = eb == 253 || eb == 254;
  let ta = !sa && ma != 0u && ea < 255 && eb < 255 && ea - eb < -124;
  let a2 = select(select(a, a * 0x1p64f, ta), kiln_scale_up64(a), sa);
  let b2 = select(select(b, b * 0x1p-64f, hb), kiln_scale_up64(b), sb);
  let q = a2 / b2;
  let e = select(0, 1, sb) - select(0, 1, sa || ta) - select(0, 1, hb);
  let q1 = select(q, kiln_scale_down64(q), e <= -2);
  let q2 = select(q1, kiln_scale_down64(q1), e <= -1);
  return select(q2, q2 * 0x1p64f, e >= 1);
}`,
  },
  // a * b where a device that flushes subnormal operands would turn infinity times a
  // subnormal into NaN (infinity times a flushed zero): then the product is the infinity of
  // the operands' combined sign, as IEEE gives. A true zero times infinity stays NaN.
  kiln_mul_ieee: {
    deps: ["kiln_isnan", "kiln_iszero"],
    source: `fn kiln_mul_ieee(a: f32, b: f32) -> f32 {
  let p = a * b;
  let flushed = kiln_isnan(p) && !kiln_isnan(a) && !kiln_isnan(b) && !kiln_iszero(a) && !kiln_iszero(b);
  return select(p, bitcast<f32>(((bitcast<u32>(a) ^ bitcast<u32>(b)) & 0x80000000u) | 0x7f800000u), flushed);
}`,
  },
  kiln_neg_i32: { deps: [], source: "fn kiln_neg_i32(a: i32) -> i32 { return bitcast<i32>(0u - bitcast<u32>(a)); }" },
  kiln_abs_i32: { deps: ["kiln_neg_i32"], source: "fn kiln_abs_i32(a: i32) -> i32 { return select(a, kiln_neg_i32(a), a < 0); }" },
  kiln_rem_i32: {
    deps: [],
    source: `fn kiln_rem_i32(a: i32, b: i32) -> i32 {
  if (b == 0 || b == -1) { return 0; }
  return a % b;
}`,
  },
  kiln_floordiv_i32: {
    deps: [],
    source: `fn kiln_floordiv_i32(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  if (b == -1) { return bitcast<i32>(0u - bitcast<u32>(a)); }
  let q = a / b;
  if (q * b != a && ((a < 0) != (b < 0))) { return q - 1; }
  return q;
}`,
  },
  kiln_pow_i32: {
    deps: [],
    source: `fn kiln_pow_i32(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(-1, 1, (b & 1) == 0); }
    return 0;
  }
  var result = 1;
  var base = a;
  var e = u32(b);
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) != 0u) { result = result * base; }
    base = base * base;
    e = e >> 1u;
  }
  return result;
}`,
  },
  // C's fmodf, exactly, on the bits (the musl algorithm): a - b * trunc(a / b) in float32 is not exact.
  kiln_rem_f32: {
    deps: ["kiln_nan"],
    source: `fn kiln_rem_f32(x: f32, y: f32) -> f32 {
  var ux = bitcast<u32>(x);
  var uy = bitcast<u32>(y);
  var ex = i32((ux >> 23u) & 0xffu);
  var ey = i32((uy >> 23u) & 0xffu);
  let sx = ux & 0x80000000u;
  if ((uy << 1u) == 0u || (uy & 0x7fffffffu) > 0x7f800000u || ex == 0xff) { return kiln_nan(); }
  if ((ux << 1u) <= (uy << 1u)) {
    if ((ux << 1u) == (uy << 1u)) { return bitcast<f32>(sx); }
    return x;
  }
  if (ex == 0) {
    var i = ux << 9u;
    loop { if ((i >> 31u) != 0u) { break; } ex = ex - 1; i = i << 1u; }
    ux = ux << u32(1 - ex);
  } else {
    ux = (ux & 0x007fffffu) | 0x00800000u;
  }
  if (ey == 0) {
    var i = uy << 9u;
    loop { if ((i >> 31u) != 0u) { break; } ey = ey - 1; i = i << 1u; }
    uy = uy << u32(1 - ey);
  } else {
    uy = (uy & 0x007fffffu) | 0x00800000u;
  }
  loop {
    if (ex <= ey) { break; }
    let i = ux - uy;
    if ((i >> 31u) == 0u) {
      if (i == 0u) { return bitcast<f32>(sx); }
      ux = i;
    }
    ux = ux << 1u;
    ex = ex - 1;
  }
  let i = ux - uy;
  if ((i >> 31u) == 0u) {
    if (i == 0u) { return bitcast<f32>(sx); }
    ux = i;
  }
  loop { if ((ux >> 23u) != 0u) { break; } ux = ux << 1u; ex = ex - 1; }
  if (ex > 0) {
    ux = (ux - 0x00800000u) | (u32(ex) << 23u);
  } else {
    ux = ux >> u32(1 - ex);
  }
  return bitcast<f32>(ux | sx);
}`,
  },
  // 2^n for n in [-252, 254] as a product of two normal powers (no subnormal intermediate).
  kiln_ldexp: {
    deps: [],
    source: `fn kiln_ldexp(x: f32, n: i32) -> f32 {
  let n1 = n / 2;
  let n2 = n - n1;
  return x * bitcast<f32>(u32(n1 + 127) << 23u) * bitcast<f32>(u32(n2 + 127) << 23u);
}`,
  },
  // Cephes expf: n = round(x / ln 2), r = x - n ln 2 in two parts, a degree-5 polynomial.
  kiln_exp: {
    deps: ["kiln_isnan", "kiln_inf", "kiln_ldexp"],
    source: `fn kiln_exp(x: f32) -> f32 {
  if (kiln_isnan(x)) { return x; }
  if (x > 88.72283935546875) { return kiln_inf(false); }
  if (x < -103.972084045410) { return 0.0; }
  let n = floor(x * 1.44269504088896341 + 0.5);
  let r = (x - n * 0.693359375) + n * 2.12194440e-4;
  let z = r * r;
  let p = (((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r + 1.6666665459e-1) * r + 5.0000001201e-1) * z + r + 1.0;
  return kiln_ldexp(p, i32(n));
}`,
  },
  // exp(x) - 1 without cancellation: a Taylor polynomial near 0, exp elsewhere; keeps -0.
  kiln_expm1: {
    deps: ["kiln_exp"],
    source: `fn kiln_expm1(x: f32) -> f32 {
  let a = abs(x);
  if (a < 1e-10) { return x; }
  if (a < 0.5) {
    let p = ((((((((x * (1.0 / 3628800.0) + (1.0 / 362880.0)) * x + (1.0 / 40320.0)) * x + (1.0 / 5040.0)) * x + (1.0 / 720.0)) * x + (1.0 / 120.0)) * x + (1.0 / 24.0)) * x + (1.0 / 6.0)) * x + 0.5);
    return x + x * x * p;
  }
  if (x < -17.0) { return -1.0; }
  return kiln_exp(x) - 1.0;
}`,
  },
  // Cephes logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)), a degree-8 polynomial in m - 1.
  kiln_log: {
    deps: ["kiln_isnan", "kiln_inf", "kiln_nan"],
    source: `fn kiln_log(x0: f32) -> f32 {
  let bits = bitcast<u32>(x0);
  if (kiln_isnan(x0) || bits == 0x7f800000u) { return x0; }
  if ((bits & 0x7fffffffu) == 0u) { return kiln_inf(true); }
  if ((bits & 0x80000000u) != 0u) { return kiln_nan(); }
  var x = x0;
  var e = 0;
  if ((bits & 0x7f800000u) == 0u) {
    // A subnormal, scaled by 2^24 on the bits (devices may flush subnormals in arithmetic).
    let f = bits & 0x7fffffu;
    let p = 31u - countLeadingZeros(f);
    x = bitcast<f32>(((p + 2u) << 23u) | ((f << (23u - p)) & 0x7fffffu));
    e = -24;
  }
  let b = bitcast<u32>(x);
  e = e + i32((b >> 23u) & 0xffu) - 126;
  var m = bitcast<f32>((b & 0x807fffffu) | 0x3f000000u);
  if (m < 0.70710678118654752440) { e = e - 1; m = m + m - 1.0; } else { m = m - 1.0; }
  let z = m * m;
  var y = ((((((((7.0376836292e-2 * m - 1.1514610310e-1) * m + 1.1676998740e-1) * m - 1.2420140846e-1) * m + 1.4249322787e-1) * m - 1.6668057665e-1) * m + 2.0000714765e-1) * m - 2.4999993993e-1) * m + 3.3333331174e-1) * m * z;
  let fe = f32(e);
  y = y - 2.12194440e-4 * fe;
  y = y - 0.5 * z;
  return (m + y) + 0.693359375 * fe;
}`,
  },
  // log(1 + x): 2 atanh(s) with s = x / (2 + x) near 0 (no cancellation), log elsewhere.
  kiln_log1p: {
    deps: ["kiln_log"],
    source: `fn kiln_log1p(x: f32) -> f32 {
  if (abs(x) < 0.25) {
    if (abs(x) < 1e-10) { return x; }
    let s = x / (2.0 + x);
    let z = s * s;
    return 2.0 * (s + s * z * ((((z * (1.0 / 11.0) + (1.0 / 9.0)) * z + (1.0 / 7.0)) * z + 0.2) * z + (1.0 / 3.0)));
  }
  return kiln_log(1.0 + x);
}`,
  },
  kiln_sqrt: {
    deps: ["kiln_isnan", "kiln_nan"],
    source: `fn kiln_sqrt(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  if (kiln_isnan(x) || (bits & 0x7fffffffu) == 0u) { return x; }
  if ((bits & 0x80000000u) != 0u) { return kiln_nan(); }
  return sqrt(x);
}`,
  },
  // Cephes sinf/cosf: reduction by pi/4 in three parts (accurate for |x| < 8192), two polynomials.
  // Payne-Hanek reduction for |x| >= 8192, where Cody-Waite loses digits (and u32(a * 4/pi)
  // overflows past 2^32): a = m * 2^k times 4/pi mod 8, from 12-bit pieces of 2/pi (bits
  // chosen by k, so no piece is a multiple of 8) times the 12-bit halves of m. Every product
  // and its reduction mod 8 is exact in f32; their sum is compensated (error about 2^-40).
  kiln_octant_big: {
    deps: ["kiln_sum_add"],
    source: `fn kiln_two_over_pi_bits(p: u32) -> u32 {
  var t = array<u32, 8>(0xa2f9836eu, 0x4e441529u, 0xfc2757d1u, 0xf534ddc0u, 0xdb629599u, 0x3c439041u, 0xfe5163abu, 0xdebbc561u);
  let w = p / 32u;
  let o = p % 32u;
  if (o <= 20u) { return (t[w] >> (20u - o)) & 0xfffu; }
  return ((t[w] << (o - 20u)) | (t[w + 1u] >> (52u - o))) & 0xfffu;
}
fn kiln_mod8(p: f32) -> f32 { return p - 8.0 * floor(p * 0.125); }
fn kiln_octant_big(a: f32) -> vec2<f32> {
  let bits = bitcast<u32>(a);
  let k = i32((bits >> 23u) & 0xffu) - 150;
  let m = (bits & 0x7fffffu) | 0x800000u;
  let mh = f32(m >> 12u);
  let ml = f32(m & 0xfffu);
  let i0 = max(k - 1, 1);
  var acc = vec2<f32>(0.0, 0.0);
  for (var j = 0; j < 6; j = j + 1) {
    let c = f32(kiln_two_over_pi_bits(u32(i0 - 1 + 12 * j)));
    let e = k - 10 - i0 - 12 * j;
    acc = kiln_sum_add(acc, kiln_mod8(ldexp(mh * c, e + 12)));
    acc = kiln_sum_add(acc, kiln_mod8(ldexp(ml * c, e)));
  }
  let hi = kiln_mod8(acc.x);
  var j = floor(hi);
  if ((u32(j) & 1u) == 1u) { j = j + 1.0; }
  let f = (hi - j) + acc.y;
  return vec2<f32>(f * 0.78539816339744831, f32(u32(j) & 7u));
}`,
  },
  kiln_sincos_core: {
    deps: ["kiln_octant_big"],
    source: `fn kiln_sin_poly(x: f32) -> f32 {
  let z = x * x;
  return ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * x + x;
}
fn kiln_cos_poly(x: f32) -> f32 {
  let z = x * x;
  return ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
}
fn kiln_octant(a: f32) -> vec2<f32> {
  if (a >= 8192.0) { return kiln_octant_big(a); }
  var j = u32(a * 1.27323954473516);
  var y = f32(j);
  if ((j & 1u) == 1u) { j = j + 1u; y = y + 1.0; }
  let r = ((a - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8;
  return vec2<f32>(r, f32(j & 7u));
}`,
  },
  kiln_sin: {
    deps: ["kiln_finite", "kiln_nan", "kiln_signbit", "kiln_sincos_core"],
    source: `fn kiln_sin(x: f32) -> f32 {
  if (!kiln_finite(x)) { return kiln_nan(); }
  let o = kiln_octant(abs(x));
  var j = u32(o.y);
  var negative = kiln_signbit(x);
  if (j > 3u) { negative = !negative; j = j - 4u; }
  var r = select(kiln_sin_poly(o.x), kiln_cos_poly(o.x), j == 1u || j == 2u);
  if (abs(x) < 1e-10) { r = abs(x); }
  return select(r, -r, negative);
}`,
  },
  kiln_cos: {
    deps: ["kiln_finite", "kiln_nan", "kiln_sincos_core"],
    source: `fn kiln_cos(x: f32) -> f32 {
  if (!kiln_finite(x)) { return kiln_nan(); }
  let o = kiln_octant(abs(x));
  var j = u32(o.y);
  var negative = false;
  if (j > 3u) { j = j - 4u; negative = !negative; }
  if (j > 1u) { negative = !negative; }
  let r = select(kiln_cos_poly(o.x), kiln_sin_poly(o.x), j == 1u || j == 2u);
  return select(r, -r, negative);
}`,
  },
  // Cephes tanhf: an odd polynomial below 0.625, 1 - 2 / (exp(2|x|) + 1) above, ±1 past 9.
  kiln_tanh: {
    deps: ["kiln_isnan", "kiln_exp", "kiln_copysign"],
    source: `fn kiln_tanh(x: f32) -> f32 {
  if (kiln_isnan(x)) { return x; }
  let a = abs(x);
  if (a < 1e-4) { return x; }
  if (a < 0.625) {
    let s = x * x;
    return ((((-5.70498872745e-3 * s + 2.06390887954e-2) * s - 5.37397155531e-2) * s + 1.33314422036e-1) * s - 3.33332819422e-1) * s * x + x;
  }
  if (a > 9.0) { return kiln_copysign(1.0, x); }
  return kiln_copysign(1.0 - 2.0 / (kiln_exp(2.0 * a) + 1.0), x);
}`,
  },
  // Cephes atanf on [0, inf): reduced to |t| <= tan(pi/8), then an odd polynomial.
  kiln_atan_pos: {
    deps: [],
    source: `fn kiln_atan_pos(x0: f32) -> f32 {
  var x = x0;
  var y0 = 0.0;
  if (x > 2.414213562373095) { y0 = 1.5707963267948966; x = -1.0 / x; }
  else if (x > 0.4142135623730950) { y0 = 0.7853981633974483; x = (x - 1.0) / (x + 1.0); }
  let z = x * x;
  return y0 + ((((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1) * z * x + x);
}`,
  },
  // atan2 with C's special cases (signed zeros, infinities) around the polynomial; zeros,
  // infinities and signs decided on the bits, so subnormal arguments keep their meaning.
  kiln_atan2: {
    deps: ["kiln_isnan", "kiln_nan", "kiln_iszero", "kiln_isinf", "kiln_signbit", "kiln_copysign", "kiln_atan_pos", "kiln_div"],
    source: `fn kiln_atan2(y: f32, x: f32) -> f32 {
  if (kiln_isnan(x) || kiln_isnan(y)) { return kiln_nan(); }
  let pi = 3.14159265358979;
  if (kiln_iszero(y)) {
    if (kiln_signbit(x)) { return kiln_copysign(pi, y); }
    return y;
  }
  if (kiln_iszero(x)) { return kiln_copysign(1.5707963267948966, y); }
  if (kiln_isinf(x)) {
    if (kiln_isinf(y)) { return kiln_copysign(select(0.7853981633974483, 2.356194490192345, kiln_signbit(x)), y); }
    return kiln_copysign(select(0.0, pi, kiln_signbit(x)), y);
  }
  if (kiln_isinf(y)) { return kiln_copysign(1.5707963267948966, y); }
  // |y| / |x| on the bits and with kiln_div: a device that flushes subnormals would make
  // atan2(-1e-45, 1e-45) 0 / 0 = NaN, not -pi/4.
  let t = kiln_atan_pos(kiln_div(bitcast<f32>(bitcast<u32>(y) & 0x7fffffffu), bitcast<f32>(bitcast<u32>(x) & 0x7fffffffu)));
  if (kiln_signbit(x)) { return kiln_copysign(pi - t, y); }
  return kiln_copysign(t, y);
}`,
  },
  // erf by its Taylor series near 0 (full relative precision), 1 - erfc elsewhere.
  kiln_erf: {
    deps: ["kiln_isnan", "kiln_erfc_pos", "kiln_copysign"],
    source: `fn kiln_erf(x: f32) -> f32 {
  if (kiln_isnan(x)) { return x; }
  let a = abs(x);
  if (a < 0.5) {
    let z = x * x;
    return x * 1.1283791670955126 * (((((((z * (-1.0 / 75600.0) + (1.0 / 9360.0)) * z - (1.0 / 1320.0)) * z + (1.0 / 216.0)) * z - (1.0 / 42.0)) * z + 0.1) * z - (1.0 / 3.0)) * z + 1.0);
  }
  if (a > 4.0) { return kiln_copysign(1.0, x); }
  return kiln_copysign(1.0 - kiln_erfc_pos(a), x);
}`,
  },
  kiln_erfc: {
    deps: ["kiln_isnan", "kiln_erf", "kiln_erfc_pos"],
    source: `fn kiln_erfc(x: f32) -> f32 {
  if (kiln_isnan(x)) { return x; }
  if (x < 0.5) { return 1.0 - kiln_erf(x); }
  if (x > 10.5) { return 0.0; }
  return kiln_erfc_pos(x);
}`,
  },
  // erfc(z) for z >= 0 (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7).
  kiln_erfc_pos: {
    deps: ["kiln_exp"],
    source: `fn kiln_erfc_pos(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * kiln_exp(-z * z + p);
}`,
  },
  // C's powf special cases; integer exponents up to 64 by squaring, others by exp(y log|x|).
  kiln_pow_f32: {
    deps: ["kiln_isnan", "kiln_nan", "kiln_iszero", "kiln_isinf", "kiln_inf", "kiln_signbit", "kiln_exp", "kiln_log"],
    source: `fn kiln_pow_f32(x: f32, y: f32) -> f32 {
  if (kiln_iszero(y) || bitcast<u32>(x) == 0x3f800000u) { return 1.0; }
  if (kiln_isnan(x) || kiln_isnan(y)) { return kiln_nan(); }
  let ax = abs(x);
  if (kiln_isinf(y)) {
    if (ax == 1.0) { return 1.0; }
    if ((ax < 1.0) != kiln_signbit(y)) { return 0.0; }
    return kiln_inf(false);
  }
  let ay = abs(y);
  let integer = floor(ay) == ay;
  let odd = integer && ay < 16777216.0 && (u32(ay) & 1u) == 1u;
  let negate = kiln_signbit(x) && odd;
  if (kiln_iszero(x) || kiln_isinf(x)) {
    let big = kiln_iszero(x) == kiln_signbit(y);
    let r = select(0.0, kiln_inf(false), big);
    return select(r, -r, negate);
  }
  if (kiln_signbit(x) && !integer) { return kiln_nan(); }
  var r = 1.0;
  if (integer && ay <= 64.0) {
    var b = ax;
    var e = u32(ay);
    loop {
      if (e == 0u) { break; }
      if ((e & 1u) != 0u) { r = r * b; }
      b = b * b;
      e = e >> 1u;
    }
    if (y < 0.0) { r = 1.0 / r; }
  } else {
    r = kiln_exp(y * kiln_log(ax));
  }
  return select(r, -r, negate);
}`,
  },
  // Error-free addition (Neumaier): s + e is exactly a + b. Non-finite sums carry no error term.
  kiln_two_sum: {
    deps: ["kiln_finite"],
    source: `fn kiln_two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = a + b;
  if (!kiln_finite(s)) { return vec2<f32>(s, 0.0); }
  if (abs(a) >= abs(b)) { return vec2<f32>(s, (a - s) + b); }
  return vec2<f32>(s, (b - s) + a);
}`,
  },
  // A compensated sum (value, error) plus a float, and two compensated sums added.
  kiln_sum_add: {
    deps: ["kiln_two_sum"],
    source: `fn kiln_sum_add(acc: vec2<f32>, v: f32) -> vec2<f32> { let t = kiln_two_sum(acc.x, v); return vec2<f32>(t.x, acc.y + t.y); }
fn kiln_sum_merge(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> { let t = kiln_two_sum(a.x, b.x); return vec2<f32>(t.x, a.y + b.y + t.y); }
fn kiln_sum_value(acc: vec2<f32>) -> f32 { if (!kiln_finite(acc.x)) { return acc.x; } return acc.x + acc.y; }`,
  },
  // Subnormals are decided on the bits (a device that flushes them would give -0 for floor(-1e-45), not -1).
  kiln_floor: {
    deps: ["kiln_finite", "kiln_subnormal"],
    source: `fn kiln_floor(x: f32) -> f32 {
  if (kiln_subnormal(x)) { return select(0.0, -1.0, (bitcast<u32>(x) & 0x80000000u) != 0u); }
  return select(x, floor(x), kiln_finite(x));
}`,
  },
  kiln_ceil: {
    deps: ["kiln_finite", "kiln_subnormal"],
    source: `fn kiln_ceil(x: f32) -> f32 {
  if (kiln_subnormal(x)) { return select(1.0, bitcast<f32>(0x80000000u), (bitcast<u32>(x) & 0x80000000u) != 0u); }
  return select(x, ceil(x), kiln_finite(x));
}`,
  },
  // WGSL's round is round-half-to-even.
  kiln_round: { deps: ["kiln_finite"], source: "fn kiln_round(x: f32) -> f32 { return select(x, round(x), kiln_finite(x)); }" },
  ...productHelpers,
  ...sumHelpers,
};

/** Every helper's name, for tests. */
export const HELPER_NAMES = Object.keys(H);

/**
 * The WGSL source of the named helpers and everything they call, each once, callees
 * first. Unknown names are ignored (callers pass every `kiln_*` word found in a shader).
 */
export function helperSource(names: Iterable<string>): string {
  const emitted = new Set<string>();
  const out: string[] = [];
  const visit = (name: string): void => {
    const helper = H[name];
    if (helper === undefined || emitted.has(name)) return;
    emitted.add(name);
    helper.deps.forEach(visit);
    out.push(helper.source);
  };
  for (const name of names) visit(name);
  return out.join("\n");
}

/** The helpers a piece of WGSL calls (any `kiln_*` identifier that names a helper). */
export function helpersUsedBy(source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(/\bkiln_[a-z0-9_]+/g)) if (H[match[0]] !== undefined) found.add(match[0]);
  // kiln_sin_poly, kiln_octant... live inside kiln_sincos_core.
  return [...found];
}
