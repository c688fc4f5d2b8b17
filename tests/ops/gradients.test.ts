import { describe, it } from 'vitest';
import { checkGradient } from '../helpers/gradcheck';
import { binaryGrads, matmulGrads, reduceGrads, unaryGrads } from './gradients.cases';

// Finite-difference checks (cpu, float64) of the rules of the foundation ops: unary,
// broadcasting binary, sum/mean, and matmul (which is also the dense layer).
for (const table of [unaryGrads, binaryGrads, reduceGrads, matmulGrads]) {
  describe(`gradient rules: ${table.ops.join(', ')}`, () => {
    for (const c of table.cases) it(c.name, () => checkGradient(c));
  });
}
