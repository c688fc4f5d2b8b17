import { defineConfig } from 'vite';

// Workers as ES modules (the worker imports the engine); top-level await in the page.
export default defineConfig({ build: { target: 'es2022' }, worker: { format: 'es' } });
