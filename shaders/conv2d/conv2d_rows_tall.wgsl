// conv2d_rows_tall: a stride-1, undilated, ungrouped convolution with filters at most 5x5,
//   out[n,oc,oh,ow] = bias[oc] + sum_{ic,kh,kw} w(oc,ic,kh,kw) * x[n, ic, oh-pad_t+kh, ow-pad_l+kw]
// with the filter addressed as in conv2d_rows.wgsl, w(oc,ic,kh,kw) = w[w_base + oc*w_oc +
// ic*w_ic + kh*w_kh + kw*w_kw] (signed strides: the flipped input gradient is the same kernel).
// Written by conv2d_rows_tall.gen.mjs; edit that and rerun it.
//
// Why: conv2d_rows.wgsl computes one output row per invocation, so each input row is loaded
// again by each of the KH output rows it feeds, and the filter once per output row. Here one
// invocation computes 4 output rows x 8 columns x OT channels: per input channel it loads the
// OT filters once (KH x KW weights each, into registers) and each of the 4+KH-1 input rows once
// (12 inputs), then adds each row into every output row it feeds. For 5x5 and one channel:
// 25 + 8*12 = 121 loads per 800 multiply-adds, against 340 in conv2d_rows.wgsl. On SwiftShader
// every load is a bounds-checked gather costing several multiply-adds, so loads set the time;
// with many channels the accumulators spill instead, which is why the launcher offers it to
// narrow layers only.
//
// Bindings (group 0):
//   x      read        input, N x IC x H x W
//   w      read        filter, addressed through the strides above
//   bias   read        OC values (read only when HAS_BIAS)
//   out    read_write  output, N x OC x OH x OW
//   params uniform     geometry, filter strides, row segments, bands of 4 rows and channel blocks
//
// Tunables (override): KH, KW (1..5), OT (output channels per invocation, 1..8),
// HAS_BIAS, RELU. Every row, channel and tap is written out, guarded by a comparison of
// override constants, so that every register index is a constant.

struct Params {
  N: u32, IC: u32, H: u32, W: u32,
  OC: u32, OH: u32, OW: u32,
  pad_t: i32, pad_l: i32,
  w_base: i32, w_oc: i32, w_ic: i32, w_kh: i32, w_kw: i32,
  segs: u32, bands: u32, blocks: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override KH: u32 = 5u;
override KW: u32 = 5u;
override OT: u32 = 8u;
override HAS_BIAS: bool = false;
override RELU: bool = false;

/** Input iw of this row, or 0 outside it. */
fn load_x(row: i32, iw: i32) -> f32 {
  let ok = iw >= 0 && iw < i32(params.W);
  return select(0.0, x[u32(select(0, row + iw, ok))], ok);
}

/** Tap kw of the filter row starting at t (0 past KW). */
fn filter_tap(t: i32, kw: u32) -> f32 {
  if (KW > kw) { return w[u32(t + i32(kw) * params.w_kw)]; }
  return 0.0;
}

/** Taps 0..3 of the filter row starting at t. */
fn filter_row(t: i32) -> vec4f {
  return vec4f(filter_tap(t, 0u), filter_tap(t, 1u), filter_tap(t, 2u), filter_tap(t, 3u));
}

/** One filter row (f: taps 0..3, g: tap 4) applied to 8 outputs whose inputs are p0..p2. */
fn taps(lo: ptr<function, vec4f>, hi: ptr<function, vec4f>, f: vec4f, g: f32, p0: vec4f, p1: vec4f, p2: vec4f) {
  *lo += f.x * p0;
  *hi += f.x * p1;
  if (KW > 1u) { *lo += f.y * vec4f(p0.yzw, p1.x); *hi += f.y * vec4f(p1.yzw, p2.x); }
  if (KW > 2u) { *lo += f.z * vec4f(p0.zw, p1.xy); *hi += f.z * vec4f(p1.zw, p2.xy); }
  if (KW > 3u) { *lo += f.w * vec4f(p0.w, p1.xyz); *hi += f.w * vec4f(p1.w, p2.xyz); }
  if (KW > 4u) { *lo += g * p1; *hi += g * p2; }
}

@compute @workgroup_size(64, 1, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let id = flat_workgroup_index(wid, nwg) * 64u + lid;
  if (id >= params.N * params.bands * params.segs * params.blocks) { return; }
  // Row segments vary fastest, then bands of rows, images and channel blocks.
  let seg = id % params.segs;
  let band = (id / params.segs) % params.bands;
  let n = (id / (params.segs * params.bands)) % params.N;
  let oc0 = (id / (params.segs * params.bands * params.N)) * OT;
  let oh0 = band * 4u;
  let ow0 = seg * 8u;
  let ih0 = i32(oh0) - params.pad_t;
  let iw0 = i32(ow0) - params.pad_l;
  let hw = i32(params.H * params.W);

  var a0_0_lo = vec4f(0.0);
  var a0_0_hi = vec4f(0.0);
  var a1_0_lo = vec4f(0.0);
  var a1_0_hi = vec4f(0.0);
  var a2_0_lo = vec4f(0.0);
  var a2_0_hi = vec4f(0.0);
  var a3_0_lo = vec4f(0.0);
  var a3_0_hi = vec4f(0.0);
  var a0_1_lo = vec4f(0.0);
  var a0_1_hi = vec4f(0.0);
  var a1_1_lo = vec4f(0.0);
  var a1_1_hi = vec4f(0.0);
  var a2_1_lo = vec4f(0.0);
  var a2_1_hi = vec4f(0.0);
  var a3_1_lo = vec4f(0.0);
  var a3_1_hi = vec4f(0.0);
  var a0_2_lo = vec4f(0.0);
  var a0_2_hi = vec4f(0.0);
  var a1_2_lo = vec4f(0.0);
  var a1_2_hi = vec4f(0.0);
  var a2_2_lo = vec4f(0.0);
  var a2_2_hi = vec4f(0.0);
  var a3_2_lo = vec4f(0.0);
  var a3_2_hi = vec4f(0.0);
  var a0_3_lo = vec4f(0.0);
  var a0_3_hi = vec4f(0.0);
  var a1_3_lo = vec4f(0.0);
  var a1_3_hi = vec4f(0.0);
  var a2_3_lo = vec4f(0.0);
  var a2_3_hi = vec4f(0.0);
  var a3_3_lo = vec4f(0.0);
  var a3_3_hi = vec4f(0.0);
  var a0_4_lo = vec4f(0.0);
  var a0_4_hi = vec4f(0.0);
  var a1_4_lo = vec4f(0.0);
  var a1_4_hi = vec4f(0.0);
  var a2_4_lo = vec4f(0.0);
  var a2_4_hi = vec4f(0.0);
  var a3_4_lo = vec4f(0.0);
  var a3_4_hi = vec4f(0.0);
  var a0_5_lo = vec4f(0.0);
  var a0_5_hi = vec4f(0.0);
  var a1_5_lo = vec4f(0.0);
  var a1_5_hi = vec4f(0.0);
  var a2_5_lo = vec4f(0.0);
  var a2_5_hi = vec4f(0.0);
  var a3_5_lo = vec4f(0.0);
  var a3_5_hi = vec4f(0.0);
  var a0_6_lo = vec4f(0.0);
  var a0_6_hi = vec4f(0.0);
  var a1_6_lo = vec4f(0.0);
  var a1_6_hi = vec4f(0.0);
  var a2_6_lo = vec4f(0.0);
  var a2_6_hi = vec4f(0.0);
  var a3_6_lo = vec4f(0.0);
  var a3_6_hi = vec4f(0.0);
  var a0_7_lo = vec4f(0.0);
  var a0_7_hi = vec4f(0.0);
  var a1_7_lo = vec4f(0.0);
  var a1_7_hi = vec4f(0.0);
  var a2_7_lo = vec4f(0.0);
  var a2_7_hi = vec4f(0.0);
  var a3_7_lo = vec4f(0.0);
  var a3_7_hi = vec4f(0.0);
  var x_chan = i32(n * params.IC) * hw;
  // Filter offsets of the block's channels (clamped: a channel past OC computes a copy, never stored).
  let wo0 = i32(min(oc0 + 0u, params.OC - 1u)) * params.w_oc;
  let wo1 = i32(min(oc0 + 1u, params.OC - 1u)) * params.w_oc;
  let wo2 = i32(min(oc0 + 2u, params.OC - 1u)) * params.w_oc;
  let wo3 = i32(min(oc0 + 3u, params.OC - 1u)) * params.w_oc;
  let wo4 = i32(min(oc0 + 4u, params.OC - 1u)) * params.w_oc;
  let wo5 = i32(min(oc0 + 5u, params.OC - 1u)) * params.w_oc;
  let wo6 = i32(min(oc0 + 6u, params.OC - 1u)) * params.w_oc;
  let wo7 = i32(min(oc0 + 7u, params.OC - 1u)) * params.w_oc;
  var w_chan = params.w_base;
  for (var ic = 0u; ic < params.IC; ic++) {
    var f0_0 = vec4f(0.0);
    var g0_0 = 0.0;
    if (KH > 0u) { f0_0 = filter_row(w_chan + wo0 + 0 * params.w_kh); g0_0 = filter_tap(w_chan + wo0 + 0 * params.w_kh, 4u); }
    var f1_0 = vec4f(0.0);
    var g1_0 = 0.0;
    if (KH > 1u) { f1_0 = filter_row(w_chan + wo0 + 1 * params.w_kh); g1_0 = filter_tap(w_chan + wo0 + 1 * params.w_kh, 4u); }
    var f2_0 = vec4f(0.0);
    var g2_0 = 0.0;
    if (KH > 2u) { f2_0 = filter_row(w_chan + wo0 + 2 * params.w_kh); g2_0 = filter_tap(w_chan + wo0 + 2 * params.w_kh, 4u); }
    var f3_0 = vec4f(0.0);
    var g3_0 = 0.0;
    if (KH > 3u) { f3_0 = filter_row(w_chan + wo0 + 3 * params.w_kh); g3_0 = filter_tap(w_chan + wo0 + 3 * params.w_kh, 4u); }
    var f4_0 = vec4f(0.0);
    var g4_0 = 0.0;
    if (KH > 4u) { f4_0 = filter_row(w_chan + wo0 + 4 * params.w_kh); g4_0 = filter_tap(w_chan + wo0 + 4 * params.w_kh, 4u); }
    var f0_1 = vec4f(0.0);
    var g0_1 = 0.0;
    if (OT > 1u && KH > 0u) { f0_1 = filter_row(w_chan + wo1 + 0 * params.w_kh); g0_1 = filter_tap(w_chan + wo1 + 0 * params.w_kh, 4u); }
    var f1_1 = vec4f(0.0);
    var g1_1 = 0.0;
    if (OT > 1u && KH > 1u) { f1_1 = filter_row(w_chan + wo1 + 1 * params.w_kh); g1_1 = filter_tap(w_chan + wo1 + 1 * params.w_kh, 4u); }
    var f2_1 = vec4f(0.0);
    var g2_1 = 0.0;
    if (OT > 1u && KH > 2u) { f2_1 = filter_row(w_chan + wo1 + 2 * params.w_kh); g2_1 = filter_tap(w_chan + wo1 + 2 * params.w_kh, 4u); }
    var f3_1 = vec4f(0.0);
    var g3_1 = 0.0;
    if (OT > 1u && KH > 3u) { f3_1 = filter_row(w_chan + wo1 + 3 * params.w_kh); g3_1 = filter_tap(w_chan + wo1 + 3 * params.w_kh, 4u); }
    var f4_1 = vec4f(0.0);
    var g4_1 = 0.0;
    if (OT > 1u && KH > 4u) { f4_1 = filter_row(w_chan + wo1 + 4 * params.w_kh); g4_1 = filter_tap(w_chan + wo1 + 4 * params.w_kh, 4u); }
    var f0_2 = vec4f(0.0);
    var g0_2 = 0.0;
    if (OT > 2u && KH > 0u) { f0_2 = filter_row(w_chan + wo2 + 0 * params.w_kh); g0_2 = filter_tap(w_chan + wo2 + 0 * params.w_kh, 4u); }
    var f1_2 = vec4f(0.0);
    var g1_2 = 0.0;
    if (OT > 2u && KH > 1u) { f1_2 = filter_row(w_chan + wo2 + 1 * params.w_kh); g1_2 = filter_tap(w_chan + wo2 + 1 * params.w_kh, 4u); }
    var f2_2 = vec4f(0.0);
    var g2_2 = 0.0;
    if (OT > 2u && KH > 2u) { f2_2 = filter_row(w_chan + wo2 + 2 * params.w_kh); g2_2 = filter_tap(w_chan + wo2 + 2 * params.w_kh, 4u); }
    var f3_2 = vec4f(0.0);
    var g3_2 = 0.0;
    if (OT > 2u && KH > 3u) { f3_2 = filter_row(w_chan + wo2 + 3 * params.w_kh); g3_2 = filter_tap(w_chan + wo2 + 3 * params.w_kh, 4u); }
    var f4_2 = vec4f(0.0);
    var g4_2 = 0.0;
    if (OT > 2u && KH > 4u) { f4_2 = filter_row(w_chan + wo2 + 4 * params.w_kh); g4_2 = filter_tap(w_chan + wo2 + 4 * params.w_kh, 4u); }
    var f0_3 = vec4f(0.0);
    var g0_3 = 0.0;
    if (OT > 3u && KH > 0u) { f0_3 = filter_row(w_chan + wo3 + 0 * params.w_kh); g0_3 = filter_tap(w_chan + wo3 + 0 * params.w_kh, 4u); }
    var f1_3 = vec4f(0.0);
    var g1_3 = 0.0;
    if (OT > 3u && KH > 1u) { f1_3 = filter_row(w_chan + wo3 + 1 * params.w_kh); g1_3 = filter_tap(w_chan + wo3 + 1 * params.w_kh, 4u); }
    var f2_3 = vec4f(0.0);
    var g2_3 = 0.0;
    if (OT > 3u && KH > 2u) { f2_3 = filter_row(w_chan + wo3 + 2 * params.w_kh); g2_3 = filter_tap(w_chan + wo3 + 2 * params.w_kh, 4u); }
    var f3_3 = vec4f(0.0);
    var g3_3 = 0.0;
    if (OT > 3u && KH > 3u) { f3_3 = filter_row(w_chan + wo3 + 3 * params.w_kh); g3_3 = filter_tap(w_chan + wo3 + 3 * params.w_kh, 4u); }
    var f4_3 = vec4f(0.0);
    var g4_3 = 0.0;
    if (OT > 3u && KH > 4u) { f4_3 = filter_row(w_chan + wo3 + 4 * params.w_kh); g4_3 = filter_tap(w_chan + wo3 + 4 * params.w_kh, 4u); }
    var f0_4 = vec4f(0.0);
    var g0_4 = 0.0;
    if (OT > 4u && KH > 0u) { f0_4 = filter_row(w_chan + wo4 + 0 * params.w_kh); g0_4 = filter_tap(w_chan + wo4 + 0 * params.w_kh, 4u); }
    var f1_4 = vec4f(0.0);
    var g1_4 = 0.0;
    if (OT > 4u && KH > 1u) { f1_4 = filter_row(w_chan + wo4 + 1 * params.w_kh); g1_4 = filter_tap(w_chan + wo4 + 1 * params.w_kh, 4u); }
    var f2_4 = vec4f(0.0);
    var g2_4 = 0.0;
    if (OT > 4u && KH > 2u) { f2_4 = filter_row(w_chan + wo4 + 2 * params.w_kh); g2_4 = filter_tap(w_chan + wo4 + 2 * params.w_kh, 4u); }
    var f3_4 = vec4f(0.0);
    var g3_4 = 0.0;
    if (OT > 4u && KH > 3u) { f3_4 = filter_row(w_chan + wo4 + 3 * params.w_kh); g3_4 = filter_tap(w_chan + wo4 + 3 * params.w_kh, 4u); }
    var f4_4 = vec4f(0.0);
    var g4_4 = 0.0;
    if (OT > 4u && KH > 4u) { f4_4 = filter_row(w_chan + wo4 + 4 * params.w_kh); g4_4 = filter_tap(w_chan + wo4 + 4 * params.w_kh, 4u); }
    var f0_5 = vec4f(0.0);
    var g0_5 = 0.0;
    if (OT > 5u && KH > 0u) { f0_5 = filter_row(w_chan + wo5 + 0 * params.w_kh); g0_5 = filter_tap(w_chan + wo5 + 0 * params.w_kh, 4u); }
    var f1_5 = vec4f(0.0);
    var g1_5 = 0.0;
    if (OT > 5u && KH > 1u) { f1_5 = filter_row(w_chan + wo5 + 1 * params.w_kh); g1_5 = filter_tap(w_chan + wo5 + 1 * params.w_kh, 4u); }
    var f2_5 = vec4f(0.0);
    var g2_5 = 0.0;
    if (OT > 5u && KH > 2u) { f2_5 = filter_row(w_chan + wo5 + 2 * params.w_kh); g2_5 = filter_tap(w_chan + wo5 + 2 * params.w_kh, 4u); }
    var f3_5 = vec4f(0.0);
    var g3_5 = 0.0;
    if (OT > 5u && KH > 3u) { f3_5 = filter_row(w_chan + wo5 + 3 * params.w_kh); g3_5 = filter_tap(w_chan + wo5 + 3 * params.w_kh, 4u); }
    var f4_5 = vec4f(0.0);
    var g4_5 = 0.0;
    if (OT > 5u && KH > 4u) { f4_5 = filter_row(w_chan + wo5 + 4 * params.w_kh); g4_5 = filter_tap(w_chan + wo5 + 4 * params.w_kh, 4u); }
    var f0_6 = vec4f(0.0);
    var g0_6 = 0.0;
    if (OT > 6u && KH > 0u) { f0_6 = filter_row(w_chan + wo6 + 0 * params.w_kh); g0_6 = filter_tap(w_chan + wo6 + 0 * params.w_kh, 4u); }
    var f1_6 = vec4f(0.0);
    var g1_6 = 0.0;
    if (OT > 6u && KH > 1u) { f1_6 = filter_row(w_chan + wo6 + 1 * params.w_kh); g1_6 = filter_tap(w_chan + wo6 + 1 * params.w_kh, 4u); }
    var f2_6 = vec4f(0.0);
    var g2_6 = 0.0;
    if (OT > 6u && KH > 2u) { f2_6 = filter_row(w_chan + wo6 + 2 * params.w_kh); g2_6 = filter_tap(w_chan + wo6 + 2 * params.w_kh, 4u); }
    var f3_6 = vec4f(0.0);
    var g3_6 = 0.0;
    if (OT > 6u && KH > 3u) { f3_6 = filter_row(w_chan + wo6 + 3 * params.w_kh); g3_6 = filter_tap(w_chan + wo6 + 3 * params.w_kh, 4u); }
    var f4_6 = vec4f(0.0);
    var g4_6 = 0.0;
    if (OT > 6u && KH > 4u) { f4_6 = filter_row(w_chan + wo6 + 4 * params.w_kh); g4_6 = filter_tap(w_chan + wo6 + 4 * params.w_kh, 4u); }
    var f0_7 = vec4f(0.0);
    var g0_7 = 0.0;
    if (OT > 7u && KH > 0u) { f0_7 = filter_row(w_chan + wo7 + 0 * params.w_kh); g0_7 = filter_tap(w_chan + wo7 + 0 * params.w_kh, 4u); }
    var f1_7 = vec4f(0.0);
    var g1_7 = 0.0;
    if (OT > 7u && KH > 1u) { f1_7 = filter_row(w_chan + wo7 + 1 * params.w_kh); g1_7 = filter_tap(w_chan + wo7 + 1 * params.w_kh, 4u); }
    var f2_7 = vec4f(0.0);
    var g2_7 = 0.0;
    if (OT > 7u && KH > 2u) { f2_7 = filter_row(w_chan + wo7 + 2 * params.w_kh); g2_7 = filter_tap(w_chan + wo7 + 2 * params.w_kh, 4u); }
    var f3_7 = vec4f(0.0);
    var g3_7 = 0.0;
    if (OT > 7u && KH > 3u) { f3_7 = filter_row(w_chan + wo7 + 3 * params.w_kh); g3_7 = filter_tap(w_chan + wo7 + 3 * params.w_kh, 4u); }
    var f4_7 = vec4f(0.0);
    var g4_7 = 0.0;
    if (OT > 7u && KH > 4u) { f4_7 = filter_row(w_chan + wo7 + 4 * params.w_kh); g4_7 = filter_tap(w_chan + wo7 + 4 * params.w_kh, 4u); }
    if (KH + 3u > 0u) {
      let ih = ih0 + 0;
      if (ih >= 0 && ih < i32(params.H)) {
        let row = x_chan + ih * i32(params.W);
        let p0 = vec4f(load_x(row, iw0), load_x(row, iw0 + 1), load_x(row, iw0 + 2), load_x(row, iw0 + 3));
        let p1 = vec4f(load_x(row, iw0 + 4), load_x(row, iw0 + 5), load_x(row, iw0 + 6), load_x(row, iw0 + 7));
        var p2 = vec4f(0.0);
        if (KW > 1u) { p2 = vec4f(load_x(row, iw0 + 8), load_x(row, iw0 + 9), load_x(row, iw0 + 10), load_x(row, iw0 + 11)); }
        if (KH > 0u) { taps(&a0_0_lo, &a0_0_hi, f0_0, g0_0, p0, p1, p2); }
        if (OT > 1u && KH > 0u) { taps(&a0_1_lo, &a0_1_hi, f0_1, g0_1, p0, p1, p2); }
        if (OT > 2u && KH > 0u) { taps(&a0_2_lo, &a0_2_hi, f0_2, g0_2, p0, p1, p2); }
        if (OT > 3u && KH > 0u) { taps(&a0_3_lo, &a0_3_hi, f0_3, g0_3, p0, p1, p2); }
        if (OT > 4u && KH > 0u) { taps(&a0_4_lo, &a0_4_hi, f0_4, g0_4, p0, p1, p2); }
        if (OT > 5u && KH > 0u) { taps(&a0_5_lo, &a0_5_hi, f0_5, g0_5, p0, p1, p2); }
        if (OT > 6u && KH > 0u) { taps(&a0_6_lo, &a0_6_hi, f0_6, g0_6, p0, p1, p2); }
        if (OT > 7u && KH > 0u) { taps(&a0_7_lo, &a0_7_hi, f0_7, g0_7, p0, p1, p2); }
      }
    }
    if (KH + 3u > 1u) {
      let ih = ih0 + 1;
      if (ih >= 0 && ih < i32(params.H)) {
        let row = x_chan + ih * i32(params.W);
        let p0 = vec4f(load_x(row, iw0), load_x(row, iw0 + 1), load_x(row, iw0 + 2), load_x(row, iw0 + 3));
        let p1 = vec4f(load_x(row, iw0 + 4), load_x(row, iw0 + 5), load_x(row, iw0 + 6), load_x(row, iw0 + 7));
        var p2 = vec4f(0.0);
        if (KW > 1u) { p2 = vec4f(load_x(row, iw0 + 8), load_x(row, iw0 + 9), load_x(row, iw0 + 10), load_x(row, iw0 + 11)); }
        if (KH > 1u) { taps(&a0_0_lo, &a0_0_hi, f1_0, g1_0, p0, p1, p2); }
        if (OT > 1u && KH > 1u) { taps(&a0_1_lo, &a0_1_hi, f1_1, g1_1, p0, p1, p2); }
        if (OT > 2u && KH > 1u) { taps(&a0_2_lo, &a0_2_hi, f1_2, g1_2, p0, p1, p2); }
        if (OT > 3u && KH > 1u) { taps(&a0_3_lo, &a0_3_hi, f1_3, g1_3, p0, p1, p2); }
        if (OT > 4u && KH > 1u) { taps(&a0_4_lo, &a0_4_hi, f1_4, g1_4, p0, p1, p2); }
        if (OT > 5u && KH > 1u) { taps(&a0_5_lo, &a0_5_hi, f1_5, g1_5, p0, p1, p2); }
        if (OT > 6u && KH > 1u) { taps(&a0_6_lo, &a0_6_hi, f1_6, g1_6, p0, p1, p2); }
        if (OT > 7u && KH > 1u) { taps(&a0_7_lo, &a0_7_hi, f1_7, g1_7, p0, p1, p2); }
        if (KH > 0u) { taps(&a1_0_lo, &a1_0_hi, f0_0, g0_0, p0, p1, p2); }
        if (OT > 1u && KH > 0u) { taps(&a1_1_lo, &a1_1_hi, f0_1, g0_1, p0, p1, p2); }
        if (OT > 2u && KH > 0u) { taps(&a1_2_lo, &a1_2_hi, f0_2, g0_2, p0, p1, p2); }
        if (OT > 3u && KH > 0u) { taps(&a1_3_lo, &a1_3_hi, f0_3, g0_3, p0, p1, p2); }
        if (OT > 4u && KH > 0u) { taps(&a1_4_lo, &a1_4_hi, f0_4, g0_4, p0, p1, p2); }
        if (OT > 5u && KH > 0u) { taps(&a1_5_lo, &a1_5_hi, f0_5, g0_5, p0, p1, p2); }
        if (OT > 6u && KH > 0u) { taps(&a1_6_lo, &a1_6_hi, f0_6, g0_6, p0, p1, p2); }
        if (OT > 7u && KH > 0u) { taps(&a1_7_lo, &a1_7_hi, f0_7, g0_7, p0, p1, p2); }
      }
    }
    if (KH + 3u > 2u) {
      let ih = ih0 + 2;
      if (ih >= 0 && ih < i32(params.H)) {
        let row = x_chan + ih * i32(params.W);
        let p0 = vec4f(load_x(row, iw0), load_x(row, iw0 + 1), load_x(row, iw0 + 2), load_x(row, iw0 + 3));
        let p1 = vec4f(load_x(row, iw0 + 4), load_x(row, iw0 + 5), load_x(row, iw0 + 6), load_x(row, iw0 + 7));
        var p2 = vec4f(0.0);
        if (KW > 1u) { p2 = vec4f(load_x(row, iw0 + 8), load_x(row, iw0 + 9), load_x(row, iw0 + 10), load_x(row, iw0 + 11)); }
        if (KH > 2u) { taps(&a0_0_lo, &a0_0_hi, f2_0, g2_0, p0, p1, p2); }
        if (OT > 1u && KH > 2u) { taps(&a0_1_lo, &a0_1_hi, f2_1, g2_1, p0, p1, p2); }
        if (OT > 2u && KH > 2u) { taps(&a0_2_lo, &a0_2_hi, f2_2, g2_2, p0, p1, p2); }
        if (OT > 3u && KH > 2u) { taps(&a0_3_lo, &a0_3_hi, f2_3, g2_3, p0, p1, p2); }
        if (OT > 4u && KH > 2u) { taps(&a0_4_lo, &a0_4_hi, f2_4, g2_4, p0, p1, p2); }
        if (OT > 5u && KH > 2u) { taps(&a0_5_lo, &a0_5_hi, f2_5, g2_5, p0, p1, p2); }
        if (OT > 6u && KH > 2u) { taps(&a0_6_lo, &a0_6_hi, f2_6, g2_6, p0, p1, p2); }
        if (OT > 7u && KH > 2u) { taps(&a0_7_lo, &a0_7_hi, f2_7, g2_7, p0, p1, p2); }
        if (KH > 1u) { taps(&a1_0_lo, &a1_0_hi, f1_0, g1_0, p0, p1, p2); }
        if (OT > 1u && KH > 1u) { taps(&a1_1_lo, &a1_1_hi, f1_1, g1_1, p0, p1, p2); }
        if (OT > 2u && KH > 1u) { taps(&a1_2_lo, &a1_2_hi, f1_2, g1_2, p0, p1, p2); }
        if (OT > 3u && KH > 1u) { taps(&a1_3_lo, &a1_3_hi, f1_3, g1_3, p0, p1, p2); }
        if (OT > 4u && KH > 1u) { taps(&a1_4_lo, &a1_4_hi, f1_4, g1_4, p0, p1, p2); }
        if (OT > 5u && KH > 1u) { taps(&a1_5_lo, &a1_5_hi, f1_5, g1_5, p0, p1, p2); }
        if (OT > 6u && KH > 1u) { taps(&a1_6_lo, &a1_6_hi, f1_6, g1_6, p0, p1, p2); }
        if (OT > 7u && KH > 1u) { taps(&a1_7_lo, &a1_7_hi, f1_7, g1_7, p0, p1, p2); }
        if (KH > 0u) { taps(&a2_0_lo, &a2_0_hi, f0_0, g0_0, p0, p1, p2); }
        if (OT > 1u && KH > 0u) { taps(&a2_1_lo, &a2_1_hi, f0_1, g0_1, p0, p1, p2); }
        if (OT > 2u && KH > 0u) { taps(&a2_2_lo, &a2_2_hi, f0_2, g0_2, p0, p1, p2); }
        if (OT > 3u && KH > 0u) { taps(&a2_3_lo, &a2_3_hi, f0_3, g0_3, p0, p1, p2); }
        if (OT > 4u && KH > 0u) { taps(&a2_4_lo, &a2_4_hi, f0_4, g0_4, p0, p1, p2); }
        if (OT > 5u && KH > 0u) { taps(&a2_5_lo, &a2_5_hi, f0_5, g0_5, p0, p1, p2); }
        if (OT > 6u && KH > 0u) { taps(&a2_6_lo, &a2_6_hi, f0_6, g0_6, p0, p1, p2); }
        if (OT > 7u && KH > 0u) { taps(&a2_7_lo, &a2_7_hi, f0_7, g0_7, p0, p1, p2); }
      }
    }
    if (KH + 3u > 3u) {
      let ih = ih0 + 3;
      if (ih >= 0 && ih < i32(params.H)) {
        let row = x_chan + ih * i32(params.W);
        let p0 = vec4f(load_x(row, iw0), load_x(row, iw0 + 1), load_x(row, iw0 + 2), load_x(row, iw0 + 3));
        let p1 = vec4f(load_x(row, iw0 + 4), load_x(row, iw0 + 5), load_x(row, iw0 + 6), load_x(row, iw0 + 7));
        var p2 = vec4f(0.0);
        if (KW > 1u) { p2 = vec4f(load_x(row, iw0 + 8), load_x(row, iw0 + 9), load_x(row, iw0 + 10), load_x(row, iw0 + 11)); }
        if (KH > 3u) { taps(&a0_0_lo, &a0_0_hi, f3_0, g3_0, p0, p1, p2); }
        if (OT > 1u && KH > 3u) { taps(&a0_1_lo, &a0_1_hi, f3_1, g3_1, p0, p1, p2); }
        if (OT > 2u && KH > 3u) { taps(&a0_2_lo, &a0_2_hi, f3_2, g3_2, p0, p1, p2); }
        if (OT > 3u && KH > 3u) { taps(&a0_3_lo, &a0_3_hi, f3_3, g3_3, p0, p1, p2); }
        if (OT > 4u && KH > 3u) { taps(&a0_4_lo, &a0_4_hi, f3_4, g3_4, p0, p1, p2); }
        if (OT > 5u && KH > 3u) { taps(&a0_5_lo, &a0_5_hi, f3_5, g3_5, p0, p1, p2); }
        if (OT > 6u && KH > 3u) { taps(&a0_6_lo, &a0_6_hi, f3_6, g3_6, p0, p1, p2); }
        if (OT > 7u && KH > 3u) { taps(&a0_7_lo, &a0_7_hi, f3_7, g3_7, p0, p1, p2); }
        if (KH > 2u) { taps(&a1_0_lo, &a1_0_hi, f2_0, g2_0, p0, p1, p2); }
        if (OT > 1u && KH > 2u) { taps(&a1_1_lo, &a1_1_hi, f2_1, g2_1, p0, p1, p2); }
        if (OT > 2u && KH > 2u) { taps(&a1_2_lo, &a1_2_hi, f2_2, g2_2, p0, p1, p2); }
        if (OT > 3u && KH > 2u) { taps(&a1_3_lo, &a1_3_hi, f2_3, g2_3, p0, p1, p2); }
        if (OT > 4u && KH > 2u) { taps(&a1_4_lo, &a1_4_hi, f2_4, g2_4, p0, p1, p2); }
        if (OT > 5u && KH > 2u) { taps(&a1_5_lo, &a1_5_hi, f2_5, g2_5, p0, p1, p2); }
        if (OT > 6u && KH > 2u) { taps(&a1_6_lo, &a1_6_hi, f2_6, g2_6, p0, p1, p2); }
        if (OT > 7u && KH > 2u) { taps(&a1_7_lo, &a1_7_hi, f2_7, g2_7, p0, p1, p2); }
        if (KH > 1u) { taps(&a2_0_lo, &a2_0_hi, f1_0, g1_0, p0, p1, p2); }
        if (OT > 1u && KH > 1u) { taps(&a2_1_lo, &a2_1_hi, f1_1, g1_1, p0, p1, p2); }
        if (OT > 2u && KH > 1u) { taps(&a2_2_lo, &a2_2_hi, f1_2, g1_2, p0, p1, p2); }
        if (OT > 3u && KH > 1u) { taps(&a2_3_lo, &a2_3_hi, f1_3, g1_3, p0, p1, p2); }
        if (OT > 4u && KH > 1u) { taps(&a2_4_lo, &a2_4_hi, f1_4, g1_4, p0, p1, p2); }
        if (OT > 5u && KH > 1u) { taps(&a2_5_lo, &a2_5_hi, f1_5, g1_5, p0, p1, p2); }
        if (OT > 6u && KH > 1u) { taps(&a2_6_lo, &a2_6_hi, f1_6, g1_6, p0, p1, p2); }
        if (OT > 7u && KH > 1u) { taps(&a2_7_lo, &a2_7_hi, f1_7, g1_7, p0, p1, p2); }
        if (KH > 0u) { taps(&a3_0_lo, &a3_0_hi, f0_0, g0_0, p0, p1, p2); }
        if (OT > 1u && KH > 0u) { taps(&a3_1_lo, &a3_1_hi, f0_1, g0_1, p0, p1, p2); }
        if (OT > 2u && KH > 0u) { taps(&a3_2_lo, &a3_2_hi, f0_2, g0_2, p0, p1, p2); }
        if (OT > 3u && KH > 0u) { taps(&a3_3_lo, &a3_3_hi, f0_3, g0_3, p0, p1, p2); }
        if (OT > 4u && KH > 0u) { taps(&a3_4_lo, &a3_4_hi, f0_4, g0_4, p0, p1, p2); }
        if (OT > 5u && KH > 0u) { taps(&a3_5_lo, &a3_5_hi, f0_5, g0_5, p0, p1, p2); }
        if (OT > 6u && KH > 0u) { taps(&a3_6_lo, &a3_6_hi, f0_6, g0_6, p0, p1, p2); }
        if (OT > 7u && KH > 0u) { taps(&a3_7_lo, &a3_7_hi, f0_7, g0_7, p0, p1, p2); }
      }
    }
    if (KH + 3u > 4u) {
      let ih = ih0 + 4;
      if (ih >= 0 && ih < i32(params.H)) {
        let row = x_chan + ih * i32(params.W);
        let p0 = vec4f(load_x(row, iw0), load_x(row, iw0 + 1), load_x(row, iw0 + 2), load_x(row, iw0 + 3));
        let p1 = vec4f(load_x(row, iw0 + 4), load_x(row, iw0 + 5), load_x(row, iw0 + 6), load_x(row, iw0 + 7));
        var p2 = vec4f(0.0);
        if (KW > 1u) { p2 = vec4f(load_x(row, iw0 + 8), load_x(row, iw0 + 9), load_x(row, iw0 + 10), load_x(row, iw0 + 11)); }
        if (KH > 4u) { taps(&a0_0_lo, &a0_0_hi, f4_0, g4_0, p0, p1, p2); }
        if (OT > 1u && KH > 4u) { taps(&a0_1_lo, &a0_1_hi, f4_1, g4_1, p0, p1, p2); }
        if (OT > 2u && KH > 4u) { taps(&a0_2_lo, &a0_2_hi, f4_2, g4_2, p0, p1, p2); }
        if (OT > 3u && KH > 4u) { taps(&a0_3_lo, &a0_3_hi, f4_3, g4_3, p0, p1, p2); }
        if (OT > 4u && KH > 4u) { taps(&a0_4_lo, &a0_4_hi, f4_4, g4_4, p0, p1, p2); }
        if (OT > 5u && KH > 4u) { taps(&a0_5_lo, &a0_5_hi, f4_5, g4_5, p0, p1, p2); }
        if (OT > 6u && KH > 4u) { taps(&a0_6_lo, &a0_6_hi, f4_6, g4_6, p0, p1, p2); }
        if (OT > 7u && KH > 4u) { taps(&a0_7_lo, &a0_7_hi, f4_7, g4_7, p0, p1, p2); }
        if (KH > 3u) { taps(&a1_0_lo, &a1_0_hi, f3_0, g3_0, p0, p1, p2); }
        if (OT > 1u && KH > 3u) { taps(&a1_1_lo, &a1_1_hi, f3_1, g3_1, p0, p1, p2); }
        if (OT > 2u && KH > 3u) { taps(&a1_2_lo, &a1_2_hi, f3_2, g3_2, p0, p1, p2); }
        if (OT > 3u && KH > 3u) { taps(&a1_3_lo, &a1_3_hi, f3_3, g3_3, p0, p1, p2); }
        if (OT > 4u && KH > 3u) { taps(&a1_4_lo, &a1_4_hi, f3_4, g3_4, p0, p1, p2); }
        if (OT > 5u && KH > 3u) { taps(&a1_5_lo, &a1_5_hi, f3_5, g3_5, p0, p1, p2); }
        if (OT > 6u && KH > 3u) { taps(&a1_6_lo, &a1_6_hi, f3_6, g3_6, p0, p1, p2); }
        if (OT > 7u && KH > 3u) { taps(&a1_7_lo, &a1_7_hi, f3_7, g3_7, p0, p1, p2); }
        if (KH > 2u) { taps(&a2_0_lo, &a2_0_hi, f2_0, g2_0, p0, p1, p2); }
        if (OT > 1u && KH > 2u) { taps(&a2_1_lo, &a2_1_hi, f2_1, g2_1, p0, p1, p2); }
        if (OT > 2u && KH > 2u) { taps(&a2_2_lo, &a2_2_hi, f2_2, g2_2, p0, p1, p2); }
        if (OT > 3u && KH > 2u) { taps(&a2_3_lo, &a2_3_hi, f2_3, g2_3, p0, p1, p2); }
        if (OT > 4u && KH > 2u) { taps(&a2_4_lo, &a2_4_hi, f2_4, g2_4, p0, p1, p2); }
        if (OT > 5u && KH > 2u) { taps(&a2_5_lo, &a2_5_hi, f2_5, g2_5, p0, p1, p2); }
        if (OT > 6u && KH > 2u) { taps(&a2_6_lo, &a2_6_hi, f2_6, g2_6, p0, p1, p2); }
        if (OT > 7u && KH > 2u) { taps(&a2_7_lo, &a2_7_hi, f2_7, g2_7, p0, p1, p2); }
        if (KH > 1u) { taps(&a3_0_lo, &a3_0_hi, f1_0, g1_0, p0, p1, p2); }
        if (OT > 1u && KH > 1u) { taps(&a3_1_lo, &a3_1_hi, f1_1, g1_1, p0, p1, p2); }
        if (OT > 2u && KH > 1u) { taps(&a3_2_lo, &a3_2_hi, f1_2, g1_2, p0, p1, p2); }
        if (OT > 3u && KH > 1u) { taps(&a3_3_lo, &a3_3_hi, f1_3, g1_3, p0, p1, p2); }
        if (OT > 4u && KH > 1u) { taps(&a3_4_lo, &a3_4_hi, f1_4, g1_4, p0, p1, p2); }
        if (OT > 5u && KH > 1u) { taps(&a3_5_lo, &a3_5_hi, f1_5, g1_5, p0, p1, p2); }
        if (OT > 6u && KH > 1u) { taps(&a3_6_lo, &a3_6_hi, f1_6, g1_6, p0, p1, p2); }
        if (OT > 7u && KH > 1u) { taps(&a3_7_lo, &a3_7_hi, f1_7, g1_7, p0, p1, p2); }
      }
    }
    if (KH + 3u > 5u) {
      let ih = ih0 + 5;
      if (ih >= 0 && ih < i32(params.H)) {
        let row = x_chan + ih * i32(params.W);
        let p0 = vec4f(load_x(row, iw0), load_x(row, iw0 + 1), load_x(row, iw0 + 2), load_x(row, iw0 + 3));
        let p1 = vec4f(load_x(row, iw0 + 4), load_x(row, iw0 + 5), load_x(row, iw0 + 6), load_x(row, iw0 + 7));
        var p2 = vec4f(0.0);
        if (KW > 1u) { p2 = vec4f(load_x(row, iw0 + 8), load_x(row, iw0 + 9), load_x(row, iw0 + 10), load_x(row, iw0 + 11)); }
        if (KH > 4u) { taps(&a1_0_lo, &a1_0_hi, f4_0, g4_0, p0, p1, p2); }
        if (OT > 1u && KH > 4u) { taps(&a1_1_lo, &a1_1_hi, f4_1, g4_1, p0, p1, p2); }
        if (OT > 2u && KH > 4u) { taps(&a1_2_lo, &a1_2_hi, f4_2, g4_2, p0, p1, p2); }
        if (OT > 3u && KH > 4u) { taps(&a1_3_lo, &a1_3_hi, f4_3, g4_3, p0, p1, p2); }
        if (OT > 4u && KH > 4u) { taps(&a1_4_lo, &a1_4_hi, f4_4, g4_4, p0, p1, p2); }
        if (OT > 5u && KH > 4u) { taps(&a1_5_lo, &a1_5_hi, f4_5, g4_5, p0, p1, p2); }
        if (OT > 6u && KH > 4u) { taps(&a1_6_lo, &a1_6_hi, f4_6, g4_6, p0, p1, p2); }
        if (OT > 7u && KH > 4u) { taps(&a1_7_lo, &a1_7_hi, f4_7, g4_7, p0, p1, p2); }
        if (KH > 3u) { taps(&a2_0_lo, &a2_0_hi, f3_0, g3_0, p0, p1, p2); }
        if (OT > 1u && KH > 3u) { taps(&a2_1_lo, &a2_1_hi, f3_1, g3_1, p0, p1, p2); }
        if (OT > 2u && KH > 3u) { taps(&a2_2_lo, &a2_2_hi, f3_2, g3_2, p0, p1, p2); }
        if (OT > 3u && KH > 3u) { taps(&a2_3_lo, &a2_3_hi, f3_3, g3_3, p0, p1, p2); }
        if (OT > 4u && KH > 3u) { taps(&a2_4_lo, &a2_4_hi, f3_4, g3_4, p0, p1, p2); }
        if (OT > 5u && KH > 3u) { taps(&a2_5_lo, &a2_5_hi, f3_5, g3_5, p0, p1, p2); }
        if (OT > 6u && KH > 3u) { taps(&a2_6_lo, &a2_6_hi, f3_6, g3_6, p0, p1, p2); }
        if (OT > 7u && KH > 3u) { taps(&a2_7_lo, &a2_7_hi, f3_7, g3_7, p0, p1, p2); }
        if (KH > 2u) { taps(&a3_0_lo, &a3_0_hi, f2_0, g2_0, p0, p1, p2); }
        if (OT > 1u && KH > 2u) { taps(&a3_1_lo, &a3_1_hi, f2_1, g2_1, p0, p1, p2); }
        if (OT > 2u && KH > 2u) { taps(&a3_2_lo, &a3_2_hi, f2_2, g2_2, p0, p1, p2); }
        if (OT > 3u && KH > 2u) { taps(&a3_3_lo, &a3_3_hi, f2_3, g2_3, p0, p1, p2); }
        if (OT > 4u && KH > 2u) { taps(&a3_4_lo, &a3_4_hi, f2_4, g2_4, p0, p1, p2); }
        if (OT > 5u && KH > 2u) { taps(&a3_5_lo, &a3_5_hi, f2_5, g2_5, p0, p1, p2); }
        if (OT > 6u && KH > 2u) { taps(&a3_6_lo, &a3_6_hi, f2_6, g2_6, p0, p1, p2); }
        if (OT > 7u && KH > 2u) { taps(&a3_7_lo, &a3_7_hi, f2_7, g2_7, p0, p1, p2); }
      }
    }
    if (KH + 3u > 6u) {
      let ih = ih0 + 6;
      if (ih >= 0 && ih < i32(params.H)) {
        let row = x_chan + ih * i32(params.W);
        let p0 = vec4f(load_x(row, iw0), load_x(row, iw0 + 1), load_x(row, iw0 + 2), load_x(row, iw0 + 3));
        let p1 = vec4f(load_x(row, iw0 + 4), load_x(row, iw0 + 5), load_x(row, iw0 + 6), load_x(row, iw0 + 7));
        var p2 = vec4f(0.0);
        if (KW > 1u) { p2 = vec4f(load_x(row, iw0 + 8), load_x(row, iw0 + 9), load_x(row, iw0 + 10), load_x(row, iw0 + 11)); }
        if (KH > 4u) { taps(&a2_0_lo, &a2_0_hi, f4_0, g4_0, p0, p1, p2); }
        if (OT > 1u && KH > 4u) { taps(&a2_1_lo, &a2_1_hi, f4_1, g4_1, p0, p1, p2); }
        if (OT > 2u && KH > 4u) { taps(&a2_2_lo, &a2_2_hi, f4_2, g4_2, p0, p1, p2); }
        if (OT > 3u && KH > 4u) { taps(&a2_3_lo, &a2_3_hi, f4_3, g4_3, p0, p1, p2); }
        if (OT > 4u && KH > 4u) { taps(&a2_4_lo, &a2_4_hi, f4_4, g4_4, p0, p1, p2); }
        if (OT > 5u && KH > 4u) { taps(&a2_5_lo, &a2_5_hi, f4_5, g4_5, p0, p1, p2); }
        if (OT > 6u && KH > 4u) { taps(&a2_6_lo, &a2_6_hi, f4_6, g4_6, p0, p1, p2); }
        if (OT > 7u && KH > 4u) { taps(&a2_7_lo, &a2_7_hi, f4_7, g4_7, p0, p1, p2); }
        if (KH > 3u) { taps(&a3_0_lo, &a3_0_hi, f3_0, g3_0, p0, p1, p2); }
        if (OT > 1u && KH > 3u) { taps(&a3_1_lo, &a3_1_hi, f3_1, g3_1, p0, p1, p2); }
        if (OT > 2u && KH > 3u) { taps(&a3_2_lo, &a3_2_hi, f3_2, g3_2, p0, p1, p2); }
        if (OT > 3u && KH > 3u) { taps(&a3_3_lo, &a3_3_hi, f3_3, g3_3, p0, p1, p2); }
        if (OT > 4u && KH > 3u) { taps(&a3_4_lo, &a3_4_hi, f3_4, g3_4, p0, p1, p2); }
        if (OT > 5u && KH > 3u) { taps(&a3_5_lo, &a3_5_hi, f3_5, g3_5, p0, p1, p2); }
        if (OT > 6u && KH > 3u) { taps(&a3_6_lo, &a3_6_hi, f3_6, g3_6, p0, p1, p2); }
        if (OT > 7u && KH > 3u) { taps(&a3_7_lo, &a3_7_hi, f3_7, g3_7, p0, p1, p2); }
      }
    }
    if (KH + 3u > 7u) {
      let ih = ih0 + 7;
      if (ih >= 0 && ih < i32(params.H)) {
        let row = x_chan + ih * i32(params.W);
        let p0 = vec4f(load_x(row, iw0), load_x(row, iw0 + 1), load_x(row, iw0 + 2), load_x(row, iw0 + 3));
        let p1 = vec4f(load_x(row, iw0 + 4), load_x(row, iw0 + 5), load_x(row, iw0 + 6), load_x(row, iw0 + 7));
        var p2 = vec4f(0.0);
        if (KW > 1u) { p2 = vec4f(load_x(row, iw0 + 8), load_x(row, iw0 + 9), load_x(row, iw0 + 10), load_x(row, iw0 + 11)); }
        if (KH > 4u) { taps(&a3_0_lo, &a3_0_hi, f4_0, g4_0, p0, p1, p2); }
        if (OT > 1u && KH > 4u) { taps(&a3_1_lo, &a3_1_hi, f4_1, g4_1, p0, p1, p2); }
        if (OT > 2u && KH > 4u) { taps(&a3_2_lo, &a3_2_hi, f4_2, g4_2, p0, p1, p2); }
        if (OT > 3u && KH > 4u) { taps(&a3_3_lo, &a3_3_hi, f4_3, g4_3, p0, p1, p2); }
        if (OT > 4u && KH > 4u) { taps(&a3_4_lo, &a3_4_hi, f4_4, g4_4, p0, p1, p2); }
        if (OT > 5u && KH > 4u) { taps(&a3_5_lo, &a3_5_hi, f4_5, g4_5, p0, p1, p2); }
        if (OT > 6u && KH > 4u) { taps(&a3_6_lo, &a3_6_hi, f4_6, g4_6, p0, p1, p2); }
        if (OT > 7u && KH > 4u) { taps(&a3_7_lo, &a3_7_hi, f4_7, g4_7, p0, p1, p2); }
      }
    }
    x_chan += hw;
    w_chan += params.w_ic;
  }

  store8(n, oc0 + 0u, oh0 + 0u, ow0, a0_0_lo, a0_0_hi);
  store8(n, oc0 + 0u, oh0 + 1u, ow0, a1_0_lo, a1_0_hi);
  store8(n, oc0 + 0u, oh0 + 2u, ow0, a2_0_lo, a2_0_hi);
  store8(n, oc0 + 0u, oh0 + 3u, ow0, a3_0_lo, a3_0_hi);
  if (OT > 1u) { store8(n, oc0 + 1u, oh0 + 0u, ow0, a0_1_lo, a0_1_hi); }
  if (OT > 1u) { store8(n, oc0 + 1u, oh0 + 1u, ow0, a1_1_lo, a1_1_hi); }
  if (OT > 1u) { store8(n, oc0 + 1u, oh0 + 2u, ow0, a2_1_lo, a2_1_hi); }
  if (OT > 1u) { store8(n, oc0 + 1u, oh0 + 3u, ow0, a3_1_lo, a3_1_hi); }
  if (OT > 2u) { store8(n, oc0 + 2u, oh0 + 0u, ow0, a0_2_lo, a0_2_hi); }
  if (OT > 2u) { store8(n, oc0 + 2u, oh0 + 1u, ow0, a1_2_lo, a1_2_hi); }
  if (OT > 2u) { store8(n, oc0 + 2u, oh0 + 2u, ow0, a2_2_lo, a2_2_hi); }
  if (OT > 2u) { store8(n, oc0 + 2u, oh0 + 3u, ow0, a3_2_lo, a3_2_hi); }
  if (OT > 3u) { store8(n, oc0 + 3u, oh0 + 0u, ow0, a0_3_lo, a0_3_hi); }
  if (OT > 3u) { store8(n, oc0 + 3u, oh0 + 1u, ow0, a1_3_lo, a1_3_hi); }
  if (OT > 3u) { store8(n, oc0 + 3u, oh0 + 2u, ow0, a2_3_lo, a2_3_hi); }
  if (OT > 3u) { store8(n, oc0 + 3u, oh0 + 3u, ow0, a3_3_lo, a3_3_hi); }
  if (OT > 4u) { store8(n, oc0 + 4u, oh0 + 0u, ow0, a0_4_lo, a0_4_hi); }
  if (OT > 4u) { store8(n, oc0 + 4u, oh0 + 1u, ow0, a1_4_lo, a1_4_hi); }
  if (OT > 4u) { store8(n, oc0 + 4u, oh0 + 2u, ow0, a2_4_lo, a2_4_hi); }
  if (OT > 4u) { store8(n, oc0 + 4u, oh0 + 3u, ow0, a3_4_lo, a3_4_hi); }
  if (OT > 5u) { store8(n, oc0 + 5u, oh0 + 0u, ow0, a0_5_lo, a0_5_hi); }
  if (OT > 5u) { store8(n, oc0 + 5u, oh0 + 1u, ow0, a1_5_lo, a1_5_hi); }
  if (OT > 5u) { store8(n, oc0 + 5u, oh0 + 2u, ow0, a2_5_lo, a2_5_hi); }
  if (OT > 5u) { store8(n, oc0 + 5u, oh0 + 3u, ow0, a3_5_lo, a3_5_hi); }
  if (OT > 6u) { store8(n, oc0 + 6u, oh0 + 0u, ow0, a0_6_lo, a0_6_hi); }
  if (OT > 6u) { store8(n, oc0 + 6u, oh0 + 1u, ow0, a1_6_lo, a1_6_hi); }
  if (OT > 6u) { store8(n, oc0 + 6u, oh0 + 2u, ow0, a2_6_lo, a2_6_hi); }
  if (OT > 6u) { store8(n, oc0 + 6u, oh0 + 3u, ow0, a3_6_lo, a3_6_hi); }
  if (OT > 7u) { store8(n, oc0 + 7u, oh0 + 0u, ow0, a0_7_lo, a0_7_hi); }
  if (OT > 7u) { store8(n, oc0 + 7u, oh0 + 1u, ow0, a1_7_lo, a1_7_hi); }
  if (OT > 7u) { store8(n, oc0 + 7u, oh0 + 2u, ow0, a2_7_lo, a2_7_hi); }
  if (OT > 7u) { store8(n, oc0 + 7u, oh0 + 3u, ow0, a3_7_lo, a3_7_hi); }
}

/** Row oh's 8 outputs from ow0 of channel oc (those inside the output), plus bias and ReLU. */
fn store8(n: u32, oc: u32, oh: u32, ow0: u32, lo: vec4f, hi: vec4f) {
  if (oc >= params.OC || oh >= params.OH) { return; }
  var b = 0.0;
  if (HAS_BIAS) { b = bias[oc]; }
  let base = ((n * params.OC + oc) * params.OH + oh) * params.OW;
  for (var j = 0u; j < 8u; j++) {
    let ow = ow0 + j;
    if (ow >= params.OW) { break; }
    var v = select(hi[j & 3u], lo[j & 3u], j < 4u) + b;
    if (RELU) { v = relu_f32(v); }
    out[base + ow] = v;
  }
}
