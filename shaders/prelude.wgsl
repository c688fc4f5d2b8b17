// Prepended to every shader by defineShader (shader_registry.ts): what every kernel needs.

// The workgroup's flat index. Launchers fold dispatches wider than
// maxComputeWorkgroupsPerDimension into y and z (dispatch.ts); kernels unfold them here.
fn flat_workgroup_index(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y;
}
