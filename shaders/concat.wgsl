// concat: copies between a tensor viewed as [outer, inner] and a block of a wider one
// viewed as [outer, wide_inner] at column `offset`:
//   OP 0 (place, one concat input): out[o * wide_inner + offset + r] = x[o * inner + r]
//   OP 1 (take, slice):             out[o * inner + r] = x[o * wide_inner + offset + r]
// where outer is the product of the axes before the concat axis.
//
// Bindings (group 0):
//   x      read        source
//   out    read_write  destination
//   params uniform     total (= outer * inner), inner, wide_inner, offset
//
// One invocation moves one element of the narrow tensor. A concat of k inputs is k
// dispatches writing disjoint parts of one output.
// Tunables (override): OP, WG.

struct Params {
  total: u32,
  inner: u32,
  wide_inner: u32,
  offset: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override OP: u32 = 0u;
override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i >= params.total) { return; }
  let wide = (i / params.inner) * params.wide_inner + params.offset + i % params.inner;
  if (OP == 0u) {
    out[wide] = x[i];
  } else {
    out[i] = x[wide];
  }
}
