// reduce_mean_f32_f32_serial
@group(0) @binding(0) var<storage, read> in0: array<f32>;
@group(0) @binding(1) var<storage, read_write> out0: array<f32>;
@group(0) @binding(2) var<uniform> params: array<vec4<u32>, 2>;
fn param_u(i: u32) -> u32 { return params[i >> 2u][i & 3u]; }
fn param_i(i: u32) -> i32 { return bitcast<i32>(param_u(i)); }
fn param_f(i: u32) -> f32 { return bitcast<f32>(param_u(i)); }
fn kiln_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn kiln_two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = a + b;
  if (!kiln_finite(s)) { return vec2<f32>(s, 0.0); }
  if (abs(a) >= abs(b)) { return vec2<f32>(s, (a - s) + b); }
  return vec2<f32>(s, (b - s) + a);
}
fn kiln_f32_bits(b: u32) -> f32 { return bitcast<f32>(b); }
fn kiln_inf(negative: bool) -> f32 { return kiln_f32_bits(select(0x7f800000u, 0xff800000u, negative)); }
fn kiln_wide_sum_add(acc: vec4<f32>, v: f32) -> vec4<f32> {
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
fn kiln_wide_sum_value(acc: vec4<f32>) -> f32 { return kiln_wide_sum_mean(acc, 1.0); }
fn kiln_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn kiln_nan() -> f32 { return kiln_f32_bits(0x7fc00000u); }
fn kiln_sqrt(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  if (kiln_isnan(x) || (bits & 0x7fffffffu) == 0u) { return x; }
  if ((bits & 0x80000000u) != 0u) { return kiln_nan(); }
  return sqrt(x);
}
// kiln_wide_sum_add
fn store(i: u32, v: f32) {
  let t0 = kiln_sqrt(v);
  out0[i] = t0;
}
@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = gid.x + gid.y * nwg.x * 256u;
  if (index >= param_u(0u) * param_u(2u)) { return; }
  let o = index / param_u(2u);
  let j = index % param_u(2u);
  let base = o * param_u(1u) * param_u(2u) + j;
  var acc = vec4<f32>(0.0);
  for (var k = 0u; k < param_u(1u); k = k + 1u) { acc = kiln_wide_sum_add(acc, in0[base + k * param_u(2u)]); }
  store(index, select(kiln_nan(), kiln_wide_sum_mean(acc, f32(param_u(4u))), param_u(4u) != 0u));
}
