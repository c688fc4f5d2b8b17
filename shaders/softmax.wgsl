// softmax: per row of the last axis (length K), with m = max(x) and
// s = sum(exp(x - m)), one of
//   OP 0 softmax:                    out[j] = exp(x[j] - m) / s
//   OP 1 log_softmax:                out[j] = x[j] - m - log(s)
//   OP 2 softmax_cross_entropy rows: out[r] = m + log(s) - x[label[r]]   (the launcher averages)
//   OP 3 softmax_cross_entropy_grad: out[j] = (exp(x[j] - m) / s - [j == label]) * dy / rows
// Subtracting the row maximum keeps exp from overflowing.
//
// Bindings (group 0):
//   x      read        logits, rows x K
//   labels read        class index per row, as f32 (OP 2 and 3)
//   dy     read        upstream gradient of the mean loss, one value (OP 3)
//   out    read_write  rows x K values, or rows values for OP 2
//   params uniform     rows, K, nan_bits (a label outside [0, K) yields NaN: a kernel cannot throw)
//
// One invocation handles one row; K is small (classes), so a row loop beats a
// cross-invocation reduction with barriers.
// Tunables (override): OP, WG.

struct Params {
  rows: u32,
  K: u32,
  nan_bits: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override OP: u32 = 0u;
override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = flat_workgroup_index(wid, nwg) * WG + lid;
  if (r >= params.rows) { return; }
  let K = params.K;
  let off = r * K;
  var m = x[off];
  for (var j = 1u; j < K; j++) { m = max(m, x[off + j]); }
  var s = 0.0;
  for (var j = 0u; j < K; j++) { s += exp(x[off + j] - m); }
  let log_s = log(s);
  if (OP == 0u) {
    for (var j = 0u; j < K; j++) { out[off + j] = exp(x[off + j] - m - log_s); }
  } else if (OP == 1u) {
    for (var j = 0u; j < K; j++) { out[off + j] = x[off + j] - m - log_s; }
  } else {
    let label_f = labels[r];
    let label = u32(max(label_f, 0.0));
    let valid = label_f >= 0.0 && label_f < f32(K) && label_f == floor(label_f);
    let nan = bitcast<f32>(params.nan_bits);
    if (OP == 2u) {
      out[r] = select(nan, m + log_s - x[off + min(label, K - 1u)], valid);
    } else {
      let scale = dy[0] / f32(params.rows);
      for (var j = 0u; j < K; j++) {
        let p = exp(x[off + j] - m - log_s);
        out[off + j] = select(nan, (p - select(0.0, 1.0, j == label)) * scale, valid);
      }
    }
  }
}
