// binary: out[i] = f(a[ia], b[ib]) with NumPy broadcasting, f chosen by OP.
//
// Bindings (group 0):
//   a      read        first input
//   b      read        second input
//   out    read_write  output, n values
//   params uniform     n, rank, out_shape, and each input's strides over the output's
//                      axes (0 on broadcast axes), up to rank 8 packed in vec4s
//
// One invocation computes four consecutive elements (as unary.wgsl). When BROADCAST is
// false both inputs have the output's shape and are indexed flat, skipping the per-axis
// index arithmetic.
// OP numbers follow BINARY_OPS in src/ops/binary.ts:
// 0 add, 1 sub, 2 mul, 3 div, 4 maximum, 5 minimum, 6 pow.
// Tunables (override): OP, BROADCAST, WG.

struct Params {
  n: u32,
  rank: u32,
  out_shape: array<vec4u, 2>,
  a_strides: array<vec4u, 2>,
  b_strides: array<vec4u, 2>,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override OP: u32 = 0u;
override BROADCAST: bool = true;
override WG: u32 = 64u;

fn apply(x: f32, y: f32) -> f32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: { return max(x, y); }
    case 5u: { return min(x, y); }
    case 6u: {
      // NOTE: WGSL pow is undefined for x < 0; follow Math.pow for integer exponents.
      let m = pow(abs(x), y);
      let odd = y == round(y) && (i32(round(y)) & 1) == 1;
      return select(select(m, -m, odd && x < 0.0), pow(x, y), x > 0.0);
    }
    default: { return x; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (flat_workgroup_index(wid, nwg) * WG + lid) * 4u;
  if (!BROADCAST) {
    if (i + 4u <= params.n) {
      let a4 = vec4f(a[i], a[i + 1u], a[i + 2u], a[i + 3u]);
      let b4 = vec4f(b[i], b[i + 1u], b[i + 2u], b[i + 3u]);
      out[i] = apply(a4.x, b4.x);
      out[i + 1u] = apply(a4.y, b4.y);
      out[i + 2u] = apply(a4.z, b4.z);
      out[i + 3u] = apply(a4.w, b4.w);
      return;
    }
    for (var j = i; j < params.n; j++) { out[j] = apply(a[j], b[j]); }
    return;
  }
  for (var j = i; j < min(i + 4u, params.n); j++) {
    let ij = operand_indices(j);
    out[j] = apply(a[ij.x], b[ij.y]);
  }
}

/** The flat indices into a and b of output element i, under broadcasting. */
fn operand_indices(i: u32) -> vec2u {
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  // Walk axes innermost first, peeling one coordinate per axis.
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let extent = params.out_shape[d / 4][d % 4];
    let coord = rest % extent;
    rest = rest / extent;
    ia += coord * params.a_strides[d / 4][d % 4];
    ib += coord * params.b_strides[d / 4][d % 4];
  }
  return vec2u(ia, ib);
}
