// The device pack (docs/device-pack.md): `npm run device:pack` writes a pack of at most
// 56 MiB, and its run.sh works here in smoke mode, on SwiftShader, before any GPU is used:
// every phase runs from the pack's own Node, Dawn, loader and bundle, and writes its JSON.
// (lavapipe runs it too, but compiles the kernels from a cold shader cache in minutes.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PACK_MS = 120_000;
const RUN_MS = 300_000;
const json = (dir: string, name: string) => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));

describe('the device pack', () => {
  it(
    'packs within 56 MiB, and run.sh --smoke runs every phase here and writes its results',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'device-pack-'));
      const pack = join(dir, 'pack');
      const made = spawnSync(process.execPath, ['scripts/device_pack.mjs', '--out', pack], { encoding: 'utf8', timeout: PACK_MS });
      expect(made.status, made.stdout + made.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(join(pack, 'MANIFEST.json'), 'utf8'));
      expect(manifest.bytes).toBeLessThanOrEqual(56 * 2 ** 20);
      for (const f of ['run.sh', 'bin/node.gz', 'app/device.mjs', 'app/dawn.node.gz', 'app/webgpu/index.js', 'data/fashion-mnist/t10k-images-idx3-ubyte.gz'])
        expect(existsSync(join(pack, f)), f).toBe(true);
      expect(manifest.files.some((f: { path: string }) => /^debs\/libvulkan1_.*_amd64\.deb$/.test(f.path))).toBe(true);

      const out = join(dir, 'out');
      // No node_modules on the way: the pack's own Node runs its own bundle, Dawn and loader,
      // the loader's package unpacked by the last resort of a machine without dpkg-deb and ar (Python).
      const env = { PATH: '/usr/bin:/bin', HOME: dir, DEVICE_WORK: join(dir, 'work'), DEVICE_DEB_UNPACKER: 'python' };
      const run = spawnSync(join(pack, 'run.sh'), ['--smoke', '--adapter', 'swiftshader', out], {
        encoding: 'utf8',
        timeout: RUN_MS,
        env,
        cwd: dir,
      });
      const log = run.stdout + run.stderr;
      expect(run.status, log).toBe(0);
      expect(readFileSync(join(out, 'log.txt'), 'utf8')).toContain('device pack: done');
      expect(log).toMatch(/Vulkan loader from .*\/work\/root\/usr\/lib\/x86_64-linux-gnu/);

      const phases = readFileSync(join(out, 'phases.tsv'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      expect(phases.map((p) => p[0])).toEqual(['adapter', 'parity', 'roofline', 'native', 'bench', 'tune', 'train']);
      for (const [name, , , note] of phases)
        expect(note, `${name}: ${note}`).toMatch(name === 'native' ? /^(ok|skipped: no python3 with PyTorch and CUDA)$/ : /^ok$/);

      const adapter = json(out, 'adapter');
      expect(adapter.vendor).toBe('google');
      for (const f of ['shader-f16', 'subgroups', 'timestamp-query']) expect(typeof adapter.noted[f]).toBe('boolean');
      expect(adapter.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);

      // Every variant of every family ran on a case and matched the CPU reference (or says which feature it lacks).
      const parity = json(out, 'parity');
      expect(parity.complete, JSON.stringify(parity.stoppedAt)).toBe(true);
      expect(parity.failed).toBe(0);
      for (const v of parity.variants) expect(v.ran > 0 || v.skipped !== undefined, `${v.variant} ran on no case`).toBe(true);
      expect(parity.variants.length).toBeGreaterThan(20);
      expect(log).toContain('worst error per variant');

      const { roofline } = json(out, 'roofline');
      expect(roofline.fmaF32).toBeGreaterThan(0);
      expect(roofline.bandwidth).toBeGreaterThan(0);
      expect(roofline.fmaF16 === null).toBe(!adapter.noted['shader-f16']);

      // Ours and, on the first case, TF.js WebGPU and jax-js from the bundle, each with its fraction of the roofline.
      const bench = json(out, 'bench');
      expect(bench.rows.map((r: { name: string }) => r.name)).toEqual(['matmul-128', 'conv-lenet2-fwd', 'lenet5-predict-b1']);
      const [matmul] = bench.rows;
      expect(matmul.tfjsWebgpu.medianMs).toBeGreaterThan(0);
      expect(matmul.jax.medianMs).toBeGreaterThan(0);
      for (const r of bench.rows) expect(r.rooflineFraction).toBeGreaterThan(0);

      // The tuned table in the shipped format, under this adapter's family.
      const tune = json(out, 'tune');
      expect(Object.keys(tune.table).length).toBeGreaterThan(0);
      const shipped = readFileSync(join(out, 'pretuned_choices.ts'), 'utf8');
      expect(shipped).toContain('export const PRETUNED_CHOICES');
      expect(shipped).toContain(`"${tune.family}": {`);

      const train = json(out, 'train');
      expect(train.images).toBe(256);
      expect(train.imagesPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(train.lastLoss)).toBe(true);

      const summary = json(out, 'summary');
      expect(summary.parity.failed).toBe(0);
    },
    PACK_MS + RUN_MS,
  );
});
