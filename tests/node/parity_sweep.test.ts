// `npm run parity:sweep` on this machine's two WebGPU implementations: every row of every
// kernel family's variant table, forced, on the first cases of the tests' tables it fits,
// against the CPU reference. The browser suite runs every case on Chromium's SwiftShader;
// lavapipe schedules invocations its own way and offers shader-f16, so its rows run there too.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIMIT_MS = 420_000;

interface Variant {
  family: string;
  variant: string;
  ran: number;
  failures: { case: string; message: string }[];
  skipped?: string;
}

function sweep(adapter: string) {
  const out = mkdtempSync(join(tmpdir(), `parity-${adapter}-`));
  const run = spawnSync(process.execPath, ['scripts/parity_sweep.mjs', '--adapter', adapter, '--per-variant', '3', '--cap', '360', '--out', out], {
    encoding: 'utf8',
    timeout: LIMIT_MS,
  });
  return { run, log: run.stdout + run.stderr, report: JSON.parse(readFileSync(join(out, 'parity.json'), 'utf8')) };
}

describe('npm run parity:sweep', () => {
  for (const adapter of ['lavapipe', 'swiftshader'] as const) {
    it(
      `every variant of every kernel family matches the CPU reference on ${adapter}`,
      () => {
        const { run, log, report } = sweep(adapter);
        expect(run.status, log).toBe(0);
        expect(report.complete).toBe(true);
        expect(report.adapter).toMatch(adapter === 'lavapipe' ? /^mesa\// : /^google\/swiftshader/);
        const variants = report.variants as Variant[];
        expect(report.failed, log).toBe(0);
        // No row left out quietly: each ran, or says which device feature this adapter lacks.
        for (const v of variants) {
          if (v.skipped) expect(v.skipped, v.variant).toMatch(/^needs [a-z0-9-]+(, [a-z0-9-]+)*, which this adapter does not offer$/);
          else expect(v.ran, `${v.variant} ran on no case`).toBeGreaterThan(0);
        }
        // lavapipe offers every feature a variant asks for (shader-f16, subgroups).
        if (adapter === 'lavapipe') expect(variants.filter((v) => v.skipped).map((v) => v.variant)).toEqual([]);
        expect(log).toContain(`parity:sweep: ${report.passed} variants passed, 0 failed`);
      },
      LIMIT_MS,
    );
  }
});
