#!/usr/bin/env node
// Idempotent set-up: installs what is missing and nothing else.
//   apt: chromium (the browser the tests and the trainer drive), dataset-fashion-mnist,
//        libvulkan1 (the Vulkan loader Dawn needs for the Node runtime; Chromium carries its own)
//   lavapipe: Mesa 25's CPU Vulkan driver (mesa-vulkan-drivers from bookworm-backports), on
//        Debian 12 only and best effort: Node jobs run 2-3x faster on it than on SwiftShader
//   npm: `npm ci` when node_modules is missing or older than package-lock.json
// Uses only Node built-ins, so it runs on a fresh clone before any npm install.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const fashionMnist = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';

function run(cmd, env = {}) {
  console.log(`[setup] ${cmd}`);
  execSync(cmd, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
}

const aptMissing = [];
if (!existsSync(chromium)) aptMissing.push('chromium');
if (!existsSync(fashionMnist)) aptMissing.push('dataset-fashion-mnist');
// Dawn (npm webgpu) dlopens libvulkan.so.1 from the system's library path: without it Node finds no adapter.
const hasVulkanLoader = () => {
  try {
    return execSync('ldconfig -p', { encoding: 'utf8' }).includes('libvulkan.so.1');
  } catch {
    return true; // no ldconfig to ask: assume the loader is there rather than fail the set-up
  }
};
if (!hasVulkanLoader()) aptMissing.push('libvulkan1');
if (aptMissing.length > 0) {
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? '' : 'sudo -n ';
  try {
    run(`${sudo}apt-get update -qq`);
    run(`${sudo}apt-get install -y -qq ${aptMissing.join(' ')}`, { DEBIAN_FRONTEND: 'noninteractive' });
  } catch {
    console.error(
      `[setup] could not install ${aptMissing.join(', ')} with apt-get. Install them yourself ` +
        `(apt-get install ${aptMissing.join(' ')}), or set CHROMIUM_PATH to a Chromium with WebGPU.`,
    );
    process.exit(1);
  }
}

// Lavapipe of Mesa 25 or later, which Dawn takes (Debian 12's own Mesa 22 it does not).
// Best effort: without it Node jobs run on SwiftShader, as the browser does.
const mesaMajor = () => {
  try {
    return Number.parseInt(execSync(`dpkg-query -W -f='\${Version}' mesa-vulkan-drivers`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), 10);
  } catch {
    return 0;
  }
};
const isBookworm = () => existsSync('/etc/os-release') && /VERSION_CODENAME=bookworm/.test(readFileSync('/etc/os-release', 'utf8'));
if (!process.env.SETUP_NO_LAVAPIPE && isBookworm() && mesaMajor() < 25) {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo -n ';
  const source = '/etc/apt/sources.list.d/bookworm-backports.sources';
  try {
    if (!existsSync(source))
      run(
        `printf 'Types: deb\\nURIs: http://deb.debian.org/debian\\nSuites: bookworm-backports\\nComponents: main\\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\\n' | ${sudo}tee ${source} >/dev/null`,
      );
    run(`${sudo}apt-get update -qq`);
    run(`${sudo}apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers`, { DEBIAN_FRONTEND: 'noninteractive' });
  } catch {
    console.error('[setup] could not install lavapipe (Mesa 25, bookworm-backports): Node jobs will run on SwiftShader');
  }
}

const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.setup-lock-hash');
const lockHash = createHash('sha256').update(readFileSync(lock)).digest('hex');
const installed = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
if (installed !== lockHash) {
  // Install scripts: package.json's allowScripts lets webgpu's run (macOS: it lifts the
  // quarantine from dawn.node) and denies onnxruntime-node's (it fetches CUDA binaries from
  // NuGet; the CPU ones we use are in its package) and protobufjs's (a version-scheme notice).
  // An npm older than 11.16 ignores allowScripts and runs them all: the variables below
  // keep ONNX Runtime's from downloading, and Playwright's browser download off (browsers come from apt).
  run('npm ci --no-audit --no-fund', { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', ONNXRUNTIME_NODE_INSTALL: 'skip' });
  writeFileSync(marker, lockHash);
}
console.log('[setup] ready');
