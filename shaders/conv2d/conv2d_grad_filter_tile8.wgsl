// conv2d_grad_filter_tile8: conv2d_grad_filter.wgsl with 8x8 register tiles
//   dw[o,c,kh,kw] = sum_{n,oh,ow} dy[n,o,oh,ow] * x[n, g*cg+c, oh*sh-pt+kh*dh, ow*sw-pl+kw*dw]
// Rows = output channels of the group, columns = filter taps (c, kh, kw), reduction = the
// images of this part x output positions; part p writes out[p, o, tap] and the launcher sums
// the parts when there is more than one (as conv2d_grad_filter does).
//
// Why 8x8: on SwiftShader a storage-buffer load costs far more than a multiply-add; the
// 4x4 tile loads 8 values per 16 multiply-adds, this one 16 per 64.
//
// Bindings (group 0):
//   x      read        input, NCHW
//   dy     read        gradient of the output, N x O x OH x OW
//   out    read_write  parts x O x cg x KH x KW partial sums
//   params uniform     geometry, tile counts, parts and images per part
//
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

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

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
  let row0 = ((tile / params.tiles_n) * WG_Y + lid.y) * 8u;
  let col0 = ((tile % params.tiles_n) * WG_X + lid.x) * 8u;
  let taps = params.KH * params.KW;
  let T = params.cg * taps;
  if (row0 >= params.og || col0 >= T) { return; }

  let hw = params.H * params.W;
  let ohw = params.OH * params.OW;
  // Columns (taps; a: 0-3, b: 4-7): channel offset within an image, and the tap's window offset.
  var xca: vec4u; var xcb: vec4u;
  var dha: vec4i; var dhb: vec4i;
  var dwa: vec4i; var dwb: vec4i;
  for (var j = 0u; j < 4u; j++) {
    let ta = min(col0 + j, T - 1u);
    let tb = min(col0 + 4u + j, T - 1u);
    xca[j] = (group * params.cg + ta / taps) * hw;
    xcb[j] = (group * params.cg + tb / taps) * hw;
    dha[j] = i32(((ta % taps) / params.KW) * params.dil_h) - i32(params.pad_t);
    dhb[j] = i32(((tb % taps) / params.KW) * params.dil_h) - i32(params.pad_t);
    dwa[j] = i32((ta % params.KW) * params.dil_w) - i32(params.pad_l);
    dwb[j] = i32((tb % params.KW) * params.dil_w) - i32(params.pad_l);
  }
  // Rows (output channels; a: 0-3, b: 4-7): dy's channel offset within an image.
  var dya: vec4u; var dyb: vec4u;
  for (var i = 0u; i < 4u; i++) {
    dya[i] = (group * params.og + min(row0 + i, params.og - 1u)) * ohw;
    dyb[i] = (group * params.og + min(row0 + 4u + i, params.og - 1u)) * ohw;
  }

  let H = vec4i(i32(params.H));
  let Wd = vec4i(i32(params.W));
  let zero = vec4i(0);
  var acc: array<vec4f, 16>;
  let n_start = part * params.images_per_part;
  let n_end = min(n_start + params.images_per_part, params.N);
  for (var n = n_start; n < n_end; n++) {
    let xia = xca + vec4u(n * params.C * hw);
    let xib = xcb + vec4u(n * params.C * hw);
    let dia = dya + vec4u(n * params.O * ohw);
    let dib = dyb + vec4u(n * params.O * ohw);
    for (var oh = 0u; oh < params.OH; oh++) {
      let iha = vec4i(i32(oh * params.stride_h)) + dha;
      let ihb = vec4i(i32(oh * params.stride_h)) + dhb;
      let rowa = (iha >= zero) & (iha < H);
      let rowb = (ihb >= zero) & (ihb < H);
      let q0 = oh * params.OW;
      for (var ow = 0u; ow < params.OW; ow++) {
        let iwa = vec4i(i32(ow * params.stride_w)) + dwa;
        let iwb = vec4i(i32(ow * params.stride_w)) + dwb;
        let oka = rowa & (iwa >= zero) & (iwa < Wd);
        let okb = rowb & (iwb >= zero) & (iwb < Wd);
        let ia = select(vec4u(0u), xia + vec4u(iha * Wd + iwa), oka);
        let ib = select(vec4u(0u), xib + vec4u(ihb * Wd + iwb), okb);
        let va = select(vec4f(0.0), vec4f(x[ia.x], x[ia.y], x[ia.z], x[ia.w]), oka);
        let vb = select(vec4f(0.0), vec4f(x[ib.x], x[ib.y], x[ib.z], x[ib.w]), okb);
        let q = q0 + ow;
        let ga = vec4f(dy[dia.x + q], dy[dia.y + q], dy[dia.z + q], dy[dia.w + q]);
        let gb = vec4f(dy[dib.x + q], dy[dib.y + q], dy[dib.z + q], dy[dib.w + q]);
        acc[0] += ga.x * va; acc[1] += ga.x * vb;
        acc[2] += ga.y * va; acc[3] += ga.y * vb;
        acc[4] += ga.z * va; acc[5] += ga.z * vb;
        acc[6] += ga.w * va; acc[7] += ga.w * vb;
        acc[8] += gb.x * va; acc[9] += gb.x * vb;
        acc[10] += gb.y * va; acc[11] += gb.y * vb;
        acc[12] += gb.z * va; acc[13] += gb.z * vb;
        acc[14] += gb.w * va; acc[15] += gb.w * vb;
      }
    }
  }

  let part_base = part * params.O * T;
  for (var i = 0u; i < 8u; i++) {
    let o_local = row0 + i;
    if (o_local >= params.og) { break; }
    let o = group * params.og + o_local;
    for (var j = 0u; j < 8u; j++) {
      let t = col0 + j;
      if (t >= T) { break; }
      out[part_base + o * T + t] = acc[2u * i + j / 4u][j % 4u];
    }
  }
}
