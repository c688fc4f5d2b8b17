// sgd_update: in-place SGD step for one parameter tensor (PyTorch's formulation).
//   g = grad + weight_decay * param
//   with MOMENTUM: velocity = momentum * velocity + g; step = NESTEROV ? g + momentum * velocity : velocity
//   param -= lr * step
// lr is read from `hyper` so a recorded step can change it without new commands.
//
// Bindings (group 0):
//   grad     read        n values
//   hyper    read        [lr]
//   param    read_write  n values, updated in place
//   velocity read_write  n values when MOMENTUM (else a scratch buffer, unread)
//   params   uniform     n, momentum, weight_decay, lr_scale
//
// One invocation updates one element.
// Tunables (override): WG, MOMENTUM, NESTEROV.

struct Params {
  n: u32,
  momentum: f32,
  weight_decay: f32,
  /** The layer's learning-rate multiplier (Model.scaleLearningRate; 1 for most). */
  lr_scale: f32,
}

@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read> hyper: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> velocity: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override WG: u32 = 64u;
override MOMENTUM: bool = false;
override NESTEROV: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  let p = param[i];
  var step = grad[i] + params.weight_decay * p;
  if (MOMENTUM) {
    let v = params.momentum * velocity[i] + step;
    velocity[i] = v;
    step = select(v, step + params.momentum * v, NESTEROV);
  }
  param[i] = p - (hyper[0] * params.lr_scale) * step;
}
