import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import type { Backend } from '../../src/backends/backend';
import { ActivationLayer, BatchNorm, Conv2d, Dense, Flatten, MaxPool2d, sequential } from '../../src/index';
import { deconvLayers, deconvProject, saliency } from '../../src/nn/visualize';
import { lenet5 } from '../../src/nn/zoo';
import { assign } from '../../src/ops/optimizer';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';

const f64 = new CpuBackend({ precision: 'float64' });

/** Sets a built model's parameters from values by name. */
function setWeights(model: ReturnType<typeof sequential>, values: Record<string, number[]>): void {
  for (const p of model.params()) if (values[p.name]) assign(p.tensor, tensor(model.backend, values[p.name], p.tensor.shape));
}

describe('deconvProject (Zeiler and Fergus)', () => {
  it('a worked example: the pool keeps 6, unpooling puts it back at its switch, the filter paints it onto the pixel it came from', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const model = sequential(
        [1, 4, 4],
        [new Conv2d({ filters: 1, kernel: 2, activation: 'relu', name: 'conv' }), new MaxPool2d({ kernel: 2, name: 'pool' })],
      ).build(backend);
      // The filter reads the window's top-left pixel: conv output (i, j) = x(i, j).
      setWeights(model, { 'conv.weight': [1, 0, 0, 0], 'conv.bias': [0] });
      const input = Array.from({ length: 16 }, (_, i) => i + 1);
      const p = await deconvProject(model, { layer: 'pool', channel: 0, input });
      expect([p.y, p.x, p.value]).toEqual([0, 0, 6]);
      const want = new Array(16).fill(0);
      want[5] = 6;
      expect([...p.image]).toEqual(want);
      model.dispose();
    }
  });

  it('on a two-stage net, webgpu equals the float64 reference of the same recipe, for every layer kind on the path', async () => {
    const make = (backend: Backend) =>
      sequential(
        [2, 12, 12],
        [
          new Conv2d({ filters: 4, kernel: 3, padding: 1, activation: 'relu', name: 'c1' }),
          new MaxPool2d({ kernel: 2, name: 'p1' }),
          new Conv2d({ filters: 5, kernel: 3, name: 'c2' }),
          new ActivationLayer('relu', undefined, 'r2'),
          new MaxPool2d({ kernel: 3, stride: 2, name: 'p2' }),
        ],
      ).build(backend, { seed: 4 });
    const gpuModel = make(await gpuBackend());
    const refModel = make(f64);
    const rng = new Random(11);
    const input = rng.uniformArray(2 * 144);
    for (const [layer, channel] of [
      ['p2', 3],
      ['r2', 1],
      ['c2', 4],
      ['p1', 2],
      ['c1', 0],
    ] as const) {
      const [g, r] = await Promise.all([deconvProject(gpuModel, { layer, channel, input }), deconvProject(refModel, { layer, channel, input })]);
      expect([g.y, g.x], `${layer}: the kept position`).toEqual([r.y, r.x]);
      const scale = Math.max(...r.image.map(Math.abs));
      expect(scale, `${layer}: a projection that is all zeros proves nothing`).toBeGreaterThan(0);
      const worst = g.image.reduce((m, v, i) => Math.max(m, Math.abs(v - r.image[i])), 0);
      expect(worst / scale, `${layer} channel ${channel}: worst error over the projection's scale`).toBeLessThan(1e-5);
    }
  });

  it('refuses a layer it cannot reverse and a channel out of range, naming them', async () => {
    const model = sequential([1, 6, 6], [new Conv2d({ filters: 2, kernel: 3, name: 'c' }), new BatchNorm({ name: 'bn' })]).build(cpu);
    const input = new Array(36).fill(0.5);
    await expect(deconvProject(model, { layer: 'bn', channel: 0, input })).rejects.toThrow(
      "deconvProject: layer 'bn' (batch_norm) has no way back down (DeConvNet reverses convolutions, max pools, ReLU and dropout)",
    );
    await expect(deconvProject(model, { layer: 'c', channel: 2, input })).rejects.toThrow("deconvProject: 'c' has channels 0..1, not 2");
  });

  it('deconvLayers lists the convolutions and pools it can start from, and no other', async () => {
    expect(deconvLayers(lenet5())).toEqual(['conv2d_1', 'maxpool2d_1', 'conv2d_2', 'maxpool2d_2']);
    const model = sequential(
      [1, 12, 12],
      [
        new Conv2d({ filters: 2, kernel: 3, activation: 'relu', name: 'c1' }),
        new MaxPool2d({ kernel: 2, name: 'p1' }),
        new Conv2d({ filters: 2, kernel: 3, activation: 'tanh', name: 'c2' }),
        new Conv2d({ filters: 2, kernel: 1, name: 'c3' }),
      ],
    );
    expect(deconvLayers(model)).toEqual(['c1', 'p1']);
    const ceil = sequential([1, 7, 7], [new Conv2d({ filters: 2, kernel: 2, name: 'c' }), new MaxPool2d({ kernel: 2, ceilMode: true, name: 'p' })]);
    expect(deconvLayers(ceil)).toEqual(['c']);
    const bn = sequential(
      [1, 6, 6],
      [new Conv2d({ filters: 2, kernel: 3, name: 'c' }), new BatchNorm({ name: 'bn' }), new MaxPool2d({ kernel: 2, name: 'p' })],
    );
    expect(deconvLayers(bn)).toEqual(['c']);
  });
});

describe('saliency (Simonyan et al.)', () => {
  it("of a linear classifier is the class's weight column, on both backends", async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const model = sequential([1, 2, 3], [new Flatten('flat'), new Dense({ units: 3, bias: false, name: 'fc' })]).build(backend);
      const w = Array.from({ length: 18 }, (_, i) => (i % 5) - 2 + i / 10);
      setWeights(model, { 'fc.weight': w });
      const input = [0.5, -1, 2, 0, 1, 3];
      const s = await saliency(model, input, 2);
      // fc.weight is [6, 3] (ours: inputs x units): column 2.
      const column = [0, 1, 2, 3, 4, 5].map((i) => w[i * 3 + 2]);
      expect([...s.gradient].map((v) => Math.round(v * 1e5) / 1e5)).toEqual(column.map((v) => Math.round(v * 1e5) / 1e5));
      expect([...s.map].map((v) => Math.round(v * 1e5) / 1e5)).toEqual(column.map((v) => Math.round(Math.abs(v) * 1e5) / 1e5));
      expect(s.score).toBeCloseTo(
        input.reduce((a, v, i) => a + v * column[i], 0),
        4,
      );
      model.dispose();
    }
  });

  it('names a class out of range', async () => {
    const model = sequential([1, 2, 3], [new Flatten(), new Dense({ units: 3 })]).build(cpu);
    await expect(saliency(model, new Array(6).fill(0), 3)).rejects.toThrow('saliency: classIndex must be in 0..2, got 3');
  });
});
