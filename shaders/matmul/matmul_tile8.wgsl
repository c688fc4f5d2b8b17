// matmul_tile8: matmul.wgsl with 8x8 register tiles,
//   C[b] = op(A[b]) * op(B[b]) (+ bias) (then max(c, 0) when RELU), float32.
//
// Why: matmul.wgsl's 4x4 block loads 8 values per 16 multiply-adds; this one loads 16 per
// 64. On SwiftShader every storage load is a bounds-checked gather costing several
// multiply-adds, so loads set the time (conv2d_tile8.wgsl made the same step for
// convolutions). Fewer, larger tiles: the launcher offers it beside the 4x4 kernels and
// the tuner keeps whichever is faster per shape class.
//
// Bindings (group 0):
//   a      read        A, stored M x K (or K x M when TRANS_A), batch stride a_batch_stride
//   b      read        B, stored K x N (or N x K when TRANS_B), batch stride b_batch_stride
//   bias   read        N values added to every row (read only when HAS_BIAS)
//   out    read_write  C, batch x M x N, row-major
//   params uniform     sizes and tile counts below
//
// One invocation computes an 8x8 block of C (two vec4 halves per row); a workgroup of
// WG_X x WG_Y invocations covers (8*WG_Y) rows by (8*WG_X) columns. Out-of-range rows and
// columns are clamped to the last valid one so the K loop has no branches; their results
// are not stored. Accumulators are named (acc0..acc15) so every register index is a constant.
//
// Tunables (override): WG_X, WG_Y; TRANS_A, TRANS_B, HAS_BIAS, RELU.

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
  let wg = flat_workgroup_index(wid, nwg);
  let tiles = params.tiles_m * params.tiles_n;
  if (wg >= tiles * params.batch) { return; }
  let batch = wg / tiles;
  let tile = wg % tiles;
  let row0 = ((tile / params.tiles_n) * WG_Y + lid.y) * 8u;
  let col0 = ((tile % params.tiles_n) * WG_X + lid.x) * 8u;
  let M = params.M;
  let N = params.N;
  let K = params.K;
  if (row0 >= M || col0 >= N) { return; }

  // Offsets of the eight A rows and eight B columns at k = 0 (halves lo: 0-3, hi: 4-7), and their steps along k.
  let a_base = batch * params.a_batch_stride;
  let b_base = batch * params.b_batch_stride;
  var a_lo: vec4u; var a_hi: vec4u;
  var b_lo: vec4u; var b_hi: vec4u;
  for (var i = 0u; i < 4u; i++) {
    let r0 = min(row0 + i, M - 1u);
    let r1 = min(row0 + 4u + i, M - 1u);
    let c0 = min(col0 + i, N - 1u);
    let c1 = min(col0 + 4u + i, N - 1u);
    a_lo[i] = a_base + select(r0 * K, r0, TRANS_A);
    a_hi[i] = a_base + select(r1 * K, r1, TRANS_A);
    b_lo[i] = b_base + select(c0, c0 * K, TRANS_B);
    b_hi[i] = b_base + select(c1, c1 * K, TRANS_B);
  }
  let a_step = vec4u(select(1u, M, TRANS_A));
  let b_step = vec4u(select(N, 1u, TRANS_B));

  var acc0 = vec4f(0.0); var acc1 = vec4f(0.0); var acc2 = vec4f(0.0); var acc3 = vec4f(0.0);
  var acc4 = vec4f(0.0); var acc5 = vec4f(0.0); var acc6 = vec4f(0.0); var acc7 = vec4f(0.0);
  var acc8 = vec4f(0.0); var acc9 = vec4f(0.0); var acc10 = vec4f(0.0); var acc11 = vec4f(0.0);
  var acc12 = vec4f(0.0); var acc13 = vec4f(0.0); var acc14 = vec4f(0.0); var acc15 = vec4f(0.0);
  for (var k = 0u; k < K; k++) {
    let al = vec4f(a[a_lo.x], a[a_lo.y], a[a_lo.z], a[a_lo.w]);
    let ah = vec4f(a[a_hi.x], a[a_hi.y], a[a_hi.z], a[a_hi.w]);
    let bl = vec4f(b[b_lo.x], b[b_lo.y], b[b_lo.z], b[b_lo.w]);
    let bh = vec4f(b[b_hi.x], b[b_hi.y], b[b_hi.z], b[b_hi.w]);
    // Row i of the tile: acc(2i) holds columns 0-3, acc(2i+1) columns 4-7.
    acc0 += al.x * bl; acc1 += al.x * bh;
    acc2 += al.y * bl; acc3 += al.y * bh;
    acc4 += al.z * bl; acc5 += al.z * bh;
    acc6 += al.w * bl; acc7 += al.w * bh;
    acc8 += ah.x * bl; acc9 += ah.x * bh;
    acc10 += ah.y * bl; acc11 += ah.y * bh;
    acc12 += ah.z * bl; acc13 += ah.z * bh;
    acc14 += ah.w * bl; acc15 += ah.w * bh;
    a_lo += a_step; a_hi += a_step;
    b_lo += b_step; b_hi += b_step;
  }

  var bias_lo = vec4f(0.0);
  var bias_hi = vec4f(0.0);
  if (HAS_BIAS) {
    bias_lo = vec4f(bias[min(col0, N - 1u)], bias[min(col0 + 1u, N - 1u)], bias[min(col0 + 2u, N - 1u)], bias[min(col0 + 3u, N - 1u)]);
    bias_hi = vec4f(bias[min(col0 + 4u, N - 1u)], bias[min(col0 + 5u, N - 1u)], bias[min(col0 + 6u, N - 1u)], bias[min(col0 + 7u, N - 1u)]);
  }
  let out_row = batch * M * N + row0 * N + col0;
  store_row(out_row, row0, col0, acc0 + bias_lo, acc1 + bias_hi);
  store_row(out_row + N, row0 + 1u, col0, acc2 + bias_lo, acc3 + bias_hi);
  store_row(out_row + 2u * N, row0 + 2u, col0, acc4 + bias_lo, acc5 + bias_hi);
  store_row(out_row + 3u * N, row0 + 3u, col0, acc6 + bias_lo, acc7 + bias_hi);
  store_row(out_row + 4u * N, row0 + 4u, col0, acc8 + bias_lo, acc9 + bias_hi);
  store_row(out_row + 5u * N, row0 + 5u, col0, acc10 + bias_lo, acc11 + bias_hi);
  store_row(out_row + 6u * N, row0 + 6u, col0, acc12 + bias_lo, acc13 + bias_hi);
  store_row(out_row + 7u * N, row0 + 7u, col0, acc14 + bias_lo, acc15 + bias_hi);
}

/** Row r's 8 values from column col0 (those inside C), with ReLU when fused. */
fn store_row(at: u32, r: u32, col0: u32, lo: vec4f, hi: vec4f) {
  if (r >= params.M) { return; }
  var l = lo;
  var h = hi;
  if (RELU) { l = relu_vec4f(l); h = relu_vec4f(h); }
  for (var j = 0u; j < 8u; j++) {
    if (col0 + j >= params.N) { break; }
    out[at + j] = select(h[j & 3u], l[j & 3u], j < 4u);
  }
}
