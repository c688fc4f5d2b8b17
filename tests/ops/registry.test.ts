import { describe, expect, it } from 'vitest';
import '../../src/index';
import { cpuKernels } from '../../src/backends/cpu/kernel_registry';
import { webgpuKernels } from '../../src/backends/webgpu/kernel_registry';
import { opNames } from '../../src/ops/op';
import type { GradTable } from '../helpers/gradcheck';
import type { ParityTable } from '../helpers/parity';
import { getOp } from '../../src/ops/op';

// Every parity table in tests/ops, found by file name so a new table is picked up.
const tableModules = import.meta.glob<Record<string, unknown>>('./*.cases.ts', { eager: true });
const testFiles = Object.keys(import.meta.glob('./*.test.ts'));

const tables = Object.entries(tableModules).flatMap(([file, mod]) =>
  Object.values(mod)
    .filter((v): v is ParityTable => typeof v === 'object' && v !== null && 'ops' in v && 'cases' in v && !('kind' in v))
    .map((table) => ({ file, table })),
);

const gradTables = Object.values(tableModules).flatMap((mod) =>
  Object.values(mod).filter((v): v is GradTable => typeof v === 'object' && v !== null && (v as GradTable).kind === 'gradient'),
);

describe('op registry', () => {
  it('knows the ops of the foundation', () => {
    expect(opNames()).toEqual(expect.arrayContaining(['matmul', 'relu', 'add', 'sum', 'mean', 'max']));
  });

  it('knows the CNN op set, forward and backward (dense is matmul with a bias)', () => {
    expect(opNames()).toEqual(
      expect.arrayContaining([
        'conv2d',
        'conv2d_grad_input',
        'conv2d_grad_filter',
        'depthwise_conv2d',
        'depthwise_conv2d_grad_input',
        'depthwise_conv2d_grad_filter',
        'maxpool2d',
        'maxpool2d_grad',
        'avgpool2d',
        'avgpool2d_grad',
        'global_avg_pool',
        'relu',
        'relu6',
        'leaky_relu',
        'elu',
        'tanh',
        'sigmoid',
        'relu_grad',
        'relu6_grad',
        'leaky_relu_grad',
        'elu_grad',
        'tanh_grad',
        'sigmoid_grad',
        'softmax',
        'log_softmax',
        'softmax_cross_entropy',
        'softmax_cross_entropy_grad',
        'batch_norm_stats',
        'batch_norm_train',
        'batch_norm_train_grad',
        'batch_norm_infer',
        'dropout',
        'add',
        'concat',
        'slice',
        'reshape',
        'lrn',
        'lrn_grad',
      ]),
    );
  });

  for (const op of opNames()) {
    it(`${op} has a CPU kernel, a WebGPU kernel and parity cases that a test runs`, () => {
      expect(cpuKernels[op], `${op}: no CPU kernel`).toBeTypeOf('function');
      expect(webgpuKernels[op], `${op}: no WebGPU kernel`).toBeTypeOf('function');
      const covering = tables.filter(({ table }) => table.ops.includes(op) && table.cases.some((c) => c.op === op));
      expect(covering.length, `${op}: no parity table lists cases for it`).toBeGreaterThan(0);
      for (const { file } of covering) {
        expect(testFiles, `${file} has no test file running it`).toContain(file.replace('.cases.ts', '.test.ts'));
      }
    });
  }

  for (const op of opNames().filter((name) => getOp(name).grad)) {
    it(`${op}'s gradient rule has a finite-difference check`, () => {
      const checked = gradTables.some((t) => t.ops.includes(op) && t.cases.some((c) => c.op === op));
      expect(checked, `${op}: no gradient-check case`).toBe(true);
    });
  }

  it('has no kernel without a declared op', () => {
    for (const name of [...Object.keys(cpuKernels), ...Object.keys(webgpuKernels)]) expect(opNames()).toContain(name);
  });
});
