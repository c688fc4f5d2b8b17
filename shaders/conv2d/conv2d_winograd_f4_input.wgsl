// conv2d_winograd_f4_input: the input half of Winograd's F(4x4, 3x3) convolution. The
// output is cut into 4x4 tiles; tile t = (n, th, tw) reads the 6x6 input patch d whose
// corner is (4*th - pad_t, 4*tw - pad_l) (zeros outside the image) and stores V = B^T d B with
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
// at v[(xi*IC + ic)*T8 + t] for the 36 positions xi = 6*row + col (the reduction outermost,
// as conv2d_winograd_gemm.wgsl reads it). Tiles from T to T8 (T rounded up to 8) are zeros.
//
// Bindings (group 0):
//   x      read        input, N x IC x H x W
//   v      read_write  transformed input, 36 x IC x T8
//   params uniform     sizes, padding and tile counts
//
// Per invocation: one (ic, tile); neighbouring invocations take neighbouring tiles.
// Tunables (override): WG (workgroup size).
//
// Measured on SwiftShader (resnet20's 3x3 layers at batch 16 and 64): faster than F(2x2, 3x3)
// on 28x28 and 7x7 maps, not on 14x14 ones (four 4x4 tiles cover 16x16, 30% of it padding);
// the tuner chooses per shape class. Not measured on a GPU.

struct Params {
  IC: u32, H: u32, W: u32, pad_t: i32, pad_l: i32,
  TH: u32, TW: u32, T: u32, T8: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> v: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;

/** B^T applied to a 6-vector. */
fn bt(d: array<f32, 6>) -> array<f32, 6> {
  return array<f32, 6>(
    4.0 * d[0] - 5.0 * d[2] + d[4],
    d[3] + d[4] - 4.0 * (d[1] + d[2]),
    d[4] - d[3] + 4.0 * (d[1] - d[2]),
    d[4] - d[2] + 2.0 * (d[3] - d[1]),
    d[4] - d[2] + 2.0 * (d[1] - d[3]),
    4.0 * d[1] - 5.0 * d[3] + d[5],
  );
}

/** Six columns of input row ih from column iw0 on (zeros outside the image). */
fn load_row(plane: i32, ih: i32, iw0: i32) -> array<f32, 6> {
  var r = array<f32, 6>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
  if (ih < 0 || ih >= i32(params.H)) { return r; }
  let row = plane + ih * i32(params.W);
  for (var c = 0; c < 6; c++) {
    let iw = iw0 + c;
    if (iw >= 0 && iw < i32(params.W)) { r[c] = x[u32(row + iw)]; }
  }
  return r;
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid.x;
  if (i >= params.IC * params.T8) { return; }
  let t = i % params.T8;
  let ic = i / params.T8;
  // d B, row by row (B^T applied to each row), then B^T down each column.
  var e: array<array<f32, 6>, 6>;
  if (t < params.T) {
    let tiles = params.TH * params.TW;
    let n = t / tiles;
    let ih0 = i32(4u * ((t % tiles) / params.TW)) - params.pad_t;
    let iw0 = i32(4u * (t % params.TW)) - params.pad_l;
    let plane = i32((n * params.IC + ic) * params.H * params.W);
    for (var r = 0; r < 6; r++) { e[r] = bt(load_row(plane, ih0 + r, iw0)); }
  }
  let stride = params.IC * params.T8;
  let first = ic * params.T8 + t;
  for (var c = 0u; c < 6u; c++) {
    let col = bt(array<f32, 6>(e[0][c], e[1][c], e[2][c], e[3][c], e[4][c], e[5][c]));
    for (var r = 0u; r < 6u; r++) {
      v[first + (6u * r + c) * stride] = col[r];
    }
  }
}
