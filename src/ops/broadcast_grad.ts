import { formatShape, shapesEqual, type Shape } from '../shape';
import { scope, type Tensor } from '../tensor';
import { sum } from './reduce';
import { reshape } from './reshape';

/**
 * Sums a gradient over the axes that broadcasting expanded, so it takes the shape of
 * the operand it flows back to: leading axes the operand lacks, and axes where the
 * operand has extent 1.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  if (lead < 0) throw new Error(`sumToShape: gradient ${formatShape(g.shape)} has fewer axes than ${formatShape(shape)}`);
  const axes = g.shape.map((_, i) => i).filter((i) => i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1));
  return scope(() => reshape(axes.length ? sum(g, axes, { keepDims: true }) : g, shape));
}
