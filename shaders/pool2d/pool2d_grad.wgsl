// pool2d_grad: dx[n,c,ih,iw] = sum over the windows (oh, ow) that cover (ih, iw) of
//   max:     dy[n,c,oh,ow] if (ih, iw) is that window's first maximum, else 0
//   average: dy[n,c,oh,ow] / count(window)
// Gathered per input element, so no atomics and a fixed summation order.
//
// Bindings (group 0):
//   x      read        forward input, NCHW (read only for max)
//   dy     read        gradient of the output, N x C x OH x OW
//   out    read_write  dx, N x C x H x W
//   params uniform     geometry
//
// One invocation computes one dx element. Covering windows: oh from
// ceil((ih + pt - KH + 1) / sh) to floor((ih + pt) / sh), clipped to [0, OH).
// With TILED (stride = kernel, no padding, the windows cover the input exactly, as in
// LeNet's 2x2/2 pools) each element lies in exactly one window, so one invocation per
// window finds its maximum once and writes all of the window's dx values (`total` then
// counts windows): the same values, a quarter of the invocations for 2x2.
// With RELU (max only) dx is also zero where x <= 0: the gradient of a ReLU whose output
// x is, folded in by the planner.
// Tunables (override): OP (0 max, 1 average), COUNT_PAD, TILED, WINDOW2, RELU, WG.

struct Params {
  total: u32, H: u32, W: u32, OH: u32, OW: u32,
  KH: u32, KW: u32, stride_h: u32, stride_w: u32, pad_t: u32, pad_l: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override OP: u32 = 0u;
override COUNT_PAD: bool = false;
override TILED: bool = false;
/** TILED with 2x2 windows (LeNet's pools): the window written out. */
override WINDOW2: bool = false;
override RELU: bool = false;
override WG: u32 = 64u;

/** First covering window index along one axis: ceil((i + pad - k + 1) / s), at least 0. */
fn first_window(i: u32, pad: u32, k: u32, s: u32) -> u32 {
  let t = i32(i + pad) - i32(k) + 1;
  return u32(max((t + i32(s) - 1) / i32(s), 0));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i >= params.total) { return; }
  let hw = params.H * params.W;
  if (TILED) {
    let ohw = params.OH * params.OW;
    let plane = (i / ohw) * hw;
    let h0 = ((i % ohw) / params.OW) * params.KH;
    let w0 = (i % params.OW) * params.KW;
    let d = dy[i];
    if (WINDOW2) {
      // 2x2 windows written out: four loads, no loop, the first maximum in row-major order.
      let a = plane + h0 * params.W + w0;
      let b = a + params.W;
      var g = vec4f(d * 0.25);
      if (OP == 0u) {
        let v = vec4f(x[a], x[a + 1u], x[b], x[b + 1u]);
        var k = 0u;
        var best = v.x;
        if (v.y > best) { best = v.y; k = 1u; }
        if (v.z > best) { best = v.z; k = 2u; }
        if (v.w > best) { best = v.w; k = 3u; }
        let live = !RELU || best > 0.0;
        g = select(vec4f(0.0), vec4f(d), vec4<bool>(k == 0u, k == 1u, k == 2u, k == 3u) & vec4<bool>(live));
      }
      out[a] = g.x;
      out[a + 1u] = g.y;
      out[b] = g.z;
      out[b + 1u] = g.w;
      return;
    }
    var best_h = h0;
    var best_w = w0;
    var best = 0.0;
    if (OP == 0u) {
      best = x[plane + h0 * params.W + w0];
      for (var a = h0; a < h0 + params.KH; a++) {
        for (var b = w0; b < w0 + params.KW; b++) {
          let v = x[plane + a * params.W + b];
          if (v > best) { best = v; best_h = a; best_w = b; }
        }
      }
    }
    let share = d / f32(params.KH * params.KW);
    for (var a = h0; a < h0 + params.KH; a++) {
      for (var b = w0; b < w0 + params.KW; b++) {
        var g = share;
        if (OP == 0u) { g = select(0.0, d, a == best_h && b == best_w && (!RELU || best > 0.0)); }
        out[plane + a * params.W + b] = g;
      }
    }
    return;
  }
  let plane_index = i / hw;
  let plane = plane_index * hw;
  let ih = (i % hw) / params.W;
  let iw = i % params.W;
  let oh_first = first_window(ih, params.pad_t, params.KH, params.stride_h);
  let ow_first = first_window(iw, params.pad_l, params.KW, params.stride_w);
  let oh_last = min((ih + params.pad_t) / params.stride_h + 1u, params.OH);
  let ow_last = min((iw + params.pad_l) / params.stride_w + 1u, params.OW);
  let dy_plane = plane_index * params.OH * params.OW;
  var g = 0.0;
  for (var oh = oh_first; oh < oh_last; oh++) {
    let hs = i32(oh * params.stride_h) - i32(params.pad_t);
    let h0 = u32(max(hs, 0));
    let h1 = u32(min(hs + i32(params.KH), i32(params.H)));
    for (var ow = ow_first; ow < ow_last; ow++) {
      let ws = i32(ow * params.stride_w) - i32(params.pad_l);
      let w0 = u32(max(ws, 0));
      let w1 = u32(min(ws + i32(params.KW), i32(params.W)));
      let d = dy[dy_plane + oh * params.OW + ow];
      if (OP == 0u) {
        var best_h = h0;
        var best_w = w0;
        var best = x[plane + h0 * params.W + w0];
        for (var a = h0; a < h1; a++) {
          for (var b = w0; b < w1; b++) {
            let v = x[plane + a * params.W + b];
            if (v > best) { best = v; best_h = a; best_w = b; }
          }
        }
        if (best_h == ih && best_w == iw) { g += d; }
      } else {
        let count = select(f32((h1 - h0) * (w1 - w0)), f32(params.KH * params.KW), COUNT_PAD);
        g += d / count;
      }
    }
  }
  if (RELU && !(x[i] > 0.0)) { g = 0.0; }
  out[i] = g;
}
