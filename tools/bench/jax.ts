// jax-js (@jax-js/jax) on its WebGPU device as a benchmark peer for the matmul and
// conv-forward cases and the training steps (valueAndGrad and the SGD update under one
// jit): the plain networks (LeNet-5, the CIFAR CNN, jax_train.ts) and the zoo's resnet20
// and mobilenet-v1-cifar (jax_zoo.ts, layer for layer as the TF.js peer). Loaded on demand;
// jit-compiled functions, inputs kept alive with .ref (jax-js arrays are reference-counted).
import type * as Jax from '@jax-js/jax';
import type { CaseSpec } from './cases';
import { jaxTrainStep } from './jax_train';
import { jaxZooTrainStep } from './jax_zoo';
import { benchData, type BenchSystem } from './systems';

const WARMUP = 2;

export function jaxSystem(jax: typeof Jax): BenchSystem {
  const { numpy: np, lax, jit } = jax;
  const array = (shape: number[], seed: number) => np.array(benchData(shape, seed)).reshape(shape);
  return {
    key: 'jax',
    label: 'jax-js webgpu',
    skipReason: (spec) => `jax-js is timed on matmul, conv forward and training steps; not on ${spec.kind}${'pass' in spec ? ` ${spec.pass}` : ''}`,
    async prepare(spec: CaseSpec) {
      if (spec.kind === 'train-step') {
        const step =
          spec.model === 'lenet5' || spec.model === 'cifar-cnn' ? jaxTrainStep(jax, spec.model, spec.batch) : jaxZooTrainStep(jax, spec.model, spec.batch);
        const timed = async () => {
          const start = performance.now();
          const loss = await step.run();
          if (!Number.isFinite(loss)) throw new Error(`jax-js ${spec.model} training step: the loss is ${loss}`);
          return { wallMs: performance.now() - start, gpuMs: null };
        };
        const firstMs = (await timed()).wallMs;
        for (let i = 1; i < WARMUP; i++) await timed();
        return { run: timed, dispose: () => step.dispose(), firstMs };
      }
      let inputs: Jax.Array[];
      let fn: (a: Jax.Array, b: Jax.Array) => Jax.Array;
      if (spec.kind === 'matmul') {
        inputs = [array([spec.m, spec.k], 1), array([spec.k, spec.n], 2)];
        fn = jit((a: Jax.Array, b: Jax.Array) => np.matmul(a, b));
      } else if (spec.kind === 'conv' && spec.pass === 'fwd') {
        // lax.conv takes NCHW inputs and OIHW filters, as ours does.
        inputs = [array([...spec.x], 1), array([spec.o, spec.x[1], spec.k, spec.k], 2)];
        const padding = spec.same ? 'SAME' : 'VALID';
        fn = jit((x: Jax.Array, f: Jax.Array) => lax.conv(x, f, [1, 1], padding));
      } else {
        return null;
      }
      const prepared = {
        async run() {
          const start = performance.now();
          const out = fn(inputs[0].ref, inputs[1].ref);
          await out.blockUntilReady();
          const wallMs = performance.now() - start;
          out.dispose();
          return { wallMs, gpuMs: null };
        },
        dispose: () => inputs.forEach((a) => a.dispose()),
      };
      const firstMs = (await prepared.run()).wallMs;
      for (let i = 1; i < WARMUP; i++) await prepared.run();
      return { ...prepared, firstMs };
    },
  };
}

/** Loads jax-js and makes WebGPU its default device; throws with the reason when it cannot. */
export async function loadJax(): Promise<typeof Jax> {
  const jax = await import('@jax-js/jax');
  const devices = await jax.init('webgpu');
  if (!devices.includes('webgpu')) throw new Error(`jax-js found no WebGPU device (it has: ${devices.join(', ') || 'none'})`);
  jax.defaultDevice('webgpu');
  return jax;
}
