// conv2d_winograd_input: the input half of Winograd's F(2x2, 3x3) convolution. The output
// is cut into 2x2 tiles; tile t = (n, th, tw) reads the 4x4 input patch d whose corner is
// (2*th - pad_t, 2*tw - pad_l) (zeros outside the image) and stores V = B^T d B with
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
// for the 16 positions xi = 4*row + col, in one of two layouts:
//   channel-major (the convolution):      v[(xi*IC8 + ic)*T8 + t]   (IC8 = IC)
//   tile-major (TILE_MAJOR, the filter
//   gradient, which reduces over tiles):  v[(xi*T8 + t)*IC8 + ic]   (T8 = T)
// so conv2d_winograd_gemm.wgsl always finds its reduction outermost. Tiles from T to T8 (T
// rounded up to 8) and channels from IC to IC8 are zeros: the GEMM needs no bounds checks.
//
// Bindings (group 0):
//   x      read        input, N x IC x H x W
//   v      read_write  transformed input, 16 x IC8 x T8 or 16 x T8 x IC8
//   params uniform     sizes, padding and tile counts
//
// Per invocation: one (ic, tile); neighbouring invocations take neighbouring tiles
// (channel-major) or channels (tile-major), so the 16 stores of a workgroup land in 16 runs
// of consecutive addresses. Tunables (override): WG (workgroup size), TILE_MAJOR.

struct Params {
  IC: u32, H: u32, W: u32, pad_t: i32, pad_l: i32,
  TH: u32, TW: u32, T: u32, T8: u32, IC8: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> v: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;
override TILE_MAJOR: bool = false;

/** B^T applied to a 4-vector. */
fn bt(d: vec4f) -> vec4f {
  return vec4f(d.x - d.z, d.y + d.z, d.z - d.y, d.y - d.w);
}

/** Four columns of input row ih (zeros outside the image); `safe` holds in-range column indices. */
fn load_row(plane: i32, ih: i32, safe: vec4i, col_ok: vec4<bool>) -> vec4f {
  if (ih < 0 || ih >= i32(params.H)) { return vec4f(0.0); }
  let row = plane + ih * i32(params.W);
  let vals = vec4f(x[u32(row + safe.x)], x[u32(row + safe.y)], x[u32(row + safe.z)], x[u32(row + safe.w)]);
  return select(vec4f(0.0), vals, col_ok);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid.x;
  if (i >= params.IC8 * params.T8) { return; }
  var t = i % params.T8;
  var ic = i / params.T8;
  if (TILE_MAJOR) {
    t = i / params.IC8;
    ic = i % params.IC8;
  }
  var d0 = vec4f(0.0); var d1 = vec4f(0.0); var d2 = vec4f(0.0); var d3 = vec4f(0.0);
  if (t < params.T && ic < params.IC) {
    let tiles = params.TH * params.TW;
    let n = t / tiles;
    let th = (t % tiles) / params.TW;
    let tw = t % params.TW;
    let ih0 = i32(2u * th) - params.pad_t;
    let iw0 = i32(2u * tw) - params.pad_l;
    let plane = i32((n * params.IC + ic) * params.H * params.W);
    let cols = vec4i(iw0, iw0 + 1, iw0 + 2, iw0 + 3);
    let col_ok = (cols >= vec4i(0)) & (cols < vec4i(i32(params.W)));
    let safe = select(vec4i(0), cols, col_ok);
    // Rows written out (not a loop over an array) so every register index is a constant.
    d0 = load_row(plane, ih0, safe, col_ok);
    d1 = load_row(plane, ih0 + 1, safe, col_ok);
    d2 = load_row(plane, ih0 + 2, safe, col_ok);
    d3 = load_row(plane, ih0 + 3, safe, col_ok);
  }
  // B^T d: combine rows; then each row of the result through B^T again (= times B).
  let r0 = bt(d0 - d2);
  let r1 = bt(d1 + d2);
  let r2 = bt(d2 - d1);
  let r3 = bt(d1 - d3);
  let stride = params.IC8 * params.T8;
  let first = select(ic * params.T8 + t, t * params.IC8 + ic, TILE_MAJOR);
  for (var c = 0u; c < 4u; c++) {
    v[first + c * stride] = r0[c];
    v[first + (4u + c) * stride] = r1[c];
    v[first + (8u + c) * stride] = r2[c];
    v[first + (12u + c) * stride] = r3[c];
  }
}
