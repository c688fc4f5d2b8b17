// `webgpu-cnn-engine/cpu`: the engine without the WebGPU backend and its shaders.
export * from './core';
