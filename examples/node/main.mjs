// The engine in Node, on WebGPU through Dawn (npm webgpu): the README's eager example,
// then LeNet-5 trained for a few steps on stripes and asked to predict.
import { createNodeWebGPUBackend, tensor, matmul, relu, sum, scope, lenet5, Trainer } from 'webgpu-cnn-engine/node';

const backend = await createNodeWebGPUBackend();
const x = tensor(backend, [1, 2, 3, 4, 5, 6], [2, 3]);
const w = tensor(backend, new Float32Array(12).fill(0.5), [3, 4]);
const b = tensor(backend, [0, 1, 2, 3], [4]);
const y = scope(() => relu(matmul(x, w, { bias: b })));
console.log('eager', JSON.stringify([...(await sum(y, 1).read())]));

// 64 images of 28x28: class k has rows 7k to 7k+6 lit.
const images = new Float32Array(64 * 784);
const labels = new Uint8Array(64);
for (let i = 0; i < 64; i++) {
  labels[i] = i % 4;
  for (let r = 7 * labels[i]; r < 7 * labels[i] + 7; r++) images.fill(1, i * 784 + r * 28, i * 784 + r * 28 + 28);
}
const model = lenet5([1, 28, 28], 4).build(backend, { seed: 1 });
const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.003 }, batchSize: 16, seed: 1 });
const reports = await trainer.fit({ images, labels, shape: [1, 28, 28], classes: 4, count: 64 }, { epochs: 3 });
console.log('losses', JSON.stringify(reports.map((r) => Number(r.loss.toFixed(3)))));
const logits = await model.predict(images.subarray(0, 4 * 784));
const predicted = [0, 1, 2, 3].map((i) => logits.subarray(i * 4, i * 4 + 4).indexOf(Math.max(...logits.subarray(i * 4, i * 4 + 4))));
console.log('predicted', JSON.stringify(predicted), 'on', backend.adapterInfo.vendor, backend.adapterInfo.architecture);
process.exit(0);
