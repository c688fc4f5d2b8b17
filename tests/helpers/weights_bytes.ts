import { readFileSync } from 'node:fs';

/**
 * A safetensors file's tensors (header entries and data bytes) without its
 * `__metadata__`: every run stamps its own run id and step there, so two runs that
 * trained to the same weights differ in that field and nowhere else.
 */
export function tensorBytes(path: string): Buffer {
  const bytes = readFileSync(path);
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as Record<string, unknown>;
  delete header.__metadata__;
  return Buffer.concat([Buffer.from(JSON.stringify(header)), bytes.subarray(8 + length)]);
}
