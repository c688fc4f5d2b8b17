// conv2d_implicit_gemm_f16: conv2d_implicit_gemm with the input window and the filter
// stored in f16 and the sum in f32: the same implicit GEMM through workgroup-memory tiles,
// whose values are rounded to f16 as they are copied in. An f16 row: offered only at
// precision 'f16' (inference) on devices with shader-f16 (variants.ts). Forward and
// stride-1 input gradient in one shader through signed filter strides, as the f32 kernel:
//   out[n,oc,oh,ow] = bias[oc] + sum_r w(oc, r) * x_col(r, (n, oh, ow)),  r = (ic, kh, kw)
// where w(oc,ic,kh,kw) = w[w_base + oc*w_oc + ic*w_ic + kh*w_kh + kw*w_kw].
//
// A workgroup of 16 x 16 invocations computes 64 output channels by 64 positions, each
// invocation a 4 x 4 block. The f16 tiles hold twice the f32 kernel's depth in the same
// 8 KiB: per step of 32 along r the workgroup copies the 64 x 32 filter slice and the
// 32 x 64 input-window slice (8 + 8 values per invocation), waits at a barrier, and
// multiplies from there, each f16 product widened to f32 (exact) and summed in f32: half
// the f32 kernel's barriers per reduction. Parity-tested and timed on lavapipe only (the
// one adapter here with shader-f16, a CPU), never yet on a GPU.
//
// Bindings (group 0):
//   x      read        input (float32), N x IC x H x W
//   w      read        filter (float32), addressed through the strides above
//   bias   read        OC float32 values (read only when HAS_BIAS)
//   out    read_write  output (float32), N x OC x OH x OW
//   params uniform     geometry, filter strides and tile counts (tiles of 64 x 64)
//
// Tunables (override): HAS_BIAS, RELU.
enable f16;

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

const TILE = 64u;
const STEP = 32u;
// ws[k * TILE + row]: filter values of the step's 32 r by 64 output channels, in f16.
var<workgroup> ws: array<f16, 2048>;
// xs[k * TILE + col]: input-window values of the step's 32 r by 64 positions, in f16.
var<workgroup> xs: array<f16, 2048>;

@compute @workgroup_size(16, 16, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) li: u32,
) {
  let wg = flat_workgroup_index(wid, nwg);
  // Uniform across the workgroup, so the barriers below stay in uniform control flow.
  if (wg >= params.tiles_m * params.tiles_n) { return; }
  let oc0 = (wg / params.tiles_n) * TILE;
  let p0 = (wg % params.tiles_n) * TILE;
  let ohw = params.OH * params.OW;
  let positions = params.N * ohw;
  let taps = params.KH * params.KW;
  let reduction = params.IC * taps;
  let hw = params.H * params.W;

  // Input-window loads: this invocation's position (column li % 64) and its eight r rows
  // (li / 64 + 4t).
  let xp = p0 + li % TILE;
  let x_live = xp < positions;
  let xq = min(xp, positions - 1u);
  let x_image = (xq / ohw) * params.IC * hw;
  let x_h0 = i32(((xq % ohw) / params.OW) * params.stride_h) - params.pad_t;
  let x_w0 = i32((xq % params.OW) * params.stride_w) - params.pad_l;
  // Filter loads: this invocation's r column (li % 32) and its eight output channels (li / 32 + 8t).
  let wk = li % STEP;

  var acc: array<vec4f, 4>;
  for (var r0 = 0u; r0 < reduction; r0 += STEP) {
    for (var t = 0u; t < 8u; t++) {
      let k = li / TILE + 4u * t;
      let r = r0 + k;
      var v = 0.0;
      if (x_live && r < reduction) {
        let ic = r / taps;
        let kh = (r % taps) / params.KW;
        let kw = r % params.KW;
        let ih = x_h0 + i32(kh * params.dil_h);
        let iw = x_w0 + i32(kw * params.dil_w);
        if (ih >= 0 && ih < i32(params.H) && iw >= 0 && iw < i32(params.W)) {
          v = x[x_image + ic * hw + u32(ih) * params.W + u32(iw)];
        }
      }
      xs[k * TILE + li % TILE] = f16(v);

      let row = li / STEP + 8u * t;
      let oc = oc0 + row;
      let rw = r0 + wk;
      var f = 0.0;
      if (oc < params.OC && rw < reduction) {
        let ic = rw / taps;
        let kh = (rw % taps) / params.KW;
        let kw = rw % params.KW;
        f = w[u32(params.w_base + i32(oc) * params.w_oc + i32(ic) * params.w_ic + i32(kh) * params.w_kh + i32(kw) * params.w_kw)];
      }
      ws[wk * TILE + row] = f16(f);
    }
    workgroupBarrier();
    for (var k = 0u; k < STEP; k++) {
      let a = vec4f(vec4h(ws[k * TILE + lid.y * 4u], ws[k * TILE + lid.y * 4u + 1u], ws[k * TILE + lid.y * 4u + 2u], ws[k * TILE + lid.y * 4u + 3u]));
      let b = vec4f(vec4h(xs[k * TILE + lid.x * 4u], xs[k * TILE + lid.x * 4u + 1u], xs[k * TILE + lid.x * 4u + 2u], xs[k * TILE + lid.x * 4u + 3u]));
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < 4u; i++) {
    let oc = oc0 + lid.y * 4u + i;
    if (oc >= params.OC) { break; }
    var b = 0.0;
    if (HAS_BIAS) { b = bias[oc]; }
    for (var j = 0u; j < 4u; j++) {
      let p = p0 + lid.x * 4u + j;
      if (p >= positions) { break; }
      var v = acc[i][j] + b;
      if (RELU) { v = relu_f32(v); }
      out[((p / ohw) * params.OC + oc) * ohw + p % ohw] = v;
    }
  }
}
