// augment: random crops (a window of the padded input, or torchvision's resized crop),
// flips, shift, rotation and zoom, brightness/contrast (per image or per channel),
// saturation and salt-and-pepper noise of an NCHW batch, in one pass.
// Draws, the same u32 arithmetic as src/ops/augment.ts:
//   per image    hash(seed + step, n*8+k): k = 0 flip-h, 1 flip-v, 2 dx, 3 dy, 4 angle,
//                5 brightness, 6 contrast;
//   crop stream  hash(seed + step + 0x3c6ef372, n*64+k): k = 4t..4t+3 the resized crop's
//                try t (scale, log-ratio, top, left), 40 and 41 the window's top and left,
//                42 zoom, 43 saturation;
//   per channel  hash(seed + step + 0xa54ff53a, (n*c+ch)*2+k): k = 0 brightness, 1 contrast.
// The crop gives an oh x ow canvas: the input at (y + top, x + left) (zeros outside), or
// the box resized bilinearly (align_corners=False, edges clamped to the box). Output
// pixels map back to the canvas: undo the shift, the rotation and zoom about the centre
// (sin/cos by Taylor series so both backends agree to float rounding), then the flips;
// sample the canvas bilinearly with zeros outside. Then per channel
// v = (v - pivot) * contrast + pivot + brightness; with saturation (3 channels)
// v = g + (v - g) * s, g = 0.299 R + 0.587 G + 0.114 B of the pixel; with probability
// salt_pepper the value becomes noise_low or noise_high (low bit of its own hash).
//
// Bindings (group 0):
//   x      read        input [n, c, h, w]
//   step   read        step counter [1] (a whole number stored as f32)
//   out    read_write  output [n, c, oh, ow]
//   params uniform     sizes, seed, thresholds and ranges (see Params)
//
// One invocation computes one output value (with saturation, its pixel's three channels).
// Tunables (override): WG.

struct Params {
  n: u32,
  c: u32,
  h: u32,
  w: u32,
  oh: u32,
  ow: u32,
  seed: u32,
  flip_h_threshold: u32,
  flip_v_threshold: u32,
  noise_threshold: u32,
  max_shift: u32,
  padding: u32,
  resized_crop: u32,
  per_channel: u32,
  max_rotation: f32,
  zoom: f32,
  brightness: f32,
  contrast: f32,
  saturation: f32,
  pivot: f32,
  noise_low: f32,
  noise_high: f32,
  scale_min: f32,
  scale_max: f32,
  ratio_min: f32,
  ratio_max: f32,
  log_ratio_min: f32,
  log_ratio_max: f32,
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

// top, left, height, width of the part of the input the canvas is cut from.
fn crop_box(seed: u32, image: u32) -> vec4i {
  let cs = seed + 0x3c6ef372u;
  let h = i32(params.h);
  let w = i32(params.w);
  if (params.resized_crop == 0u) {
    let p = params.padding;
    let top = i32(hash(cs, image * 64u + 40u) % (params.h + 2u * p - params.oh + 1u)) - i32(p);
    let left = i32(hash(cs, image * 64u + 41u) % (params.w + 2u * p - params.ow + 1u)) - i32(p);
    return vec4i(top, left, i32(params.oh), i32(params.ow));
  }
  // torchvision's RandomResizedCrop: ten tries, then the centre with the ratio clamped.
  let area = f32(params.h * params.w);
  for (var t = 0u; t < 10u; t++) {
    let k = image * 64u + 4u * t;
    let target_area = area * (params.scale_min + unit(hash(cs, k)) * (params.scale_max - params.scale_min));
    let ratio = exp(params.log_ratio_min + unit(hash(cs, k + 1u)) * (params.log_ratio_max - params.log_ratio_min));
    let bw = i32(round(sqrt(target_area * ratio)));
    let bh = i32(round(sqrt(target_area / ratio)));
    if (bw > 0 && bw <= w && bh > 0 && bh <= h) {
      let top = i32(hash(cs, k + 2u) % u32(h - bh + 1));
      let left = i32(hash(cs, k + 3u) % u32(w - bw + 1));
      return vec4i(top, left, bh, bw);
    }
  }
  let in_ratio = f32(params.w) / f32(params.h);
  var bw = w;
  var bh = h;
  if (in_ratio < params.ratio_min) {
    bh = clamp(i32(round(f32(params.w) / params.ratio_min)), 1, h);
  } else if (in_ratio > params.ratio_max) {
    bw = clamp(i32(round(f32(params.h) * params.ratio_max)), 1, w);
  }
  return vec4i((h - bh) / 2, (w - bw) / 2, bh, bw);
}

fn at(plane: u32, yy: i32, xx: i32) -> f32 {
  if (yy < 0 || xx < 0 || yy >= i32(params.h) || xx >= i32(params.w)) { return 0.0; }
  return x[plane + u32(yy) * params.w + u32(xx)];
}

// The cropped (and resized) canvas of a plane at whole pixel (yy, xx); zeros outside it.
fn canvas(plane: u32, box: vec4i, yy: i32, xx: i32) -> f32 {
  if (yy < 0 || xx < 0 || yy >= i32(params.oh) || xx >= i32(params.ow)) { return 0.0; }
  if (params.resized_crop == 0u) { return at(plane, yy + box.x, xx + box.y); }
  let sy = max((f32(yy) + 0.5) * (f32(box.z) / f32(params.oh)) - 0.5, 0.0);
  let sx = max((f32(xx) + 0.5) * (f32(box.w) / f32(params.ow)) - 0.5, 0.0);
  let y0 = i32(floor(sy));
  let x0 = i32(floor(sx));
  let y1 = min(y0 + 1, box.z - 1);
  let x1 = min(x0 + 1, box.w - 1);
  let fy = sy - f32(y0);
  let fx = sx - f32(x0);
  return (1.0 - fy) * ((1.0 - fx) * at(plane, box.x + y0, box.y + x0) + fx * at(plane, box.x + y0, box.y + x1))
       + fy * ((1.0 - fx) * at(plane, box.x + y1, box.y + x0) + fx * at(plane, box.x + y1, box.y + x1));
}

// Channel ch of the pixel at canvas point (u, v), sampled and with brightness and contrast.
fn jittered(seed: u32, image: u32, ch: u32, box: vec4i, u: f32, v: f32) -> f32 {
  let plane_index = image * params.c + ch;
  let plane = plane_index * params.h * params.w;
  let u0 = floor(u);
  let v0 = floor(v);
  let fu = u - u0;
  let fv = v - v0;
  let iu = i32(u0);
  let iv = i32(v0);
  let value = (1.0 - fv) * ((1.0 - fu) * canvas(plane, box, iv, iu) + fu * canvas(plane, box, iv, iu + 1))
            + fv * ((1.0 - fu) * canvas(plane, box, iv + 1, iu) + fu * canvas(plane, box, iv + 1, iu + 1));
  var b = unit(hash(seed, image * 8u + 5u));
  var k = unit(hash(seed, image * 8u + 6u));
  if (params.per_channel != 0u) {
    b = unit(hash(seed + 0xa54ff53au, plane_index * 2u));
    k = unit(hash(seed + 0xa54ff53au, plane_index * 2u + 1u));
  }
  let brightness = (b * 2.0 - 1.0) * params.brightness;
  let contrast = 1.0 + (k * 2.0 - 1.0) * params.contrast;
  return (value - params.pivot) * contrast + params.pivot + brightness;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let index = flat_workgroup_index(wid, nwg) * WG + lid;
  let total = params.n * params.c * params.oh * params.ow;
  if (index >= total) { return; }
  let xo = index % params.ow;
  let y = (index / params.ow) % params.oh;
  let plane_index = index / (params.ow * params.oh);
  let image = plane_index / params.c;
  let ch = plane_index % params.c;
  let seed = params.seed + u32(step[0]);
  let box = crop_box(seed, image);

  let span = 2u * params.max_shift + 1u;
  let dx = i32(hash(seed, image * 8u + 2u) % span) - i32(params.max_shift);
  let dy = i32(hash(seed, image * 8u + 3u) % span) - i32(params.max_shift);
  let a = (unit(hash(seed, image * 8u + 4u)) * 2.0 - 1.0) * params.max_rotation * 0.017453292519943295;
  let a2 = a * a;
  let s = a * (1.0 - (a2 / 6.0) * (1.0 - (a2 / 20.0) * (1.0 - (a2 / 42.0) * (1.0 - (a2 / 72.0) * (1.0 - (a2 / 110.0) * (1.0 - a2 / 156.0))))));
  let co = 1.0 - (a2 / 2.0) * (1.0 - (a2 / 12.0) * (1.0 - (a2 / 30.0) * (1.0 - (a2 / 56.0) * (1.0 - (a2 / 90.0) * (1.0 - a2 / 132.0)))));
  let zoom = 1.0 + (unit(hash(seed + 0x3c6ef372u, image * 64u + 42u)) * 2.0 - 1.0) * params.zoom;

  let cx = f32(params.ow - 1u) * 0.5;
  let cy = f32(params.oh - 1u) * 0.5;
  let tx = f32(i32(xo) - dx) - cx;
  let ty = f32(i32(y) - dy) - cy;
  var u = (co * tx + s * ty) / zoom + cx;
  var v = (-s * tx + co * ty) / zoom + cy;
  if (hash(seed, image * 8u) < params.flip_h_threshold) { u = f32(params.ow - 1u) - u; }
  if (hash(seed, image * 8u + 1u) < params.flip_v_threshold) { v = f32(params.oh - 1u) - v; }

  var result = jittered(seed, image, ch, box, u, v);
  if (params.saturation > 0.0) {
    let grey = 0.299 * jittered(seed, image, 0u, box, u, v) + 0.587 * jittered(seed, image, 1u, box, u, v)
             + 0.114 * jittered(seed, image, 2u, box, u, v);
    let sat = 1.0 + (unit(hash(seed + 0x3c6ef372u, image * 64u + 43u)) * 2.0 - 1.0) * params.saturation;
    result = grey + (result - grey) * sat;
  }
  let noise = hash(seed + 0x68e31da4u, index);
  if (noise < params.noise_threshold) { result = select(params.noise_low, params.noise_high, (noise & 1u) == 1u); }
  out[index] = result;
}
