// upsample2d: torch.nn.functional.interpolate, nearest (MODE 0) or bilinear (MODE 1),
// on NCHW planes. One axis maps output coordinate o to source coordinates as PyTorch
// does, in f32:
//   nearest:  i = min(floor(o * ratio), in - 1)
//   bilinear: s = ratio * o (ALIGN) or max(ratio * (o + 0.5) - 0.5, 0);
//             i0 = min(floor(s), in - 1), i1 = min(i0 + 1, in - 1), w1 = s - i0, w0 = 1 - w1
//   OP 0 forward: out[n,c,oh,ow] = sum of wh * ww * x over the source rows and columns
//   OP 1 grad:    out[n,c,ih,iw] = sum of wh * ww * dy over the outputs that read (ih, iw):
//                 a gather, so no two invocations write one value. The source index
//                 never decreases with o, so each axis walks a short run of outputs.
//
// Bindings (group 0):
//   x      read        forward input (OP 0) or dy (OP 1)
//   out    read_write  y (OP 0) or dx (OP 1)
//   params uniform     total (output values), IH, IW, OH, OW, ratio_h, ratio_w
//
// One invocation computes one output value.
// Tunables (override): OP, MODE, ALIGN, WG.

struct Params {
  total: u32,
  IH: u32,
  IW: u32,
  OH: u32,
  OW: u32,
  ratio_h: f32,
  ratio_w: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override OP: u32 = 0u;
override MODE: u32 = 0u;
override ALIGN: bool = false;
override WG: u32 = 64u;

struct Source {
  i0: u32,
  i1: u32,
  w0: f32,
  w1: f32,
}

fn source(o: u32, ratio: f32, input: u32) -> Source {
  if (MODE == 0u) {
    let i = min(u32(floor(f32(o) * ratio)), input - 1u);
    return Source(i, i, 1.0, 0.0);
  }
  var s = ratio * f32(o);
  if (!ALIGN) { s = max(ratio * (f32(o) + 0.5) - 0.5, 0.0); }
  let i0 = min(u32(floor(s)), input - 1u);
  let i1 = min(i0 + 1u, input - 1u);
  let w1 = s - f32(i0);
  return Source(i0, i1, 1.0 - w1, w1);
}

/** The weight with which output coordinate o reads input coordinate i (0 when it does not). */
fn weight(src: Source, i: u32) -> f32 {
  return select(0.0, src.w0, src.i0 == i) + select(0.0, src.w1, src.i1 == i);
}

/** The first output coordinate whose source run can reach input i: a step below floor(i / ratio). */
fn first_output(i: u32, ratio: f32) -> u32 {
  if (ratio <= 0.0) { return 0u; }
  let guess = floor(max(f32(i) - 1.0, 0.0) / ratio);
  return u32(max(guess - 2.0, 0.0));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = flat_workgroup_index(wid, nwg) * WG + lid;
  if (idx >= params.total) { return; }
  if (OP == 0u) {
    let plane = idx / (params.OH * params.OW);
    let oh = (idx / params.OW) % params.OH;
    let ow = idx % params.OW;
    let r = source(oh, params.ratio_h, params.IH);
    let c = source(ow, params.ratio_w, params.IW);
    let base = plane * params.IH * params.IW;
    if (MODE == 0u) {
      out[idx] = x[base + r.i0 * params.IW + c.i0];
      return;
    }
    let top = c.w0 * x[base + r.i0 * params.IW + c.i0] + c.w1 * x[base + r.i0 * params.IW + c.i1];
    let bottom = c.w0 * x[base + r.i1 * params.IW + c.i0] + c.w1 * x[base + r.i1 * params.IW + c.i1];
    out[idx] = r.w0 * top + r.w1 * bottom;
    return;
  }
  // The gradient: idx is an input position; walk the outputs whose sources reach it.
  let plane = idx / (params.IH * params.IW);
  let ih = (idx / params.IW) % params.IH;
  let iw = idx % params.IW;
  let base = plane * params.OH * params.OW;
  var sum = 0.0;
  for (var oh = first_output(ih, params.ratio_h); oh < params.OH; oh++) {
    let r = source(oh, params.ratio_h, params.IH);
    if (r.i0 > ih) { break; }
    let wh = weight(r, ih);
    if (wh == 0.0) { continue; }
    for (var ow = first_output(iw, params.ratio_w); ow < params.OW; ow++) {
      let c = source(ow, params.ratio_w, params.IW);
      if (c.i0 > iw) { break; }
      let ww = weight(c, iw);
      if (ww != 0.0) { sum += wh * ww * x[base + oh * params.OW + ow]; }
    }
  }
  out[idx] = sum;
}
