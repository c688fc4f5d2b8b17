// conv2d_pointwise: a 1x1, stride-1, unpadded, ungrouped convolution (MobileNet's pointwise
// layers) with every load a vec4: per image it is a plain matrix product
//   out[n, r, s] = bias[r] + sum_k w[w_base + r*w_r + k*w_k] * x[n, k, s]
// over S positions per image (S a multiple of 4). conv2d's forward reads the OIHW filter
// (w_r = K, w_k = 1: contiguous along k); its input gradient is the same product of dy with
// the filter read transposed (w_r = 1, w_k = R: contiguous along r).
//
// Why: conv2d_tile8.wgsl spends 16 scalar loads on 64 multiply-adds, and on SwiftShader a
// load costs far more than a multiply-add. Here x's 8 positions are two vec4 loads and
// the filter comes in vec4s along whichever axis it is contiguous in, 1 load per 16
// multiply-adds in both modes.
//
// Bindings (group 0):
//   x      read        input, N x K x S, read as vec4s along s
//   w      read        filter, read as vec4s (w_base, w_r, w_k multiples of 4 where they index vec4s)
//   bias   read        R values (read only when HAS_BIAS)
//   out    read_write  output, N x R x S, written as vec4s
//   params uniform     sizes (S4 = S / 4), filter offsets and tile counts
//
// Per invocation: 8 rows x 8 positions (two vec4 columns of one or two images).
// Tunables (override): WG_X, WG_Y (invocations along columns and rows), W_ALONG_ROWS
// (true: the filter is contiguous along r, R a multiple of 4; false: along k, K a multiple
// of 4), HAS_BIAS, RELU.

struct Params {
  N: u32, K: u32, R: u32, S4: u32,
  w_base: u32, w_r: u32, w_k: u32,
  tiles_m: u32, tiles_n: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read> w: array<vec4f>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(4) var<uniform> params: Params;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
override W_ALONG_ROWS: bool = false;
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
  let col0 = ((wg % params.tiles_n) * WG_X + lid.x) * 2u;
  let columns = params.N * params.S4;
  if (row0 >= params.R || col0 >= columns) { return; }

  // The two vec4 columns (clamped: a column past the end loads the last one and is not stored).
  let ca = col0;
  let cb = min(col0 + 1u, columns - 1u);
  let ks4 = params.K * params.S4;
  var xa = (ca / params.S4) * ks4 + ca % params.S4;
  var xb = (cb / params.S4) * ks4 + cb % params.S4;

  var acc: array<vec4f, 16>;
  if (W_ALONG_ROWS) {
    // Rows row0..row0+7 are two vec4s of the filter for each k (the second clamped when R is not a multiple of 8).
    let wa0 = (params.w_base + row0) / 4u;
    let wb0 = (params.w_base + min(row0 + 4u, params.R - 4u)) / 4u;
    let wk4 = params.w_k / 4u;
    for (var k = 0u; k < params.K; k++) {
      let va = x[xa];
      let vb = x[xb];
      let fa = w[wa0 + k * wk4];
      let fb = w[wb0 + k * wk4];
      acc[0] += fa.x * va; acc[1] += fa.x * vb;
      acc[2] += fa.y * va; acc[3] += fa.y * vb;
      acc[4] += fa.z * va; acc[5] += fa.z * vb;
      acc[6] += fa.w * va; acc[7] += fa.w * vb;
      acc[8] += fb.x * va; acc[9] += fb.x * vb;
      acc[10] += fb.y * va; acc[11] += fb.y * vb;
      acc[12] += fb.z * va; acc[13] += fb.z * vb;
      acc[14] += fb.w * va; acc[15] += fb.w * vb;
      xa += params.S4;
      xb += params.S4;
    }
  } else {
    // Each row's filter is contiguous along k: four k at a time, one vec4 per row.
    var wr: array<u32, 8>;
    for (var i = 0u; i < 8u; i++) {
      wr[i] = (params.w_base + min(row0 + i, params.R - 1u) * params.w_r) / 4u;
    }
    let w0 = wr[0]; let w1 = wr[1]; let w2 = wr[2]; let w3 = wr[3];
    let w4 = wr[4]; let w5 = wr[5]; let w6 = wr[6]; let w7 = wr[7];
    let s4 = params.S4;
    for (var k4 = 0u; k4 < params.K / 4u; k4++) {
      let a0 = x[xa]; let a1 = x[xa + s4]; let a2 = x[xa + 2u * s4]; let a3 = x[xa + 3u * s4];
      let b0 = x[xb]; let b1 = x[xb + s4]; let b2 = x[xb + 2u * s4]; let b3 = x[xb + 3u * s4];
      var f = w[w0 + k4];
      acc[0] += f.x * a0 + f.y * a1 + f.z * a2 + f.w * a3;
      acc[1] += f.x * b0 + f.y * b1 + f.z * b2 + f.w * b3;
      f = w[w1 + k4];
      acc[2] += f.x * a0 + f.y * a1 + f.z * a2 + f.w * a3;
      acc[3] += f.x * b0 + f.y * b1 + f.z * b2 + f.w * b3;
      f = w[w2 + k4];
      acc[4] += f.x * a0 + f.y * a1 + f.z * a2 + f.w * a3;
      acc[5] += f.x * b0 + f.y * b1 + f.z * b2 + f.w * b3;
      f = w[w3 + k4];
      acc[6] += f.x * a0 + f.y * a1 + f.z * a2 + f.w * a3;
      acc[7] += f.x * b0 + f.y * b1 + f.z * b2 + f.w * b3;
      f = w[w4 + k4];
      acc[8] += f.x * a0 + f.y * a1 + f.z * a2 + f.w * a3;
      acc[9] += f.x * b0 + f.y * b1 + f.z * b2 + f.w * b3;
      f = w[w5 + k4];
      acc[10] += f.x * a0 + f.y * a1 + f.z * a2 + f.w * a3;
      acc[11] += f.x * b0 + f.y * b1 + f.z * b2 + f.w * b3;
      f = w[w6 + k4];
      acc[12] += f.x * a0 + f.y * a1 + f.z * a2 + f.w * a3;
      acc[13] += f.x * b0 + f.y * b1 + f.z * b2 + f.w * b3;
      f = w[w7 + k4];
      acc[14] += f.x * a0 + f.y * a1 + f.z * a2 + f.w * a3;
      acc[15] += f.x * b0 + f.y * b1 + f.z * b2 + f.w * b3;
      xa += 4u * s4;
      xb += 4u * s4;
    }
  }

  let rs4 = params.R * params.S4;
  let oa = (ca / params.S4) * rs4 + ca % params.S4;
  let ob = (cb / params.S4) * rs4 + cb % params.S4;
  let storeB = col0 + 1u < columns;
  for (var i = 0u; i < 8u; i++) {
    let r = row0 + i;
    if (r >= params.R) { break; }
    var b = vec4f(0.0);
    if (HAS_BIAS) { b = vec4f(bias[r]); }
    var va = acc[2u * i] + b;
    var vb = acc[2u * i + 1u] + b;
    if (RELU) { va = relu_vec4f(va); vb = relu_vec4f(vb); }
    out[oa + r * params.S4] = va;
    if (storeB) { out[ob + r * params.S4] = vb; }
  }
}
