// conv2d: y[n,o,oh,ow] = bias[o] + sum_{c,kh,kw} w[o,c,kh,kw] * x[n, g*cg+c, oh*sh-pt+kh*dh, ow*sw-pl+kw*dw]
// as an implicit GEMM per group: rows = output channels of the group (og), columns =
// output positions (n, oh, ow), reduction = (c, kh, kw). No im2col buffer is built.
//
// Bindings (group 0):
//   x      read        input, NCHW
//   w      read        filter, OIHW (O x cg x KH x KW)
//   bias   read        O values (read only when HAS_BIAS)
//   out    read_write  output, N x O x OH x OW
//   params uniform     geometry and tile counts
//
// One invocation computes 4 output channels x 4 output positions in registers; a
// workgroup of WG_X x WG_Y invocations covers 4*WG_Y channels by 4*WG_X positions.
// Padding reads zero through a select, with the load index clamped to 0.
// Tunables (override): WG_X, WG_Y, HAS_BIAS, RELU (fused max(y, 0)), CHANNELS_INNER (loop order, below).

struct Params {
  N: u32, C: u32, H: u32, W: u32,
  O: u32, OH: u32, OW: u32, KH: u32, KW: u32,
  stride_h: u32, stride_w: u32, pad_t: u32, pad_l: u32, dil_h: u32, dil_w: u32,
  groups: u32, cg: u32, og: u32,
  tiles_m: u32, tiles_n: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override WG_X: u32 = 16u;
override WG_Y: u32 = 4u;
override HAS_BIAS: bool = false;
override RELU: bool = false;
override CHANNELS_INNER: bool = true;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let wg = flat_workgroup_index(wid, nwg);
  let tiles = params.tiles_m * params.tiles_n;
  if (wg >= tiles * params.groups) { return; }
  let group = wg / tiles;
  let tile = wg % tiles;
  let row0 = ((tile / params.tiles_n) * WG_Y + lid.y) * 4u;
  let col0 = ((tile % params.tiles_n) * WG_X + lid.x) * 4u;
  let positions = params.N * params.OH * params.OW;
  if (row0 >= params.og || col0 >= positions) { return; }

  let hw = params.H * params.W;
  let K = params.cg * params.KH * params.KW;
  // Per column: the image's base offset at this group's first channel, and the window origin.
  var x_base: vec4u;
  var ih0: vec4i;
  var iw0: vec4i;
  for (var j = 0u; j < 4u; j++) {
    let p = min(col0 + j, positions - 1u);
    let n = p / (params.OH * params.OW);
    let rem = p % (params.OH * params.OW);
    x_base[j] = (n * params.C + group * params.cg) * hw;
    ih0[j] = i32((rem / params.OW) * params.stride_h) - i32(params.pad_t);
    iw0[j] = i32((rem % params.OW) * params.stride_w) - i32(params.pad_l);
  }
  // Per row: the filter row of this output channel.
  var w_row: vec4u;
  for (var i = 0u; i < 4u; i++) {
    w_row[i] = (group * params.og + min(row0 + i, params.og - 1u)) * K;
  }

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  let H = i32(params.H);
  let Wd = i32(params.W);
  let taps = params.KH * params.KW;
  // CHANNELS_INNER: taps outside, input channels inside. A tap's bounds test and offsets
  // are worked out once, the inner loop only loads and multiplies, and a tap that falls
  // wholly in the padding for this invocation's columns is skipped. With few input
  // channels (LeNet's first layer has one) that inner loop is too short to pay for
  // itself, and channels go outside instead.
  if (CHANNELS_INNER) {
    for (var kh = 0u; kh < params.KH; kh++) {
      let ih = ih0 + vec4i(i32(kh * params.dil_h));
      let row_ok = (ih >= vec4i(0)) & (ih < vec4i(H));
      if (!any(row_ok)) { continue; }
      for (var kw = 0u; kw < params.KW; kw++) {
        let iw = iw0 + vec4i(i32(kw * params.dil_w));
        let ok = row_ok & (iw >= vec4i(0)) & (iw < vec4i(Wd));
        if (!any(ok)) { continue; }
        var idx = select(vec4u(0u), x_base + vec4u(ih * Wd + iw), ok);
        var w_k = w_row + vec4u(kh * params.KW + kw);
        for (var c = 0u; c < params.cg; c++) {
          let xv = select(vec4f(0.0), vec4f(x[idx.x], x[idx.y], x[idx.z], x[idx.w]), ok);
          let wv = vec4f(w[w_k.x], w[w_k.y], w[w_k.z], w[w_k.w]);
          acc0 += wv.x * xv;
          acc1 += wv.y * xv;
          acc2 += wv.z * xv;
          acc3 += wv.w * xv;
          idx += vec4u(hw);
          w_k += vec4u(taps);
        }
      }
    }
  } else {
    var k = 0u;
    for (var c = 0u; c < params.cg; c++) {
      let chan = x_base + vec4u(c * hw);
      for (var kh = 0u; kh < params.KH; kh++) {
        let ih = ih0 + vec4i(i32(kh * params.dil_h));
        let row_ok = (ih >= vec4i(0)) & (ih < vec4i(H));
        for (var kw = 0u; kw < params.KW; kw++) {
          let iw = iw0 + vec4i(i32(kw * params.dil_w));
          let ok = row_ok & (iw >= vec4i(0)) & (iw < vec4i(Wd));
          let idx = select(vec4u(0u), chan + vec4u(ih * Wd + iw), ok);
          let xv = select(vec4f(0.0), vec4f(x[idx.x], x[idx.y], x[idx.z], x[idx.w]), ok);
          let wv = vec4f(w[w_row.x + k], w[w_row.y + k], w[w_row.z + k], w[w_row.w + k]);
          acc0 += wv.x * xv;
          acc1 += wv.y * xv;
          acc2 += wv.z * xv;
          acc3 += wv.w * xv;
          k++;
        }
      }
    }
  }

  let acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  let ohw = params.OH * params.OW;
  for (var i = 0u; i < 4u; i++) {
    let o_local = row0 + i;
    if (o_local >= params.og) { break; }
    let o = group * params.og + o_local;
    var b = 0.0;
    if (HAS_BIAS) { b = bias[o]; }
    for (var j = 0u; j < 4u; j++) {
      let p = col0 + j;
      if (p >= positions) { break; }
      let n = p / ohw;
      var v = acc[i][j] + b;
      if (RELU) { v = relu_f32(v); }
      out[(n * params.O + o) * ohw + p % ohw] = v;
    }
  }
}
