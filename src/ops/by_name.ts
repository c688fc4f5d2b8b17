// The gradient rules of the elementary families need each other's ops: unary's rules
// multiply and divide (binary), sum's rule multiplies, and mul's rule sums (through
// sumToShape). Importing those modules would close an import cycle, so such rules take
// the ops from here instead: looked up in the op registry by name when the rule runs,
// long after every op module has declared its ops.
import type { Tensor } from '../tensor';
import { runOpByName } from './op';

const unary = (name: string) => (x: Tensor) => runOpByName(name, [x], {});
const binary = (name: string) => (a: Tensor, b: Tensor) => runOpByName(name, [a, b], {});

export const neg = unary('neg');
export const sign = unary('sign');
export const square = unary('square');
export const mul = binary('mul');
export const div = binary('div');
