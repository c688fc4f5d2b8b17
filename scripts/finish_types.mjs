#!/usr/bin/env node
// After tsc emitted dist/types: the entry declarations reference the WebGPU types (GPUDevice,
// GPUBuffer) that @webgpu/types declares, so apps get them without configuring anything.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const types = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'types');
for (const entry of ['index.d.ts', 'cpu.d.ts', 'node.d.ts']) {
  const file = join(types, entry);
  const text = readFileSync(file, 'utf8');
  const reference = '/// <reference types="@webgpu/types" />\n';
  if (!text.startsWith(reference)) writeFileSync(file, reference + text);
}
