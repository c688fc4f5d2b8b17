// conv2d_winograd_f4_filter: the filter half of Winograd's F(4x4, 3x3) convolution. Each
// 3x3 filter g of (oc, ic) becomes the 6x6 U = G g G^T with
//   G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1],
// stored as u[(xi*IC + ic)*OC8 + oc] for the 36 positions xi = 6*row + col, zeros for
// oc >= OC (OC8 is OC rounded up to 8, so conv2d_winograd_gemm.wgsl reads whole vec4 pairs).
// The filter is addressed through signed strides as in conv2d_winograd_filter.wgsl, so the
// same kernel serves the forward and the stride-1 input gradient (flipped).
//
// Bindings (group 0):
//   w      read        filter
//   u      read_write  transformed filter, 36 x IC x OC8
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

/** G applied to one 3-vector: the 6 rows of G g. */
fn g_rows(a: vec3f) -> array<f32, 6> {
  let even = a.x + a.z;
  return array<f32, 6>(
    0.25 * a.x,
    -(even + a.y) / 6.0,
    -(even - a.y) / 6.0,
    a.x / 24.0 + a.y / 12.0 + a.z / 6.0,
    a.x / 24.0 - a.y / 12.0 + a.z / 6.0,
    a.z,
  );
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
  // G g: each column c of g -> 6 rows; t0, t1, t2 are the columns of G g.
  var g = array<vec3f, 3>(vec3f(0.0), vec3f(0.0), vec3f(0.0));
  if (oc < params.OC) {
    let base = params.w_base + i32(oc) * params.w_oc + i32(ic) * params.w_ic;
    for (var c = 0; c < 3; c++) {
      let col = base + c * params.w_kw;
      g[c] = vec3f(w[col], w[col + params.w_kh], w[col + 2 * params.w_kh]);
    }
  }
  let t0 = g_rows(g[0]);
  let t1 = g_rows(g[1]);
  let t2 = g_rows(g[2]);
  // (G g) G^T: each row r of G g, (t0[r], t1[r], t2[r]), through G again.
  let stride = params.IC * params.OC8;
  let first = ic * params.OC8 + oc;
  for (var r = 0u; r < 6u; r++) {
    let v = g_rows(vec3f(t0[r], t1[r], t2[r]));
    for (var c = 0u; c < 6u; c++) {
      u[first + (6u * r + c) * stride] = v[c];
    }
  }
}
