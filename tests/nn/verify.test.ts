import { describe, expect, it } from 'vitest';
import { everyLayerNet, formatVerify, verify } from '../../src/index';
import { Random } from '../../src/random';
import { gpuBackend } from '../helpers/backends';

describe('verify(model, batch)', () => {
  it('runs every node of a training step of a CNN with every layer type on both backends and finds them equal', async () => {
    const gpu = await gpuBackend();
    const model = everyLayerNet([3, 12, 12], 5).build(gpu, { seed: 4 });
    const rng = new Random(8);
    const rows = await verify(model, { x: rng.uniformArray(4 * 3 * 12 * 12), labels: [0, 3, 4, 1] });
    const ops = new Set(rows.map((r) => r.op));
    for (const op of [
      'conv2d',
      'conv2d_grad_input',
      'conv2d_grad_filter',
      'depthwise_conv2d',
      'depthwise_conv2d_grad_input',
      'depthwise_conv2d_grad_filter',
      'batch_norm_train',
      'batch_norm_train_grad',
      'assign',
      'lrn',
      'lrn_grad',
      'maxpool2d',
      'maxpool2d_grad',
      'avgpool2d',
      'avgpool2d_grad',
      'concat',
      'slice',
      'global_avg_pool',
      'matmul',
      'dropout',
      'softmax_cross_entropy',
      'softmax_cross_entropy_grad',
      'relu6_grad',
      'elu_grad',
      'tanh_grad',
      'sigmoid_grad',
      'leaky_relu_grad',
    ]) {
      expect(ops, `verify covers ${op}`).toContain(op);
    }
    expect(rows.some((r) => r.phase === 'backward')).toBe(true);
    const bad = rows.filter((r) => !r.ok);
    expect(bad, formatVerify(bad)).toEqual([]);
    // The model's own weights were only read.
    const again = await verify(model, { x: rng.uniformArray(4 * 3 * 12 * 12), labels: [1, 1, 2, 2] });
    expect(again.length).toBe(rows.length);
  });

  it('rejects a batch of the wrong size', async () => {
    const gpu = await gpuBackend();
    const model = everyLayerNet([3, 12, 12], 5).build(gpu);
    await expect(verify(model, { x: new Float32Array(10), labels: [0] })).rejects.toThrow('verify: 10 values for 1 examples of [3,12,12]');
  });
});
