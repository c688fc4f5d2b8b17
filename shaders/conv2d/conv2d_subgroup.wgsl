enable subgroups;
// conv2d_subgroup: an ungrouped convolution as an implicit GEMM that shares the filter
// through subgroup shuffles instead of workgroup memory (no barrier):
//   out[n,oc,oh,ow] = bias[oc] + sum_r w(oc, r) * x_col(r, (n, oh, ow)),  r = (ic, kh, kw)
// where w(oc,ic,kh,kw) = w[w_base + oc*w_oc + ic*w_ic + kh*w_kh + kw*w_kw] (signed strides,
// as in conv2d_tile8.wgsl: the forward and the flipped stride-1 input gradient).
//
// A workgroup of 64 invocations computes 8 output channels by 256 positions, each
// invocation 8 channels by 4 positions. The whole workgroup shares its 8 channels, so every
// subgroup does, whatever the adapter's subgroup size S: per step of S along r, lane l
// loads w(oc0..oc0+7, r0 + l), and each lane takes every lane's filter values by
// subgroupShuffle while it reads its own four positions' input window. Lanes past the
// positions still take part in the shuffles (they read a clamped position and store
// nothing). Parity-tested on SwiftShader; written for real GPUs.
//
// Bindings (group 0):
//   x      read        input, N x IC x H x W
//   w      read        filter, addressed through the strides above
//   bias   read        OC values (read only when HAS_BIAS)
//   out    read_write  output, N x OC x OH x OW
//   params uniform     geometry, filter strides and tile counts (tiles of 8 x 256)
//
// Tunables (override): HAS_BIAS, RELU.

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

override HAS_BIAS: bool = false;
override RELU: bool = false;

@compute @workgroup_size(64, 1, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) li: u32,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) sg: u32,
) {
  let wg = flat_workgroup_index(wid, nwg);
  // Uniform across the workgroup: the early return leaves no subgroup half-empty.
  if (wg >= params.tiles_m * params.tiles_n) { return; }
  let oc0 = (wg / params.tiles_n) * 8u;
  let col0 = ((wg % params.tiles_n) * 64u + li) * 4u;
  let ohw = params.OH * params.OW;
  let positions = params.N * ohw;
  let taps = params.KH * params.KW;
  let reduction = params.IC * taps;
  let hw = params.H * params.W;

  // The four positions' image offsets and window origins.
  var xo: vec4u;
  var ih0: vec4i;
  var iw0: vec4i;
  for (var j = 0u; j < 4u; j++) {
    let p = min(col0 + j, positions - 1u);
    xo[j] = (p / ohw) * params.IC * hw;
    ih0[j] = i32(((p % ohw) / params.OW) * params.stride_h) - params.pad_t;
    iw0[j] = i32((p % params.OW) * params.stride_w) - params.pad_l;
  }
  // Filter offsets of the eight channels (clamped: a channel past OC computes and is not stored).
  var wa: vec4i;
  var wb: vec4i;
  for (var i = 0u; i < 4u; i++) {
    wa[i] = params.w_base + i32(min(oc0 + i, params.OC - 1u)) * params.w_oc;
    wb[i] = params.w_base + i32(min(oc0 + 4u + i, params.OC - 1u)) * params.w_oc;
  }

  let H = vec4i(i32(params.H));
  let Wd = vec4i(i32(params.W));
  let zero = vec4i(0);
  var acc: array<vec4f, 8>;
  for (var r0 = 0u; r0 < reduction; r0 += sg) {
    let r = r0 + lane;
    var fa = vec4f(0.0);
    var fb = vec4f(0.0);
    if (r < reduction) {
      let tap = i32(r / taps) * params.w_ic + i32((r % taps) / params.KW) * params.w_kh + i32(r % params.KW) * params.w_kw;
      let ka = vec4u(wa + vec4i(tap));
      let kb = vec4u(wb + vec4i(tap));
      fa = vec4f(w[ka.x], w[ka.y], w[ka.z], w[ka.w]);
      fb = vec4f(w[kb.x], w[kb.y], w[kb.z], w[kb.w]);
    }
    let steps = min(sg, reduction - r0);
    for (var s = 0u; s < steps; s++) {
      let ga = subgroupShuffle(fa, s);
      let gb = subgroupShuffle(fb, s);
      let rs = r0 + s;
      let ic = rs / taps;
      let ih = ih0 + vec4i(i32(((rs % taps) / params.KW) * params.dil_h));
      let iw = iw0 + vec4i(i32((rs % params.KW) * params.dil_w));
      let ok = (ih >= zero) & (ih < H) & (iw >= zero) & (iw < Wd);
      let idx = select(vec4u(0u), xo + vec4u(ic * hw) + vec4u(ih * Wd + iw), ok);
      let v = select(vec4f(0.0), vec4f(x[idx.x], x[idx.y], x[idx.z], x[idx.w]), ok);
      acc[0] += ga.x * v;
      acc[1] += ga.y * v;
      acc[2] += ga.z * v;
      acc[3] += ga.w * v;
      acc[4] += gb.x * v;
      acc[5] += gb.y * v;
      acc[6] += gb.z * v;
      acc[7] += gb.w * v;
    }
  }

  for (var i = 0u; i < 8u; i++) {
    let oc = oc0 + i;
    if (oc >= params.OC) { break; }
    var b = 0.0;
    if (HAS_BIAS) { b = bias[oc]; }
    for (var j = 0u; j < 4u; j++) {
      let p = col0 + j;
      if (p >= positions) { break; }
      var v = acc[i][j] + b;
      if (RELU) { v = relu_f32(v); }
      out[((p / ohw) * params.OC + oc) * ohw + p % ohw] = v;
    }
  }
}
