// adam_update_pair: adam_update.wgsl's step for two parameter tensors in one dispatch
// (a layer's weight and bias): invocations [0, n) update the first set, [n, n + n2)
// the second. The formula is adam_update.wgsl's (WGSL has no includes; both kernels
// are held to the same CPU reference by the parity tests).
//
// Bindings (group 0), nine storage buffers (used where the adapter allows nine):
//   grad    read        n values
//   grad2   read        n2 values
//   hyper   read        [lr, bc1, bc2]
//   param   read_write  n values, updated in place
//   m       read_write  first-moment state, n values
//   v       read_write  second-moment state, n values
//   param2  read_write  n2 values, updated in place
//   m2      read_write  n2 values
//   v2      read_write  n2 values
//   params  uniform     n, n2, beta1, beta2, eps, weight_decay, lr_scale, one_minus_beta1,
//                       one_minus_beta2 (from the host, computed in double: adam_update.wgsl)
//
// Tunables (override): WG, DECOUPLED.

struct Params {
  n: u32,
  n2: u32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  /** The layer's learning-rate multiplier (Model.scaleLearningRate; 1 for most). */
  lr_scale: f32,
  one_minus_beta1: f32,
  one_minus_beta2: f32,
}

@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read> grad2: array<f32>;
@group(0) @binding(2) var<storage, read> hyper: array<f32>;
@group(0) @binding(3) var<storage, read_write> param: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;
@group(0) @binding(6) var<storage, read_write> param2: array<f32>;
@group(0) @binding(7) var<storage, read_write> m2: array<f32>;
@group(0) @binding(8) var<storage, read_write> v2: array<f32>;
@group(0) @binding(9) var<uniform> params: Params;

override WG: u32 = 64u;
override DECOUPLED: bool = false;

/** The new (param, m, v) from the old ones and the gradient. */
fn adam(p: f32, grad_in: f32, m_in: f32, v_in: f32) -> vec3f {
  let g = grad_in + select(params.weight_decay * p, 0.0, DECOUPLED);
  let m1 = params.beta1 * m_in + params.one_minus_beta1 * g;
  let v1 = params.beta2 * v_in + params.one_minus_beta2 * g * g;
  let update = (m1 / hyper[1]) / (sqrt(v1 / hyper[2]) + params.eps) + select(0.0, params.weight_decay * p, DECOUPLED);
  return vec3f(p - (hyper[0] * params.lr_scale) * update, m1, v1);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i < params.n) {
    let r = adam(param[i], grad[i], m[i], v[i]);
    param[i] = r.x;
    m[i] = r.y;
    v[i] = r.z;
  } else if (i < params.n + params.n2) {
    let j = i - params.n;
    let r = adam(param2[j], grad2[j], m2[j], v2[j]);
    param2[j] = r.x;
    m2[j] = r.y;
    v2[j] = r.z;
  }
}
