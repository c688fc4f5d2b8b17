#!/usr/bin/env node
// Writes conv2d_rows_tall.wgsl: `node shaders/conv2d/conv2d_rows_tall.gen.mjs`. The shader's rows,
// channels and taps are written out so every register index is a constant (SwiftShader keeps
// a dynamically indexed array in memory), which is ~570 lines of one pattern; this generator
// is the pattern. tests/node/generated_shaders.test.ts fails when the two disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Output rows per invocation (the launcher's TALL_ROWS), channels per invocation at most, filter size at most. */
const R = 4;
const CHANNELS = 8;
const K = 5;

const range = (n) => Array.from({ length: n }, (_, i) => i);
/** `OT > c && ` for channels after the first (the first always exists). */
const channelGuard = (c) => (c > 0 ? `OT > ${c}u && ` : '');

function inputRow(i) {
  const taps = [];
  for (let r = 0; r < R; r++) {
    const kh = i - r;
    if (kh < 0 || kh >= K) continue;
    for (const c of range(CHANNELS)) {
      taps.push(`        if (${channelGuard(c)}KH > ${kh}u) { taps(&a${r}_${c}_lo, &a${r}_${c}_hi, f${kh}_${c}, g${kh}_${c}, p0, p1, p2); }`);
    }
  }
  return [
    `    if (KH + ${R - 1}u > ${i}u) {`,
    `      let ih = ih0 + ${i};`,
    '      if (ih >= 0 && ih < i32(params.H)) {',
    '        let row = x_chan + ih * i32(params.W);',
    '        let p0 = vec4f(load_x(row, iw0), load_x(row, iw0 + 1), load_x(row, iw0 + 2), load_x(row, iw0 + 3));',
    '        let p1 = vec4f(load_x(row, iw0 + 4), load_x(row, iw0 + 5), load_x(row, iw0 + 6), load_x(row, iw0 + 7));',
    '        var p2 = vec4f(0.0);',
    '        if (KW > 1u) { p2 = vec4f(load_x(row, iw0 + 8), load_x(row, iw0 + 9), load_x(row, iw0 + 10), load_x(row, iw0 + 11)); }',
    ...taps,
    '      }',
    '    }',
  ].join('\n');
}

function filterRows() {
  const lines = [];
  for (const c of range(CHANNELS)) {
    for (const kh of range(K)) {
      const t = `w_chan + wo${c} + ${kh} * params.w_kh`;
      lines.push(`    var f${kh}_${c} = vec4f(0.0);`, `    var g${kh}_${c} = 0.0;`);
      lines.push(`    if (${channelGuard(c)}KH > ${kh}u) { f${kh}_${c} = filter_row(${t}); g${kh}_${c} = filter_tap(${t}, 4u); }`);
    }
  }
  return lines.join('\n');
}

export function conv2dRowsTallSource() {
  const offsets = range(CHANNELS).map((c) => `  let wo${c} = i32(min(oc0 + ${c}u, params.OC - 1u)) * params.w_oc;`);
  const accumulators = range(CHANNELS).flatMap((c) => range(R).flatMap((r) => [`  var a${r}_${c}_lo = vec4f(0.0);`, `  var a${r}_${c}_hi = vec4f(0.0);`]));
  const stores = range(CHANNELS).flatMap((c) =>
    range(R).map((r) => {
      const store = `store8(n, oc0 + ${c}u, oh0 + ${r}u, ow0, a${r}_${c}_lo, a${r}_${c}_hi);`;
      return c > 0 ? `  if (OT > ${c}u) { ${store} }` : `  ${store}`;
    }),
  );
  return `// conv2d_rows_tall: a stride-1, undilated, ungrouped convolution with filters at most 5x5,
//   out[n,oc,oh,ow] = bias[oc] + sum_{ic,kh,kw} w(oc,ic,kh,kw) * x[n, ic, oh-pad_t+kh, ow-pad_l+kw]
// with the filter addressed as in conv2d_rows.wgsl, w(oc,ic,kh,kw) = w[w_base + oc*w_oc +
// ic*w_ic + kh*w_kh + kw*w_kw] (signed strides: the flipped input gradient is the same kernel).
// Written by conv2d_rows_tall.gen.mjs; edit that and rerun it.
//
// Why: conv2d_rows.wgsl computes one output row per invocation, so each input row is loaded
// again by each of the KH output rows it feeds, and the filter once per output row. Here one
// invocation computes ${R} output rows x 8 columns x OT channels: per input channel it loads the
// OT filters once (KH x KW weights each, into registers) and each of the ${R}+KH-1 input rows once
// (12 inputs), then adds each row into every output row it feeds. For 5x5 and one channel:
// 25 + 8*12 = 121 loads per 800 multiply-adds, against 340 in conv2d_rows.wgsl. On SwiftShader
// every load is a bounds-checked gather costing several multiply-adds, so loads set the time;
// with many channels the accumulators spill instead, which is why the launcher offers it to
// narrow layers only.
//
// Bindings (group 0):
//   x      read        input, N x IC x H x W
//   w      read        filter, addressed through the strides above
//   bias   read        OC values (read only when HAS_BIAS)
//   out    read_write  output, N x OC x OH x OW
//   params uniform     geometry, filter strides, row segments, bands of ${R} rows and channel blocks
//
// Tunables (override): KH, KW (1..${K}), OT (output channels per invocation, 1..${CHANNELS}),
// HAS_BIAS, RELU. Every row, channel and tap is written out, guarded by a comparison of
// override constants, so that every register index is a constant.

struct Params {
  N: u32, IC: u32, H: u32, W: u32,
  OC: u32, OH: u32, OW: u32,
  pad_t: i32, pad_l: i32,
  w_base: i32, w_oc: i32, w_ic: i32, w_kh: i32, w_kw: i32,
  segs: u32, bands: u32, blocks: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override KH: u32 = ${K}u;
override KW: u32 = ${K}u;
override OT: u32 = ${CHANNELS}u;
override HAS_BIAS: bool = false;
override RELU: bool = false;

/** Input iw of this row, or 0 outside it. */
fn load_x(row: i32, iw: i32) -> f32 {
  let ok = iw >= 0 && iw < i32(params.W);
  return select(0.0, x[u32(select(0, row + iw, ok))], ok);
}

/** Tap kw of the filter row starting at t (0 past KW). */
fn filter_tap(t: i32, kw: u32) -> f32 {
  if (KW > kw) { return w[u32(t + i32(kw) * params.w_kw)]; }
  return 0.0;
}

/** Taps 0..3 of the filter row starting at t. */
fn filter_row(t: i32) -> vec4f {
  return vec4f(filter_tap(t, 0u), filter_tap(t, 1u), filter_tap(t, 2u), filter_tap(t, 3u));
}

/** One filter row (f: taps 0..3, g: tap 4) applied to 8 outputs whose inputs are p0..p2. */
fn taps(lo: ptr<function, vec4f>, hi: ptr<function, vec4f>, f: vec4f, g: f32, p0: vec4f, p1: vec4f, p2: vec4f) {
  *lo += f.x * p0;
  *hi += f.x * p1;
  if (KW > 1u) { *lo += f.y * vec4f(p0.yzw, p1.x); *hi += f.y * vec4f(p1.yzw, p2.x); }
  if (KW > 2u) { *lo += f.z * vec4f(p0.zw, p1.xy); *hi += f.z * vec4f(p1.zw, p2.xy); }
  if (KW > 3u) { *lo += f.w * vec4f(p0.w, p1.xyz); *hi += f.w * vec4f(p1.w, p2.xyz); }
  if (KW > 4u) { *lo += g * p1; *hi += g * p2; }
}

@compute @workgroup_size(64, 1, 1)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let id = flat_workgroup_index(wid, nwg) * 64u + lid;
  if (id >= params.N * params.bands * params.segs * params.blocks) { return; }
  // Row segments vary fastest, then bands of rows, images and channel blocks.
  let seg = id % params.segs;
  let band = (id / params.segs) % params.bands;
  let n = (id / (params.segs * params.bands)) % params.N;
  let oc0 = (id / (params.segs * params.bands * params.N)) * OT;
  let oh0 = band * ${R}u;
  let ow0 = seg * 8u;
  let ih0 = i32(oh0) - params.pad_t;
  let iw0 = i32(ow0) - params.pad_l;
  let hw = i32(params.H * params.W);

${accumulators.join('\n')}
  var x_chan = i32(n * params.IC) * hw;
  // Filter offsets of the block's channels (clamped: a channel past OC computes a copy, never stored).
${offsets.join('\n')}
  var w_chan = params.w_base;
  for (var ic = 0u; ic < params.IC; ic++) {
${filterRows()}
${range(R + K - 1)
  .map(inputRow)
  .join('\n')}
    x_chan += hw;
    w_chan += params.w_ic;
  }

${stores.join('\n')}
}

/** Row oh's 8 outputs from ow0 of channel oc (those inside the output), plus bias and ReLU. */
fn store8(n: u32, oc: u32, oh: u32, ow0: u32, lo: vec4f, hi: vec4f) {
  if (oc >= params.OC || oh >= params.OH) { return; }
  var b = 0.0;
  if (HAS_BIAS) { b = bias[oc]; }
  let base = ((n * params.OC + oc) * params.OH + oh) * params.OW;
  for (var j = 0u; j < 8u; j++) {
    let ow = ow0 + j;
    if (ow >= params.OW) { break; }
    var v = select(hi[j & 3u], lo[j & 3u], j < 4u) + b;
    if (RELU) { v = relu_f32(v); }
    out[base + ow] = v;
  }
}
`;
}

export const conv2dRowsTallPath = fileURLToPath(new URL('./conv2d_rows_tall.wgsl', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(conv2dRowsTallPath, conv2dRowsTallSource());
  console.log(`wrote ${conv2dRowsTallPath}`);
}
