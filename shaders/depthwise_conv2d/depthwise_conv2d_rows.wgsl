// depthwise_conv2d_rows: a depthwise convolution (or its stride-1 input gradient) by row windows
//   out[n,oc,oh,ow] = bias[oc] + sum_{m<MI, kh, kw} w(oc*w_mul+m, kh, kw) * x[n, (oc/in_div)*in_mul+m, oh*S-pad_t+kh, ow*S-pad_l+kw]
// with w(r, kh, kw) = w[w_base + r*taps + kh*w_kh + kw*w_kw]. The forward reads input channel
// oc/M (in_div = M, MI = 1); the input gradient is dy convolved with each filter flipped
// (negative tap strides), summed over the multiplier's M output channels (in_mul = w_mul = M).
//
// One invocation computes 8 consecutive outputs of one row of one channel. Per filter row it
// loads the 7*S+KW inputs those outputs' windows share into registers once, then one weight
// per tap: 3x3 stride 1 loads 13 values per row for 24 multiply-adds, where one invocation
// per output (depthwise_conv2d.wgsl) loads 6. Taps and strides are written out (k = 0..4,
// S = 1 or 2) so every register index is a constant.
//
// Bindings (group 0):
//   x      read        input (forward) or dy (input gradient), N x IC x H x W
//   w      read        filter [C*M, 1, KH, KW], addressed as above
//   bias   read        OC values (read only when HAS_BIAS)
//   out    read_write  N x OC x OH x OW
//   params uniform     geometry, channel mapping, filter addressing, segments per row
//
// Tunables (override): KW (1..5), STRIDE (1 or 2), HAS_BIAS.

struct Params {
  N: u32, IC: u32, H: u32, W: u32,
  OC: u32, OH: u32, OW: u32, KH: u32,
  pad_t: i32, pad_l: i32,
  in_div: u32, in_mul: u32, MI: u32, w_mul: u32,
  taps: i32, w_base: i32, w_kh: i32, w_kw: i32,
  segs: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override KW: u32 = 3u;
override STRIDE: u32 = 1u;
override HAS_BIAS: bool = false;

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
  if (id >= params.N * params.OC * params.OH * params.segs) { return; }
  // Segments of a row, then rows, then channels vary fastest: neighbours share input rows.
  let seg = id % params.segs;
  let oh = (id / params.segs) % params.OH;
  let plane = id / (params.segs * params.OH);
  let oc = plane % params.OC;
  let n = plane / params.OC;
  let ow0 = seg * 8u;

  var acc_lo = vec4f(0.0);
  var acc_hi = vec4f(0.0);
  let iw0 = i32(ow0 * STRIDE) - params.pad_l;
  for (var m = 0u; m < params.MI; m++) {
    let ic = (oc / params.in_div) * params.in_mul + m;
    let x_chan = i32((n * params.IC + ic) * params.H * params.W);
    let w_chan = params.w_base + i32(oc * params.w_mul + m) * params.taps;
    for (var kh = 0u; kh < params.KH; kh++) {
      let ih = i32(oh * STRIDE + kh) - params.pad_t;
      if (ih < 0 || ih >= i32(params.H)) { continue; }
      let row = x_chan + ih * i32(params.W);
      let w0 = vec4f(load_x(row, iw0 + 0), load_x(row, iw0 + 1), load_x(row, iw0 + 2), load_x(row, iw0 + 3));
      let w1 = vec4f(load_x(row, iw0 + 4), load_x(row, iw0 + 5), load_x(row, iw0 + 6), load_x(row, iw0 + 7));
      var w2 = vec4f(0.0);
      if (7u * STRIDE + KW > 8u) { w2 = vec4f(load_x(row, iw0 + 8), load_x(row, iw0 + 9), load_x(row, iw0 + 10), load_x(row, iw0 + 11)); }
      var w3 = vec4f(0.0);
      if (7u * STRIDE + KW > 12u) { w3 = vec4f(load_x(row, iw0 + 12), load_x(row, iw0 + 13), load_x(row, iw0 + 14), load_x(row, iw0 + 15)); }
      var w4 = vec4f(0.0);
      if (7u * STRIDE + KW > 16u) { w4 = vec4f(load_x(row, iw0 + 16), load_x(row, iw0 + 17), load_x(row, iw0 + 18), load_x(row, iw0 + 19)); }
      let w_row = w_chan + i32(kh) * params.w_kh;
      {
        let f = w[u32(w_row + 0 * params.w_kw)];
        if (STRIDE == 1u) { acc_lo += f * w0; acc_hi += f * w1; }
        else { acc_lo += f * vec4f(w0.x, w0.z, w1.x, w1.z); acc_hi += f * vec4f(w2.x, w2.z, w3.x, w3.z); }
      }
      if (KW > 1u) {
        let f = w[u32(w_row + 1 * params.w_kw)];
        if (STRIDE == 1u) { acc_lo += f * vec4f(w0.y, w0.z, w0.w, w1.x); acc_hi += f * vec4f(w1.y, w1.z, w1.w, w2.x); }
        else { acc_lo += f * vec4f(w0.y, w0.w, w1.y, w1.w); acc_hi += f * vec4f(w2.y, w2.w, w3.y, w3.w); }
      }
      if (KW > 2u) {
        let f = w[u32(w_row + 2 * params.w_kw)];
        if (STRIDE == 1u) { acc_lo += f * vec4f(w0.z, w0.w, w1.x, w1.y); acc_hi += f * vec4f(w1.z, w1.w, w2.x, w2.y); }
        else { acc_lo += f * vec4f(w0.z, w1.x, w1.z, w2.x); acc_hi += f * vec4f(w2.z, w3.x, w3.z, w4.x); }
      }
      if (KW > 3u) {
        let f = w[u32(w_row + 3 * params.w_kw)];
        if (STRIDE == 1u) { acc_lo += f * vec4f(w0.w, w1.x, w1.y, w1.z); acc_hi += f * vec4f(w1.w, w2.x, w2.y, w2.z); }
        else { acc_lo += f * vec4f(w0.w, w1.y, w1.w, w2.y); acc_hi += f * vec4f(w2.w, w3.y, w3.w, w4.y); }
      }
      if (KW > 4u) {
        let f = w[u32(w_row + 4 * params.w_kw)];
        if (STRIDE == 1u) { acc_lo += f * w1; acc_hi += f * w2; }
        else { acc_lo += f * vec4f(w1.x, w1.z, w2.x, w2.z); acc_hi += f * vec4f(w3.x, w3.z, w4.x, w4.z); }
      }
    }
  }

  var b = 0.0;
  if (HAS_BIAS) { b = bias[oc]; }
  let base = (plane * params.OH + oh) * params.OW;
  for (var j = 0u; j < 8u; j++) {
    let ow = ow0 + j;
    if (ow >= params.OW) { break; }
    out[base + ow] = select(acc_hi[j % 4u], acc_lo[j % 4u], j < 4u) + b;
  }
}
