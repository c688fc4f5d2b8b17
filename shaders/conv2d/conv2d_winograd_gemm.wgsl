// conv2d_winograd_gemm: the XI products of Winograd's F(2x2, 3x3) convolution (XI = 16) or
// F(4x4, 3x3) (XI = 36, the conv2d_winograd_f4_* shaders),
//   m[xi][oc][t] = sum_ic u[xi][ic][oc] * v[xi][ic][t]      (xi = 0..XI-1)
// with u from conv2d_winograd_filter.wgsl (XI x IC x OC8) and v from
// conv2d_winograd_input.wgsl (XI x IC x T8); m is XI x OC8 x T8.
//
// Why this shape: both operands are stored with the reduction outermost, so the 8 output
// channels and the 8 tiles an invocation needs per input channel are 2 + 2 aligned vec4
// loads for 64 multiply-adds (the direct 8x8 convolution tile needs 10), and the padding
// to multiples of 8 leaves the loop without a single bounds check.
//
// Bindings (group 0):
//   u      read        transformed filter, read as vec4s
//   v      read        transformed input, read as vec4s
//   m      read_write  products, written as vec4s
//   params uniform     sizes
//
// Per invocation: 8 output channels x 8 tiles of one xi. Workgroup: 64 invocations along
// tiles (neighbours share the filter vec4s).
//
// The reduction may be split into PARTS parts of K rows (the last may be shorter): part q
// sums rows q*K .. and writes its products PARTS times further on (m is PARTS x XI x OC8 x
// T8), for the caller to add. The filter gradient, whose reduction runs over every tile and
// whose products are only 16 x OC8 x IC8, splits it so that narrow layers still give every
// core work (16 channels: 64 invocations otherwise, one workgroup); the forward passes
// PARTS = 1, K = IC. Tunables (override): XI.

struct Params {
  IC: u32, OC8: u32, T8: u32, K: u32, PARTS: u32,
}

@group(0) @binding(0) var<storage, read> u: array<vec4f>;
@group(0) @binding(1) var<storage, read> v: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> m: array<vec4f>;
@group(0) @binding(3) var<uniform> params: Params;

override XI: u32 = 16u;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let id = flat_workgroup_index(wid, nwg) * 64u + lid.x;
  let t_blocks = params.T8 / 8u;
  let oc_blocks = params.OC8 / 8u;
  let products = XI * oc_blocks * t_blocks;
  if (id >= params.PARTS * products) { return; }
  let tb = id % t_blocks;
  let ob = (id / t_blocks) % oc_blocks;
  let xi = (id / (t_blocks * oc_blocks)) % XI;
  let part = id / products;
  let first = part * params.K;
  let rows = min(params.K, params.IC - first);
  let u_row = params.OC8 / 4u;
  let v_row = params.T8 / 4u;
  var ui = (xi * params.IC + first) * u_row + ob * 2u;
  var vi = (xi * params.IC + first) * v_row + tb * 2u;

  var acc: array<vec4f, 16>;
  for (var ic = 0u; ic < rows; ic++) {
    let a0 = u[ui];
    let a1 = u[ui + 1u];
    let b0 = v[vi];
    let b1 = v[vi + 1u];
    acc[0] += a0.x * b0; acc[1] += a0.x * b1;
    acc[2] += a0.y * b0; acc[3] += a0.y * b1;
    acc[4] += a0.z * b0; acc[5] += a0.z * b1;
    acc[6] += a0.w * b0; acc[7] += a0.w * b1;
    acc[8] += a1.x * b0; acc[9] += a1.x * b1;
    acc[10] += a1.y * b0; acc[11] += a1.y * b1;
    acc[12] += a1.z * b0; acc[13] += a1.z * b1;
    acc[14] += a1.w * b0; acc[15] += a1.w * b1;
    ui += u_row;
    vi += v_row;
  }

  var mi = ((part * XI + xi) * params.OC8 + ob * 8u) * v_row + tb * 2u;
  for (var i = 0u; i < 8u; i++) {
    m[mi] = acc[2u * i];
    m[mi + 1u] = acc[2u * i + 1u];
    mi += v_row;
  }
}
