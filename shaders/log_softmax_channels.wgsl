// log_softmax_channels: log softmax over axis 1 of NCHW, the classes of each pixel of a
// segmentation map: with m = max_j x[n,j,p] and s = sum_j exp(x[n,j,p] - m),
//   out[n,j,p] = x[n,j,p] - m - log(s)
// Subtracting the maximum keeps exp from overflowing.
//
// Bindings (group 0):
//   x      read        logits, N x C x HW
//   out    read_write  the same shape
//   params uniform     pixels (N * HW), C, HW
//
// One invocation handles one pixel: its C channels lie HW apart, so neighbouring
// invocations read neighbouring addresses. C is small (the classes).
// Tunables (override): WG.

struct Params {
  pixels: u32,
  C: u32,
  HW: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = flat_workgroup_index(wid, nwg) * WG + lid;
  if (r >= params.pixels) { return; }
  let first = (r / params.HW) * params.C * params.HW + r % params.HW;
  var m = x[first];
  for (var j = 1u; j < params.C; j++) { m = max(m, x[first + j * params.HW]); }
  var s = 0.0;
  for (var j = 0u; j < params.C; j++) { s += exp(x[first + j * params.HW] - m); }
  let log_s = log(s);
  for (var j = 0u; j < params.C; j++) { out[first + j * params.HW] = x[first + j * params.HW] - m - log_s; }
}
