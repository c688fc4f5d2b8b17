// max_unpool2d: max pooling's switches, and values put back at them.
//   OP 0 maxpool2d_indices: out[n,c,oh,ow] = ih * W + iw of the window's first maximum
//        (strict >, row-major: pool2d.wgsl's tie rule), as f32
//   OP 1 max_unpool2d:      out[n,c,h,w] = x of the last window (row-major) whose switch
//        is (h, w), or 0: a gather over the few windows that cover (h, w)
//   OP 2 max_unpool2d_grad: out[n,c,oh,ow] = dy at the window's switch, where that window
//        is the one OP 1 took the value of, else 0
// A switch outside its own window is never written (pooling never makes one).
//
// Bindings (group 0):
//   x       read        OP 0: the pool's input; OP 1: pooled values; OP 2: dy of the unpooled map
//   indices read        switches, pooled shape (OP 1 and 2; OP 0 binds x again)
//   out     read_write  see above
//   params  uniform     total (output values), H, W (unpooled), OH, OW (pooled), window
//
// One invocation computes one output value.
// Tunables (override): OP, WG.

struct Params {
  total: u32, H: u32, W: u32, OH: u32, OW: u32,
  KH: u32, KW: u32, stride_h: u32, stride_w: u32, pad_t: u32, pad_l: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override OP: u32 = 0u;
override WG: u32 = 64u;

/** The pooled rows (or columns) whose windows cover unpooled row h: [first, last], empty when first > last. */
fn covering(h: u32, pad: u32, k: u32, stride: u32, count: u32) -> vec2i {
  let hp = i32(h + pad);
  let first = max((hp - i32(k) + i32(stride)) / i32(stride), 0);
  let last = min(hp / i32(stride), i32(count) - 1);
  return vec2i(first, last);
}

/** Pooled index (within the plane) of the last window whose switch is unpooled (h, w), or -1. */
fn winner(pooled_plane: u32, h: u32, w: u32) -> i32 {
  let rows = covering(h, params.pad_t, params.KH, params.stride_h, params.OH);
  let cols = covering(w, params.pad_l, params.KW, params.stride_w, params.OW);
  let spot = f32(h * params.W + w);
  var found = -1;
  for (var oh = rows.x; oh <= rows.y; oh++) {
    for (var ow = cols.x; ow <= cols.y; ow++) {
      let o = u32(oh) * params.OW + u32(ow);
      if (indices[pooled_plane + o] == spot) { found = i32(o); }
    }
  }
  return found;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i >= params.total) { return; }
  let hw = params.H * params.W;
  let ohw = params.OH * params.OW;
  if (OP == 1u) {
    let plane = i / hw;
    let r = i % hw;
    let o = winner(plane * ohw, r / params.W, r % params.W);
    out[i] = select(0.0, x[plane * ohw + u32(max(o, 0))], o >= 0);
    return;
  }
  // OP 0 and 2: i is a pooled position; its window's in-bounds rows and columns.
  let plane = i / ohw;
  let oh = (i % ohw) / params.OW;
  let ow = i % params.OW;
  let hs = i32(oh * params.stride_h) - i32(params.pad_t);
  let ws = i32(ow * params.stride_w) - i32(params.pad_l);
  let h0 = u32(max(hs, 0));
  let w0 = u32(max(ws, 0));
  let h1 = u32(min(hs + i32(params.KH), i32(params.H)));
  let w1 = u32(min(ws + i32(params.KW), i32(params.W)));
  if (OP == 0u) {
    var best = h0 * params.W + w0;
    for (var ih = h0; ih < h1; ih++) {
      for (var iw = w0; iw < w1; iw++) {
        let k = ih * params.W + iw;
        if (x[plane * hw + k] > x[plane * hw + best]) { best = k; }
      }
    }
    out[i] = f32(best);
    return;
  }
  let k = indices[i];
  let kh = u32(max(floor(k / f32(params.W)), 0.0));
  let kw = u32(max(k - f32(kh * params.W), 0.0));
  let inside = k >= 0.0 && k == floor(k) && kh >= h0 && kh < h1 && kw >= w0 && kw < w1;
  var g = 0.0;
  if (inside && winner(plane * ohw, kh, kw) == i32(i % ohw)) { g = x[plane * hw + kh * params.W + kw]; }
  out[i] = g;
}
