// lrn: local response normalisation across channels, with
// d[c] = k + alpha/size * sum_{c' = c-lo .. c+hi, clipped} x[c']^2, lo = size/2, hi = (size-1)/2:
//   OP 0 forward: out[c] = x[c] * d[c]^-beta
//   OP 1 grad:    out[c] = dy[c] * d[c]^-beta
//                          - 2*alpha*beta/size * x[c] * sum_{j = c-hi .. c+lo, clipped} dy[j] * x[j] * d[j]^(-beta-1)
//
// Bindings (group 0):
//   x      read        input, NCHW
//   dy     read        gradient of the output (OP 1)
//   out    read_write  y or dx
//   params uniform     total, C, HW, lo, hi, alpha_over_size, beta, k
//
// One invocation computes one element; each d[j] is recomputed (size is small, 5 in AlexNet).
// Tunables (override): OP, WG.

struct Params {
  total: u32,
  C: u32,
  HW: u32,
  lo: u32,
  hi: u32,
  alpha_over_size: f32,
  beta: f32,
  k: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override OP: u32 = 0u;
override WG: u32 = 64u;

/** d at the element of channel c in the same (n, position) as `base` (channel 0's index). */
fn denom(base: u32, c: u32) -> f32 {
  let first = select(0u, c - params.lo, c >= params.lo);
  let last = min(params.C - 1u, c + params.hi);
  var s = 0.0;
  for (var j = first; j <= last; j++) {
    let v = x[base + j * params.HW];
    s += v * v;
  }
  return params.k + params.alpha_over_size * s;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i >= params.total) { return; }
  let c = (i / params.HW) % params.C;
  let base = i - c * params.HW;
  let d = denom(base, c);
  if (OP == 0u) {
    out[i] = x[i] * pow(d, -params.beta);
    return;
  }
  let first = select(0u, c - params.hi, c >= params.hi);
  let last = min(params.C - 1u, c + params.lo);
  var s = 0.0;
  for (var j = first; j <= last; j++) {
    let k = base + j * params.HW;
    s += dy[k] * x[k] * pow(denom(base, j), -params.beta - 1.0);
  }
  out[i] = dy[i] * pow(d, -params.beta) - 2.0 * params.alpha_over_size * params.beta * x[i] * s;
}
