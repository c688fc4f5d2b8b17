// ten_crop: the fixed views of test-time augmentation. From each image, padded by
// `padding` zeros on each side (Hp = h + 2p, Wp = w + 2p), crops of oh x ow at positions
// 0 top-left (0, 0), 1 top-right (0, Wp-ow), 2 bottom-left (Hp-oh, 0), 3 bottom-right,
// 4 centre (floor((Hp-oh)/2), floor((Wp-ow)/2)). views = 10: view k < 5 is position k and
// view k >= 5 is position k-5 mirrored left-right; 5: positions 0-4; 2: the centre and
// its mirror; 1: the centre. Image n's view k is output image n * views + k, the same
// map as tenCropView in src/ops/ten_crop.ts.
//
// Bindings (group 0):
//   x      read        input [n, c, h, w]
//   out    read_write  output [n * views, c, oh, ow]
//   params uniform     sizes, padding, views (see Params)
//
// One invocation copies one output value.
// Tunables (override): WG.

struct Params {
  n: u32,
  c: u32,
  h: u32,
  w: u32,
  oh: u32,
  ow: u32,
  padding: u32,
  views: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let index = flat_workgroup_index(wid, nwg) * WG + lid;
  let total = params.n * params.views * params.c * params.oh * params.ow;
  if (index >= total) { return; }
  let xo = index % params.ow;
  let y = (index / params.ow) % params.oh;
  let ch = (index / (params.ow * params.oh)) % params.c;
  let row = index / (params.ow * params.oh * params.c);
  let image = row / params.views;
  let k = row % params.views;

  var position = 4u;
  var mirrored = false;
  if (params.views == 10u) {
    position = k % 5u;
    mirrored = k >= 5u;
  } else if (params.views == 5u) {
    position = k;
  } else if (params.views == 2u) {
    mirrored = k == 1u;
  }
  let dy = i32(params.h + 2u * params.padding - params.oh);
  let dx = i32(params.w + 2u * params.padding - params.ow);
  var top = dy / 2;
  var left = dx / 2;
  if (position < 4u) {
    top = select(0, dy, position >= 2u);
    left = select(0, dx, position % 2u == 1u);
  }
  let iy = top - i32(params.padding) + i32(y);
  let ix = left - i32(params.padding) + i32(select(xo, params.ow - 1u - xo, mirrored));
  var value = 0.0;
  if (iy >= 0 && ix >= 0 && iy < i32(params.h) && ix < i32(params.w)) {
    value = x[((image * params.c + ch) * params.h + u32(iy)) * params.w + u32(ix)];
  }
  out[index] = value;
}
