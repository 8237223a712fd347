// fused_AddV2_Sigmoid_Mul_Sub
@group(0) @binding(0) var<storage, read> in0: array<f32>;
@group(0) @binding(1) var<storage, read> in1: array<f32>;
@group(0) @binding(2) var<storage, read> in2: array<f32>;
@group(0) @binding(3) var<storage, read_write> out0: array<f32>;
fn kiln_copysign(x: f32, s: f32) -> f32 { return bitcast<f32>((bitcast<u32>(x) & 0x7fffffffu) | (bitcast<u32>(s) & 0x80000000u)); }
fn kiln_scale_up64(x: f32) -> f32 { return kiln_copysign(f32(bitcast<u32>(x) & 0x007fffffu) * 0x1p-85f, x); }
fn kiln_scale_down64(x: f32) -> f32 {
  let u = bitcast<u32>(x);
  let tiny = bitcast<f32>((u & 0x80000000u) | u32(round(abs(x) * 0x1p85f)));
  return select(tiny, x * 0x1p-64f, (u & 0x7fffffffu) >= 0x20800000u);
}
fn kiln_div(a: f32, b: f32) -> f32 {
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
}
fn kiln_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn kiln_f32_bits(b: u32) -> f32 { return bitcast<f32>(b); }
fn kiln_inf(negative: bool) -> f32 { return kiln_f32_bits(select(0x7f800000u, 0xff800000u, negative)); }
fn kiln_ldexp(x: f32, n: i32) -> f32 {
  let n1 = n / 2;
  let n2 = n - n1;
  return x * bitcast<f32>(u32(n1 + 127) << 23u) * bitcast<f32>(u32(n2 + 127) << 23u);
}
fn kiln_exp(x: f32) -> f32 {
  if (kiln_isnan(x)) { return x; }
  if (x > 88.72283935546875) { return kiln_inf(false); }
  if (x < -103.972084045410) { return 0.0; }
  let n = floor(x * 1.44269504088896341 + 0.5);
  let r = (x - n * 0.693359375) + n * 2.12194440e-4;
  let z = r * r;
  let p = (((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r + 1.6666665459e-1) * r + 5.0000001201e-1) * z + r + 1.0;
  return kiln_ldexp(p, i32(n));
}
@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = gid.x + gid.y * nwg.x * 256u;
  let i = index;
  if (i >= 32u) { return; }
  var rest = i;
  let c1 = rest % 8u; rest = rest / 8u;
  let c0 = rest;
  let x0 = in0[i];
  let x1 = in1[c1 * 1u];
  let x2 = in2[0u];
  let t0 = (x0 + x1);
  let t1 = kiln_div(1.0, (1.0 + kiln_exp((-t0))));
  let t2 = (t1 * x0);
  let t3 = (t2 - x2);
  out0[i] = t3;
}
