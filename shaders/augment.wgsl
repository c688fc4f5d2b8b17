// augment: random flips, shift, rotation, brightness/contrast and salt-and-pepper
// noise of an NCHW batch, in one pass. Each image's draws are hash(seed + step, n*8+k)
// (k = 0 flip-h, 1 flip-v, 2 dx, 3 dy, 4 angle, 5 brightness, 6 contrast), the same
// u32 arithmetic as src/ops/augment.ts. Output pixels map back to the input: undo the
// shift, the rotation about the centre (sin/cos by Taylor series so both backends
// agree to float rounding), then the flips; sample bilinearly with zeros outside.
// Then v = (v - pivot) * contrast + pivot + brightness, and with probability
// salt_pepper the value becomes noise_low or noise_high (low bit of its own hash).
//
// Bindings (group 0):
//   x      read        input [n, c, h, w]
//   step   read        step counter [1] (a whole number stored as f32)
//   out    read_write  output [n, c, h, w]
//   params uniform     sizes, seed, thresholds and ranges (see Params)
//
// One invocation computes one output value.
// Tunables (override): WG.

struct Params {
  n: u32,
  c: u32,
  h: u32,
  w: u32,
  seed: u32,
  flip_h_threshold: u32,
  flip_v_threshold: u32,
  noise_threshold: u32,
  max_shift: u32,
  max_rotation: f32,
  brightness: f32,
  contrast: f32,
  pivot: f32,
  noise_low: f32,
  noise_high: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> step: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 64u;

fn mix(v0: u32) -> u32 {
  var v = v0;
  v ^= v >> 16u;
  v *= 0x7feb352du;
  v ^= v >> 15u;
  v *= 0x846ca68bu;
  v ^= v >> 16u;
  return v;
}

fn hash(seed: u32, i: u32) -> u32 {
  return mix(i * 0x9e3779b9u + mix(seed));
}

fn unit(h: u32) -> f32 {
  return f32(h) / 4294967296.0;
}

fn at(plane: u32, yy: i32, xx: i32) -> f32 {
  if (yy < 0 || xx < 0 || yy >= i32(params.h) || xx >= i32(params.w)) { return 0.0; }
  return x[plane + u32(yy) * params.w + u32(xx)];
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let index = flat_workgroup_index(wid, nwg) * WG + lid;
  let total = params.n * params.c * params.h * params.w;
  if (index >= total) { return; }
  let xo = index % params.w;
  let y = (index / params.w) % params.h;
  let plane_index = index / (params.w * params.h);
  let image = plane_index / params.c;
  let seed = params.seed + u32(step[0]);

  let span = 2u * params.max_shift + 1u;
  let dx = i32(hash(seed, image * 8u + 2u) % span) - i32(params.max_shift);
  let dy = i32(hash(seed, image * 8u + 3u) % span) - i32(params.max_shift);
  let a = (unit(hash(seed, image * 8u + 4u)) * 2.0 - 1.0) * params.max_rotation * 0.017453292519943295;
  let a2 = a * a;
  let s = a * (1.0 - (a2 / 6.0) * (1.0 - (a2 / 20.0) * (1.0 - (a2 / 42.0) * (1.0 - (a2 / 72.0) * (1.0 - (a2 / 110.0) * (1.0 - a2 / 156.0))))));
  let co = 1.0 - (a2 / 2.0) * (1.0 - (a2 / 12.0) * (1.0 - (a2 / 30.0) * (1.0 - (a2 / 56.0) * (1.0 - (a2 / 90.0) * (1.0 - a2 / 132.0)))));

  let cx = f32(params.w - 1u) * 0.5;
  let cy = f32(params.h - 1u) * 0.5;
  let tx = f32(i32(xo) - dx) - cx;
  let ty = f32(i32(y) - dy) - cy;
  var u = co * tx + s * ty + cx;
  var v = -s * tx + co * ty + cy;
  if (hash(seed, image * 8u) < params.flip_h_threshold) { u = f32(params.w - 1u) - u; }
  if (hash(seed, image * 8u + 1u) < params.flip_v_threshold) { v = f32(params.h - 1u) - v; }
  let u0 = floor(u);
  let v0 = floor(v);
  let fu = u - u0;
  let fv = v - v0;
  let iu = i32(u0);
  let iv = i32(v0);
  let plane = plane_index * params.h * params.w;
  let value = (1.0 - fv) * ((1.0 - fu) * at(plane, iv, iu) + fu * at(plane, iv, iu + 1))
            + fv * ((1.0 - fu) * at(plane, iv + 1, iu) + fu * at(plane, iv + 1, iu + 1));

  let brightness = (unit(hash(seed, image * 8u + 5u)) * 2.0 - 1.0) * params.brightness;
  let contrast = 1.0 + (unit(hash(seed, image * 8u + 6u)) * 2.0 - 1.0) * params.contrast;
  var result = (value - params.pivot) * contrast + params.pivot + brightness;
  let noise = hash(seed + 0x68e31da4u, index);
  if (noise < params.noise_threshold) { result = select(params.noise_low, params.noise_high, (noise & 1u) == 1u); }
  out[index] = result;
}
