// conv2d_grad_filter: dw[o,c,kh,kw] = sum_{n,oh,ow} dy[n,o,oh,ow] * x[n, g*cg+c, oh*sh-pt+kh*dh, ow*sw-pl+kw*dw]
// as a GEMM per group: rows = output channels of the group (og), columns = filter taps
// (c, kh, kw), reduction = batch x output positions. The reduction is split over
// images: part p sums images [p*images_per_part, ...) into out[p, o, tap]; the launcher
// then sums the parts (one reduce dispatch) when there is more than one.
//
// Bindings (group 0):
//   x      read        input, NCHW
//   dy     read        gradient of the output, N x O x OH x OW
//   out    read_write  parts x O x cg x KH x KW partial sums
//   params uniform     geometry, tile counts, parts and images per part
//
// One invocation computes 4 output channels x 4 taps over its part's images.
// Tunables (override): WG_X, WG_Y.

struct Params {
  N: u32, C: u32, H: u32, W: u32,
  O: u32, OH: u32, OW: u32, KH: u32, KW: u32,
  stride_h: u32, stride_w: u32, pad_t: u32, pad_l: u32, dil_h: u32, dil_w: u32,
  groups: u32, cg: u32, og: u32,
  tiles_m: u32, tiles_n: u32,
  parts: u32, images_per_part: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
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
  if (wg >= tiles * params.groups * params.parts) { return; }
  let part = wg / (tiles * params.groups);
  let group = (wg / tiles) % params.groups;
  let tile = wg % tiles;
  let row0 = ((tile / params.tiles_n) * WG_Y + lid.y) * 4u;
  let col0 = ((tile % params.tiles_n) * WG_X + lid.x) * 4u;
  let taps = params.KH * params.KW;
  let T = params.cg * taps;
  if (row0 >= params.og || col0 >= T) { return; }

  let hw = params.H * params.W;
  let ohw = params.OH * params.OW;
  // Per column (tap): channel offset within an image, and the tap's window offset.
  var x_chan: vec4u;
  var dh: vec4i;
  var dw: vec4i;
  for (var j = 0u; j < 4u; j++) {
    let t = min(col0 + j, T - 1u);
    let c = t / taps;
    let kh = (t % taps) / params.KW;
    let kw = t % params.KW;
    x_chan[j] = (group * params.cg + c) * hw;
    dh[j] = i32(kh * params.dil_h) - i32(params.pad_t);
    dw[j] = i32(kw * params.dil_w) - i32(params.pad_l);
  }
  // Per row: dy's channel offset within an image.
  var dy_chan: vec4u;
  for (var i = 0u; i < 4u; i++) {
    dy_chan[i] = (group * params.og + min(row0 + i, params.og - 1u)) * ohw;
  }

  let H = vec4i(i32(params.H));
  let Wd = vec4i(i32(params.W));
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  let n_start = part * params.images_per_part;
  let n_end = min(n_start + params.images_per_part, params.N);
  for (var n = n_start; n < n_end; n++) {
    let x_img = x_chan + vec4u(n * params.C * hw);
    let dy_img = dy_chan + vec4u(n * params.O * ohw);
    for (var oh = 0u; oh < params.OH; oh++) {
      let ih = vec4i(i32(oh * params.stride_h)) + dh;
      let row_ok = (ih >= vec4i(0)) & (ih < H);
      for (var ow = 0u; ow < params.OW; ow++) {
        let iw = vec4i(i32(ow * params.stride_w)) + dw;
        let ok = row_ok & (iw >= vec4i(0)) & (iw < Wd);
        let idx = select(vec4u(0u), x_img + vec4u(ih * Wd + iw), ok);
        let xv = select(vec4f(0.0), vec4f(x[idx.x], x[idx.y], x[idx.z], x[idx.w]), ok);
        let q = oh * params.OW + ow;
        let dv = vec4f(dy[dy_img.x + q], dy[dy_img.y + q], dy[dy_img.z + q], dy[dy_img.w + q]);
        acc0 += dv.x * xv;
        acc1 += dv.y * xv;
        acc2 += dv.z * xv;
        acc3 += dv.w * xv;
      }
    }
  }

  let acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  let part_base = part * params.O * T;
  for (var i = 0u; i < 4u; i++) {
    let o_local = row0 + i;
    if (o_local >= params.og) { break; }
    let o = group * params.og + o_local;
    for (var j = 0u; j < 4u; j++) {
      let t = col0 + j;
      if (t >= T) { break; }
      out[part_base + o * T + t] = acc[i][j];
    }
  }
}
