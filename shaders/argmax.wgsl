// argmax: out[r] = the first index c of the largest x[r, c] (as f32). NaN inputs give
// an unspecified index (WGSL lets implementations assume values are not NaN).
//
// Bindings (group 0):
//   x      read        rows x cols values
//   out    read_write  rows values
//   params uniform     rows, cols
//
// One invocation scans one row.
// Tunables (override): WG.

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = flat_workgroup_index(wid, nwg) * WG + lid;
  if (r >= params.rows) { return; }
  let base = r * params.cols;
  var best = x[base];
  var at = 0u;
  for (var c = 1u; c < params.cols; c++) {
    let value = x[base + c];
    if (value > best) {
      best = value;
      at = c;
    }
  }
  out[r] = f32(at);
}
