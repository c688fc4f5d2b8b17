// The plain values of the ONNX importer's public surface (no protobuf types in them).

/** A constant: values as float64 (integers exact up to 2^53), and its dims. */
export interface ConstValue {
  readonly dims: number[];
  readonly data: Float64Array;
  /** The ONNX data type (onnx.TensorProto.DataType). */
  readonly dataType: number;
}

/** Where external tensor data comes from: file name (the tensor's `location`) to bytes. */
export type ExternalData = Readonly<Record<string, Uint8Array>>;
