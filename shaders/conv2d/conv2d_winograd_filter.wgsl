// conv2d_winograd_filter: the filter half of Winograd's F(2x2, 3x3) convolution. Each 3x3
// filter g of (oc, ic) becomes the 4x4 U = G g G^T with
//   G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1],
// stored as u[(xi*IC + ic)*OC8 + oc] for the 16 positions xi = 4*row + col, zeros for
// oc >= OC (OC8 is OC rounded up to 8, so conv2d_winograd_gemm.wgsl reads whole vec4 pairs).
// The filter is addressed through signed strides, w(oc, ic, kh, kw) =
// w[w_base + oc*w_oc + ic*w_ic + kh*w_kh + kw*w_kw], so the same kernel serves the forward
// (OIHW as is) and the stride-1 input gradient (read as IOHW, flipped in both axes).
//
// Bindings (group 0):
//   w      read        filter
//   u      read_write  transformed filter, 16 x IC x OC8
//   params uniform     sizes and filter strides
//
// Per invocation: one (ic, oc) pair. Tunables (override): WG (workgroup size).

struct Params {
  IC: u32, OC: u32, OC8: u32,
  w_base: i32, w_oc: i32, w_ic: i32, w_kh: i32, w_kw: i32,
}

@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read_write> u: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;

/** G applied to one 3-vector: the 4 rows of G g. */
fn g_rows(a: vec3f) -> vec4f {
  return vec4f(a.x, 0.5 * (a.x + a.y + a.z), 0.5 * (a.x - a.y + a.z), a.z);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid.x;
  if (i >= params.IC * params.OC8) { return; }
  let oc = i % params.OC8;
  let ic = i / params.OC8;
  // G g: columns of g -> 4 rows each; t[c] is column c of G g.
  var t: array<vec4f, 3>;
  if (oc < params.OC) {
    let base = params.w_base + i32(oc) * params.w_oc + i32(ic) * params.w_ic;
    for (var c = 0; c < 3; c++) {
      let col = base + c * params.w_kw;
      t[c] = g_rows(vec3f(w[col], w[col + params.w_kh], w[col + 2 * params.w_kh]));
    }
  }
  // (G g) G^T: each row r of G g, (t[0][r], t[1][r], t[2][r]), through G again.
  let stride = params.IC * params.OC8;
  let first = ic * params.OC8 + oc;
  for (var r = 0u; r < 4u; r++) {
    let v = g_rows(vec3f(t[0][r], t[1][r], t[2][r]));
    for (var c = 0u; c < 4u; c++) {
      u[first + (4u * r + c) * stride] = v[c];
    }
  }
}
