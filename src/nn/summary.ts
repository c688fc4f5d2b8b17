import { formatShape, sizeOf, type Shape } from '../shape';
import type { Model } from './model';

export interface SummaryRow {
  name: string;
  kind: string;
  /** Per-example output shape. */
  outputShape: Shape;
  /** Trainable weights (running statistics excluded). */
  params: number;
  /** Values the layer outputs per example (what the forward pass must hold). */
  activations: number;
  /** Forward FLOPs per example (a multiply-add counts 2). */
  flops: number;
}

export interface Summary {
  rows: SummaryRow[];
  totalParams: number;
  /** Activation values per example, the input included (as in the cs231n VGG table). */
  totalActivations: number;
  /** totalActivations * 4 bytes (float32), per example, forward only. */
  activationBytes: number;
  totalFlops: number;
  /** The table as text. */
  text: string;
}

/** Per layer: output shape, parameters, activation values and FLOPs, with totals. */
export function summary(model: Model): Summary {
  const inputRow: SummaryRow = { name: 'input', kind: 'input', outputShape: model.input.shape, params: 0, activations: sizeOf(model.input.shape), flops: 0 };
  const done = new Set<unknown>();
  const rows: SummaryRow[] = [inputRow];
  for (const { layer, inputs, output } of model.nodes) {
    const inShapes = inputs.map((i) => i.shape);
    const params = done.has(layer) ? 0 : layer.params(inShapes).filter((p) => p.kind === 'weight').reduce((n, p) => n + sizeOf(p.shape), 0);
    done.add(layer);
    rows.push({ name: layer.name, kind: layer.kind, outputShape: output.shape, params, activations: layer.storesOutputFor(inShapes, output.shape) ? sizeOf(output.shape) : 0, flops: layer.flops(inShapes, output.shape) });
  }
  const totalParams = rows.reduce((n, r) => n + r.params, 0);
  const totalActivations = rows.reduce((n, r) => n + r.activations, 0);
  const totalFlops = rows.reduce((n, r) => n + r.flops, 0);
  const fmt = (n: number) => n.toLocaleString('en-US');
  const table = [['layer', 'kind', 'output', 'params', 'activations', 'FLOPs'], ...rows.map((r) => [r.name, r.kind, formatShape(r.outputShape), fmt(r.params), fmt(r.activations), fmt(r.flops)])];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const text = [
    `${model.name}`,
    ...table.map(line),
    `total params ${fmt(totalParams)}; activations ${fmt(totalActivations)} per example (${(totalActivations * 4 / 1e6).toFixed(1)} MB float32, forward); ${fmt(totalFlops)} FLOPs per example forward`,
  ].join('\n');
  return { rows, totalParams, totalActivations, activationBytes: totalActivations * 4, totalFlops, text };
}
