// conv2d_phase_scatter: writes one phase of a strided convolution's input gradient into dx.
// The phase (rh, rw) holds the dx positions ih = ih0 + qh*stride_h, iw = iw0 + qw*stride_w;
// conv2d_phases.ts computes it as a stride-1 convolution of dy into a dense
// N x C x PH x PW tensor, and this pass puts each value at its place. A phase no tap
// reaches (stride above the filter) is written as zeros (ZERO).
//
// Bindings (group 0):
//   src    read        the phase, N x C x PH x PW (unread when ZERO)
//   out    read_write  dx, N x C x H x W
//   params uniform     dx's and the phase's sizes, the strides, the phase's first position
//
// One invocation moves one value.
// Tunables (override): WG, ZERO.

struct Params {
  NC: u32, H: u32, W: u32,
  PH: u32, PW: u32,
  stride_h: u32, stride_w: u32,
  ih0: u32, iw0: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;
override ZERO: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  let plane = params.PH * params.PW;
  if (i >= params.NC * plane) { return; }
  let nc = i / plane;
  let rem = i % plane;
  let ih = params.ih0 + (rem / params.PW) * params.stride_h;
  let iw = params.iw0 + (rem % params.PW) * params.stride_w;
  var v = 0.0;
  if (!ZERO) { v = src[i]; }
  out[(nc * params.H + ih) * params.W + iw] = v;
}
