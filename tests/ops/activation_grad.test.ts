import { describe, it } from 'vitest';
import { checkParity } from '../helpers/parity';
import { activationGradTable } from './activation_grad.cases';

describe('activation backward parity (gpu vs cpu)', () => {
  for (const c of activationGradTable.cases) it(c.name, () => checkParity(c));
});
