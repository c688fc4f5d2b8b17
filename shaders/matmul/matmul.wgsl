// matmul: C[b] = op(A[b]) * op(B[b]) (+ bias), float32, register-tiled.
//
// Bindings (group 0):
//   a      read        A, stored M x K (or K x M when TRANS_A), batch stride a_batch_stride
//   b      read        B, stored K x N (or N x K when TRANS_B), batch stride b_batch_stride
//   bias   read        N values added to every row (read only when HAS_BIAS)
//   out    read_write  C, batch x M x N, row-major
//   params uniform     sizes and tile counts below
//
// One invocation computes a 4x4 block of C in registers; a workgroup of WG_X x WG_Y
// invocations covers (4*WG_Y) rows by (4*WG_X) columns. There is no workgroup memory
// and no barrier: on SwiftShader (CPU Vulkan) barriers cost far more than the
// redundant global loads they would save.
// Out-of-range rows and columns are clamped to the last valid one so the K loop has
// no branches; their results are simply not stored.
//
// Tunables (override): WG_X, WG_Y workgroup shape; TRANS_A, TRANS_B, HAS_BIAS, RELU (fused max(c, 0)).

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

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override RELU: bool = false;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  // Folded dispatch: recover the linear workgroup index, then (batch, tile row, tile col).
  let wg = flat_workgroup_index(wid, nwg);
  let tiles = params.tiles_m * params.tiles_n;
  if (wg >= tiles * params.batch) { return; }
  let batch = wg / tiles;
  let tile = wg % tiles;
  let row0 = ((tile / params.tiles_n) * WG_Y + lid.y) * 4u;
  let col0 = ((tile % params.tiles_n) * WG_X + lid.x) * 4u;
  let M = params.M;
  let N = params.N;
  let K = params.K;
  if (row0 >= M || col0 >= N) { return; }

  // Offsets of the four A rows and four B columns at k = 0, and their steps along k.
  let a_base = batch * params.a_batch_stride;
  let b_base = batch * params.b_batch_stride;
  var a_off: vec4u;
  var b_off: vec4u;
  for (var i = 0u; i < 4u; i++) {
    let r = min(row0 + i, M - 1u);
    let c = min(col0 + i, N - 1u);
    a_off[i] = a_base + select(r * K, r, TRANS_A);
    b_off[i] = b_base + select(c, c * K, TRANS_B);
  }
  let a_step = select(1u, M, TRANS_A);
  let b_step = select(N, 1u, TRANS_B);

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k = 0u; k < K; k++) {
    let av = vec4f(a[a_off.x], a[a_off.y], a[a_off.z], a[a_off.w]);
    let bv = vec4f(b[b_off.x], b[b_off.y], b[b_off.z], b[b_off.w]);
    acc0 += av.x * bv;
    acc1 += av.y * bv;
    acc2 += av.z * bv;
    acc3 += av.w * bv;
    a_off += vec4u(a_step);
    b_off += vec4u(b_step);
  }

  var bias_v = vec4f(0.0);
  if (HAS_BIAS) {
    for (var j = 0u; j < 4u; j++) { bias_v[j] = bias[min(col0 + j, N - 1u)]; }
  }
  let acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  let out_base = batch * M * N;
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + i;
    if (r >= M) { break; }
    var v = acc[i] + bias_v;
    if (RELU) { v = relu_vec4f(v); }
    for (var j = 0u; j < 4u; j++) {
      if (col0 + j < N) { out[out_base + r * N + col0 + j] = v[j]; }
    }
  }
}
