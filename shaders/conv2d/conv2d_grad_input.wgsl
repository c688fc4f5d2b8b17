// conv2d_grad_input: dx[n,c,ih,iw] = sum_{o,kh,kw} dy[n,o,oh,ow] * w[o, c-g*cg, kh, kw]
// over the (oh, ow) with oh*sh - pt + kh*dh = ih and ow*sw - pl + kw*dw = iw: the
// convolution of dy with the flipped filter. Implicit GEMM per group: rows = input
// channels of the group (cg), columns = input positions (n, ih, iw), reduction =
// (o, kh, kw) over the group's og output channels.
//
// Bindings (group 0):
//   dy     read        gradient of the output, N x O x OH x OW
//   w      read        filter, OIHW (O x cg x KH x KW)
//   out    read_write  dx, N x C x H x W
//   params uniform     geometry and tile counts
//
// One invocation computes 4 input channels x 4 input positions. A tap contributes
// only when (ih + pt - kh*dh) is a non-negative multiple of the stride below OH*sh
// (likewise for w); other taps read zero through a select.
// Tunables (override): WG_X, WG_Y.

struct Params {
  N: u32, C: u32, H: u32, W: u32,
  O: u32, OH: u32, OW: u32, KH: u32, KW: u32,
  stride_h: u32, stride_w: u32, pad_t: u32, pad_l: u32, dil_h: u32, dil_w: u32,
  groups: u32, cg: u32, og: u32,
  tiles_m: u32, tiles_n: u32,
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG_X: u32 = 16u;
override WG_Y: u32 = 4u;

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
  let hw = params.H * params.W;
  let positions = params.N * hw;
  if (row0 >= params.cg || col0 >= positions) { return; }

  let ohw = params.OH * params.OW;
  let taps = params.KH * params.KW;
  // Per column: dy's base offset at the group's first output channel, and (ih + pt, iw + pl).
  var dy_base: vec4u;
  var th0: vec4i;
  var tw0: vec4i;
  for (var j = 0u; j < 4u; j++) {
    let p = min(col0 + j, positions - 1u);
    let n = p / hw;
    let rem = p % hw;
    dy_base[j] = (n * params.O + group * params.og) * ohw;
    th0[j] = i32(rem / params.W + params.pad_t);
    tw0[j] = i32(rem % params.W + params.pad_l);
  }
  // Per row: offset of w[group*og, c, 0, 0].
  var w_base: vec4u;
  for (var i = 0u; i < 4u; i++) {
    w_base[i] = group * params.og * params.cg * taps + min(row0 + i, params.cg - 1u) * taps;
  }

  let sh = vec4i(i32(params.stride_h));
  let sw = vec4i(i32(params.stride_w));
  let OH = vec4i(i32(params.OH));
  let OW = vec4i(i32(params.OW));
  let o_step = params.cg * taps;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  // Taps outside, output channels inside: the divisions and masks of a tap are worked
  // out once, and a tap that no column of this invocation reaches is skipped whole
  // (a stride-1 gradient skips about half its taps this way).
  for (var kh = 0u; kh < params.KH; kh++) {
    let th = th0 - vec4i(i32(kh * params.dil_h));
    let oh = th / sh;
    let row_ok = (th >= vec4i(0)) & (oh * sh == th) & (oh < OH);
    if (!any(row_ok)) { continue; }
    for (var kw = 0u; kw < params.KW; kw++) {
      let tw = tw0 - vec4i(i32(kw * params.dil_w));
      let ow = tw / sw;
      let ok = row_ok & (tw >= vec4i(0)) & (ow * sw == tw) & (ow < OW);
      if (!any(ok)) { continue; }
      var idx = select(vec4u(0u), dy_base + vec4u(oh * OW + ow), ok);
      let t = kh * params.KW + kw;
      var w_o = w_base + vec4u(t);
      for (var o = 0u; o < params.og; o++) {
        let dv = select(vec4f(0.0), vec4f(dy[idx.x], dy[idx.y], dy[idx.z], dy[idx.w]), ok);
        let wv = vec4f(w[w_o.x], w[w_o.y], w[w_o.z], w[w_o.w]);
        acc0 += wv.x * dv;
        acc1 += wv.y * dv;
        acc2 += wv.z * dv;
        acc3 += wv.w * dv;
        idx += vec4u(ohw);
        w_o += vec4u(o_step);
      }
    }
  }

  let acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    let c_local = row0 + i;
    if (c_local >= params.cg) { break; }
    let c = group * params.cg + c_local;
    for (var j = 0u; j < 4u; j++) {
      let p = col0 + j;
      if (p >= positions) { break; }
      out[((p / hw) * params.C + c) * hw + p % hw] = acc[i][j];
    }
  }
}
