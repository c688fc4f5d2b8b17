// npm run search's core: seeded draws inside their ranges, each trial trained and scored
// on a held-out split, ranked best first.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH, drawRefined, drawTrials, refineRanges, runSearch, type RefineRanges } from '../../tools/jobs/search';
import { gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

describe('random hyper-parameter search', () => {
  it('draws the same trials for a seed, log-uniformly within the ranges', () => {
    const config = { ...DEFAULT_SEARCH, trials: 200 };
    const draws = drawTrials(config);
    expect(drawTrials(config)).toEqual(draws);
    expect(drawTrials({ ...config, seed: 2 })).not.toEqual(draws);
    for (const d of draws) {
      expect(d.lr).toBeGreaterThanOrEqual(1e-4);
      expect(d.lr).toBeLessThanOrEqual(3e-2);
      expect(d.weightDecay).toBeGreaterThanOrEqual(1e-6);
      expect(DEFAULT_SEARCH.batches).toContain(d.batch);
    }
    // Log-uniform: about as many draws below the geometric middle of the range as above it.
    const below = draws.filter((d) => d.lr < Math.sqrt(1e-4 * 3e-2)).length;
    expect(below).toBeGreaterThan(70);
    expect(below).toBeLessThan(130);
    expect(new Set(draws.map((d) => d.batch)).size).toBe(3);
  });

  it('trains each trial, scores it on the held-out split and ranks the trials best first', async () => {
    const train = stripes(400, 10, 28, 3);
    const seen: number[] = [];
    const ranked = await runSearch(await gpuBackend(), train, { ...DEFAULT_SEARCH, trials: 3, limit: 300, batches: [32] }, (t) => void seen.push(t.trial));
    expect(seen).toEqual([1, 2, 3]);
    expect(ranked.map((t) => t.trial).sort()).toEqual([1, 2, 3]);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1].validationAccuracy).toBeGreaterThanOrEqual(ranked[i].validationAccuracy);
    expect(ranked[0].validationAccuracy).toBeGreaterThan(0.1);
    await expect(runSearch(await gpuBackend(), train, { ...DEFAULT_SEARCH, trials: 0 })).rejects.toThrow('search: trials must be a positive integer, got 0');
  }, 120_000);

  it('coarse to fine: the second round draws from ranges a quarter as wide (in log space), centred on the best', () => {
    const config = { ...DEFAULT_SEARCH, refine: 200 };
    const best = { trial: 5, lr: 3e-3, weightDecay: 1e-4, batch: 64 };
    const ranges = refineRanges(config, best);
    expect(ranges.around).toBe(5);
    expect(ranges.batch).toBe(64);
    // Centred (geometric middle) on the best values; a quarter of the coarse log-width.
    for (const [range, coarse, centre] of [
      [ranges.lr, config.lr, best.lr],
      [ranges.weightDecay, config.weightDecay, best.weightDecay],
    ] as const) {
      expect(Math.sqrt(range[0] * range[1])).toBeCloseTo(centre, 12);
      expect(Math.log(range[1] / range[0])).toBeCloseTo(Math.log(coarse[1] / coarse[0]) / 4, 10);
    }
    expect(ranges.lr[0]).toBeCloseTo(3e-3 / 300 ** (1 / 8), 12);
    const draws = drawRefined(config, ranges);
    expect(drawRefined(config, ranges)).toEqual(draws);
    expect(draws.map((d) => d.trial)).toEqual(Array.from({ length: 200 }, (_, i) => 9 + i));
    for (const d of draws) {
      expect(d.round).toBe(2);
      expect(d.batch).toBe(64);
      expect(d.lr).toBeGreaterThanOrEqual(ranges.lr[0]);
      expect(d.lr).toBeLessThanOrEqual(ranges.lr[1]);
      expect(d.weightDecay).toBeGreaterThanOrEqual(ranges.weightDecay[0]);
      expect(d.weightDecay).toBeLessThanOrEqual(ranges.weightDecay[1]);
    }
    // Spread over the whole fine range, not a corner of it.
    expect(Math.min(...draws.map((d) => d.lr))).toBeLessThan(best.lr / 1.5);
    expect(Math.max(...draws.map((d) => d.lr))).toBeGreaterThan(best.lr * 1.5);
    // Not clipped to the coarse range: a best at its edge gets a range beyond it.
    expect(refineRanges(config, { ...best, lr: 3e-2 }).lr[1]).toBeGreaterThan(3e-2);
  });

  it("runs the fine round around the first round's best trial and ranks both rounds together", async () => {
    const train = stripes(400, 10, 28, 3);
    const seen: [number, number][] = [];
    let ranges: RefineRanges | null = null;
    const config = { ...DEFAULT_SEARCH, trials: 3, refine: 2, limit: 300, batches: [32] };
    const ranked = await runSearch(
      await gpuBackend(),
      train,
      config,
      (t) => void seen.push([t.trial, t.round]),
      (r) => void (ranges = r),
    );
    expect(seen).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 2],
      [5, 2],
    ]);
    const first = ranked.filter((t) => t.round === 1).sort((a, b) => b.validationAccuracy - a.validationAccuracy || a.validationLoss - b.validationLoss);
    expect(ranges).toEqual(refineRanges(config, first[0]));
    const second = ranked.filter((t) => t.round === 2);
    expect(second.map((t) => ({ trial: t.trial, round: t.round, lr: t.lr, weightDecay: t.weightDecay, batch: t.batch }))).toEqual(
      expect.arrayContaining(drawRefined(config, ranges!)),
    );
    for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1].validationAccuracy).toBeGreaterThanOrEqual(ranked[i].validationAccuracy);
    await expect(runSearch(await gpuBackend(), train, { ...config, refine: -1 })).rejects.toThrow('search: refine must be a non-negative integer, got -1');
  }, 180_000);
});
