// conv2d_winograd_grad_dy: the output-gradient half of Winograd's F(2x2, 3x3) filter
// gradient. The forward makes each 2x2 output tile as Y = A^T M A (M = U . V position by
// position), so a tile's dY reaches M as dM = A dY A^T with
//   A = [1 0; 1 1; 1 -1; 0 -1],
// and the filter gradient is dg = G^T (sum over tiles of dM . V) G
// (conv2d_winograd_gemm.wgsl sums, conv2d_winograd_grad_filter.wgsl applies G^T . G).
// Stored tile-major, dm[(xi*T + t)*OC8 + oc], zeros for oc >= OC and for outputs of a
// partial tile that fall outside OH x OW.
//
// Bindings (group 0):
//   dy     read        output gradient, N x OC x OH x OW
//   dm     read_write  transformed gradient, 16 x T x OC8
//   params uniform     sizes and tile counts
//
// Per invocation: one (tile, oc); neighbours take neighbouring channels (consecutive stores).
// Tunables (override): WG (workgroup size).

struct Params {
  OC: u32, OH: u32, OW: u32, OC8: u32,
  TH: u32, TW: u32, T: u32,
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> dm: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;

/** A applied to a 2-vector: the 4 entries of A r. */
fn a2(r: vec2f) -> vec4f {
  return vec4f(r.x, r.x + r.y, r.x - r.y, -r.y);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid.x;
  if (i >= params.T * params.OC8) { return; }
  let oc = i % params.OC8;
  let t = i / params.OC8;
  var top = vec2f(0.0);
  var bottom = vec2f(0.0);
  if (oc < params.OC) {
    let tiles = params.TH * params.TW;
    let n = t / tiles;
    let oh = 2u * ((t % tiles) / params.TW);
    let ow = 2u * (t % params.TW);
    let base = (n * params.OC + oc) * params.OH * params.OW + oh * params.OW + ow;
    let right = ow + 1u < params.OW;
    top.x = dy[base];
    if (right) { top.y = dy[base + 1u]; }
    if (oh + 1u < params.OH) {
      bottom.x = dy[base + params.OW];
      if (right) { bottom.y = dy[base + params.OW + 1u]; }
    }
  }
  // A dY: four rows from the two; then each row r through A again (r A^T = (A r^T)^T).
  let r0 = a2(top);
  let r1 = a2(top + bottom);
  let r2 = a2(top - bottom);
  let r3 = a2(-bottom);
  let stride = params.T * params.OC8;
  let first = t * params.OC8 + oc;
  for (var c = 0u; c < 4u; c++) {
    dm[first + c * stride] = r0[c];
    dm[first + (4u + c) * stride] = r1[c];
    dm[first + (8u + c) * stride] = r2[c];
    dm[first + (12u + c) * stride] = r3[c];
  }
}
