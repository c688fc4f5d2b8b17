// matmul_vec4: C[b] = A[b] * B[b] (+ bias) (then ReLU) for A stored M x K and B stored
// K x N with K and N multiples of 4 (no transposes): every load and store is a vec4.
//
// Bindings (group 0):
//   a      read        A as M x K/4 vec4s, batch stride a_batch_stride (floats)
//   b      read        B as K x N/4 vec4s, batch stride b_batch_stride (floats)
//   bias   read        N values added to every row (read only when HAS_BIAS)
//   out    read_write  C as batch x M x N/4 vec4s
//   params uniform     matmul.wgsl's sizes and tile counts
//
// One invocation computes a 4x4 block of C (4 rows, one vec4 of columns); per 4 steps
// along K it loads 4 vec4s of A (4 rows x 4 k) and 4 vec4s of B (4 k x 4 columns) for
// 64 multiply-adds, a quarter of the loads of matmul.wgsl's scalar gathers. No
// workgroup memory, no barriers. Rows past M are clamped for loading, not stored.
//
// Tunables (override): WG_X, WG_Y, HAS_BIAS, RELU.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  batch: u32,
  tiles_m: u32,
  tiles_n: u32,
  a_batch_stride: u32,
  b_batch_stride: u32,
}

@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(4) var<uniform> params: Params;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
override HAS_BIAS: bool = false;
override RELU: bool = false;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let wg = flat_workgroup_index(wid, nwg);
  let tiles = params.tiles_m * params.tiles_n;
  if (wg >= tiles * params.batch) { return; }
  let batch = wg / tiles;
  let tile = wg % tiles;
  let row0 = ((tile / params.tiles_n) * WG_Y + lid.y) * 4u;
  let c4 = (tile % params.tiles_n) * WG_X + lid.x;
  let M = params.M;
  let N4 = params.N / 4u;
  let K4 = params.K / 4u;
  if (row0 >= M || c4 >= N4) { return; }

  // vec4 offsets of the four A rows at k = 0, and of B's column block at k = 0.
  let a_base = batch * params.a_batch_stride / 4u;
  var a_off: vec4u;
  for (var i = 0u; i < 4u; i++) { a_off[i] = a_base + min(row0 + i, M - 1u) * K4; }
  var b_off = batch * params.b_batch_stride / 4u + c4;

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var kk = 0u; kk < K4; kk++) {
    let b0 = b[b_off];
    let b1 = b[b_off + N4];
    let b2 = b[b_off + 2u * N4];
    let b3 = b[b_off + 3u * N4];
    b_off += 4u * N4;
    let a0 = a[a_off.x + kk];
    let a1 = a[a_off.y + kk];
    let a2 = a[a_off.z + kk];
    let a3 = a[a_off.w + kk];
    acc0 += a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
    acc1 += a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
    acc2 += a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
    acc3 += a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
  }

  var bias_v = vec4f(0.0);
  if (HAS_BIAS) { bias_v = vec4f(bias[4u * c4], bias[4u * c4 + 1u], bias[4u * c4 + 2u], bias[4u * c4 + 3u]); }
  let acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  let out_base = batch * M * N4;
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + i;
    if (r >= M) { break; }
    var v = acc[i] + bias_v;
    if (RELU) { v = relu_vec4f(v); }
    out[out_base + r * N4 + c4] = v;
  }
}
