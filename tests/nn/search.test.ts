// npm run search's core: seeded draws inside their ranges, each trial trained and scored
// on a held-out split, ranked best first.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH, drawTrials, runSearch } from '../../tools/jobs/search';
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
});
