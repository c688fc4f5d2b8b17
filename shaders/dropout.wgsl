// dropout: out[i] = x[i] / (1 - p) if hash(seed + step, i) >= threshold else 0, with
// threshold = floor(p * 2^32). The hash is counter-based (no state), written in the
// same wrapping u32 arithmetic as dropoutHash in src/ops/dropout.ts, so a seed gives
// the same mask on the GPU and the CPU.
//
// Bindings (group 0):
//   x      read        input, n values
//   step   read        step counter [1] (a whole number stored as f32) when HAS_STEP,
//                      else any buffer (unread); lets a recorded step draw new masks
//   out    read_write  output, n values
//   params uniform     n, seed, threshold, scale = 1 / (1 - p)
//
// One invocation computes one element.
// Tunables (override): WG, HAS_STEP.

struct Params {
  n: u32,
  seed: u32,
  threshold: u32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> step: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 64u;
override HAS_STEP: bool = false;

fn mix(x: u32) -> u32 {
  var v = x;
  v ^= v >> 16u;
  v *= 0x7feb352du;
  v ^= v >> 15u;
  v *= 0x846ca68bu;
  v ^= v >> 16u;
  return v;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  var seed = params.seed;
  if (HAS_STEP) { seed += u32(step[0]); }
  let h = mix(i * 0x9e3779b9u + mix(seed));
  out[i] = select(0.0, x[i] * params.scale, h >= params.threshold);
}
