// Roofline microbenchmark: f32 multiply-add throughput (tools/bench/roofline.ts).
// Bindings: params (uniform: iterations, the multiplier m and addend a), out (storage,
// one vec4 per invocation, so the work cannot be dropped).
// One invocation runs `iterations` rounds of 16 fma on 8 independent vec4 accumulators:
// 16 x 4 lanes x 2 flops = 128 flops per round. m and a come from the uniform, so no
// compiler can fold the chain. Tunables: WORKGROUP (invocations per workgroup).
struct Params {
  iterations: u32,
  m: f32,
  a: f32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;

override WORKGROUP: u32 = 256u;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  let s = f32(i & 255u) * 1e-6;
  var a0 = vec4<f32>(s, s + 0.1, s + 0.2, s + 0.3);
  var a1 = a0 + vec4<f32>(0.01);
  var a2 = a0 + vec4<f32>(0.02);
  var a3 = a0 + vec4<f32>(0.03);
  var a4 = a0 + vec4<f32>(0.04);
  var a5 = a0 + vec4<f32>(0.05);
  var a6 = a0 + vec4<f32>(0.06);
  var a7 = a0 + vec4<f32>(0.07);
  let m = vec4<f32>(params.m);
  let a = vec4<f32>(params.a);
  for (var k = 0u; k < params.iterations; k++) {
    a0 = fma(a0, m, a);
    a1 = fma(a1, m, a);
    a2 = fma(a2, m, a);
    a3 = fma(a3, m, a);
    a4 = fma(a4, m, a);
    a5 = fma(a5, m, a);
    a6 = fma(a6, m, a);
    a7 = fma(a7, m, a);
    a0 = fma(a0, m, a);
    a1 = fma(a1, m, a);
    a2 = fma(a2, m, a);
    a3 = fma(a3, m, a);
    a4 = fma(a4, m, a);
    a5 = fma(a5, m, a);
    a6 = fma(a6, m, a);
    a7 = fma(a7, m, a);
  }
  out[i] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}
