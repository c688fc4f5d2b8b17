// depthwise_conv2d, by OP:
//   0 forward:     out[n,oc,oh,ow] = bias[oc] + sum_{kh,kw} b[oc,kh,kw] * a[n, oc/M, oh*sh-pt+kh*dh, ow*sw-pl+kw*dw]
//                  (a = x, b = filter; one invocation per output)
//   1 grad input:  out[n,c,ih,iw] = sum_{m,kh,kw} a[n, c*M+m, oh, ow] * b[c*M+m, kh, kw] over the taps that
//                  reach (ih, iw) (a = dy, b = filter; one invocation per input element, gathered)
//   2 grad filter: out[part,oc,kh,kw] = sum over the part's images and (oh, ow) of
//                  b[n,oc,oh,ow] * a[n, oc/M, ih, iw] (a = x, b = dy; one invocation per part and tap)
// M is the channel multiplier; filters are [C*M, 1, KH, KW]. The reduction per output is
// only KH*KW (or M*KH*KW), so plain loops beat tiling here.
//
// Bindings (group 0):
//   a      read        x (OP 0, 2) or dy (OP 1)
//   b      read        filter (OP 0, 1) or dy (OP 2)
//   bias   read        C*M values (OP 0 with HAS_BIAS)
//   out    read_write  output, dx, or parts x filter partial sums
//   params uniform     geometry, total invocations, parts and images per part
//
// Tunables (override): OP, HAS_BIAS, WG.

struct Params {
  total: u32, N: u32, C: u32, H: u32, W: u32, M: u32, OH: u32, OW: u32, KH: u32, KW: u32,
  stride_h: u32, stride_w: u32, pad_t: u32, pad_l: u32, dil_h: u32, dil_w: u32,
  parts: u32, images_per_part: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override OP: u32 = 0u;
override HAS_BIAS: bool = false;
override WG: u32 = 64u;

fn forward(i: u32) -> f32 {
  let ohw = params.OH * params.OW;
  let O = params.C * params.M;
  let n = i / (O * ohw);
  let oc = (i / ohw) % O;
  let oh = (i % ohw) / params.OW;
  let ow = i % params.OW;
  let plane = (n * params.C + oc / params.M) * params.H * params.W;
  var acc = 0.0;
  if (HAS_BIAS) { acc = bias[oc]; }
  for (var kh = 0u; kh < params.KH; kh++) {
    let ih = i32(oh * params.stride_h + kh * params.dil_h) - i32(params.pad_t);
    if (ih < 0 || ih >= i32(params.H)) { continue; }
    for (var kw = 0u; kw < params.KW; kw++) {
      let iw = i32(ow * params.stride_w + kw * params.dil_w) - i32(params.pad_l);
      if (iw < 0 || iw >= i32(params.W)) { continue; }
      acc += b[(oc * params.KH + kh) * params.KW + kw] * a[plane + u32(ih) * params.W + u32(iw)];
    }
  }
  return acc;
}

fn grad_input(i: u32) -> f32 {
  let hw = params.H * params.W;
  let n = i / (params.C * hw);
  let c = (i / hw) % params.C;
  let th0 = i32((i % hw) / params.W + params.pad_t);
  let tw0 = i32(i % params.W + params.pad_l);
  let ohw = params.OH * params.OW;
  var acc = 0.0;
  for (var m = 0u; m < params.M; m++) {
    let oc = c * params.M + m;
    let dy_plane = (n * params.C * params.M + oc) * ohw;
    for (var kh = 0u; kh < params.KH; kh++) {
      let th = th0 - i32(kh * params.dil_h);
      if (th < 0 || th % i32(params.stride_h) != 0) { continue; }
      let oh = u32(th) / params.stride_h;
      if (oh >= params.OH) { continue; }
      for (var kw = 0u; kw < params.KW; kw++) {
        let tw = tw0 - i32(kw * params.dil_w);
        if (tw < 0 || tw % i32(params.stride_w) != 0) { continue; }
        let ow = u32(tw) / params.stride_w;
        if (ow >= params.OW) { continue; }
        acc += a[dy_plane + oh * params.OW + ow] * b[(oc * params.KH + kh) * params.KW + kw];
      }
    }
  }
  return acc;
}

fn grad_filter(i: u32) -> f32 {
  let taps = params.KH * params.KW;
  let O = params.C * params.M;
  let part = i / (O * taps);
  let oc = (i / taps) % O;
  let kh = (i % taps) / params.KW;
  let kw = i % params.KW;
  let hw = params.H * params.W;
  let ohw = params.OH * params.OW;
  let n_start = part * params.images_per_part;
  let n_end = min(n_start + params.images_per_part, params.N);
  var acc = 0.0;
  for (var n = n_start; n < n_end; n++) {
    let x_plane = (n * params.C + oc / params.M) * hw;
    let dy_plane = (n * O + oc) * ohw;
    for (var oh = 0u; oh < params.OH; oh++) {
      let ih = i32(oh * params.stride_h + kh * params.dil_h) - i32(params.pad_t);
      if (ih < 0 || ih >= i32(params.H)) { continue; }
      for (var ow = 0u; ow < params.OW; ow++) {
        let iw = i32(ow * params.stride_w + kw * params.dil_w) - i32(params.pad_l);
        if (iw < 0 || iw >= i32(params.W)) { continue; }
        acc += b[dy_plane + oh * params.OW + ow] * a[x_plane + u32(ih) * params.W + u32(iw)];
      }
    }
  }
  return acc;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup_index(wid, nwg) * WG + lid;
  if (i >= params.total) { return; }
  switch OP {
    case 0u: { out[i] = forward(i); }
    case 1u: { out[i] = grad_input(i); }
    default: { out[i] = grad_filter(i); }
  }
}
