// Reading ONNX protobufs through onnx-proto (the ONNX schema compiled for protobufjs,
// DESIGN.md "Interchange": no hand-written decoder): the model, its tensors as plain
// arrays, attributes as plain values.
import onnxProto from 'onnx-proto';
import { formatShape, sizeOf } from '../../shape';
import { halfToFloat } from '../safetensors';
import type { ConstValue, ExternalData } from './onnx_values';

export type { ConstValue, ExternalData };

export const onnx = onnxProto.onnx;
// eslint-disable-next-line @typescript-eslint/no-namespace
export type { onnx as OnnxTypes } from 'onnx-proto';
export type OnnxModel = onnxProto.onnx.ModelProto;
export type OnnxNode = onnxProto.onnx.INodeProto;
export type OnnxTensor = onnxProto.onnx.ITensorProto;

/** A protobuf int64 (a Long object, or a number when it fits) as a number. */
export function int(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** Decodes a .onnx file, naming the file and the byte where the protobuf breaks. */
export function decodeModel(bytes: Uint8Array, file: string): OnnxModel {
  let model: OnnxModel;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`${file}: not a readable ONNX protobuf (${bytes.length} bytes): ${(e as Error).message} (truncated or not a .onnx file)`);
  }
  if (!model.graph) throw new Error(`${file}: the ONNX model has no graph (${bytes.length} bytes; not a .onnx file?)`);
  return model;
}

const T = onnx.TensorProto.DataType;
const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(T).map(([k, v]) => [v, k]));

/** A decimal byte count of external data (the ONNX spec stores offset and length as strings). */
function byteCount(file: string, t: OnnxTensor, key: string, value: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new Error(`${file}: tensor '${t.name}' has external data ${key} ${JSON.stringify(value)}; it must be a non-negative whole number of bytes`);
  return Number(value);
}

function rawBytes(t: OnnxTensor, file: string, external: ExternalData | undefined): Uint8Array | null {
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const entries = Object.fromEntries((t.externalData ?? []).map((e) => [e.key, e.value]));
    const location = entries.location;
    const blob = location ? external?.[location] : undefined;
    if (!location || !blob)
      throw new Error(
        `${file}: tensor '${t.name}' keeps its data in the external file '${location}'; pass it as importOnnx(bytes, { externalData: { '${location}': bytes } })`,
      );
    const offset = entries.offset !== undefined ? byteCount(file, t, 'offset', entries.offset) : 0;
    const length = entries.length !== undefined ? byteCount(file, t, 'length', entries.length) : blob.length - offset;
    if (length < 0 || offset + length > blob.length)
      throw new Error(`${file}: tensor '${t.name}' reads bytes ${offset}..${offset + length} of '${location}', which has ${blob.length}`);
    return blob.subarray(offset, offset + length);
  }
  return t.rawData && t.rawData.length > 0 ? t.rawData : null;
}

/** A TensorProto's values (raw_data, typed fields or external data), checked against its dims. */
export function tensorValues(t: OnnxTensor, file: string, external?: ExternalData): ConstValue {
  const dims = (t.dims ?? []).map(int);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw new Error(`${file}: tensor '${t.name}' has dims ${formatShape(dims)}; each must be a non-negative integer`);
  const count = sizeOf(dims);
  const type = t.dataType ?? 0;
  const raw = rawBytes(t, file, external);
  const width: Record<number, number> = {
    [T.FLOAT]: 4,
    [T.DOUBLE]: 8,
    [T.INT64]: 8,
    [T.INT32]: 4,
    [T.INT8]: 1,
    [T.UINT8]: 1,
    [T.BOOL]: 1,
    [T.FLOAT16]: 2,
    [T.INT16]: 2,
  };
  if (!(type in width))
    throw new Error(
      `${file}: tensor '${t.name}' has data type ${TYPE_NAMES[type] ?? type}; supported: FLOAT, DOUBLE, FLOAT16, INT64, INT32, INT16, INT8, UINT8, BOOL`,
    );
  // Sizes are checked against the bytes the file holds before anything is allocated: dims
  // that claim 1e12 values are refused, not allocated.
  if (raw) {
    if (raw.length !== count * width[type])
      throw new Error(`${file}: tensor '${t.name}' ${formatShape(dims)} (${TYPE_NAMES[type]}) needs ${count * width[type]} bytes, has ${raw.length}`);
    const data = new Float64Array(count);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) {
      switch (type) {
        case T.FLOAT:
          data[i] = view.getFloat32(i * 4, true);
          break;
        case T.DOUBLE:
          data[i] = view.getFloat64(i * 8, true);
          break;
        case T.INT64:
          data[i] = Number(view.getBigInt64(i * 8, true));
          break;
        case T.INT32:
          data[i] = view.getInt32(i * 4, true);
          break;
        case T.INT16:
          data[i] = view.getInt16(i * 2, true);
          break;
        case T.INT8:
          data[i] = view.getInt8(i);
          break;
        case T.FLOAT16:
          data[i] = halfToFloat(view.getUint16(i * 2, true));
          break;
        default:
          data[i] = view.getUint8(i);
      }
    }
    return { dims, data, dataType: type };
  }
  const typed: ArrayLike<number | { toNumber(): number }> =
    type === T.FLOAT ? (t.floatData ?? []) : type === T.DOUBLE ? (t.doubleData ?? []) : type === T.INT64 ? (t.int64Data ?? []) : (t.int32Data ?? []);
  if (typed.length !== count) throw new Error(`${file}: tensor '${t.name}' ${formatShape(dims)} needs ${count} values, has ${typed.length}`);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = int(typed[i]);
  if (type === T.FLOAT16) for (let i = 0; i < count; i++) data[i] = halfToFloat(data[i]);
  return { dims, data, dataType: type };
}

/** An attribute of a type the importer does not read (graphs, sparse tensors, ...). */
export class UnsupportedAttribute {
  readonly type: number;
  constructor(type: number) {
    this.type = type;
  }
}

/** An attribute as a plain value: number, string, number[], or a tensor. */
export type AttributeValue = number | string | number[] | OnnxTensor | UnsupportedAttribute;

export function attributes(node: OnnxNode): Map<string, AttributeValue> {
  const A = onnx.AttributeProto.AttributeType;
  const out = new Map<string, AttributeValue>();
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    switch (a.type) {
      case A.FLOAT:
        out.set(name, a.f ?? 0);
        break;
      case A.INT:
        out.set(name, int(a.i));
        break;
      case A.STRING:
        out.set(name, new TextDecoder().decode(a.s ?? new Uint8Array()));
        break;
      case A.FLOATS:
        out.set(name, [...(a.floats ?? [])]);
        break;
      case A.INTS:
        out.set(name, (a.ints ?? []).map(int));
        break;
      case A.TENSOR:
        out.set(name, a.t ?? new UnsupportedAttribute(a.type));
        break;
      default:
        out.set(name, new UnsupportedAttribute(a.type ?? 0));
    }
  }
  return out;
}
