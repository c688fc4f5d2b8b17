// The zoo's catalogue for the command line (src/nn/zoo_catalog.json): the commands check
// --model against it and list it in --help before any browser or bundle starts, so it
// must say exactly what MODELS builds. WRITE_ZOO_CATALOG=1 rewrites it from MODELS.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summary } from '../../src/nn/summary';
import { MODELS, TRAINABLE_HERE } from '../../src/nn/zoo';

const FILE = 'src/nn/zoo_catalog.json';
/** Segmentation models small enough to train here (npm run train -- --task segment). */
const SEGMENTING_HERE = ['fcn8s-mini', 'unet-mini'];

function catalog() {
  return Object.entries(MODELS).map(([key, make]) => {
    const s = summary(make());
    const input = s.rows[0].outputShape;
    const output = s.rows.at(-1)!.outputShape;
    return {
      key,
      params: s.totalParams,
      input,
      task: output.length === 3 ? 'segment' : 'classify',
      trainsHere: TRAINABLE_HERE.includes(key) || SEGMENTING_HERE.includes(key),
    };
  });
}

describe('the zoo catalogue of the command line', () => {
  it('lists every MODELS key with its parameters, input shape, task and whether it trains here', () => {
    const expected = catalog();
    if (process.env.WRITE_ZOO_CATALOG) writeFileSync(FILE, `${JSON.stringify(expected, null, 2)}\n`);
    expect(JSON.parse(readFileSync(FILE, 'utf8'))).toEqual(expected);
  });
});

describe('npm run train checks --model before anything starts', () => {
  const train = (args: string[]) =>
    spawnSync(process.execPath, ['scripts/train.mjs', ...args, '--out', join(tmpdir(), 'never')], { encoding: 'utf8', timeout: 30_000 });

  it('an unknown model exits 2 at once, naming the nearest keys; no set-up, no browser, no resume hint', () => {
    const run = train(['--model', 'resnt20']);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe("train: unknown model 'resnt20'; nearest: resnet20, resnet50, resnet18 (--help lists them all)");
    expect(run.stdout).not.toContain('[setup]');
    expect(train(['--task', 'segment', '--model', 'unt']).stderr).toContain("unknown model 'unt'; nearest: unet-mini");
  });

  it('a model of the other task is refused, saying which task or models to use', () => {
    expect(train(['--model', 'unet-mini']).stderr.trim()).toBe('train: unet-mini labels every pixel; train it with --task segment');
    expect(train(['--task', 'segment', '--model', 'lenet5']).stderr.trim()).toBe(
      'train: lenet5 gives one class per image; --task segment needs a model that labels pixels (fcn8s-mini, unet-mini)',
    );
  });

  it('--help lists the models, those that train here without a GPU first', () => {
    const help = spawnSync(process.execPath, ['scripts/train.mjs', '--help'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('Models that train at a useful speed without a GPU (SwiftShader, lavapipe): lenet5 (61,706 parameters, 1x28x28),');
    expect(help).toContain('unet-mini (121,123 parameters, 1x64x64, --task segment)');
    expect(help).toContain('resnet50 (25,557,032 parameters, 3x224x224)');
  });
});
