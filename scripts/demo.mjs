#!/usr/bin/env node
// `npm run demo`: sets up what is missing, then serves the demo with Vite on localhost (a
// secure context, so WebGPU is allowed) and prints the address of every page
// (demo/pages.json, the list the Home page's cards come from).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSetup } from '../tools/cli/page_session.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pages = JSON.parse(readFileSync(join(root, 'demo', 'pages.json'), 'utf8'));
runSetup(root);
const { createServer } = await import('vite');
const port = Number(process.env.PORT ?? 5173);
const server = await createServer({ root, server: { port, host: 'localhost' } });
await server.listen();
const base = `http://localhost:${server.httpServer.address().port}/demo`;
const width = Math.max(...pages.map((p) => p.title.length)) + 2;
const lines = pages.map((p) => `  ${`${p.title}:`.padEnd(width)} ${base}/${p.path === 'index.html' ? '' : p.path}`);
console.log(`\nThe demo's pages:\n${lines.join('\n')}\nOpen one in Chrome or Edge 113+ (WebGPU). Ctrl+C stops the server.`);
