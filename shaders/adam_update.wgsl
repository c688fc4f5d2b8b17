// adam_update: in-place Adam / AdamW step for one parameter tensor.
//   g = grad + (DECOUPLED ? 0 : weight_decay * param)
//   m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
//   param -= lr * ((m / bc1) / (sqrt(v / bc2) + eps) + (DECOUPLED ? weight_decay * param : 0))
// lr and the bias corrections bc1 = 1 - beta1^t, bc2 = 1 - beta2^t change every step,
// so they are read from `hyper` and a recorded step replays without new commands.
//
// Bindings (group 0):
//   grad   read        n values
//   hyper  read        [lr, bc1, bc2]
//   param  read_write  n values, updated in place
//   m      read_write  first-moment state, n values
//   v      read_write  second-moment state, n values
//   params uniform     n, beta1, beta2, eps, weight_decay, lr_scale, one_minus_beta1, one_minus_beta2
//
// 1 - beta1 and 1 - beta2 come from the host, computed in double and then rounded: in f32,
// 1.0 - beta2 would take beta2's own rounding into the difference (1 - f32(0.999) is
// 0.00099998713, 1.3e-5 below 0.001; for 0.9999, 1.7e-4), a second moment that much too
// small at every step, where PyTorch and the CPU reference take 0.001.
//
// One invocation updates one element.
// Tunables (override): WG, DECOUPLED.

struct Params {
  n: u32,
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
@group(0) @binding(1) var<storage, read> hyper: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

override WG: u32 = 64u;
override DECOUPLED: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  let p = param[i];
  let g = grad[i] + select(params.weight_decay * p, 0.0, DECOUPLED);
  let m1 = params.beta1 * m[i] + params.one_minus_beta1 * g;
  let v1 = params.beta2 * v[i] + params.one_minus_beta2 * g * g;
  m[i] = m1;
  v[i] = v1;
  let lr = (hyper[0] * params.lr_scale);
  let update = (m1 / hyper[1]) / (sqrt(v1 / hyper[2]) + params.eps) + select(0.0, params.weight_decay * p, DECOUPLED);
  param[i] = p - lr * update;
}
