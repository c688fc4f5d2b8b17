// activation_grad: dx[i] = dy[i] * f'(...) for the activation chosen by OP, where the
// derivative reads the forward input x (relu, relu6, leaky_relu, elu) or the forward
// output y (sigmoid: y(1-y), tanh: 1-y^2), passed in the `v` binding.
//
// Bindings (group 0):
//   v      read        forward input x or forward output y, n values
//   dy     read        gradient of the output, n values
//   out    read_write  dx, n values
//   params uniform     n, alpha
//
// One invocation computes four consecutive elements (as unary.wgsl). At the kinks
// (x = 0, 6) the derivative taken is the left one (0 for relu at 0), as in the CPU reference.
// OP numbers follow ACTIVATION_GRAD_OPS in src/ops/activation_grad.ts:
// 0 relu, 1 relu6, 2 leaky_relu, 3 elu, 4 sigmoid, 5 tanh.
// Tunables (override): OP, WG.

struct Params {
  n: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> v: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override OP: u32 = 0u;
override WG: u32 = 64u;

fn derivative(x: f32) -> f32 {
  switch OP {
    case 0u: { return select(0.0, 1.0, x > 0.0); }
    case 1u: { return select(0.0, 1.0, x > 0.0 && x < 6.0); }
    case 2u: { return select(params.alpha, 1.0, x > 0.0); }
    case 3u: { return select(params.alpha * exp(x), 1.0, x > 0.0); }
    case 4u: { return x * (1.0 - x); }
    case 5u: { return 1.0 - x * x; }
    default: { return 0.0; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (flat_workgroup_index(wid, nwg) * WG + lid) * 4u;
  if (i + 4u <= params.n) {
    let x4 = vec4f(v[i], v[i + 1u], v[i + 2u], v[i + 3u]);
    let dy4 = vec4f(dy[i], dy[i + 1u], dy[i + 2u], dy[i + 3u]);
    out[i] = dy4.x * derivative(x4.x);
    out[i + 1u] = dy4.y * derivative(x4.y);
    out[i + 2u] = dy4.z * derivative(x4.z);
    out[i + 3u] = dy4.w * derivative(x4.w);
    return;
  }
  for (var j = i; j < params.n; j++) { out[j] = dy[j] * derivative(v[j]); }
}
