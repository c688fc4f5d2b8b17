// The Train page's session (demo/ui/train_session.ts) on the CPU backend, as its worker runs
// it: the live evaluation comes during epoch 1 with the activation maps, the whole test set
// after the epoch, Pause holds the run between steps, and metrics.json lists the warnings.
import { describe, expect, it } from 'vitest';
import type { SessionConfig, SessionEvent } from '../../demo/ui/train_protocol';
import { TrainSession } from '../../demo/ui/train_session';

/** An IDX file: magic 00 00 08 (unsigned bytes), the rank, big-endian dims, the bytes. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 8, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Images whose class is a bright square's position: learnable in a few steps. */
function split(prefix: string, count: number) {
  const labels = Uint8Array.from({ length: count }, (_, i) => (i * 7) % 10);
  const images = new Uint8Array(count * 784);
  labels.forEach((label, i) => {
    for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) images[i * 784 + (2 + y) * 28 + 2 + (label % 4) * 6 + x + Math.floor(label / 4) * 8 * 28] = 255;
  });
  return [
    { name: `${prefix}-images-idx3-ubyte`, bytes: idx([count, 28, 28], images) },
    { name: `${prefix}-labels-idx1-ubyte`, bytes: idx([count], labels) },
  ];
}

const config = (over: Partial<SessionConfig> = {}): SessionConfig => ({
  source: 'files',
  files: [...split('train', 384), ...split('t10k', 64)],
  limit: 384,
  testLimit: 64,
  model: 'lenet5',
  init: null,
  optimizer: 'adam',
  lr: 0.002,
  batch: 32,
  epochs: 1,
  augment: false,
  backend: 'cpu',
  ...over,
});

describe('Train session on the CPU backend', () => {
  it('evaluates the test subset during epoch 1 and the test split after it', async () => {
    const events: SessionEvent[] = [];
    const session = await TrainSession.open(config(), (e) => events.push(e));
    expect(session.info).toMatchObject({ backend: 'cpu', trainCount: 384, testCount: 64, liveCount: 64, deepestConv: 'conv2d_2' });
    await session.train(1);
    const kinds = events.map((e) => (e.type === 'evaluation' ? `${e.type}:${e.scope}` : e.type));
    // 12 steps: a live evaluation before the epoch's end, then the whole test split.
    expect(kinds.filter((k) => k === 'batch')).toHaveLength(12);
    const live = kinds.indexOf('evaluation:live');
    expect(live).toBeGreaterThan(0);
    expect(live).toBeLessThan(kinds.lastIndexOf('batch'));
    expect(kinds.slice(live + 1)).toContain('activations');
    expect(kinds).toContain('evaluation:epoch');
    const batches = events.filter((e) => e.type === 'batch');
    expect(batches.at(-1)).toMatchObject({ runStep: 12, runSteps: 12 });
    expect(batches.at(-1)!.etaSeconds).toBeGreaterThanOrEqual(0);
    const metrics = session.metrics();
    expect(metrics).toMatchObject({ steps: 12, warnings: [], divergence: null });
    // One live evaluation or more (the first comes after 10 steps, or sooner on a slow backend), then the test split.
    const scopes = (metrics.evaluations as { scope: string }[]).map((e) => e.scope);
    expect(scopes.at(-1)).toBe('epoch');
    expect(scopes.slice(0, -1).every((s) => s === 'live') && scopes.length >= 2).toBe(true);
    await session.dispose();
  }, 120_000);

  it('pauses between steps and resumes', async () => {
    const events: SessionEvent[] = [];
    const session = await TrainSession.open(config(), (e) => events.push(e));
    session.pause();
    const run = session.train(1);
    // The first step compiles; the run stops at its first report.
    for (let i = 0; i < 200 && !events.some((e) => e.type === 'paused'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(events.filter((e) => e.type === 'paused')).toHaveLength(1);
    const seen = events.filter((e) => e.type === 'batch').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(events.filter((e) => e.type === 'batch').length).toBe(seen);
    session.resume();
    await run;
    expect(events.filter((e) => e.type === 'batch')).toHaveLength(12);
    await session.dispose();
  }, 120_000);

  it('warns that the loss exploded and stops as diverged at a learning rate of 10', async () => {
    const events: SessionEvent[] = [];
    const session = await TrainSession.open(config({ lr: 10 }), (e) => events.push(e));
    const error = await session.train(1).catch((e: Error & { rule?: string }) => e);
    expect(error).toMatchObject({ name: 'DivergenceError', rule: 'loss-explosion' });
    expect(events.some((e) => e.type === 'health' && e.warning.rule === 'loss-explosion')).toBe(true);
    expect(session.metrics()).toMatchObject({ divergence: { rule: 'loss-explosion' } });
    await session.dispose();
  }, 120_000);
});
