import { describe, expect, it } from 'vitest';
import type { KernelFamily, KernelVariant } from '../../src/backends/webgpu/variants';
import { requiredFeatures, shaderSpecs } from '../../src/backends/webgpu/shader_registry';
import { gpuBackend } from './backends';
import { checkParity, type ParityCase } from './parity';

/**
 * Whether `variant` should fit case `c`, as the test's own model of the table says, or
 * undefined where the test keeps no model (then the run alone decides).
 */
export type FitModel = (variant: string, c: ParityCase) => boolean | undefined;

/**
 * Parity of every row of a kernel family's table, forced by name, on every case of the
 * family's op: a row that fits must match the CPU reference and dispatch its own shaders
 * (checkParity), a row that does not fit must throw, not fall back; where a model is
 * given, fitting or not must agree with it. Each row must run on at least one case.
 * Rows whose shaders enable a device feature the adapter lacks (subgroups, shader-f16)
 * are skipped, saying so. An f16 row is checked against the f16 reference under its
 * derived bound (checkParity). `rows` picks the rows to check (default all).
 */
export function describeVariants(
  family: KernelFamily<unknown>,
  cases: readonly ParityCase[],
  model: FitModel = () => undefined,
  rows: (v: KernelVariant<unknown>) => boolean = () => true,
): void {
  const own = cases.filter((c) => c.op === family.op);
  for (const v of family.variants.filter(rows)) {
    describe(`${family.op} variant ${v.name}`, () => {
      let ran = 0;
      // The device features the row's shaders enable (subgroups); without them the row is skipped, saying so.
      const needs = [...new Set(v.shaders.flatMap((name) => requiredFeatures(shaderSpecs().find((spec) => spec.name === name)!.source)))];
      const skipUnlessOffered = async (ctx: { skip(note?: string): never }) => {
        const { features } = (await gpuBackend()).device;
        const missing = needs.filter((f) => !features.has(f));
        if (missing.length > 0) ctx.skip(`${v.name} needs ${missing.map((f) => `'${f}'`).join(', ')}, which this adapter does not offer`);
      };
      for (const c of own) {
        it(c.name, async (ctx) => {
          await skipUnlessOffered(ctx);
          let fitted = true;
          try {
            await checkParity(c, v.name);
          } catch (e) {
            if (!String((e as Error).message).includes(`the forced variant '${v.name}' does not fit`)) throw e;
            fitted = false;
          }
          const expected = model(v.name, c);
          if (expected !== undefined) expect(fitted, `${v.name} on ${c.name}: fits`).toBe(expected);
          if (fitted) ran++;
        });
      }
      it(`runs on at least one case`, async (ctx) => {
        await skipUnlessOffered(ctx);
        expect(ran, `${v.name} ran on none of the ${own.length} ${family.op} cases`).toBeGreaterThan(0);
      });
    });
  }
}
