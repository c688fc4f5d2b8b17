import { describe, expect, it } from 'vitest';
import { collectKernels } from '../../src/backends/kernel_table';

describe('kernel tables', () => {
  it('merges the kernels tables of the modules, ignoring modules of helpers', () => {
    const table = collectKernels('test', { './a.ts': { kernels: { relu: 1, tanh: 2 } }, './helpers.ts': {}, './b/b.ts': { kernels: { add: 3 } } });
    expect(table).toEqual({ relu: 1, tanh: 2, add: 3 });
  });

  it('refuses an op declared by two modules, naming both', () => {
    expect(() => collectKernels('test', { './a.ts': { kernels: { relu: 1 } }, './b.ts': { kernels: { relu: 2 } } })).toThrow(
      "test kernels: 'relu' is declared by both ./a.ts and ./b.ts",
    );
  });
});
