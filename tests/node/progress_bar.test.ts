// The terminal progress bar of npm run train (tools/cli/progress.mjs): the epoch of how
// many, or the epoch alone when a time budget bounds the run; the ETA as given.
import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../tools/cli/progress.mjs';

function lines(epochs: number | null) {
  const out: string[] = [];
  const bar = new ProgressBar({ isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream);
  bar.update({ epoch: 3, epochs, batch: 10, batches: 40, loss: 0.5, accuracy: 0.8, imagesPerSecond: 50, etaSeconds: 125 });
  return out;
}

describe('ProgressBar', () => {
  it('shows the epoch of how many, the batch, the loss, the pace and the ETA', () => {
    expect(lines(5)).toEqual([`epoch 3/5 ${'█'.repeat(7)}${'░'.repeat(21)} 10/40  loss 0.5000  acc 0.800  50 img/s  ETA 2m05s\n`]);
  });

  it('shows the epoch alone when the run has no epoch count (a time budget bounds it)', () => {
    expect(lines(null)[0]).toMatch(/^epoch 3 █{7}░{21} 10\/40 {2}loss 0\.5000/);
  });
});
