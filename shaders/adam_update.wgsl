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
//   params uniform     n, beta1, beta2, eps, weight_decay, lr_scale
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
  let m1 = params.beta1 * m[i] + (1.0 - params.beta1) * g;
  let v1 = params.beta2 * v[i] + (1.0 - params.beta2) * g * g;
  m[i] = m1;
  v[i] = v1;
  let lr = (hyper[0] * params.lr_scale);
  let update = (m1 / hyper[1]) / (sqrt(v1 / hyper[2]) + params.eps) + select(0.0, params.weight_decay * p, DECOUPLED);
  param[i] = p - lr * update;
}
