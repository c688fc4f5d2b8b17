// ONNX file -> Model: walks the graph in order, turning each node into a layer of this
// engine (onnx_ops.ts) and each initializer into that layer's weights. Activations are
// SymbolicTensors (per-example shapes); constants stay values and fold where a node
// computes from constants only.
import type { Shape } from '../../shape';
import { input as symbolicInput } from '../../nn/layer';
import { NodeContext, OnnxImporter, type OnnxValue } from './onnx_context';
import { attributes, decodeModel, int, tensorValues, type OnnxTypes as onnx } from './onnx_proto';
import type { ExternalData } from './onnx_values';
import { ImportedModel } from './onnx_model';
import { ONNX_OPS } from './onnx_ops';

export interface ImportOnnxOptions {
  /** The file's name, for errors (default 'model.onnx'). */
  file?: string;
  /** External tensor data: each `location` a tensor names, to its bytes. */
  externalData?: ExternalData;
  /** The model's name (default the graph's). */
  name?: string;
}

/** The opsets whose operator forms the importer knows (attributes that later became inputs are read either way). */
export const ONNX_OPSETS = [7, 18] as const;

/** The ONNX ops importOnnx reads, by name. */
export const ONNX_SUPPORTED_OPS: readonly string[] = Object.keys(ONNX_OPS).sort();

/**
 * Reads a .onnx file (opsets 7 to 18) into a Model of this engine: its layers from the
 * graph's nodes, its weights from the initializers, taken by `build(backend)`. The model
 * runs, trains (fine-tuning an imported network) and saves like any other. An
 * unsupported op fails naming the op, the node and the supported ones; a weight of the
 * wrong shape names the node and both shapes. Nothing is built until `build`.
 */
export function importOnnx(bytes: Uint8Array, options: ImportOnnxOptions = {}): ImportedModel {
  const file = options.file ?? 'model.onnx';
  const proto = decodeModel(bytes, file);
  const graph = proto.graph!;
  const importer = new OnnxImporter(file);
  const opset = (proto.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  importer.opset = opset ? int(opset.version) : 0;
  if (importer.opset < ONNX_OPSETS[0] || importer.opset > ONNX_OPSETS[1])
    throw new Error(`${file}: opset ${importer.opset} of the default domain; supported: ${ONNX_OPSETS[0]} to ${ONNX_OPSETS[1]}`);
  for (const t of graph.initializer ?? []) {
    importer.values.set(t.name!, { kind: 'const', c: tensorValues(t, file, options.externalData) });
    importer.initializerNames.add(t.name!);
  }
  const inputs = (graph.input ?? []).filter((i) => !importer.initializerNames.has(i.name!));
  if (inputs.length !== 1)
    throw new Error(`${file}: the graph has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); a model of this engine takes one`);
  const x = symbolicInput(inputShape(inputs[0], file));
  importer.values.set(inputs[0].name!, { kind: 'act', t: x });
  for (const node of graph.node ?? []) for (const name of node.input ?? []) importer.readers.set(name, [...(importer.readers.get(name) ?? []), node]);
  for (const node of graph.node ?? []) {
    if (importer.fused.has(node)) continue;
    if (node.domain && node.domain !== 'ai.onnx')
      throw new Error(`${file}: node '${node.name}' (${node.opType}) is in domain '${node.domain}'; only the default ONNX domain is supported`);
    const handler = ONNX_OPS[node.opType ?? ''];
    if (!handler)
      throw new Error(`${file}: node '${node.name}' uses op ${node.opType}, which is not supported; supported: ${Object.keys(ONNX_OPS).sort().join(', ')}`);
    const ctx = new NodeContext(node, importer, attributes(node));
    let outputs: OnnxValue[];
    try {
      outputs = handler(ctx);
    } catch (e) {
      // A layer's own check (conv2d: dilation must be positive, ...) names the layer, not the file and node.
      if (e instanceof Error && e.message.startsWith(`${file}:`)) throw e;
      throw new Error(`${ctx.label}: ${(e as Error).message}`);
    }
    outputs.forEach((v, i) => importer.values.set(node.output![i], v));
  }
  const outputs = graph.output ?? [];
  if (outputs.length !== 1) throw new Error(`${file}: the graph has ${outputs.length} outputs; a model of this engine has one`);
  const out = importer.values.get(outputs[0].name!);
  if (out?.kind === 'switches')
    throw new Error(
      `${file}: the output '${outputs[0].name}' is MaxPool '${out.pool.node}''s Indices, which this engine keeps per (n, c) plane where ONNX counts over N x C x H x W; only a MaxUnpool may read them`,
    );
  if (out?.kind !== 'act') throw new Error(`${file}: the output '${outputs[0].name}' is not computed from the input`);
  return new ImportedModel(x, out.t, options.name ?? (graph.name || 'onnx_model'), importer.weights);
}

/** The per-example shape of the graph input: its dims after the batch axis, which must be known. */
function inputShape(value: onnx.IValueInfoProto, file: string): Shape {
  const dims = value.type?.tensorType?.shape?.dim ?? [];
  const shape = dims.slice(1).map((d) => int(d.dimValue));
  if (dims.length < 2 || shape.some((d) => !(d > 0))) {
    const described = dims.map((d) => (d.dimParam ? d.dimParam : String(int(d.dimValue)))).join(', ');
    throw new Error(`${file}: input '${value.name}' has shape [${described}]; the dims after the batch axis must be fixed numbers`);
  }
  return shape;
}
