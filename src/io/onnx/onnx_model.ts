import type { Backend } from '../../backends/backend';
import type { SymbolicTensor } from '../../nn/layer';
import { Model, type BuildOptions } from '../../nn/model';

/**
 * A network read from a file: a Model whose build takes the file's weights (every
 * parameter the file gives; anything else, such as a new head, keeps its seeded values).
 * It runs, trains and saves as any other model.
 */
export class ImportedModel extends Model {
  /** Values by parameter name (`conv1.weight`), in this engine's layout. */
  readonly initialWeights: ReadonlyMap<string, Float32Array>;
  constructor(input: SymbolicTensor, output: SymbolicTensor, name: string, initialWeights: ReadonlyMap<string, Float32Array>) {
    super(input, output, name);
    this.initialWeights = initialWeights;
  }

  override build(backend: Backend, options: BuildOptions = {}): this {
    super.build(backend, options);
    for (const p of this.params()) {
      const w = this.initialWeights.get(p.name);
      if (w) p.tensor.write(w);
    }
    return this;
  }
}
