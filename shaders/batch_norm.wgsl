// batch_norm, by OP, for x of shape [N, C] or [N, C, H, W] (HW = 1 for rank 2), with
// M = N*HW values per channel, xhat = (x - mean) * inverseSqrt(var + eps):
//   0 stats:       out[c] = mean, out[C + c] = biased variance     (one workgroup per channel, two passes)
//   1 grad stats:  out[c] = sum dy, out[C + c] = sum dy * xhat     (one workgroup per channel; reads stats)
//   2 normalize:   out[i] = gamma[c] * xhat + beta[c]              (four elements per invocation; reads stats)
//   3 grad input:  out[i] = gamma[c] * invstd / M * (M*dy - sum dy - xhat * sum dy*xhat)
//                                                                   (four elements per invocation; reads stats, grad_stats)
// Training runs 0 then 2 (forward); backward, batch_norm_grad_sums runs 0 then 1, and
// batch_norm_train_grad runs 0 then 3 on those sums. Inference runs 2 on running
// statistics packed the same way ([mean; var]).
//
// Bindings (group 0):
//   x          read        input
//   dy         read        gradient of the output (OP 1, 3)
//   gamma      read        C scales (OP 2, 3)
//   beta       read        C shifts (OP 2)
//   stats      read        [mean; variance], 2 x C (OP 1, 2, 3)
//   grad_stats read        [sum dy; sum dy*xhat], 2 x C (OP 3)
//   out        read_write  see above
//   params     uniform     C, HW, M, total elements, eps
//
// The per-channel sums (OP 0, 1) spread a channel's M values over the WG invocations
// of its workgroup, four consecutive values at a time where HW is a multiple of 4, then
// add the WG partial sums in workgroup memory (log2(WG) barriers, once): one invocation
// per channel walking all M values serially made even a LeNet-sized batch norm slow.
// Tunables (override): OP, WG (a power of two).

struct Params {
  C: u32,
  HW: u32,
  M: u32,
  total: u32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read> grad_stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

override OP: u32 = 0u;
override WG: u32 = 64u;

var<workgroup> partial: array<vec2f, WG>;

/** Adds the workgroup's partial sums; every invocation gets the total. */
fn workgroup_sum(lid: u32, v: vec2f) -> vec2f {
  partial[lid] = v;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) { partial[lid] += partial[lid + half]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

/**
 * A channel's values as a sequence of quads (four consecutive values), image by image:
 * `units` quads per image; each invocation advances WG quads at a time by adding
 * (WG / units) images and (WG % units) quads, so the loops divide nothing.
 */
struct Walk {
  steps: u32,
  units: u32,
  image_step: u32,
  unit_step: u32,
  image_stride: u32,
  channel_offset: u32,
}

/** (offset of quad k's first value, its image, its quad within the image). */
fn walk_start(w: Walk, k: u32) -> vec3u {
  let n = k / w.units;
  let p = k % w.units;
  return vec3u(n * w.image_stride + w.channel_offset + p * 4u, n, p);
}

/** The quad WG further on. */
fn walk_next(w: Walk, at: vec3u) -> vec3u {
  var n = at.y + w.image_step;
  var p = at.z + w.unit_step;
  if (p >= w.units) {
    p -= w.units;
    n += 1u;
  }
  return vec3u(n * w.image_stride + w.channel_offset + p * 4u, n, p);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = flat_workgroup_index(wid, nwg);
  let C = params.C;
  let M = params.M;
  let HW = params.HW;
  let N = M / HW;
  if (OP == 0u || OP == 1u) {
    // Workgroup g sums channel g. Where HW is a multiple of 4 its N*HW values are walked as
    // one sequence of quads (image-major), invocation lid taking quads lid, lid + WG, ...,
    // so every invocation is busy however small the planes are (faster on resnet20's 28x28
    // and 14x14 statistics). Otherwise invocation lid takes positions lid, lid + WG, ...
    // of every image (the walk one value at a time was slower on 7x7 planes).
    let c = g;
    if (c >= C) { return; }
    let quads = HW % 4u == 0u;
    let walk = Walk(N * HW / 4u, HW / 4u, WG / max(HW / 4u, 1u), WG % max(HW / 4u, 1u), C * HW, c * HW);
    if (OP == 0u) {
      var s = 0.0;
      if (quads) {
        var at = walk_start(walk, lid);
        for (var k = lid; k < walk.steps; k += WG) {
          let b = at.x;
          s += (x[b] + x[b + 1u]) + (x[b + 2u] + x[b + 3u]);
          at = walk_next(walk, at);
        }
      } else {
        for (var n = 0u; n < N; n++) {
          let base = (n * C + c) * HW;
          for (var p = lid; p < HW; p += WG) { s += x[base + p]; }
        }
      }
      let mean = workgroup_sum(lid, vec2f(s, 0.0)).x / f32(M);
      var v = 0.0;
      if (quads) {
        var at = walk_start(walk, lid);
        for (var k = lid; k < walk.steps; k += WG) {
          let b = at.x;
          let d = vec4f(x[b], x[b + 1u], x[b + 2u], x[b + 3u]) - mean;
          v += dot(d, d);
          at = walk_next(walk, at);
        }
      } else {
        for (var n = 0u; n < N; n++) {
          let base = (n * C + c) * HW;
          for (var p = lid; p < HW; p += WG) {
            let d = x[base + p] - mean;
            v += d * d;
          }
        }
      }
      let var_sum = workgroup_sum(lid, vec2f(v, 0.0)).x;
      if (lid == 0u) {
        out[c] = mean;
        out[C + c] = var_sum / f32(M);
      }
    } else {
      let mean = stats[c];
      let inv_std = inverseSqrt(stats[C + c] + params.eps);
      var sums = vec2f(0.0);
      if (quads) {
        var at = walk_start(walk, lid);
        for (var k = lid; k < walk.steps; k += WG) {
          let b = at.x;
          let d = vec4f(dy[b], dy[b + 1u], dy[b + 2u], dy[b + 3u]);
          let xhat = (vec4f(x[b], x[b + 1u], x[b + 2u], x[b + 3u]) - mean) * inv_std;
          sums += vec2f((d.x + d.y) + (d.z + d.w), dot(d, xhat));
          at = walk_next(walk, at);
        }
      } else {
        for (var n = 0u; n < N; n++) {
          let base = (n * C + c) * HW;
          for (var p = lid; p < HW; p += WG) {
            let d = dy[base + p];
            sums += vec2f(d, d * (x[base + p] - mean) * inv_std);
          }
        }
      }
      let total = workgroup_sum(lid, sums);
      if (lid == 0u) {
        out[c] = total.x;
        out[C + c] = total.y;
      }
    }
    return;
  }
  // The element-wise passes take four consecutive elements per invocation (as unary.wgsl);
  // when HW is a multiple of 4 the four share one channel.
  let i = (g * WG + lid) * 4u;
  if (i + 4u <= params.total && HW % 4u == 0u) {
    let c = (i / HW) % C;
    let inv_std = inverseSqrt(stats[C + c] + params.eps);
    let xhat = (vec4f(x[i], x[i + 1u], x[i + 2u], x[i + 3u]) - stats[c]) * inv_std;
    var r: vec4f;
    if (OP == 2u) {
      r = gamma[c] * xhat + beta[c];
    } else {
      let m = f32(M);
      let dy4 = vec4f(dy[i], dy[i + 1u], dy[i + 2u], dy[i + 3u]);
      r = gamma[c] * inv_std / m * (m * dy4 - grad_stats[c] - xhat * grad_stats[C + c]);
    }
    out[i] = r.x;
    out[i + 1u] = r.y;
    out[i + 2u] = r.z;
    out[i + 3u] = r.w;
    return;
  }
  for (var j = i; j < min(i + 4u, params.total); j++) { out[j] = normalized(j); }
}

/** Element i of an element-wise pass (OP 2 or 3), its channel found on its own. */
fn normalized(i: u32) -> f32 {
  let C = params.C;
  let c = (i / params.HW) % C;
  let inv_std = inverseSqrt(stats[C + c] + params.eps);
  let xhat = (x[i] - stats[c]) * inv_std;
  if (OP == 2u) { return gamma[c] * xhat + beta[c]; }
  let m = f32(params.M);
  return gamma[c] * inv_std / m * (m * dy[i] - grad_stats[c] - xhat * grad_stats[C + c]);
}
