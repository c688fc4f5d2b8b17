// conv2d_rows: a stride-1, undilated, ungrouped convolution with filters at most 5 wide
//   out[n,oc,oh,ow] = bias[oc] + sum_{ic,kh,kw} w(oc,ic,kh,kw) * x[n, ic, oh-pad_t+kh, ow-pad_l+kw]
// where w(oc,ic,kh,kw) = w[w_base + oc*w_oc + ic*w_ic + kh*w_kh + kw*w_kw]. The signed strides
// let the same kernel run conv2d's forward (OIHW filter as is) and its stride-1 input gradient
// (dy convolved with the filter read as IOHW and flipped in both spatial axes, padded by K-1-pad).
//
// One invocation computes OT (up to 8) output channels x 8 consecutive outputs of one row. Per (input
// channel, filter row) it loads the 8+KW-1 inputs its windows share once into three vec4
// registers, then per tap the 8 channels' weights: (8+KW-1) + 8*KW loads for 64*KW
// multiply-adds (5x5: 52 per 320, where conv2d_tile8.wgsl loads 80), and a filter row that
// falls in the padding is skipped for all 64 outputs at once (the input gradient's K-1 padding
// makes that half the taps on LeNet's second layer). The taps are written out (k = 0..4,
// each kept only when KW > k) so that every register index is a constant: on SwiftShader a
// dynamically indexed array lives in memory and costs a load per use.
//
// Bindings (group 0):
//   x      read        input, N x IC x H x W
//   w      read        filter, addressed through the strides above
//   bias   read        OC values (read only when HAS_BIAS)
//   out    read_write  output, N x OC x OH x OW
//   params uniform     geometry, filter strides, row segments and channel blocks
//
// Tunables (override): KW (1..5), OT (output channels per invocation, 1..8: a layer with
// fewer than 8 computes and loads only its own), HAS_BIAS, RELU.

struct Params {
  N: u32, IC: u32, H: u32, W: u32,
  OC: u32, OH: u32, OW: u32, KH: u32,
  pad_t: i32, pad_l: i32,
  w_base: i32, w_oc: i32, w_ic: i32, w_kh: i32, w_kw: i32,
  segs: u32, blocks: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override KW: u32 = 3u;
override OT: u32 = 8u;
override HAS_BIAS: bool = false;
override RELU: bool = false;

/** Input iw of this row, or 0 outside it. */
fn load_x(row: i32, iw: i32) -> f32 {
  let ok = iw >= 0 && iw < i32(params.W);
  return select(0.0, x[u32(select(0, row + iw, ok))], ok);
}

@compute @workgroup_size(64, 1, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let id = flat_workgroup_index(wid, nwg) * 64u + lid;
  if (id >= params.N * params.OH * params.segs * params.blocks) { return; }
  // Row segments vary fastest: neighbouring invocations share the channel block's weights.
  let seg = id % params.segs;
  let out_row = (id / params.segs) % (params.N * params.OH);
  let oc0 = (id / (params.segs * params.N * params.OH)) * OT;
  let oh = out_row % params.OH;
  let n = out_row / params.OH;
  let ow0 = seg * 8u;

  // Filter offsets of the block's channels (clamped: a channel past OC computes a copy, never stored).
  var wo: vec4i;
  var wp: vec4i;
  for (var i = 0u; i < 4u; i++) {
    wo[i] = params.w_base + i32(min(oc0 + i, params.OC - 1u)) * params.w_oc;
    wp[i] = params.w_base + i32(min(oc0 + 4u + i, params.OC - 1u)) * params.w_oc;
  }

  var acc: array<vec4f, 16>;
  let hw = i32(params.H * params.W);
  let iw0 = i32(ow0) - params.pad_l;
  var x_chan = i32(n * params.IC) * hw;
  var w_chan = 0;
  for (var ic = 0u; ic < params.IC; ic++) {
    for (var kh = 0u; kh < params.KH; kh++) {
      let ih = i32(oh) - params.pad_t + i32(kh);
      if (ih < 0 || ih >= i32(params.H)) { continue; }
      let row = x_chan + ih * i32(params.W);
      let w0 = vec4f(load_x(row, iw0), load_x(row, iw0 + 1), load_x(row, iw0 + 2), load_x(row, iw0 + 3));
      let w1 = vec4f(load_x(row, iw0 + 4), load_x(row, iw0 + 5), load_x(row, iw0 + 6), load_x(row, iw0 + 7));
      var w2 = vec4f(0.0);
      if (KW > 1u) { w2 = vec4f(load_x(row, iw0 + 8), load_x(row, iw0 + 9), load_x(row, iw0 + 10), load_x(row, iw0 + 11)); }
      let w_row = w_chan + i32(kh) * params.w_kh;
      {
        let t = w_row + 0 * params.w_kw;
        let lo = w0;
        let hi = w1;
        { let f = w[u32(t + wo.x)]; acc[0] += f * lo; acc[1] += f * hi; }
        if (OT > 1u) { let f = w[u32(t + wo.y)]; acc[2] += f * lo; acc[3] += f * hi; }
        if (OT > 2u) { let f = w[u32(t + wo.z)]; acc[4] += f * lo; acc[5] += f * hi; }
        if (OT > 3u) { let f = w[u32(t + wo.w)]; acc[6] += f * lo; acc[7] += f * hi; }
        if (OT > 4u) { let f = w[u32(t + wp.x)]; acc[8] += f * lo; acc[9] += f * hi; }
        if (OT > 5u) { let f = w[u32(t + wp.y)]; acc[10] += f * lo; acc[11] += f * hi; }
        if (OT > 6u) { let f = w[u32(t + wp.z)]; acc[12] += f * lo; acc[13] += f * hi; }
        if (OT > 7u) { let f = w[u32(t + wp.w)]; acc[14] += f * lo; acc[15] += f * hi; }
      }
      if (KW > 1u) {
        let t = w_row + 1 * params.w_kw;
        let lo = vec4f(w0.y, w0.z, w0.w, w1.x);
        let hi = vec4f(w1.y, w1.z, w1.w, w2.x);
        { let f = w[u32(t + wo.x)]; acc[0] += f * lo; acc[1] += f * hi; }
        if (OT > 1u) { let f = w[u32(t + wo.y)]; acc[2] += f * lo; acc[3] += f * hi; }
        if (OT > 2u) { let f = w[u32(t + wo.z)]; acc[4] += f * lo; acc[5] += f * hi; }
        if (OT > 3u) { let f = w[u32(t + wo.w)]; acc[6] += f * lo; acc[7] += f * hi; }
        if (OT > 4u) { let f = w[u32(t + wp.x)]; acc[8] += f * lo; acc[9] += f * hi; }
        if (OT > 5u) { let f = w[u32(t + wp.y)]; acc[10] += f * lo; acc[11] += f * hi; }
        if (OT > 6u) { let f = w[u32(t + wp.z)]; acc[12] += f * lo; acc[13] += f * hi; }
        if (OT > 7u) { let f = w[u32(t + wp.w)]; acc[14] += f * lo; acc[15] += f * hi; }
      }
      if (KW > 2u) {
        let t = w_row + 2 * params.w_kw;
        let lo = vec4f(w0.z, w0.w, w1.x, w1.y);
        let hi = vec4f(w1.z, w1.w, w2.x, w2.y);
        { let f = w[u32(t + wo.x)]; acc[0] += f * lo; acc[1] += f * hi; }
        if (OT > 1u) { let f = w[u32(t + wo.y)]; acc[2] += f * lo; acc[3] += f * hi; }
        if (OT > 2u) { let f = w[u32(t + wo.z)]; acc[4] += f * lo; acc[5] += f * hi; }
        if (OT > 3u) { let f = w[u32(t + wo.w)]; acc[6] += f * lo; acc[7] += f * hi; }
        if (OT > 4u) { let f = w[u32(t + wp.x)]; acc[8] += f * lo; acc[9] += f * hi; }
        if (OT > 5u) { let f = w[u32(t + wp.y)]; acc[10] += f * lo; acc[11] += f * hi; }
        if (OT > 6u) { let f = w[u32(t + wp.z)]; acc[12] += f * lo; acc[13] += f * hi; }
        if (OT > 7u) { let f = w[u32(t + wp.w)]; acc[14] += f * lo; acc[15] += f * hi; }
      }
      if (KW > 3u) {
        let t = w_row + 3 * params.w_kw;
        let lo = vec4f(w0.w, w1.x, w1.y, w1.z);
        let hi = vec4f(w1.w, w2.x, w2.y, w2.z);
        { let f = w[u32(t + wo.x)]; acc[0] += f * lo; acc[1] += f * hi; }
        if (OT > 1u) { let f = w[u32(t + wo.y)]; acc[2] += f * lo; acc[3] += f * hi; }
        if (OT > 2u) { let f = w[u32(t + wo.z)]; acc[4] += f * lo; acc[5] += f * hi; }
        if (OT > 3u) { let f = w[u32(t + wo.w)]; acc[6] += f * lo; acc[7] += f * hi; }
        if (OT > 4u) { let f = w[u32(t + wp.x)]; acc[8] += f * lo; acc[9] += f * hi; }
        if (OT > 5u) { let f = w[u32(t + wp.y)]; acc[10] += f * lo; acc[11] += f * hi; }
        if (OT > 6u) { let f = w[u32(t + wp.z)]; acc[12] += f * lo; acc[13] += f * hi; }
        if (OT > 7u) { let f = w[u32(t + wp.w)]; acc[14] += f * lo; acc[15] += f * hi; }
      }
      if (KW > 4u) {
        let t = w_row + 4 * params.w_kw;
        let lo = w1;
        let hi = w2;
        { let f = w[u32(t + wo.x)]; acc[0] += f * lo; acc[1] += f * hi; }
        if (OT > 1u) { let f = w[u32(t + wo.y)]; acc[2] += f * lo; acc[3] += f * hi; }
        if (OT > 2u) { let f = w[u32(t + wo.z)]; acc[4] += f * lo; acc[5] += f * hi; }
        if (OT > 3u) { let f = w[u32(t + wo.w)]; acc[6] += f * lo; acc[7] += f * hi; }
        if (OT > 4u) { let f = w[u32(t + wp.x)]; acc[8] += f * lo; acc[9] += f * hi; }
        if (OT > 5u) { let f = w[u32(t + wp.y)]; acc[10] += f * lo; acc[11] += f * hi; }
        if (OT > 6u) { let f = w[u32(t + wp.z)]; acc[12] += f * lo; acc[13] += f * hi; }
        if (OT > 7u) { let f = w[u32(t + wp.w)]; acc[14] += f * lo; acc[15] += f * hi; }
      }
    }
    x_chan += hw;
    w_chan += params.w_ic;
  }

  // Stores with constant register indices (a loop over acc[i] would index it dynamically,
  // and SwiftShader would then keep the whole accumulator array in memory).
  let row_base = n * params.OC * params.OH * params.OW + oh * params.OW;
  store8(row_base, oc0, ow0, acc[0], acc[1]);
  if (OT > 1u) { store8(row_base, oc0 + 1u, ow0, acc[2], acc[3]); }
  if (OT > 2u) { store8(row_base, oc0 + 2u, ow0, acc[4], acc[5]); }
  if (OT > 3u) { store8(row_base, oc0 + 3u, ow0, acc[6], acc[7]); }
  if (OT > 4u) { store8(row_base, oc0 + 4u, ow0, acc[8], acc[9]); }
  if (OT > 5u) { store8(row_base, oc0 + 5u, ow0, acc[10], acc[11]); }
  if (OT > 6u) { store8(row_base, oc0 + 6u, ow0, acc[12], acc[13]); }
  if (OT > 7u) { store8(row_base, oc0 + 7u, ow0, acc[14], acc[15]); }
}

/** Channel oc's 8 outputs from ow0 (those inside the row), plus bias and ReLU. */
fn store8(row_base: u32, oc: u32, ow0: u32, lo: vec4f, hi: vec4f) {
  if (oc >= params.OC) { return; }
  var b = 0.0;
  if (HAS_BIAS) { b = bias[oc]; }
  let base = row_base + oc * params.OH * params.OW;
  for (var j = 0u; j < 8u; j++) {
    let ow = ow0 + j;
    if (ow >= params.OW) { break; }
    var v = select(hi[j & 3u], lo[j & 3u], j < 4u) + b;
    if (RELU) { v = relu_f32(v); }
    out[base + ow] = v;
  }
}
