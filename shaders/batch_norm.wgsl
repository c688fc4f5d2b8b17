// batch_norm, by OP, for x of shape [N, C] or [N, C, H, W] (HW = 1 for rank 2), with
// M = N*HW values per channel, xhat = (x - mean) * inverseSqrt(var + eps):
//   0 stats:       out[c] = mean, out[C + c] = biased variance     (one invocation per channel, two passes)
//   1 grad stats:  out[c] = sum dy, out[C + c] = sum dy * xhat     (one invocation per channel; reads stats)
//   2 normalize:   out[i] = gamma[c] * xhat + beta[c]              (one invocation per element; reads stats)
//   3 grad input:  out[i] = gamma[c] * invstd / M * (M*dy - sum dy - xhat * sum dy*xhat)
//                                                                   (one invocation per element; reads stats, grad_stats)
// Training runs 0 then 2 (forward) or 0, 1, 3 (backward); inference runs 2 on running
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
// Tunables (override): OP, WG.

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

/** Flat index of the j-th value (of M) of channel c. */
fn at(c: u32, j: u32) -> u32 {
  return ((j / params.HW) * params.C + c) * params.HW + j % params.HW;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  let C = params.C;
  let M = params.M;
  if (OP == 0u || OP == 1u) {
    if (i >= C) { return; }
    if (OP == 0u) {
      var s = 0.0;
      for (var j = 0u; j < M; j++) { s += x[at(i, j)]; }
      let mean = s / f32(M);
      var v = 0.0;
      for (var j = 0u; j < M; j++) { let d = x[at(i, j)] - mean; v += d * d; }
      out[i] = mean;
      out[C + i] = v / f32(M);
    } else {
      let mean = stats[i];
      let inv_std = inverseSqrt(stats[C + i] + params.eps);
      var s_dy = 0.0;
      var s_dy_xhat = 0.0;
      for (var j = 0u; j < M; j++) {
        let k = at(i, j);
        s_dy += dy[k];
        s_dy_xhat += dy[k] * (x[k] - mean) * inv_std;
      }
      out[i] = s_dy;
      out[C + i] = s_dy_xhat;
    }
    return;
  }
  if (i >= params.total) { return; }
  let c = (i / params.HW) % C;
  let inv_std = inverseSqrt(stats[C + c] + params.eps);
  let xhat = (x[i] - stats[c]) * inv_std;
  if (OP == 2u) {
    out[i] = gamma[c] * xhat + beta[c];
  } else {
    let m = f32(M);
    out[i] = gamma[c] * inv_std / m * (m * dy[i] - grad_stats[c] - xhat * grad_stats[C + c]);
  }
}
