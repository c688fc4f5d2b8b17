enable subgroups;
// matmul_subgroup: C[b] = op(A[b]) * op(B[b]) (+ bias) (then ReLU), float32, sharing A
// through subgroup shuffles instead of workgroup memory: no barrier.
//
// Bindings and params are matmul.wgsl's (the launcher picks either kernel):
//   a      read        A, stored M x K (or K x M when TRANS_A), batch stride a_batch_stride
//   b      read        B, stored K x N (or N x K when TRANS_B), batch stride b_batch_stride
//   bias   read        N values added to every row (read only when HAS_BIAS)
//   out    read_write  C, batch x M x N, row-major
//   params uniform     sizes and tile counts (tiles of 4 rows x 256 columns)
//
// A workgroup of 64 invocations computes 4 rows by 256 columns of C, each invocation a
// 4 x 4 block. The whole workgroup shares its 4 rows, so every subgroup does, whatever
// the adapter's subgroup size S and however it splits the workgroup: per step of S along
// K, lane l loads A[rows][k0 + l] (four values), and each lane then takes every lane's
// values by subgroupShuffle while it reads its own four columns of B. A is read once per
// subgroup instead of once per invocation. Lanes past N still take part in the shuffles
// (they read a clamped column and store nothing).
// Measured: parity-tested on SwiftShader (subgroups of 4 there); written for real GPUs.
//
// Tunables (override): TRANS_A, TRANS_B, HAS_BIAS, RELU.

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

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override RELU: bool = false;

@compute @workgroup_size(64, 1, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) sg: u32,
) {
  let wg = flat_workgroup_index(wid, nwg);
  let tiles = params.tiles_m * params.tiles_n;
  // Uniform across the workgroup: the early return leaves no subgroup half-empty.
  if (wg >= tiles * params.batch) { return; }
  let batch = wg / tiles;
  let tile = wg % tiles;
  let row0 = (tile / params.tiles_n) * 4u;
  let col0 = ((tile % params.tiles_n) * 64u + lid) * 4u;
  let M = params.M;
  let N = params.N;
  let K = params.K;

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
  for (var k0 = 0u; k0 < K; k0 += sg) {
    let k = k0 + lane;
    var mine = vec4f(0.0);
    if (k < K) {
      let o = vec4u(k * a_step);
      let ao = a_off + o;
      mine = vec4f(a[ao.x], a[ao.y], a[ao.z], a[ao.w]);
    }
    let steps = min(sg, K - k0);
    for (var j = 0u; j < steps; j++) {
      let av = subgroupShuffle(mine, j);
      let bo = b_off + vec4u((k0 + j) * b_step);
      let bv = vec4f(b[bo.x], b[bo.y], b[bo.z], b[bo.w]);
      acc0 += av.x * bv;
      acc1 += av.y * bv;
      acc2 += av.z * bv;
      acc3 += av.w * bv;
    }
  }

  if (col0 >= N) { return; }
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
