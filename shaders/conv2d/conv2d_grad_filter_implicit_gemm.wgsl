// conv2d_grad_filter_implicit_gemm: conv2d's filter gradient (one group) as an implicit
// GEMM through workgroup-memory tiles:
//   dw[oc, r] = sum_{p in part} dy[n, oc, oh, ow] * x_col(r, p),  r = (ic, kh, kw), p = (n, oh, ow)
// where x_col reads the forward's input window (zero in the padding). The images are split
// into `parts` of images_per_part each (so small filters still fill the GPU); each part
// writes its own partial filter (out is parts x OC x IC*KH*KW) and the launcher sums them.
//
// A workgroup of 16 x 16 invocations computes 64 output channels by 64 r, each invocation
// a 4 x 4 block. Per step of 16 positions, it copies a 64 x 16 slice of dy and a 16 x 64
// slice of the input windows into workgroup memory (each invocation keeps one r column of
// the window slice, so its (ic, kh, kw) is computed once), waits at a barrier, and
// multiplies from there. For real GPUs; on SwiftShader (a CPU) the barrier-free register
// tiles lead (parity-tested there).
//
// Bindings (group 0):
//   x      read        forward input, N x IC x H x W
//   dy     read        output gradient, N x OC x OH x OW
//   out    read_write  partial filter gradients, parts x OC x (IC*KH*KW)
//   params uniform     geometry, tile counts (tiles of 64 x 64) and the split over images
//
// Tunables: none.

struct Params {
  N: u32, IC: u32, H: u32, W: u32,
  OC: u32, OH: u32, OW: u32, KH: u32, KW: u32,
  stride_h: u32, stride_w: u32, pad_t: i32, pad_l: i32, dil_h: u32, dil_w: u32,
  tiles_m: u32, tiles_n: u32, parts: u32, images_per_part: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const TILE = 64u;
const STEP = 16u;
// ds[k * TILE + row]: dy at the step's 16 positions for 64 output channels.
var<workgroup> ds: array<f32, 1024>;
// xs[k * TILE + col]: input-window values at the step's 16 positions for 64 r.
var<workgroup> xs: array<f32, 1024>;

@compute @workgroup_size(16, 16, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) li: u32,
) {
  let wg = flat_workgroup_index(wid, nwg);
  let tiles = params.tiles_m * params.tiles_n;
  // Uniform across the workgroup, so the barriers below stay in uniform control flow.
  if (wg >= tiles * params.parts) { return; }
  let part = wg / tiles;
  let tile = wg % tiles;
  let oc0 = (tile / params.tiles_n) * TILE;
  let r0 = (tile % params.tiles_n) * TILE;
  let ohw = params.OH * params.OW;
  let taps = params.KH * params.KW;
  let reduction = params.IC * taps;
  let hw = params.H * params.W;
  let p_begin = part * params.images_per_part * ohw;
  let p_end = min(params.N, (part + 1u) * params.images_per_part) * ohw;

  // Window loads: this invocation's r column (li % 64), decomposed once.
  let xr = r0 + li % TILE;
  let x_live = xr < reduction;
  let xq = min(xr, reduction - 1u);
  let ic = xq / taps;
  let dh = i32(((xq % taps) / params.KW) * params.dil_h) - params.pad_t;
  let dw = i32((xq % params.KW) * params.dil_w) - params.pad_l;
  // dy loads: this invocation's position column (li % 16) and output channels li / 16 + 16t.
  let dk = li % STEP;

  var acc: array<vec4f, 4>;
  for (var q0 = p_begin; q0 < p_end; q0 += STEP) {
    for (var t = 0u; t < 4u; t++) {
      let k = li / TILE + 4u * t;
      let p = q0 + k;
      var v = 0.0;
      if (x_live && p < p_end) {
        let n = p / ohw;
        let ih = i32(((p % ohw) / params.OW) * params.stride_h) + dh;
        let iw = i32((p % params.OW) * params.stride_w) + dw;
        if (ih >= 0 && ih < i32(params.H) && iw >= 0 && iw < i32(params.W)) {
          v = x[(n * params.IC + ic) * hw + u32(ih) * params.W + u32(iw)];
        }
      }
      xs[k * TILE + li % TILE] = v;

      let row = li / STEP + 16u * t;
      let oc = oc0 + row;
      let pd = q0 + dk;
      var g = 0.0;
      if (oc < params.OC && pd < p_end) {
        g = dy[((pd / ohw) * params.OC + oc) * ohw + pd % ohw];
      }
      ds[dk * TILE + row] = g;
    }
    workgroupBarrier();
    for (var k = 0u; k < STEP; k++) {
      let a = vec4f(ds[k * TILE + lid.y * 4u], ds[k * TILE + lid.y * 4u + 1u], ds[k * TILE + lid.y * 4u + 2u], ds[k * TILE + lid.y * 4u + 3u]);
      let b = vec4f(xs[k * TILE + lid.x * 4u], xs[k * TILE + lid.x * 4u + 1u], xs[k * TILE + lid.x * 4u + 2u], xs[k * TILE + lid.x * 4u + 3u]);
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }

  let base = part * params.OC * reduction;
  for (var i = 0u; i < 4u; i++) {
    let oc = oc0 + lid.y * 4u + i;
    if (oc >= params.OC) { break; }
    for (var j = 0u; j < 4u; j++) {
      let r = r0 + lid.x * 4u + j;
      if (r >= reduction) { break; }
      out[base + oc * reduction + r] = acc[i][j];
    }
  }
}
