// A run folder that always agrees with itself: every file of `npm run train` names its run
// (run_id) and step, metrics.json names the sha256 of the weights and the checkpoint it
// describes and is written last, --resume checks the checkpoint against metrics.json, and
// the demo's load checks a weights file against the metrics.json picked with it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of the command line
import { checkResumeFolder, readSafetensorsMetadata, removeOtherRuns } from '../../tools/cli/run_folder.mjs';
// @ts-expect-error plain JavaScript module of the command line
import { renderReport } from '../../tools/cli/report.mjs';
import { readCheckpointMetadata, runFileDisagreement } from '../../src/io/checkpoint_metadata';
import { serializeSafetensors } from '../../src/io/safetensors';

const TINY = ['--model', 'lenet5', '--epochs', '1', '--limit', '256', '--test-limit', '128', '--autotune', 'off'];
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const shaOf = (file: string) => sha(readFileSync(file));
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const train = (args: string[], preload: string[] = [], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [...preload, 'scripts/train.mjs', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
const file = (metadata: Record<string, string>) => serializeSafetensors([{ name: 'w', shape: [2], data: new Float32Array([1, 2]) }], metadata);

describe('a run folder agrees with itself', () => {
  it('SIGKILL just before a new run replaces weights.safetensors: metrics.json does not claim the old weights; --resume finishes the run with every file naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-files-'));
    const first = train([...TINY, '--out', dir]);
    expect(first.status, first.stderr).toBe(0);
    const old = json(join(dir, 'metrics.json'));
    expect(readSafetensorsMetadata(join(dir, 'weights.safetensors')).run_id).toBe(old.runId);

    // A second run into the folder, killed (with its browser) the moment its weights would replace the first run's.
    const killed = train([...TINY, '--seed', '2', '--out', dir], ['--import', './tests/node/kill_before_rename.mjs'], {
      KILL_BEFORE_RENAME: '/weights.safetensors',
    });
    expect(killed.signal).toBe('SIGKILL');
    const m = json(join(dir, 'metrics.json'));
    const checkpoint = readSafetensorsMetadata(join(dir, 'checkpoint.safetensors'));
    expect(m.runId).not.toBe(old.runId);
    expect(checkpoint.run_id).toBe(m.runId);
    expect(m.checkpoint).toEqual({ sha256: shaOf(join(dir, 'checkpoint.safetensors')), step: Number(checkpoint.step) });
    // Training finished, but the run's weights were never written: metrics.json does not say complete, names no weights,
    // and the first run's weights (and report) are gone rather than left beside the second run's metrics.
    expect(m.epochsDone).toBe(1);
    expect(m.complete).toBe(false);
    expect(m.weights).toBe(null);
    expect(existsSync(join(dir, 'weights.safetensors'))).toBe(false);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);

    // metrics.json naming a later checkpoint than the file: --resume refuses (exit 2) and changes nothing.
    const tampered = { ...m, checkpoint: { sha256: 'f'.repeat(64), step: m.checkpoint.step + 4 } };
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify(tampered));
    const refused = train(['--resume', dir]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(
      `train: --resume ${dir}: the folder disagrees with itself: metrics.json of run ${m.runId} names checkpoint.safetensors at step ${m.checkpoint.step + 4}`,
    );
    expect(json(join(dir, 'metrics.json'))).toEqual(tampered);
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify(m));

    const resumed = train(['--resume', dir]);
    expect(resumed.status, resumed.stderr).toBe(0);
    const done = json(join(dir, 'metrics.json'));
    const weights = readSafetensorsMetadata(join(dir, 'weights.safetensors'));
    expect(done.runId).toBe(m.runId);
    expect(done.complete).toBe(true);
    expect(weights.run_id).toBe(m.runId);
    expect(done.weights).toEqual({ sha256: shaOf(join(dir, 'weights.safetensors')), step: Number(weights.step) });
    expect(done.checkpoint.sha256).toBe(shaOf(join(dir, 'checkpoint.safetensors')));
    expect(done.step).toBe(done.weights.step);
    const report = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(report).toContain(`<meta name="run-id" content="${m.runId}"><meta name="run-step" content="${done.step}">`);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.safetensors', 'metrics.json', 'report.html', 'weights.safetensors']);
  }, 200_000);

  it('--resume repairs what a kill between checkpoint and metrics.json leaves, and refuses a checkpoint older than metrics.json names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-files-'));
    const older = file({ run_id: 'run-b', step: '4' });
    const newer = file({ run_id: 'run-b', step: '8' });
    // The new run's first checkpoint beside the previous run's metrics: the checkpoint wins.
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ runId: 'run-a', checkpoint: { sha256: 'x', step: 90 } }));
    const repaired = checkResumeFolder(dir, { run_id: 'run-b', step: '8' }, newer);
    expect(repaired.runId).toBe('run-b');
    expect(repaired.notes[0]).toContain('metrics.json is of run run-a but the checkpoint of run run-b: the checkpoint is written first, so it is the newer');
    // The same run, checkpoint newer than metrics.json names: continue.
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ runId: 'run-b', checkpoint: { sha256: sha(older), step: 4 } }));
    expect(checkResumeFolder(dir, { run_id: 'run-b', step: '8' }, newer).notes[0]).toContain('is newer than the one metrics.json names (step 4)');
    // Older than metrics.json names (a copied-back file): refused.
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ runId: 'run-b', checkpoint: { sha256: sha(newer), step: 8 } }));
    expect(() => checkResumeFolder(dir, { run_id: 'run-b', step: '4' }, older)).toThrow(
      'the folder disagrees with itself: metrics.json of run run-b names checkpoint.safetensors at step 8',
    );
    expect(checkResumeFolder(dir, { run_id: 'run-b', step: '8' }, newer).notes).toEqual([]);
    // A checkpoint from before run ids gets one.
    const legacy = checkResumeFolder(dir, {}, file({}));
    expect(legacy.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(legacy.notes[0]).toContain('names no run (it predates run ids)');
  });

  it("removes the weights, report and metrics of another run, keeps this run's", () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-files-'));
    writeFileSync(join(dir, 'weights.safetensors'), file({ run_id: 'run-a', step: '3' }));
    writeFileSync(join(dir, 'report.html'), '<meta name="run-id" content="run-b"><meta name="run-step" content="3">');
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ runId: 'run-b' }));
    expect(removeOtherRuns(dir, 'run-b')).toEqual([
      `removed weights.safetensors of the previous run (run-a) from ${dir}: they are not files of run run-b, whose checkpoint is there now`,
    ]);
    expect(readdirSync(dir).sort()).toEqual(['metrics.json', 'report.html']);
    expect(removeOtherRuns(dir, 'run-b')).toEqual([]);
  });

  it("the demo's load: a weights file and metrics.json must be of one run, and the file the one metrics.json names", () => {
    const weights = file({ run_id: 'run-b', step: '8' });
    const metrics = { runId: 'run-b', complete: true, weights: { sha256: sha(weights), step: 8 }, checkpoint: { sha256: 'c', step: 8 } };
    expect(runFileDisagreement('weights.safetensors', { run_id: 'run-b', step: '8' }, sha(weights), metrics)).toBe(null);
    expect(runFileDisagreement('weights.safetensors', { run_id: 'run-a', step: '8' }, sha(weights), metrics)).toBe(
      'weights.safetensors was written by run run-a, but metrics.json is of run run-b: they are files of two different runs',
    );
    expect(runFileDisagreement('weights.safetensors', {}, sha(weights), metrics)).toContain('names no run');
    expect(runFileDisagreement('weights.safetensors', { run_id: 'run-b', step: '4' }, 'other', metrics)).toBe(
      'weights.safetensors (step 4) is of run run-b, but it is not a file metrics.json names (it names the weights of step 8 and the checkpoint of step 8, with other sha256): one of them is older than the other',
    );
    expect(runFileDisagreement('weights.safetensors', { run_id: 'run-b' }, sha(weights), { runId: 'run-b', weights: null, checkpoint: null })).toContain(
      'it names none',
    );
    expect(runFileDisagreement('old.safetensors', {}, 'x', { model: 'lenet5' })).toBe(null); // metrics from before run ids
  });

  it('checkpoint metadata: run_id and step are checked like every field', () => {
    expect(readCheckpointMetadata({ run_id: 'abc-1', step: '12' }, 'f')).toMatchObject({ runId: 'abc-1', step: 12 });
    expect(() => readCheckpointMetadata({ step: '-5' }, 'f')).toThrow("f: metadata field 'step' must be a non-negative integer");
    expect(() => readCheckpointMetadata({ run_id: 'a b"<' }, 'f')).toThrow("f: metadata field 'run_id' must be a run id");
  });

  it("the report names the run, its step and the weights' sha256", () => {
    const metrics = {
      model: 'm',
      params: 1,
      dataset: 'x',
      trainExamples: 1,
      testExamples: 1,
      backend: 'cpu',
      adapter: { vendor: 'cpu', architecture: 'reference' },
      config: { optimizer: 'adam', lr: 0.001, batch: 1, epochs: 1 },
      testAccuracy: 1,
      imagesPerSecond: 1,
      dispatchesPerStep: 1,
      submitsPerStep: 1,
      totalSeconds: 1,
      loss: [1],
      testLossPerEpoch: [1],
      trainAccuracy: [0],
      testAccuracyPerEpoch: [1],
      confusionMatrix: null,
      classes: ['a'],
      runId: 'run-b',
      step: 8,
      weights: { sha256: 'ab12', step: 8 },
    };
    const html = renderReport(metrics, null);
    expect(html).toContain('<meta name="run-id" content="run-b"><meta name="run-step" content="8">');
    expect(html).toContain('<th>run</th><td>run-b, step 8; weights sha256 ab12</td>');
  });
});
