// conv2d_tile8: an ungrouped convolution as an implicit GEMM with 8x8 register tiles
//   out[n,oc,oh,ow] = bias[oc] + sum_{ic,kh,kw} w(oc,ic,kh,kw) * x[n, ic, oh*sh-pad_t+kh*dh, ow*sw-pad_l+kw*dw]
// where w(oc,ic,kh,kw) = w[w_base + oc*w_oc + ic*w_ic + kh*w_kh + kw*w_kw]. The signed strides
// let one kernel run conv2d's forward (OIHW filter as is) and its stride-1 input gradient
// (dx is dy convolved with the filter read as IOHW and flipped in both spatial axes, padded
// by K-1-pad), so both gain from the tile below.
//
// Why 8x8: on SwiftShader a storage-buffer load costs far more than a multiply-add, so
// what counts is loads per multiply-add. conv2d.wgsl's 4x4 tile loads 8 values for 16
// multiply-adds; this one loads 16 for 64. Rows are output channels, columns output
// positions (n, oh, ow), the reduction runs taps outside and input channels inside (a
// tap's bounds and offsets once per tap; a tap wholly in the padding is skipped).
//
// Bindings (group 0):
//   x      read        input, N x IC x H x W
//   w      read        filter, addressed through the strides above
//   bias   read        OC values (read only when HAS_BIAS)
//   out    read_write  output, N x OC x OH x OW
//   params uniform     geometry, filter strides and tile counts
//
// Tunables (override): WG_X, WG_Y (invocations along columns and rows), HAS_BIAS, RELU.

struct Params {
  N: u32, IC: u32, H: u32, W: u32,
  OC: u32, OH: u32, OW: u32, KH: u32, KW: u32,
  stride_h: u32, stride_w: u32, pad_t: i32, pad_l: i32, dil_h: u32, dil_w: u32,
  w_base: i32, w_oc: i32, w_ic: i32, w_kh: i32, w_kw: i32,
  tiles_m: u32, tiles_n: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
override HAS_BIAS: bool = false;
override RELU: bool = false;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let wg = flat_workgroup_index(wid, nwg);
  if (wg >= params.tiles_m * params.tiles_n) { return; }
  let row0 = ((wg / params.tiles_n) * WG_Y + lid.y) * 8u;
  let col0 = ((wg % params.tiles_n) * WG_X + lid.x) * 8u;
  let ohw = params.OH * params.OW;
  let positions = params.N * ohw;
  if (row0 >= params.OC || col0 >= positions) { return; }

  let hw = params.H * params.W;
  // Columns j (a: 0-3, b: 4-7): the image's offset, and the window origin.
  var xa: vec4u; var xb: vec4u;
  var iha: vec4i; var ihb: vec4i;
  var iwa: vec4i; var iwb: vec4i;
  for (var j = 0u; j < 4u; j++) {
    let pa = min(col0 + j, positions - 1u);
    let pb = min(col0 + 4u + j, positions - 1u);
    xa[j] = (pa / ohw) * params.IC * hw;
    xb[j] = (pb / ohw) * params.IC * hw;
    iha[j] = i32(((pa % ohw) / params.OW) * params.stride_h) - params.pad_t;
    ihb[j] = i32(((pb % ohw) / params.OW) * params.stride_h) - params.pad_t;
    iwa[j] = i32((pa % params.OW) * params.stride_w) - params.pad_l;
    iwb[j] = i32((pb % params.OW) * params.stride_w) - params.pad_l;
  }
  // Rows i (a: 0-3, b: 4-7): the filter offset of output channel row0+i.
  var wa0: vec4i; var wb0: vec4i;
  for (var i = 0u; i < 4u; i++) {
    wa0[i] = params.w_base + i32(min(row0 + i, params.OC - 1u)) * params.w_oc;
    wb0[i] = params.w_base + i32(min(row0 + 4u + i, params.OC - 1u)) * params.w_oc;
  }

  var acc: array<vec4f, 16>;
  let H = vec4i(i32(params.H));
  let Wd = vec4i(i32(params.W));
  let zero = vec4i(0);
  for (var kh = 0u; kh < params.KH; kh++) {
    let ha = iha + vec4i(i32(kh * params.dil_h));
    let hb = ihb + vec4i(i32(kh * params.dil_h));
    let rowa = (ha >= zero) & (ha < H);
    let rowb = (hb >= zero) & (hb < H);
    if (!any(rowa) && !any(rowb)) { continue; }
    for (var kw = 0u; kw < params.KW; kw++) {
      let wda = iwa + vec4i(i32(kw * params.dil_w));
      let wdb = iwb + vec4i(i32(kw * params.dil_w));
      let oka = rowa & (wda >= zero) & (wda < Wd);
      let okb = rowb & (wdb >= zero) & (wdb < Wd);
      if (!any(oka) && !any(okb)) { continue; }
      var ia = select(vec4u(0u), xa + vec4u(ha * Wd + wda), oka);
      var ib = select(vec4u(0u), xb + vec4u(hb * Wd + wdb), okb);
      let tap = i32(kh) * params.w_kh + i32(kw) * params.w_kw;
      var ka = vec4u(wa0 + vec4i(tap));
      var kb = vec4u(wb0 + vec4i(tap));
      let w_ic = vec4u(vec4i(params.w_ic));
      for (var c = 0u; c < params.IC; c++) {
        let va = select(vec4f(0.0), vec4f(x[ia.x], x[ia.y], x[ia.z], x[ia.w]), oka);
        let vb = select(vec4f(0.0), vec4f(x[ib.x], x[ib.y], x[ib.z], x[ib.w]), okb);
        let fa = vec4f(w[ka.x], w[ka.y], w[ka.z], w[ka.w]);
        let fb = vec4f(w[kb.x], w[kb.y], w[kb.z], w[kb.w]);
        acc[0] += fa.x * va; acc[1] += fa.x * vb;
        acc[2] += fa.y * va; acc[3] += fa.y * vb;
        acc[4] += fa.z * va; acc[5] += fa.z * vb;
        acc[6] += fa.w * va; acc[7] += fa.w * vb;
        acc[8] += fb.x * va; acc[9] += fb.x * vb;
        acc[10] += fb.y * va; acc[11] += fb.y * vb;
        acc[12] += fb.z * va; acc[13] += fb.z * vb;
        acc[14] += fb.w * va; acc[15] += fb.w * vb;
        ia += vec4u(hw);
        ib += vec4u(hw);
        // Wraps for negative strides (the flipped filter): u32 addition is modular.
        ka += w_ic;
        kb += w_ic;
      }
    }
  }

  for (var i = 0u; i < 8u; i++) {
    let oc = row0 + i;
    if (oc >= params.OC) { break; }
    var b = 0.0;
    if (HAS_BIAS) { b = bias[oc]; }
    for (var j = 0u; j < 8u; j++) {
      let p = col0 + j;
      if (p >= positions) { break; }
      var v = acc[2u * i + j / 4u][j % 4u] + b;
      if (RELU) { v = relu_f32(v); }
      out[((p / ohw) * params.OC + oc) * ohw + p % ohw] = v;
    }
  }
}
