// pool2d: out[n,c,oh,ow] = max or mean of x[n,c,ih,iw] over the window's in-bounds
// positions ih in [oh*sh - pt, +KH), iw in [ow*sw - pl, +KW).
//
// Bindings (group 0):
//   x      read        input, NCHW
//   out    read_write  output, N x C x OH x OW
//   params uniform     geometry
//
// One invocation computes one output. Max keeps the first maximum in row-major order
// (strict >), the same tie rule pool2d_grad routes gradients by. Average divides by
// KH*KW when COUNT_PAD, else by the in-bounds count.
// Tunables (override): OP (0 max, 1 average), COUNT_PAD, WINDOW2, WG.

struct Params {
  total: u32, H: u32, W: u32, OH: u32, OW: u32,
  KH: u32, KW: u32, stride_h: u32, stride_w: u32, pad_t: u32, pad_l: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override OP: u32 = 0u;
override COUNT_PAD: bool = false;
override WG: u32 = 64u;
/** 2x2 windows at stride 2 that tile the input exactly (LeNet's pools): written out. */
override WINDOW2: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i >= params.total) { return; }
  let ohw = params.OH * params.OW;
  let plane = (i / ohw) * params.H * params.W;
  let oh = (i % ohw) / params.OW;
  let ow = i % params.OW;
  if (WINDOW2) {
    // A 2x2 window inside the input (stride 2, no padding, exact tiling): four loads, no loop.
    let a = plane + 2u * oh * params.W + 2u * ow;
    let b = a + params.W;
    let v = vec4f(x[a], x[a + 1u], x[b], x[b + 1u]);
    if (OP == 0u) {
      // The same strict > chain as the loop below (not max(), whose NaN handling may differ).
      var best = v.x;
      if (v.y > best) { best = v.y; }
      if (v.z > best) { best = v.z; }
      if (v.w > best) { best = v.w; }
      out[i] = best;
    } else {
      out[i] = (v.x + v.y + v.z + v.w) / 4.0;
    }
    return;
  }
  let hs = i32(oh * params.stride_h) - i32(params.pad_t);
  let ws = i32(ow * params.stride_w) - i32(params.pad_l);
  let h0 = u32(max(hs, 0));
  let w0 = u32(max(ws, 0));
  let h1 = u32(min(hs + i32(params.KH), i32(params.H)));
  let w1 = u32(min(ws + i32(params.KW), i32(params.W)));
  if (OP == 0u) {
    var best = x[plane + h0 * params.W + w0];
    for (var ih = h0; ih < h1; ih++) {
      for (var iw = w0; iw < w1; iw++) {
        let v = x[plane + ih * params.W + iw];
        if (v > best) { best = v; }
      }
    }
    out[i] = best;
  } else {
    var s = 0.0;
    for (var ih = h0; ih < h1; ih++) {
      for (var iw = w0; iw < w1; iw++) { s += x[plane + ih * params.W + iw]; }
    }
    let count = select(f32((h1 - h0) * (w1 - w0)), f32(params.KH * params.KW), COUNT_PAD);
    out[i] = s / count;
  }
}
