// conv2d_winograd_f4_output: the last step of Winograd's F(4x4, 3x3) convolution. For
// output channel oc and tile t = (n, th, tw) it gathers the 36 products m[xi][oc][t] from
// conv2d_winograd_gemm.wgsl into the 6x6 M and stores the 4x4 outputs Y = A^T M A with
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
// at out[n, oc, 4*th + r, 4*tw + c] (those inside OH x OW), plus bias and ReLU.
//
// Bindings (group 0):
//   m      read        products, 36 x OC8 x T8
//   bias   read        OC values (read only when HAS_BIAS)
//   out    read_write  output, N x OC x OH x OW
//   params uniform     sizes and tile counts
//
// Per invocation: one (oc, tile); neighbours take neighbouring tiles (coalesced reads of m).
// Tunables (override): WG (workgroup size), HAS_BIAS, RELU.

struct Params {
  OC: u32, OH: u32, OW: u32, OC8: u32,
  TH: u32, TW: u32, T: u32, T8: u32,
}

@group(0) @binding(0) var<storage, read> m: array<f32>;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 64u;
override HAS_BIAS: bool = false;
override RELU: bool = false;

/** A^T applied to a 6-vector. */
fn at(r: array<f32, 6>) -> vec4f {
  let s = r[1] + r[2];
  let d = r[1] - r[2];
  let s2 = r[3] + r[4];
  let d2 = r[3] - r[4];
  return vec4f(r[0] + s + s2, d + 2.0 * d2, s + 4.0 * s2, d + 8.0 * d2 + r[5]);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid.x;
  if (i >= params.OC * params.T) { return; }
  let t = i % params.T;
  let oc = i / params.T;
  let stride = params.OC8 * params.T8;
  let first = oc * params.T8 + t;
  // M A: A^T applied to each row of M (q[r] holds row r's four results).
  var q: array<vec4f, 6>;
  for (var r = 0u; r < 6u; r++) {
    let k = first + 6u * r * stride;
    q[r] = at(array<f32, 6>(m[k], m[k + stride], m[k + 2u * stride], m[k + 3u * stride], m[k + 4u * stride], m[k + 5u * stride]));
  }
  var b = 0.0;
  if (HAS_BIAS) { b = bias[oc]; }
  let tiles = params.TH * params.TW;
  let n = t / tiles;
  let oh = 4u * ((t % tiles) / params.TW);
  let ow = 4u * (t % params.TW);
  let plane = (n * params.OC + oc) * params.OH * params.OW;
  // A^T (M A): down each column j, four output rows.
  for (var j = 0u; j < 4u; j++) {
    var y = at(array<f32, 6>(q[0][j], q[1][j], q[2][j], q[3][j], q[4][j], q[5][j])) + b;
    if (RELU) { y = relu_vec4f(y); }
    if (ow + j >= params.OW) { continue; }
    for (var r = 0u; r < 4u; r++) {
      if (oh + r < params.OH) { out[plane + (oh + r) * params.OW + ow + j] = y[r]; }
    }
  }
}
