import { describe, expect, it } from 'vitest';
import { conv2dTranspose } from '../../src/ops/conv2d_transpose';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { conv2dTransposeGrads, conv2dTransposeTable, transposeName, transposeRows, transposeSetup, type TransposeRow } from './conv2d_transpose.cases';

describe('conv2d_transpose parity (gpu vs cpu, run as conv2d_grad_input)', () => {
  for (const c of conv2dTransposeTable.cases) it(c.name, () => checkParity(c));
});

describe('conv2d_grad_input gradient rule, so a transposed convolution trains (finite differences, cpu float64)', () => {
  for (const c of conv2dTransposeGrads.cases) it(c.name, () => checkGradient(c));
});

/**
 * PyTorch's definition, written out independently of the convolution code: every input
 * pixel scatters value * weight into the output at (h * stride - padding + kh * dilation,
 * w * stride - padding + kw * dilation), output channel group * Cout/groups + co.
 */
function reference(r: TransposeRow, x: Float64Array, w: Float64Array, bias: Float64Array): Float64Array {
  const o = r.options ?? {};
  const pairOf = (v: number | readonly [number, number] | undefined, d: number) => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]]);
  const [sh, sw] = pairOf(o.stride, 1);
  const [ph, pw] = pairOf(o.padding, 0);
  const [dh, dw] = pairOf(o.dilation, 1);
  const groups = o.groups ?? 1;
  const [n, cin, h, wd] = r.x;
  const { outputShape } = transposeSetup(r);
  const [, cout, oh, ow] = outputShape;
  const cinG = cin / groups;
  const coutG = cout / groups;
  const [kh, kw] = r.k;
  const y = new Float64Array(n * cout * oh * ow);
  for (let b = 0; b < n; b++) for (let c = 0; c < cout; c++) for (let i = 0; i < oh * ow; i++) y[(b * cout + c) * oh * ow + i] = bias[c];
  for (let b = 0; b < n; b++) {
    for (let ci = 0; ci < cin; ci++) {
      const g = Math.floor(ci / cinG);
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < wd; j++) {
          const v = x[((b * cin + ci) * h + i) * wd + j];
          for (let co = 0; co < coutG; co++) {
            for (let a = 0; a < kh; a++) {
              const yh = i * sh - ph + a * dh;
              if (yh < 0 || yh >= oh) continue;
              for (let e = 0; e < kw; e++) {
                const yw = j * sw - pw + e * dw;
                if (yw < 0 || yw >= ow) continue;
                y[((b * cout + g * coutG + co) * oh + yh) * ow + yw] += v * w[((ci * coutG + co) * kh + a) * kw + e];
              }
            }
          }
        }
      }
    }
  }
  return y;
}

describe('conv2dTranspose equals PyTorch conv_transpose2d, written out (with bias, both backends)', () => {
  for (const r of transposeRows) {
    it(transposeName(r), async () => {
      const { weight, outputShape } = transposeSetup(r);
      const rng = new Random(7);
      const xv = Float64Array.from(rng.uniformArray(r.x.reduce((a, b) => a * b, 1)));
      const wv = Float64Array.from(rng.uniformArray(weight.reduce((a, b) => a * b, 1)));
      const bv = Float64Array.from(rng.uniformArray(outputShape[1]));
      const want = reference(r, Float64Array.from(new Float32Array(xv)), Float64Array.from(new Float32Array(wv)), Float64Array.from(new Float32Array(bv)));
      for (const backend of [cpu, await gpuBackend()]) {
        const y = conv2dTranspose(tensor(backend, xv, r.x), tensor(backend, wv, weight), { ...r.options, bias: tensor(backend, bv, [outputShape[1]]) });
        expect(y.shape).toEqual(outputShape);
        const got = await y.read();
        const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]) / (1 + Math.abs(want[i]))), 0);
        expect(worst, `${backend.name}: worst relative error`).toBeLessThan(1e-5);
      }
    });
  }

  it('a 2x2 stride-2 transposed convolution of one pixel paints the kernel (the upsampling picture)', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const y = conv2dTranspose(tensor(backend, [2], [1, 1, 1, 1]), tensor(backend, [1, 2, 3, 4], [1, 1, 2, 2]), { stride: 2 });
      expect([...(await y.read())]).toEqual([2, 4, 6, 8]);
    }
  });
});

describe('conv2dTranspose bad input', () => {
  const x = tensor(cpu, new Float32Array(2 * 4 * 3 * 3), [2, 4, 3, 3]);
  it('names the op and both shapes', () => {
    expect(() => conv2dTranspose(x, tensor(cpu, new Float32Array(3 * 2 * 3 * 3), [3, 2, 3, 3]))).toThrow(
      "conv2d_transpose: the weight's first axis (3) must equal the input channels (4); input [2,4,3,3], weight [3,2,3,3]",
    );
  });
  it('output padding at or above the stride, and padding that leaves no output', () => {
    const w = tensor(cpu, new Float32Array(4 * 2 * 3 * 3), [4, 2, 3, 3]);
    expect(() => conv2dTranspose(x, w, { stride: 2, outputPadding: 2 })).toThrow(
      'conv2d_transpose: outputPadding [2,2] must be smaller than the stride [2,2] on each axis',
    );
    expect(() => conv2dTranspose(x, w, { padding: 3 })).toThrow(
      'conv2d_transpose: the output would be -1x-1: padding [3,3] removes more than the 3x3 kernel adds',
    );
  });
  it('a bias of the wrong length', () => {
    const w = tensor(cpu, new Float32Array(4 * 2 * 3 * 3), [4, 2, 3, 3]);
    expect(() => conv2dTranspose(x, w, { bias: tensor(cpu, [1, 2, 3], [3]) })).toThrow(
      'conv2d_transpose: bias must have shape [2] (one value per output channel), got [3]',
    );
  });
});
