#!/usr/bin/env node
// The main job, `npm run train`, trains LeNet-5 on Fashion-MNIST in headless Chromium.
// It is built by the training issue (graph, autograd, planner, data); until that lands
// this command says so instead of pretending to train.
console.error('npm run train: the training engine (graph, autograd, data loading) is not built yet; see the open training issue.');
process.exit(2);
