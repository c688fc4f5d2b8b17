// Roofline microbenchmark: storage-buffer bandwidth (tools/bench/roofline.ts).
// Bindings: params (uniform: vec4 count, invocations in the grid), src (storage, read),
// dst (storage, read_write). Each invocation copies every `stride`-th vec4 from its own
// index on: bytes moved = 2 x 16 x count (read and write). Tunables: WORKGROUP.
struct Params {
  count: u32,
  stride: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

override WORKGROUP: u32 = 256u;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  var i = gid.x + gid.y * groups.x * WORKGROUP;
  while (i < params.count) {
    dst[i] = src[i];
    i += params.stride;
  }
}
