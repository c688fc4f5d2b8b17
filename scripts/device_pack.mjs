#!/usr/bin/env node
// `npm run device:pack`: writes .device/, what a bare Linux x86-64 machine with a GPU (no Node,
// no npm registry, no network) needs to check, benchmark and tune the engine in one command,
// `.device/run.sh [--smoke | --full] OUTDIR` (docs/device-pack.md). At most 56 MiB, so that it
// travels with a checkout within 64 MiB:
//   bin/node.gz             this machine's Node (linux-x64, 20+), stripped where `strip` is
//   app/device.mjs          one bundle: the engine, the parity sweep, the roofline, the bench
//                           with its TF.js and jax-js peers, the tuner and the trainer
//   app/dawn.node.gz, app/webgpu/   npm webgpu's linux-x64 Dawn binding and its loader
//   app/torch_anchor.py     the native anchor (PyTorch on CUDA, where the machine has it)
//   debs/libvulkan1_*.deb   the Vulkan loader (apt-get download at pack time)
//   data/fashion-mnist/     the Fashion-MNIST test split
//   run.sh, MANIFEST.json
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { bundleForNode, DEVICE_BUNDLED } from '../tools/cli/node_bundle.mjs';
import { defineCommand } from '../tools/cli/options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = defineCommand({
  name: 'device:pack',
  summary:
    'writes .device/: Node, Dawn, the Vulkan loader, the bundled checks, bench, tuner and trainer, and the Fashion-MNIST test split, for .device/run.sh on a bare GPU machine.',
  description: ["See docs/device-pack.md for what run.sh does there, phase by phase, and each phase's time cap."],
  options: {
    out: { type: 'path', value: 'DIR', help: 'write the pack to DIR instead of .device' },
  },
}).parseOrExit(process.argv.slice(2));

/** The pack's size limit: with the checkout it must travel within 64 MiB. */
const PACK_LIMIT = 56 * 2 ** 20;
const out = o.out ?? join(root, '.device');
const datasets = process.env.DATASETS_DIR ?? '/usr/share/datasets';
const started = performance.now();

function fail(message) {
  console.error(`device:pack: ${message}`);
  process.exit(1);
}

if (process.platform !== 'linux' || process.arch !== 'x64')
  fail(`the pack is for linux-x64 and carries this machine's Node and Dawn; this is ${process.platform}-${process.arch}`);
if (Number(process.versions.node.split('.')[0]) < 20) fail(`Node 20 or newer is needed (this is ${process.version})`);
const dawn = join(root, 'node_modules', 'webgpu', 'dist', 'linux-x64', 'dawn.node');
if (!existsSync(dawn)) fail(`npm webgpu's linux-x64 binding is missing (${relative(root, dawn)}): run npm ci`);
const testSplit = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => join(datasets, 'fashion-mnist', f));
for (const f of testSplit) if (!existsSync(f)) fail(`${f} is missing: apt-get install dataset-fashion-mnist (npm run setup does)`);

rmSync(out, { recursive: true, force: true });
for (const d of ['bin', 'app/webgpu', 'debs', 'data/fashion-mnist']) mkdirSync(join(out, d), { recursive: true });

const gzip = (from, to) => pipeline(createReadStream(from), createGzip({ level: 6 }), createWriteStream(to));

// Node: this one, stripped of its symbols where binutils' strip is here (98 MB -> 86 MB before gzip).
const work = mkdtempSync(join(tmpdir(), 'device-pack-'));
let node = process.execPath;
const stripped = join(work, 'node');
if (spawnSync('strip', ['-o', stripped, process.execPath], { stdio: 'ignore' }).status === 0) node = stripped;
await gzip(node, join(out, 'bin', 'node.gz'));
console.log(`Node ${process.version} (${process.execPath}${node === stripped ? ', stripped' : ''})`);

// Dawn and npm webgpu's loader (index.js finds dist/<platform>-<arch>/dawn.node beside it).
await gzip(dawn, join(out, 'app', 'dawn.node.gz'));
for (const f of ['index.js', 'package.json']) copyFileSync(join(root, 'node_modules', 'webgpu', f), join(out, 'app', 'webgpu', f));
const webgpuVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'webgpu', 'package.json'), 'utf8')).version;
console.log(`Dawn: npm webgpu ${webgpuVersion}, linux-x64`);

// The one bundle.
const bundle = await bundleForNode(root, 'tools/device/device_main.ts', join(work, 'bundle'), {
  bundled: DEVICE_BUNDLED,
  singleFile: true,
});
copyFileSync(bundle, join(out, 'app', 'device.mjs'));
copyFileSync(join(root, 'tools', 'device', 'torch_anchor.py'), join(out, 'app', 'torch_anchor.py'));
console.log(`bundle: app/device.mjs (${(statSync(join(out, 'app', 'device.mjs')).size / 2 ** 20).toFixed(1)} MiB)`);

// The Vulkan loader as Debian packages, for amd64 whatever this machine's own architecture.
const debs = join(out, 'debs');
const apt = spawnSync('apt-get', ['download', 'libvulkan1:amd64'], { cwd: debs, encoding: 'utf8' });
if (apt.status !== 0 || !readdirSync(debs).some((f) => f.endsWith('.deb'))) {
  const cached = existsSync('/var/cache/apt/archives') ? readdirSync('/var/cache/apt/archives').filter((f) => /^libvulkan1_.*_amd64\.deb$/.test(f)) : [];
  if (cached.length === 0)
    fail(`apt-get download libvulkan1 failed (${(apt.stderr || apt.error?.message || '').trim()}), and apt's cache holds no libvulkan1 package`);
  copyFileSync(join('/var/cache/apt/archives', cached.at(-1)), join(debs, cached.at(-1)));
}
console.log(`Vulkan loader: debs/${readdirSync(debs).join(', ')}`);

for (const f of testSplit) copyFileSync(f, join(out, 'data', 'fashion-mnist', f.split('/').pop()));
copyFileSync(join(root, 'tools', 'device', 'run.sh'), join(out, 'run.sh'));
chmodSync(join(out, 'run.sh'), 0o755);
rmSync(work, { recursive: true, force: true });

/** Every file of the pack, with its size and sha256. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}
const listed = files(out).map((f) => ({
  path: relative(out, f),
  bytes: statSync(f).size,
  sha256: createHash('sha256').update(readFileSync(f)).digest('hex'),
}));
let commit = null;
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
} catch {}
const total = listed.reduce((n, f) => n + f.bytes, 0);
const shown = relative(process.cwd(), out).startsWith('..') ? out : relative(process.cwd(), out) || out;
writeFileSync(
  join(out, 'MANIFEST.json'),
  `${JSON.stringify({ made: new Date().toISOString(), commit, node: process.version, webgpu: webgpuVersion, bytes: total, limit: PACK_LIMIT, files: listed }, null, 2)}\n`,
);
const size = total + statSync(join(out, 'MANIFEST.json')).size;
console.log(
  `${relative(process.cwd(), out) || out}: ${listed.length + 1} files, ${(size / 2 ** 20).toFixed(1)} MiB of ${PACK_LIMIT / 2 ** 20} MiB, in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
if (size > PACK_LIMIT) fail(`the pack is ${(size / 2 ** 20).toFixed(1)} MiB, over its ${PACK_LIMIT / 2 ** 20} MiB limit`);
console.log(`run it: ${shown}/run.sh --smoke OUTDIR (here), or --full OUTDIR on a GPU machine`);
