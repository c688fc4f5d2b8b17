import { mkdtempSync, readdirSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../tools/cli/atomic_write.mjs';
// @ts-expect-error plain JavaScript module of the command line
import { renderReport } from '../../tools/cli/report.mjs';
// @ts-expect-error plain JavaScript module of the command line
import { prepareRunFolder } from '../../tools/cli/run_folder.mjs';
// @ts-expect-error plain JavaScript module of the command line
import { freePort } from '../../tools/cli/free_port.mjs';
// @ts-expect-error plain JavaScript module of the command line
import { defineCommand } from '../../tools/cli/options.mjs';
import { createServer } from 'node:net';

describe('atomic writes', () => {
  it('replaces the file whole and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const path = join(dir, 'sub', 'weights.safetensors');
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    writeFileAtomic(path, 'second');
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['weights.safetensors']);
  });

  it('a failed write keeps the previous file and says so', () => {
    if (process.getuid?.() === 0) return; // root ignores the read-only folder
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const path = join(dir, 'metrics.json');
    writeFileSync(path, 'good');
    chmodSync(dir, 0o500);
    try {
      expect(() => writeFileAtomic(path, 'new')).toThrow(`writing ${path} failed (the previous file, if any, is untouched)`);
    } finally {
      chmodSync(dir, 0o700);
    }
    expect(readFileSync(path, 'utf8')).toBe('good');
  });

  it('a failed write into a path that is a folder leaves the folder and no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    mkdirSync(join(dir, 'taken'));
    expect(() => writeFileAtomic(join(dir, 'taken'), 'x')).toThrow(/writing .*taken failed/);
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});

describe('training report', () => {
  it('has both curves, the confusion matrix and one image per first-layer filter', () => {
    const metrics = {
      model: 'lenet5',
      params: 61706,
      dataset: 'fashion-mnist',
      trainExamples: 60000,
      testExamples: 10000,
      backend: 'webgpu',
      adapter: { vendor: 'google', architecture: 'swiftshader' },
      config: { optimizer: 'adam', lr: 0.001, batch: 64, epochs: 2, augment: false },
      testAccuracy: 0.9,
      imagesPerSecond: 100,
      dispatchesPerStep: 49,
      submitsPerStep: 1,
      totalSeconds: 10,
      loss: [0.6, 0.4],
      testLossPerEpoch: [0.5, 0.45],
      trainAccuracy: [0.8, 0.85],
      testAccuracyPerEpoch: [0.85, 0.9],
      confusionMatrix: [
        [5, 1],
        [2, 7],
      ],
      classes: ['a', 'b'],
    };
    const html = renderReport(metrics, { shape: [3, 1, 2, 2], data: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] });
    expect(html).toContain('aria-label="loss"');
    expect(html).toContain('aria-label="accuracy"');
    expect(html.match(/aria-label="filter \d+ channel 0"/g)).toHaveLength(3);
    expect(html).toContain('<td style="background:rgba(23,107,31,1.000);color:#fff">7</td>');
    expect(html).toContain('90.00%');
  });

  it('shows every input channel of the filters: RGB filters as colour images, others channel by channel', () => {
    const metrics = {
      model: 'm',
      params: 1,
      dataset: 'x',
      trainExamples: 1,
      testExamples: 1,
      backend: 'webgpu',
      adapter: { vendor: 'google', architecture: 'swiftshader' },
      config: { optimizer: 'adam', lr: 0.001, batch: 1, epochs: 1, augment: false },
      testAccuracy: 1,
      imagesPerSecond: 1,
      dispatchesPerStep: 1,
      submitsPerStep: 1,
      totalSeconds: 1,
      loss: [1],
      testLossPerEpoch: [1],
      trainAccuracy: [0],
      testAccuracyPerEpoch: [1],
      confusionMatrix: [[1]],
      classes: ['a'],
    };
    // One 1x2 filter over RGB: channel 0 = [0, 1], 1 = [1, 0], 2 = [0, 0]: pixel 0 is pure green, pixel 1 pure red.
    const rgb = renderReport(metrics, { shape: [1, 3, 1, 2], data: [0, 1, 1, 0, 0, 0] });
    expect(rgb).toContain('fill="rgb(0,255,0)"');
    expect(rgb).toContain('fill="rgb(255,0,0)"');
    expect(rgb).toContain('as colour images');
    const two = renderReport(metrics, { shape: [2, 2, 1, 1], data: [0, 1, 2, 3] });
    expect(two.match(/aria-label="filter \d+ channel \d"/g)).toEqual([
      'aria-label="filter 0 channel 0"',
      'aria-label="filter 0 channel 1"',
      'aria-label="filter 1 channel 0"',
      'aria-label="filter 1 channel 1"',
    ]);
    expect(two).toContain('each shown for all 2 input channels');
  });
});

describe('the option parser', () => {
  const command = defineCommand({
    name: 'demo',
    summary: 'a command of the test.',
    options: {
      epochs: { type: 'integer', value: 'N', default: 3, help: 'epochs' },
      augment: { type: 'choice', choices: ['full', 'flip'], bare: 'full', default: false, help: 'augmentation' },
      rate: { type: 'off-or-number', above: 1, default: 1000, help: 'a factor' },
      sizes: { type: 'list', of: 'integer', value: 'N,N', default: [1, 2], help: 'sizes' },
      quick: { type: 'boolean', help: 'quick' },
      runtime: { type: 'choice', choices: ['browser', 'node'], requires: 'resume', help: 'where' },
      resume: { type: 'path', value: 'DIR', help: 'resume', onlyWith: { options: ['epochs', 'runtime'], why: 'continues a run' } },
    },
  });
  const refusal = (...argv: string[]) => {
    try {
      command.parse(argv);
    } catch (e) {
      return (e as Error).message;
    }
    return null;
  };

  it('fills in defaults and reads each type, an option given alone taking its bare value', () => {
    expect(command.parse([]).values).toEqual({ epochs: 3, augment: false, rate: 1000, sizes: [1, 2] });
    const { values, given } = command.parse(['--augment', '--epochs', '2', '--rate', 'off', '--sizes', '4,5', '--quick']);
    expect(values).toEqual({ epochs: 2, augment: 'full', rate: 'off', sizes: [4, 5], quick: true });
    expect([...given].sort()).toEqual(['augment', 'epochs', 'quick', 'rate', 'sizes']);
    expect(command.parse(['--augment', 'flip']).values.augment).toBe('flip');
    expect(command.parse(['--epochs=4']).values.epochs).toBe(4);
  });

  it('checks every option once, with one message per kind of mistake', () => {
    expect(refusal('--epochs', '1.5')).toBe("demo: --epochs must be a positive integer, got '1.5'");
    expect(refusal('--rate', '1')).toBe("demo: --rate must be a number above 1 or off, got '1'");
    expect(refusal('--sizes', '1,,2')).toBe("demo: --sizes must be comma-separated positive integers, got '1,,2'");
    expect(refusal('--augment', '--epochs')).toBe('demo: --epochs needs a value');
    expect(refusal('--epochs', '--quick')).toBe('demo: --epochs needs a value');
    expect(refusal('--quick=yes')).toBe("demo: --quick takes no value, got 'yes'");
    expect(refusal('--colour', 'red')).toBe('demo: unknown option --colour (see --help)');
    expect(refusal('-q')).toBe('demo: unknown option -q (see --help)');
    expect(refusal('stray')).toBe("demo: unexpected argument 'stray' (options start with --; see --help)");
    expect(refusal('--runtime', 'node')).toBe('demo: --runtime goes with --resume');
    expect(refusal('--resume', 'x', '--quick', '--sizes', '1')).toBe(
      'demo: --resume continues a run; it cannot be given with --quick, --sizes (only --epochs and --runtime)',
    );
    expect(refusal('--resume', 'x', '--runtime', 'node', '--epochs', '5')).toBeNull();
  });

  it('prints --help from the same table', () => {
    expect(command.parse(['--epochs', 'x', '--help']).help).toBe(true);
    const help = command.help();
    expect(help).toContain('npm run demo -- [--epochs 3] [--augment [full|flip]] [--rate 1000] [--sizes 1,2] [--quick]');
    expect(help).toMatch(/--epochs N +epochs \(default 3\)/);
    expect(help).toMatch(/--resume DIR +resume\n/);
    expect(help).toMatch(/-h, --help +prints this summary/);
  });
});

describe('npm run train arguments', () => {
  const train = (...args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8' });
  it('rejects unknown options and bad values before starting anything (exit 2)', () => {
    const r = train('--epochs', 'x');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("train: --epochs must be a positive integer, got 'x'");
    expect(train('--optimizer', 'rmsprop').stderr).toContain("train: --optimizer must be one of sgd, momentum, nesterov, adam, adamw, got 'rmsprop'");
    expect(train('--colour', 'red').stderr).toContain('train: unknown option --colour');
    expect(train('--limit', '10').stderr).toContain('train: --limit 10 is fewer examples than one batch of 64; lower --batch or raise --limit');
  });
});

describe('the run folder', () => {
  it('--out under a regular file fails before anything trains (exit 2), naming the folder and why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    writeFileSync(join(dir, 'file'), 'x');
    const r = spawnSync(process.execPath, ['scripts/train.mjs', '--model', 'lenet5', '--out', join(dir, 'file', 'run')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `train: cannot write the run to ${join(dir, 'file', 'run')}: a part of that path is a regular file, not a folder (nothing was trained; pick another --out)`,
    );
    expect(r.stderr).not.toContain('[setup]');
  });

  it('removes temporary files of writers that no longer run, keeps those of live ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(dir, `.weights.safetensors.${dead}.1700000000000.tmp`), 'partial');
    writeFileSync(join(dir, `.metrics.json.${process.pid}.1700000000000.tmp`), 'being written');
    writeFileSync(join(dir, 'metrics.json'), '{}');
    expect(prepareRunFolder(dir)).toEqual([`.weights.safetensors.${dead}.1700000000000.tmp`]);
    expect(readdirSync(dir).sort()).toEqual([`.metrics.json.${process.pid}.1700000000000.tmp`, 'metrics.json']);
  });

  it('--resume takes the configuration from the checkpoint: other options and missing checkpoints are refused (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    const run = (...args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8' });
    const other = run('--resume', dir, '--lr', '0.1');
    expect(other.status).toBe(2);
    expect(other.stderr).toContain("train: --resume takes the run's configuration from its checkpoint; it cannot be given with --lr");
    const missing = run('--resume', dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`train: --resume ${dir}: ${join(dir, 'checkpoint.safetensors')}: no such file`);
    writeFileSync(join(dir, 'checkpoint.safetensors'), 'not a checkpoint at all');
    expect(run('--resume', dir).stderr).toContain('header length');
  });
});

describe('npm run train failing before its first checkpoint', () => {
  it('does not suggest --resume: no epoch ran, so there is nothing to continue', () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    writeFileSync(join(dir, 'broken.onnx'), 'not an onnx file');
    const r = spawnSync(
      process.execPath,
      [
        'scripts/train.mjs',
        '--init',
        join(dir, 'broken.onnx'),
        '--epochs',
        '1',
        '--limit',
        '256',
        '--test-limit',
        '128',
        '--autotune',
        'off',
        '--out',
        join(dir, 'run'),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('train failed: ');
    expect(r.stderr).toContain(
      'no checkpoint of this run was written (no epoch finished), so there is nothing to resume: fix the cause and run the same command again',
    );
    expect(r.stderr).not.toContain('--resume');
    expect(readdirSync(join(dir, 'run'))).toEqual([]);
  }, 120_000);
});

describe("the end-to-end tests' port", () => {
  it('is the preferred one when free, another free one when a leftover server holds it', async () => {
    const preferred = await freePort(0);
    expect(await freePort(preferred)).toBe(preferred);
    const leftover = createServer().listen(preferred, 'localhost');
    await new Promise((r) => leftover.once('listening', r));
    try {
      const other = await freePort(preferred);
      expect(other).not.toBe(preferred);
      const probe = createServer().listen(other, 'localhost');
      await new Promise((r) => probe.once('listening', r));
      probe.close();
    } finally {
      leftover.close();
    }
  });
});
