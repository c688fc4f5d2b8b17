// matmul_f16: C[b] = op(A[b]) * op(B[b]) (+ bias) (then ReLU) with A and B stored in f16
// and the sum in f32: matmul_shared's workgroup-memory tiles, whose values are rounded to
// f16 as they are copied in. An f16 row: offered only at precision 'f16' (inference) on
// devices with shader-f16 (variants.ts).
//
// Bindings and params are matmul.wgsl's:
//   a      read        A (float32), stored M x K (or K x M when TRANS_A), batch stride a_batch_stride
//   b      read        B (float32), stored K x N (or N x K when TRANS_B), batch stride b_batch_stride
//   bias   read        N float32 values added to every row (read only when HAS_BIAS)
//   out    read_write  C (float32), batch x M x N, row-major
//   params uniform     sizes and tile counts (tiles of 64 x 64)
//
// A workgroup of 16 x 16 invocations computes a 64 x 64 tile of C, each invocation a
// 4 x 4 block. The f16 tiles hold twice matmul_shared's depth in the same 8 KiB: per step
// of 32 along K the workgroup copies a 64 x 32 slice of A and a 32 x 64 slice of B (8 + 8
// values per invocation, read along the stored rows), waits at a barrier, and multiplies
// from there, each f16 product widened to f32 (exact: 11 + 11 significand bits) and
// summed in f32. Half the barriers of matmul_shared per K, half its workgroup-memory reads
// in bytes. Out-of-range elements load as zero. Parity-tested and timed on lavapipe only
// (the one adapter here with shader-f16, a CPU), never yet on a GPU.
//
// Tunables (override): TRANS_A, TRANS_B, HAS_BIAS, RELU.
enable f16;

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

const TILE = 64u;
const TK = 32u;

// A slice [TK][TILE] (k-major) and B slice [TK][TILE], in f16.
var<workgroup> a_tile: array<f16, 2048>;
var<workgroup> b_tile: array<f16, 2048>;

@compute @workgroup_size(16, 16, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) li: u32,
) {
  let wg = flat_workgroup_index(wid, nwg);
  let tiles = params.tiles_m * params.tiles_n;
  // Uniform across the workgroup, so the barriers below stay in uniform control flow.
  if (wg >= tiles * params.batch) { return; }
  let batch = wg / tiles;
  let tile = wg % tiles;
  let tile_row = (tile / params.tiles_n) * TILE;
  let tile_col = (tile % params.tiles_n) * TILE;
  let M = params.M;
  let N = params.N;
  let K = params.K;
  let a_base = batch * params.a_batch_stride;
  let b_base = batch * params.b_batch_stride;

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var i = 0u; i < 8u; i++) {
      let e = li + i * 256u;
      // A element e: along K first when A is stored M x K, along M first when K x M.
      var r = e / TK;
      var kk = e % TK;
      if (TRANS_A) {
        r = e % TILE;
        kk = e / TILE;
      }
      let row = tile_row + r;
      let ka = k0 + kk;
      var av = 0.0;
      if (row < M && ka < K) { av = a[a_base + select(row * K + ka, ka * M + row, TRANS_A)]; }
      a_tile[kk * TILE + r] = f16(av);
      // B element e: along N first when B is stored K x N, along K first when N x K.
      var c = e % TILE;
      var kb = e / TILE;
      if (TRANS_B) {
        c = e / TK;
        kb = e % TK;
      }
      let col = tile_col + c;
      let k = k0 + kb;
      var bv = 0.0;
      if (col < N && k < K) { bv = b[b_base + select(k * N + col, col * K + k, TRANS_B)]; }
      b_tile[kb * TILE + c] = f16(bv);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let ar = kk * TILE + lid.y * 4u;
      let bc = kk * TILE + lid.x * 4u;
      let av = vec4f(vec4h(a_tile[ar], a_tile[ar + 1u], a_tile[ar + 2u], a_tile[ar + 3u]));
      let bv = vec4f(vec4h(b_tile[bc], b_tile[bc + 1u], b_tile[bc + 2u], b_tile[bc + 3u]));
      acc0 += av.x * bv;
      acc1 += av.y * bv;
      acc2 += av.z * bv;
      acc3 += av.w * bv;
    }
    workgroupBarrier();
  }

  let row0 = tile_row + lid.y * 4u;
  let col0 = tile_col + lid.x * 4u;
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
