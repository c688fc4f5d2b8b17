#!/usr/bin/env node
// LeNet-5 batch-1 model.predict in Node on Dawn: the first call (pipelines compiled) and the
// median of 20 more. Run after npm run build: node scripts/predict_time.mjs
import { createNodeWebGPUBackend, lenet5 } from '../dist/node.js';
const backend = await createNodeWebGPUBackend();
const model = lenet5().build(backend, { seed: 1 });
const x = new Float32Array(784).fill(0.5);
let t = performance.now();
await model.predict(x);
const first = performance.now() - t;
const times = [];
for (let i = 0; i < 20; i++) { t = performance.now(); await model.predict(x); times.push(performance.now() - t); }
times.sort((a, b) => a - b);
console.log(JSON.stringify({ firstMs: first.toFixed(1), medianMs: times[10].toFixed(2), adapter: backend.adapterInfo.vendor + ' ' + backend.adapterInfo.architecture }));
process.exit(0);
