// unary: out[i] = f(x[i]) for the elementwise function chosen by OP.
//
// Bindings (group 0):
//   x      read        input, n values
//   out    read_write  output, n values
//   params uniform     n, alpha (leaky_relu's slope, elu's scale)
//
// One invocation computes four consecutive elements (explicit loads and stores; the
// last invocation loops over what is left). OP numbers follow UNARY_OPS in src/ops/unary.ts:
// 0 neg, 1 abs, 2 exp, 3 log, 4 sqrt, 5 rsqrt, 6 square, 7 reciprocal, 8 sign,
// 9 relu, 10 sigmoid, 11 tanh, 12 relu6, 13 leaky_relu, 14 elu.
// Tunables (override): OP, WG (workgroup size).

struct Params {
  n: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override OP: u32 = 0u;
override WG: u32 = 64u;

fn apply(v: f32) -> f32 {
  switch OP {
    case 0u: { return -v; }
    case 1u: { return abs(v); }
    case 2u: { return exp(v); }
    case 3u: { return log(v); }
    case 4u: { return sqrt(v); }
    case 5u: { return inverseSqrt(v); }
    case 6u: { return v * v; }
    case 7u: { return 1.0 / v; }
    case 8u: { return sign(v); }
    case 9u: { return relu_f32(v); }
    case 10u: {
      // NOTE: exp of a non-positive number never overflows, so both branches are stable.
      let e = exp(-abs(v));
      return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
    }
    case 11u: {
      // NOTE: builtin tanh may return NaN for large |v| on some drivers; this form cannot.
      let e = exp(-2.0 * abs(v));
      return sign(v) * (1.0 - e) / (1.0 + e);
    }
    case 12u: { return select(clamp(v, 0.0, 6.0), v, is_nan_f32(v)); }
    case 13u: { return select(params.alpha * v, v, v > 0.0); }
    case 14u: {
      // NOTE: exp(v) - 1 loses digits near 0; the cubic Taylor term keeps them for |v| < 1e-3.
      let em1 = select(exp(v) - 1.0, v + v * v * (0.5 + v / 6.0), abs(v) < 1e-3);
      return select(params.alpha * em1, v, v > 0.0 || is_nan_f32(v));
    }
    default: { return v; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (flat_workgroup_index(wid, nwg) * WG + lid) * 4u;
  if (i + 4u <= params.n) {
    let v = vec4f(x[i], x[i + 1u], x[i + 2u], x[i + 3u]);
    out[i] = apply(v.x);
    out[i + 1u] = apply(v.y);
    out[i + 2u] = apply(v.z);
    out[i + 3u] = apply(v.w);
    return;
  }
  for (var j = i; j < params.n; j++) { out[j] = apply(x[j]); }
}
