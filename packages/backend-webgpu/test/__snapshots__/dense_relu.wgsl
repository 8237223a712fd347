// matmul_f32_nn44_b0_64
@group(0) @binding(0) var<storage, read> in0: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> in1: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> in2: array<f32>;
@group(0) @binding(3) var<storage, read_write> out0: array<f32>;
@group(0) @binding(4) var<uniform> params: array<vec4<u32>, 2>;
fn param_u(i: u32) -> u32 { return params[i >> 2u][i & 3u]; }
fn param_i(i: u32) -> i32 { return bitcast<i32>(param_u(i)); }
fn param_f(i: u32) -> f32 { return bitcast<f32>(param_u(i)); }
fn kiln_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn kiln_iszero(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0u; }
fn kiln_mul_ieee(a: f32, b: f32) -> f32 {
  let p = a * b;
  let flushed = kiln_isnan(p) && !kiln_isnan(a) && !kiln_isnan(b) && !kiln_iszero(a) && !kiln_iszero(b);
  return select(p, bitcast<f32>(((bitcast<u32>(a) ^ bitcast<u32>(b)) & 0x80000000u) | 0x7f800000u), flushed);
}
fn kiln_order(x: f32) -> i32 { let u = bitcast<u32>(x); let m = i32(u & 0x7fffffffu); return select(m, -m, (u & 0x80000000u) != 0u); }
fn kiln_lt(a: f32, b: f32) -> bool { return !kiln_isnan(a) && !kiln_isnan(b) && kiln_order(a) < kiln_order(b); }
var<workgroup> As: array<vec4<f32>, 256>;
var<workgroup> Bs: array<vec4<f32>, 256>;
fn gemm_exact(v: f32, gm: u32, gn: u32, k0: u32, k1: u32, aOff: u32, bOff: u32) -> f32 {
  if (!kiln_isnan(v)) { return v; }
  let M = param_u(0u);
  let N = param_u(1u);
  let K = param_u(2u);
  var acc = 0.0;
  for (var gk = k0; gk < k1; gk = gk + 1u) {
    let ea = in0[(aOff + gm * K + gk) / 4u][(aOff + gm * K + gk) % 4u];
    let eb = in1[(bOff + gk * N + gn) / 4u][(bOff + gk * N + gn) % 4u];
    acc = acc + kiln_mul_ieee(ea, eb);
  }
  return acc;
}
fn store(i: u32, v: f32) {
  var rest = i;
  let c1 = rest % 32u; rest = rest / 32u;
  let c0 = rest;
  let x0 = in2[c1 * 1u];
  let t0 = (v + x0);
  let t1 = select(t0, 0.0, kiln_lt(t0, 0.0));
  out0[i] = t1;
}
@compute @workgroup_size(16, 16, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = gid.x + gid.y * nwg.x * 256u;
  let tx = lid3.x;
  let ty = lid3.y;
  let n0 = wid.x * 64u;
  let m0 = wid.y * 64u;
  let row0 = ty * 4u;
  let col0 = tx * 4u;
  let M = param_u(0u);
  let N = param_u(1u);
  let K = param_u(2u);
  let splits = param_u(3u);
  let b = wid.z / splits;
  let s = wid.z % splits;
  let kBegin = s * param_u(4u);
  let kEnd = min(K, kBegin + param_u(4u));
  let outBase = (s * param_u(5u) + b) * M * N;
  var rest = b;
  var aOff = 0u;
  var bOff = 0u;
  var acc0_0 = vec4<f32>(0.0);
  var acc1_0 = vec4<f32>(0.0);
  var acc2_0 = vec4<f32>(0.0);
  var acc3_0 = vec4<f32>(0.0);
  for (var kt = kBegin; kt < kEnd; kt = kt + 16u) {
    {
      let e = lid + 0u;
      let m = e / 4u; let k = (e % 4u) * 4u; let gm = m0 + m; let gk = kt + k;
      var v = vec4<f32>(0.0); if (gm < M && gk < kEnd) { v = in0[(aOff + gm * K + gk) / 4u]; }
      As[(k * 64u + m) / 4u][m % 4u] = v.x; As[((k + 1u) * 64u + m) / 4u][m % 4u] = v.y;
      As[((k + 2u) * 64u + m) / 4u][m % 4u] = v.z; As[((k + 3u) * 64u + m) / 4u][m % 4u] = v.w;
    }
    {
      let e = lid + 0u;
      let n = (e % 16u) * 4u; let k = e / 16u; let gn = n0 + n; let gk = kt + k;
      var v = vec4<f32>(0.0); if (gn < N && gk < kEnd) { v = in1[(bOff + gk * N + gn) / 4u]; }
      Bs[(k * 64u + n) / 4u] = v;
    }
    workgroupBarrier();
    let kLimit = min(16u, kEnd - kt);
    for (var kk = 0u; kk < kLimit; kk = kk + 1u) {
      let a0 = As[(kk * 64u + row0) / 4u + 0u];
      let b0 = Bs[(kk * 64u + col0) / 4u + 0u];
      acc0_0 = acc0_0 + vec4<f32>(a0[0]) * b0;
      acc1_0 = acc1_0 + vec4<f32>(a0[1]) * b0;
      acc2_0 = acc2_0 + vec4<f32>(a0[2]) * b0;
      acc3_0 = acc3_0 + vec4<f32>(a0[3]) * b0;
    }
    workgroupBarrier();
  }
  if (any((bitcast<vec4<u32>>(acc0_0) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u)) ||
      any((bitcast<vec4<u32>>(acc1_0) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u)) ||
      any((bitcast<vec4<u32>>(acc2_0) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u)) ||
      any((bitcast<vec4<u32>>(acc3_0) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u))) {
    var fix = array<vec4<f32>, 4>(acc0_0, acc1_0, acc2_0, acc3_0);
    for (var r = 0u; r < 4u; r = r + 1u) {
      for (var c = 0u; c < 4u; c = c + 1u) {
        let gm = m0 + row0 + r;
        let gn = n0 + col0 + c;
        if (gm < M && gn < N) { fix[r * 1u + c / 4u][c % 4u] = gemm_exact(fix[r * 1u + c / 4u][c % 4u], gm, gn, kBegin, kEnd, aOff, bOff); }
      }
    }
    acc0_0 = fix[0];
    acc1_0 = fix[1];
    acc2_0 = fix[2];
    acc3_0 = fix[3];
  }
  if (row0 + 0u + m0 < M) {
    if (col0 + 0u + n0 < N) { store(outBase + (m0 + row0 + 0u) * N + n0 + col0 + 0u, acc0_0[0]); }
    if (col0 + 1u + n0 < N) { store(outBase + (m0 + row0 + 0u) * N + n0 + col0 + 1u, acc0_0[1]); }
    if (col0 + 2u + n0 < N) { store(outBase + (m0 + row0 + 0u) * N + n0 + col0 + 2u, acc0_0[2]); }
    if (col0 + 3u + n0 < N) { store(outBase + (m0 + row0 + 0u) * N + n0 + col0 + 3u, acc0_0[3]); }
  }
  if (row0 + 1u + m0 < M) {
    if (col0 + 0u + n0 < N) { store(outBase + (m0 + row0 + 1u) * N + n0 + col0 + 0u, acc1_0[0]); }
    if (col0 + 1u + n0 < N) { store(outBase + (m0 + row0 + 1u) * N + n0 + col0 + 1u, acc1_0[1]); }
    if (col0 + 2u + n0 < N) { store(outBase + (m0 + row0 + 1u) * N + n0 + col0 + 2u, acc1_0[2]); }
    if (col0 + 3u + n0 < N) { store(outBase + (m0 + row0 + 1u) * N + n0 + col0 + 3u, acc1_0[3]); }
  }
  if (row0 + 2u + m0 < M) {
    if (col0 + 0u + n0 < N) { store(outBase + (m0 + row0 + 2u) * N + n0 + col0 + 0u, acc2_0[0]); }
    if (col0 + 1u + n0 < N) { store(outBase + (m0 + row0 + 2u) * N + n0 + col0 + 1u, acc2_0[1]); }
    if (col0 + 2u + n0 < N) { store(outBase + (m0 + row0 + 2u) * N + n0 + col0 + 2u, acc2_0[2]); }
    if (col0 + 3u + n0 < N) { store(outBase + (m0 + row0 + 2u) * N + n0 + col0 + 3u, acc2_0[3]); }
  }
  if (row0 + 3u + m0 < M) {
    if (col0 + 0u + n0 < N) { store(outBase + (m0 + row0 + 3u) * N + n0 + col0 + 0u, acc3_0[0]); }
    if (col0 + 1u + n0 < N) { store(outBase + (m0 + row0 + 3u) * N + n0 + col0 + 1u, acc3_0[1]); }
    if (col0 + 2u + n0 < N) { store(outBase + (m0 + row0 + 3u) * N + n0 + col0 + 2u, acc3_0[2]); }
    if (col0 + 3u + n0 < N) { store(outBase + (m0 + row0 + 3u) * N + n0 + col0 + 3u, acc3_0[3]); }
  }
}
