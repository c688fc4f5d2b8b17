#!/usr/bin/env node
// `npm run demo`: sets up what is missing, then serves the demo (Train, Transfer, Visualise, Bench, Verify)
// with Vite on localhost (a secure context, so WebGPU is allowed) and prints the addresses.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSetup } from '../tools/cli/page_session.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
runSetup(root);
const { createServer } = await import('vite');
const port = Number(process.env.PORT ?? 5173);
const server = await createServer({ root, server: { port, host: 'localhost' } });
await server.listen();
const base = `http://localhost:${server.httpServer.address().port}/demo`;
console.log(
  `\nDemo: ${base}/\n  Train:     ${base}/train.html\n  Transfer:  ${base}/transfer.html\n  Visualise: ${base}/visualise.html\n  Bench:     ${base}/bench.html\n  Verify:    ${base}/verify.html\nOpen one in Chrome or Edge 113+ (WebGPU). Ctrl+C stops the server.`,
);
