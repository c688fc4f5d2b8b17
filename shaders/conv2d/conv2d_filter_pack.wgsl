// conv2d_filter_pack: copies a convolution filter into the layout conv2d_tile8_packed.wgsl
// reads as vec4s:
//   wt[((kh*KW + kw)*IC + ic)*OC4 + oc] = oc < OC ? w[w_base + oc*w_oc + ic*w_ic + kh*w_kh + kw*w_kw] : 0
// The signed strides address the OIHW filter as the forward reads it, or transposed and
// flipped for the input gradient (as in conv2d_tile8.wgsl).
//
// Bindings (group 0):
//   w      read        filter
//   wt     read_write  packed filter, KH*KW x IC x OC4
//   params uniform     sizes and filter strides
//
// Per invocation: one packed value. Tunables (override): WG (workgroup size).

struct Params {
  IC: u32, OC: u32, OC4: u32, KW: u32, total: u32,
  w_base: i32, w_oc: i32, w_ic: i32, w_kh: i32, w_kw: i32,
}

@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read_write> wt: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid.x;
  if (i >= params.total) { return; }
  let oc = i % params.OC4;
  let ic = (i / params.OC4) % params.IC;
  let tap = i / (params.OC4 * params.IC);
  var v = 0.0;
  if (oc < params.OC) {
    let kh = i32(tap / params.KW);
    let kw = i32(tap % params.KW);
    v = w[params.w_base + i32(oc) * params.w_oc + i32(ic) * params.w_ic + kh * params.w_kh + kw * params.w_kw];
  }
  wt[i] = v;
}
