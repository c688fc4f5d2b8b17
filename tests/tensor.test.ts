import { describe, expect, it } from 'vitest';
import { add } from '../src/ops/binary';
import { relu } from '../src/ops/unary';
import { keep, scope, tensor } from '../src/tensor';
import { cpu, gpuBackend } from './helpers/backends';

describe('tensors', () => {
  it('round-trips data through both backends', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const t = tensor(backend, [1.5, -2, 3], [3, 1]);
      expect(t.shape).toEqual([3, 1]);
      expect([...(await t.read())]).toEqual([1.5, -2, 3]);
      expect(tensor(backend, [], [0, 4]).size).toBe(0);
      expect((await tensor(backend, [], [0]).read()).length).toBe(0);
    }
  });

  it('rejects data of the wrong length and bad shapes', () => {
    expect(() => tensor(cpu, [1, 2, 3], [2, 2])).toThrow('tensor: data has 3 values but shape [2,2] needs 4');
    expect(() => tensor(cpu, [1], [-1])).toThrow('tensor: invalid shape [-1]');
  });

  it('refuses a disposed tensor, naming the op and shape', async () => {
    const t = tensor(await gpuBackend(), [1, 2], [2]);
    t.dispose();
    t.dispose();
    expect(() => relu(t)).toThrow('relu: tensor of shape [2] was disposed and cannot be used again');
    await expect(t.read()).rejects.toThrow('read: tensor of shape [2] was disposed');
  });

  it('refuses to mix backends', async () => {
    const a = tensor(cpu, [1], [1]);
    const b = tensor(await gpuBackend(), [1], [1]);
    expect(() => add(a, b)).toThrow('add: inputs live on different backends ([1] on cpu, [1] on webgpu)');
  });

  it('scope frees intermediates and keeps what it returns', async () => {
    const gpu = await gpuBackend();
    const x = tensor(gpu, [-1, 2], [2]);
    let inner = x;
    let kept = x;
    const out = scope(() => {
      inner = relu(x);
      kept = keep(add(inner, inner));
      return { y: add(inner, x) };
    });
    expect(inner.disposed).toBe(true);
    expect(kept.disposed).toBe(false);
    expect(x.disposed).toBe(false);
    expect([...(await out.y.read())]).toEqual([-1, 4]);
    expect(() =>
      scope(() => {
        relu(x);
        throw new Error('boom');
      }),
    ).toThrow('boom');
  });
});
