// `npm run train -- --sanity` and `--ensemble K`: the checks print their lines and the
// command exits 1 naming a failed one; an ensemble writes each member's weights and
// reports every member's test accuracy and the ensemble's. Small runs in Node.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of the command line
import { readSafetensorsMetadata } from '../../tools/cli/run_folder.mjs';

const LIMIT_MS = 240_000;
const train = (args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });
const NODE = ['--model', 'lenet5', '--autotune', 'off', '--runtime', 'node', '--adapter', 'swiftshader'];
const SMALL = [...NODE, '--limit', '128'];

describe('npm run train -- --sanity', () => {
  it(
    'prints each check with its numbers, passes on lenet5, writes --json and nothing in --out',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'train-sanity-'));
      const run = train([...SMALL, '--sanity', '--out', join(dir, 'run'), '--json', join(dir, 'sanity.json')]);
      const text = run.stdout + run.stderr;
      expect(run.status, text).toBe(0);
      expect(text).toMatch(/initial-loss: pass: the loss at initialisation is 2\.\d{4}, ln\(10\) = 2\.3026 at chance: \d+\.\d% off \(within 10%\)/);
      expect(text).toMatch(
        /regularization: pass: an L2 term of λ = 0\.01 raised the loss from 2\.\d{4} to \d+\.\d{4} \(\+\d+\.\d{4}; λ\/2 Σw² over the trainable weights is \d+\.\d{4}\)/,
      );
      expect(text).toMatch(/overfit: pass: 20 examples, one batch, adam lr 0\.002, no regularisation: 100% training accuracy after \d+ of at most 200 steps/);
      expect(text).toMatch(/sanity: all 3 checks passed in \d+ s/);
      expect(existsSync(join(dir, 'run'))).toBe(false);
      const json = JSON.parse(readFileSync(join(dir, 'sanity.json'), 'utf8'));
      expect(json).toMatchObject({ model: 'lenet5', passed: true, failed: [] });
      expect(json.checks.map((c: { name: string }) => c.name)).toEqual(['initial-loss', 'regularization', 'overfit']);
    },
    LIMIT_MS,
  );

  it(
    'exits 1 naming the check that failed: plain SGD at 1e-5 cannot fit 20 examples in 5 steps',
    () => {
      const run = train([...SMALL, '--sanity', '--optimizer', 'sgd', '--lr', '1e-5', '--sanity-steps', '5']);
      const text = run.stdout + run.stderr;
      expect(run.status, text).toBe(1);
      expect(text).toContain('initial-loss: pass');
      expect(text).toMatch(
        /overfit: FAIL: 20 examples, one batch, sgd lr 0\.00001, no regularisation: \d+\/20 right \(\d+%, loss \d\.\d{4}\) after 5 steps, the budget of 5; /,
      );
      expect(text).toContain('sanity: FAILED: overfit (1 of 3 checks;');
    },
    LIMIT_MS,
  );

  it('refuses options that do not go with it', () => {
    for (const [args, message] of [
      [['--sanity-steps', '5'], 'train: --sanity-steps goes with --sanity'],
      [['--sanity', '--ensemble', '2'], 'train: --sanity and --ensemble are separate runs'],
      [['--sanity', '--checkpoint-every', '5'], 'train: --checkpoint-every does not apply to --sanity'],
      [['--ensemble', '2', '--task', 'segment'], 'train: --ensemble is for classifiers; it does not apply to --task segment'],
      [['--ensemble', '1'], "train: --ensemble must be an integer of at least 2, got '1'"],
    ] as const) {
      const run = train([...args, '--out', join(tmpdir(), 'never')]);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });
});

describe('npm run train -- --ensemble K', () => {
  it(
    "trains K members of seeds s..s+K-1, writes weights-<i>.safetensors, reports each one's test accuracy and the ensemble's",
    () => {
      const out = join(mkdtempSync(join(tmpdir(), 'train-ensemble-')), 'run');
      // 30 steps of 32 a member.
      const run = train([...NODE, '--limit', '960', '--batch', '32', '--ensemble', '2', '--seed', '4', '--epochs', '1', '--test-limit', '200', '--out', out]);
      const text = run.stdout + run.stderr;
      expect(run.status, text).toBe(0);
      expect(text).toMatch(/training an ensemble of 2 lenet5 \(61,706 parameters each\), seeds 4 to 5/);
      expect(text).toMatch(/member 1\/2, epoch 1\/1: loss [\d.]+, train accuracy [\d.]+, test loss [\d.]+, test accuracy [\d.]+/);
      expect(text).toMatch(/member 2\/2 \(seed 5\): test accuracy [\d.]+, loss [\d.]+; wrote .*weights-2\.safetensors/);
      expect(text).toMatch(
        /ensemble of 2 \(seeds 4, 5\): test accuracy [\d.]+, loss [\d.]+ \(200 images\); the members [\d.]+, [\d.]+: best [\d.]+, mean [\d.]+/,
      );
      expect(readdirSync(out).sort()).toEqual(['metrics.json', 'weights-1.safetensors', 'weights-2.safetensors']);
      const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
      expect(m.ensemble).toMatchObject({ size: 2, seeds: [4, 5] });
      expect(m.testAccuracy).toBe(m.ensemble.testAccuracy);
      expect(m.files).toEqual(['weights-1.safetensors', 'weights-2.safetensors']);
      expect(m.ensemble.members.map((x: { seed: number }) => x.seed)).toEqual([4, 5]);
      for (const x of m.ensemble.members) {
        expect(x.testAccuracy).toBeGreaterThan(0.4);
        expect(x.weights.sha256).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(m.ensemble.meanMemberAccuracy).toBeCloseTo((m.ensemble.members[0].testAccuracy + m.ensemble.members[1].testAccuracy) / 2, 10);
      const meta = readSafetensorsMetadata(join(out, 'weights-2.safetensors'));
      expect(meta).toMatchObject({ run_id: m.runId, ensemble_member: '2', ensemble_size: '2', seed: '5', model_key: 'lenet5' });
    },
    LIMIT_MS,
  );

  it(
    'in headless Chromium too: the page hands each member over and the command writes it',
    () => {
      const out = join(mkdtempSync(join(tmpdir(), 'train-ensemble-page-')), 'run');
      const run = train([
        '--model',
        'lenet5',
        '--autotune',
        'off',
        '--limit',
        '320',
        '--batch',
        '32',
        '--ensemble',
        '2',
        '--epochs',
        '1',
        '--test-limit',
        '100',
        '--out',
        out,
      ]);
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(readdirSync(out).sort()).toEqual(['metrics.json', 'weights-1.safetensors', 'weights-2.safetensors']);
      expect(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).ensemble.members).toHaveLength(2);
    },
    LIMIT_MS,
  );
});
