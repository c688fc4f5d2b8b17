// sgd_update_pair: sgd_update.wgsl's step for two parameter tensors in one dispatch
// (a layer's weight and bias): invocations [0, n) update the first set, [n, n + n2)
// the second. The formula is sgd_update.wgsl's (WGSL has no includes; both kernels are
// held to the same CPU reference by the parity tests).
//
// Bindings (group 0):
//   grad       read        n values
//   grad2      read        n2 values
//   hyper      read        [lr]
//   param      read_write  n values, updated in place
//   velocity   read_write  n values when MOMENTUM (else a scratch buffer, unread)
//   param2     read_write  n2 values, updated in place
//   velocity2  read_write  n2 values when MOMENTUM (else a scratch buffer, unread)
//   params     uniform     n, n2, momentum, weight_decay, lr_scale
//
// Tunables (override): WG, MOMENTUM, NESTEROV.

struct Params {
  n: u32,
  n2: u32,
  momentum: f32,
  weight_decay: f32,
  /** The layer's learning-rate multiplier (Model.scaleLearningRate; 1 for most). */
  lr_scale: f32,
}

@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read> grad2: array<f32>;
@group(0) @binding(2) var<storage, read> hyper: array<f32>;
@group(0) @binding(3) var<storage, read_write> param: array<f32>;
@group(0) @binding(4) var<storage, read_write> velocity: array<f32>;
@group(0) @binding(5) var<storage, read_write> param2: array<f32>;
@group(0) @binding(6) var<storage, read_write> velocity2: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

override WG: u32 = 64u;
override MOMENTUM: bool = false;
override NESTEROV: bool = false;

/** The step (before the learning rate) and the new velocity. */
fn sgd(p: f32, grad_in: f32, v_in: f32) -> vec2f {
  var step = grad_in + params.weight_decay * p;
  var v = v_in;
  if (MOMENTUM) {
    v = params.momentum * v_in + step;
    step = select(v, step + params.momentum * v, NESTEROV);
  }
  return vec2f(step, v);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i < params.n) {
    var vel = 0.0;
    if (MOMENTUM) { vel = velocity[i]; }
    let r = sgd(param[i], grad[i], vel);
    if (MOMENTUM) { velocity[i] = r.y; }
    param[i] = param[i] - (hyper[0] * params.lr_scale) * r.x;
  } else if (i < params.n + params.n2) {
    let j = i - params.n;
    var vel = 0.0;
    if (MOMENTUM) { vel = velocity2[j]; }
    let r = sgd(param2[j], grad2[j], vel);
    if (MOMENTUM) { velocity2[j] = r.y; }
    param2[j] = param2[j] - (hyper[0] * params.lr_scale) * r.x;
  }
}
