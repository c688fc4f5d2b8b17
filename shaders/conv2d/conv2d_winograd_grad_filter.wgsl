// conv2d_winograd_grad_filter: the last step of Winograd's F(2x2, 3x3) filter gradient.
// For output channel oc and input channel ic it gathers the 16 sums
// p[xi][oc][ic] = sum over tiles of dM . V (conv2d_winograd_gemm.wgsl, in PARTS parts that
// it adds here, PARTS x 16 x OC8 x IC8 apart) into the 4x4 P and
// stores the 3x3 gradient dg = G^T P G with
//   G^T = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1]
// at dw[oc, ic, kh, kw] (OIHW).
//
// Bindings (group 0):
//   p      read        partial sums, PARTS x 16 x OC8 x IC8
//   dw     read_write  filter gradient, OC x IC x 3 x 3
//   params uniform     sizes
//
// Per invocation: one (oc, ic). Tunables (override): WG (workgroup size).

struct Params {
  OC: u32, IC: u32, OC8: u32, IC8: u32, PARTS: u32,
}

@group(0) @binding(0) var<storage, read> p: array<f32>;
@group(0) @binding(1) var<storage, read_write> dw: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;

/** G^T applied to a 4-vector. */
fn gt(r: vec4f) -> vec3f {
  let mid = 0.5 * (r.y + r.z);
  return vec3f(r.x + mid, 0.5 * (r.y - r.z), mid + r.w);
}

/** Row r of P: positions 4r..4r+3, `stride` apart from `k`, each the sum of its PARTS parts. */
fn gather(k: u32, stride: u32) -> vec4f {
  var r = vec4f(0.0);
  let part_stride = 16u * stride;
  for (var q = 0u; q < params.PARTS; q++) {
    let j = k + q * part_stride;
    r += vec4f(p[j], p[j + stride], p[j + 2u * stride], p[j + 3u * stride]);
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
  if (i >= params.OC * params.IC) { return; }
  let ic = i % params.IC;
  let oc = i / params.IC;
  let stride = params.OC8 * params.IC8;
  let first = oc * params.IC8 + ic;
  let p0 = gather(first, stride);
  let p1 = gather(first + 4u * stride, stride);
  let p2 = gather(first + 8u * stride, stride);
  let p3 = gather(first + 12u * stride, stride);
  // G^T P: three combinations of rows; each through G^T again (= times G).
  let mid = 0.5 * (p1 + p2);
  let q0 = gt(p0 + mid);
  let q1 = gt(0.5 * (p1 - p2));
  let q2 = gt(mid + p3);
  let base = i * 9u;
  dw[base] = q0.x; dw[base + 1u] = q0.y; dw[base + 2u] = q0.z;
  dw[base + 3u] = q1.x; dw[base + 4u] = q1.y; dw[base + 5u] = q1.z;
  dw[base + 6u] = q2.x; dw[base + 7u] = q2.y; dw[base + 8u] = q2.z;
}
