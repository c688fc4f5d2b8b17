// reduce: out[o * parts + p] = fold over r in chunk p of x[offset(o) + offset(r)],
// fold chosen by OP, result times `scale`.
//
// Bindings (group 0):
//   x      read        input
//   out    read_write  out_size * parts values
//   params uniform     out_size, parts, reduce_size, chunk, scale; kept and reduced
//                      axes' extents and input strides (up to rank 8 each, in vec4s)
//
// One invocation folds one chunk of the reduction for one output. A large reduction
// with few outputs runs in two dispatches: the first writes `parts` partial results per
// output, the second folds them (contiguous, parts = 1). When CONTIGUOUS is true the
// reduced axes are the innermost ones, so offset(r) = r and no index arithmetic runs.
// OP: 0 sum, 1 max.
// Tunables (override): OP, CONTIGUOUS, WG.

struct Params {
  out_size: u32,
  parts: u32,
  reduce_size: u32,
  chunk: u32,
  kept_rank: u32,
  red_rank: u32,
  scale: f32,
  kept_shape: array<vec4u, 2>,
  kept_strides: array<vec4u, 2>,
  red_shape: array<vec4u, 2>,
  red_strides: array<vec4u, 2>,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override OP: u32 = 0u;
override CONTIGUOUS: bool = false;
override WG: u32 = 64u;

fn fold(acc: f32, v: f32) -> f32 {
  if (OP == 1u) { return max(acc, v); }
  return acc + v;
}

fn kept_offset(o: u32) -> u32 {
  var rest = o;
  var off = 0u;
  for (var d = i32(params.kept_rank) - 1; d >= 0; d--) {
    let extent = params.kept_shape[d / 4][d % 4];
    off += (rest % extent) * params.kept_strides[d / 4][d % 4];
    rest = rest / extent;
  }
  return off;
}

fn reduced_offset(r: u32) -> u32 {
  var rest = r;
  var off = 0u;
  for (var d = i32(params.red_rank) - 1; d >= 0; d--) {
    let extent = params.red_shape[d / 4][d % 4];
    off += (rest % extent) * params.red_strides[d / 4][d % 4];
    rest = rest / extent;
  }
  return off;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i >= params.out_size * params.parts) { return; }
  let o = i / params.parts;
  let p = i % params.parts;
  let start = p * params.chunk;
  let end = min(start + params.chunk, params.reduce_size);
  var acc = select(0.0, -3.4028234663852886e38, OP == 1u);
  if (CONTIGUOUS) {
    let base = o * params.reduce_size;
    for (var r = start; r < end; r++) { acc = fold(acc, x[base + r]); }
  } else {
    let base = kept_offset(o);
    for (var r = start; r < end; r++) { acc = fold(acc, x[base + reduced_offset(r)]); }
  }
  out[i] = acc * params.scale;
}
