// Prepended to every shader by defineShader (shader_registry.ts): what every kernel needs.

// The workgroup's flat index. Launchers fold dispatches wider than
// maxComputeWorkgroupsPerDimension into y and z (dispatch.ts); kernels unfold them here.
fn flat_workgroup_index(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y;
}

// NaN tests by bits: WGSL lets a compiler assume floats are finite, so `v != v` and
// max(v, 0.0) may lose a NaN. PyTorch's activations keep NaN; these do too.
fn is_nan_f32(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}
fn relu_f32(v: f32) -> f32 {
  return select(max(v, 0.0), v, is_nan_f32(v));
}
fn relu_vec2f(v: vec2f) -> vec2f {
  return select(max(v, vec2f(0.0)), v, (bitcast<vec2u>(v) & vec2u(0x7fffffffu)) > vec2u(0x7f800000u));
}
fn relu_vec4f(v: vec4f) -> vec4f {
  return select(max(v, vec4f(0.0)), v, (bitcast<vec4u>(v) & vec4u(0x7fffffffu)) > vec4u(0x7f800000u));
}
