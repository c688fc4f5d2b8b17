// conv2d_winograd_output: the last step of Winograd's F(2x2, 3x3) convolution. For output
// channel oc and tile t = (n, th, tw) it gathers the 16 products m[xi][oc][t] from
// conv2d_winograd_gemm.wgsl into the 4x4 M and stores the 2x2 outputs Y = A^T M A with
//   A^T = [1 1 1 0; 0 1 -1 -1]
// at out[n, oc, 2*th + r, 2*tw + c] (those inside OH x OW), plus bias and ReLU.
//
// Bindings (group 0):
//   m      read        products, 16 x OC8 x T8
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

/** A^T applied to a 4-vector. */
fn at(r: vec4f) -> vec2f {
  return vec2f(r.x + r.y + r.z, r.y - r.z - r.w);
}

/** Row r of M: the products of positions 4r..4r+3, `stride` apart from `k`. */
fn gather(k: u32, stride: u32) -> vec4f {
  return vec4f(m[k], m[k + stride], m[k + 2u * stride], m[k + 3u * stride]);
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
  let m0 = gather(first, stride);
  let m1 = gather(first + 4u * stride, stride);
  let m2 = gather(first + 8u * stride, stride);
  let m3 = gather(first + 12u * stride, stride);
  // A^T M: two combinations of rows; each through A^T again (= times A).
  var y0 = at(m0 + m1 + m2);
  var y1 = at(m1 - m2 - m3);
  if (HAS_BIAS) {
    let b = bias[oc];
    y0 += vec2f(b);
    y1 += vec2f(b);
  }
  if (RELU) {
    y0 = relu_vec2f(y0);
    y1 = relu_vec2f(y1);
  }
  let tiles = params.TH * params.TW;
  let n = t / tiles;
  let oh = 2u * ((t % tiles) / params.TW);
  let ow = 2u * (t % params.TW);
  let base = (n * params.OC + oc) * params.OH * params.OW + oh * params.OW + ow;
  let right = ow + 1u < params.OW;
  out[base] = y0.x;
  if (right) { out[base + 1u] = y0.y; }
  if (oh + 1u < params.OH) {
    out[base + params.OW] = y1.x;
    if (right) { out[base + params.OW + 1u] = y1.y; }
  }
}
