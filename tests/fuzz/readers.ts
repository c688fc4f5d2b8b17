// Every file reader of the engine under one property (issue 36): from valid seed files,
// mutated (tests/fuzz/mutate.ts), each reader returns a result that is correct by an
// independent check, or throws the engine's own Error naming the file and what is
// wrong (tests/fuzz/harness.ts); a load into a model that fails changes no weight.
// Used by tests/node/readers_fuzz.test.ts (fixed seed) and npm run fuzz (scripts/fuzz.mjs).
import fc from 'fast-check';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
// @ts-expect-error plain JavaScript module of the command line
import { readSafetensorsMetadata, safetensorsMetadataOf } from '../../tools/cli/run_folder.mjs';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { parseCifar10 } from '../../src/data/cifar10';
import type { Dataset } from '../../src/data/dataset';
import { datasetsFromFiles } from '../../src/data/files';
import { parseIdx } from '../../src/data/idx';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint';
import { exportOnnx } from '../../src/io/onnx/onnx_export';
import { importOnnx } from '../../src/io/onnx/onnx_import';
import { onnx } from '../../src/io/onnx/onnx_proto';
import { parseSafetensors, safetensorsMetadata } from '../../src/io/safetensors';
import { exportStateDict, loadStateDict } from '../../src/io/state_dict';
import { torchStateDictLayout } from '../../src/io/torch_layout';
import { ActivationLayer } from '../../src/nn/activations';
import { Conv2d } from '../../src/nn/conv_layers';
import { Dense, Flatten } from '../../src/nn/dense_layers';
import { sequential, type Model } from '../../src/nn/model';
import { BatchNorm } from '../../src/nn/norm_layers';
import { Optimizer } from '../../src/training/optimizers';
import { MaxPool2d } from '../../src/nn/pool_layers';
import { DEFAULT_LIMITS, expectThat, firstDifference, guardedRead, lcg, sameValues, Violation, type Limits } from './harness';
import {
  applyByteMutations,
  applyLengthLie,
  byteMutation,
  byteMutations,
  lengthLie,
  writeUint,
  INTERESTING_INTS,
  type ByteMutation,
  type LengthLie,
} from './mutate';
import { DTYPE_BYTES, mutatedSafetensors, refEntry, refHeader, refValues, stCase, type StCase, type StFile } from './safetensors_files';

/** A reader under the fuzzer: its cases and the check of one case. */
export interface ReaderFuzz {
  readonly name: string;
  readonly what: string;
  prepare(root: string, limits: Limits): Promise<PreparedReader>;
}

export interface PreparedReader {
  // biome-ignore lint/suspicious/noExplicitAny: each reader's case type differs; the harness only passes a case from its own arbitrary to its own check
  arbitrary: fc.Arbitrary<any>;
  // biome-ignore lint/suspicious/noExplicitAny: see arbitrary
  check(c: any): Promise<void>;
}

const cpu = new CpuBackend();

// --- shared pieces ---

/** A safetensors file, read by the reference reader into editable tensors. */
function stFile(bytes: Uint8Array): StFile {
  const ref = refHeader(bytes);
  if (typeof ref === 'string') throw new Error(`seed file: ${ref}`);
  const dataBytes = bytes.length - ref.dataStart;
  const tensors = Object.keys(ref.header)
    .filter((k) => k !== '__metadata__')
    .map((name) => {
      const e = refEntry(ref.header, name, dataBytes);
      if (typeof e === 'string') throw new Error(`seed file: ${e}`);
      return { ...e, values: [...refValues(bytes, ref.dataStart, e)] };
    })
    .sort((a, b) => a.begin - b.begin)
    .map(({ name, dtype, shape, values }) => ({ name, dtype, shape, values }));
  return { tensors, metadata: (ref.header.__metadata__ as Record<string, string>) ?? null };
}

/** A file's tensors by the reference reader, for comparing what a load wrote; null when the file is not well-formed. */
function refTensors(bytes: Uint8Array): Map<string, { dtype: string; shape: number[]; values: Float32Array }> | string {
  const ref = refHeader(bytes);
  if (typeof ref === 'string') return ref;
  const out = new Map<string, { dtype: string; shape: number[]; values: Float32Array }>();
  for (const name of Object.keys(ref.header)) {
    if (name === '__metadata__') continue;
    const e = refEntry(ref.header, name, bytes.length - ref.dataStart);
    if (typeof e === 'string') return e;
    out.set(name, { dtype: e.dtype, shape: e.shape, values: refValues(bytes, ref.dataStart, e) });
  }
  return out;
}

const choose = <T>(xs: readonly T[], i: number): T => xs[i % xs.length];

/** Every weight and state value of a model and optimizers, and the optimizers' counters. */
async function snapshot(model: Model, optimizers: Optimizer[]): Promise<Map<string, Float32Array | number>> {
  const out = new Map<string, Float32Array | number>();
  for (const p of model.params()) out.set(p.name, await p.tensor.read());
  for (const [i, o] of optimizers.entries()) {
    for (const [name, t] of o.namedState()) out.set(`opt${i}.${name}`, await t.read());
    out.set(`opt${i}.steps`, o.steps);
    out.set(`opt${i}.lrFactor`, o.lrFactor);
  }
  return out;
}

function expectUnchanged(before: Map<string, Float32Array | number>, after: Map<string, Float32Array | number>, why: string): void {
  for (const [name, a] of before) {
    const b = after.get(name);
    const same = typeof a === 'number' ? Object.is(a, b) : b instanceof Float32Array && sameValues(a, b);
    expectThat(same, () => `${why}, yet '${name}' changed (${typeof a === 'number' ? `${a} -> ${b}` : firstDifference(a, b as Float32Array)})`);
  }
}

/** A small network with every kind of tensor a state dict or checkpoint holds: conv, batch norm statistics, a square Linear. */
function tinyModel(seed: number): Model {
  return sequential(
    [1, 4, 4],
    [
      new Conv2d({ filters: 2, kernel: 3, padding: 1 }),
      new BatchNorm(),
      new ActivationLayer('relu'),
      new Flatten(),
      new Dense({ units: 4 }),
      new Dense({ units: 4 }),
    ],
    'tiny',
  ).build(cpu, { seed });
}

/** Gives a model's batch-norm statistics non-trivial values (a positive variance). */
function perturb(model: Model, seed: number): void {
  const rand = lcg(seed);
  for (const p of model.params())
    p.tensor.write(Float32Array.from({ length: p.tensor.size }, () => (p.name.endsWith('running_var') ? 0.5 + rand() : rand() * 2 - 1)));
}

function optimizerWithState(model: Model, config: ConstructorParameters<typeof Optimizer>[0], seed: number): Optimizer {
  const o = new Optimizer(config);
  const rand = lcg(seed);
  for (const p of model.trainableParams()) for (const t of o.stateFor(p, model.backend)) t.write(Float32Array.from({ length: t.size }, () => rand()));
  o.steps = 5;
  return o;
}

// --- safetensors (src/io/safetensors.ts) ---

function mixedDtypeFile(): StFile {
  const rand = lcg(7);
  const values = (n: number, scale: number) => Array.from({ length: n }, () => Math.round((rand() * 2 - 1) * scale * 8) / 8);
  return {
    metadata: { format: 'pt', note: 'seed' },
    tensors: [
      { name: 'a.f32', dtype: 'F32', shape: [2, 3], values: values(6, 10) },
      { name: 'b.f16', dtype: 'F16', shape: [3], values: values(3, 4) },
      { name: 'c.bf16', dtype: 'BF16', shape: [2, 1], values: values(2, 4) },
      { name: 'd.f64', dtype: 'F64', shape: [2], values: values(2, 100) },
      { name: 'e.i64', dtype: 'I64', shape: [], values: [7] },
      { name: 'f.i32', dtype: 'I32', shape: [2], values: [-3, 70000] },
      { name: 'g.i16', dtype: 'I16', shape: [1, 2], values: [-300, 12] },
      { name: 'h.i8', dtype: 'I8', shape: [3], values: [-1, 0, 1] },
      { name: 'i.u8', dtype: 'U8', shape: [2, 2], values: [0, 1, 254, 255] },
      { name: 'j.bool', dtype: 'BOOL', shape: [2], values: [1, 0] },
      { name: 'k.empty', dtype: 'F32', shape: [0, 3], values: [] },
    ],
  };
}

/** What a successful parse must be: the header's entries exactly, tiling the data, with the values decoded here. */
function checkParsed(bytes: Uint8Array, parsed: ReturnType<typeof parseSafetensors>): void {
  const ref = refHeader(bytes);
  expectThat(typeof ref !== 'string', () => `parsed a file whose ${ref}`);
  if (typeof ref === 'string') return;
  const dataBytes = bytes.length - ref.dataStart;
  const names = Object.keys(ref.header)
    .filter((k) => k !== '__metadata__')
    .sort();
  const got = parsed.tensors.map((t) => t.name).sort();
  expectThat(names.join('\n') === got.join('\n'), () => `returned tensors [${got}] but the header has [${names}]`);
  const ranges: [number, number][] = [];
  for (const t of parsed.tensors) {
    const e = refEntry(ref.header, t.name, dataBytes);
    expectThat(typeof e !== 'string', () => `returned '${t.name}' although its ${e}`);
    if (typeof e === 'string') return;
    expectThat((t.dtype ?? 'F32') === e.dtype, () => `'${t.name}' came back as ${t.dtype}, the header says ${e.dtype}`);
    expectThat(t.shape.join() === e.shape.join(), () => `'${t.name}' came back with shape [${t.shape}], the header says [${e.shape}]`);
    expectThat(
      t.data.length * DTYPE_BYTES[e.dtype] === e.end - e.begin,
      () => `'${t.name}' has ${t.data.length} values for ${e.end - e.begin} bytes of ${e.dtype}`,
    );
    const want = refValues(bytes, ref.dataStart, e);
    expectThat(sameValues(t.data, want), () => `'${t.name}' values differ from the file's: ${firstDifference(t.data, want)}`);
    ranges.push([e.begin, e.end]);
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let at = 0;
  for (const [b, e] of ranges) {
    expectThat(b === at, () => `tensor data overlaps or leaves a gap at byte ${at} (next begins at ${b})`);
    at = e;
  }
  expectThat(at === dataBytes, () => `the tensors cover ${at} of ${dataBytes} data bytes`);
  checkMetadata(ref.header, parsed.metadata);
}

function checkMetadata(header: Record<string, unknown>, metadata: unknown): void {
  const want = header.__metadata__ ?? {};
  expectThat(metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata), () => `metadata came back as ${JSON.stringify(metadata)}`);
  for (const [k, v] of Object.entries(metadata as object))
    expectThat(typeof v === 'string', () => `metadata field '${k}' came back as ${JSON.stringify(v)}, not a string`);
  expectThat(JSON.stringify(metadata) === JSON.stringify(want), () => `metadata ${JSON.stringify(metadata)} differs from the header's ${JSON.stringify(want)}`);
}

async function safetensorsSeeds(root: string): Promise<StFile[]> {
  const torch = stFile(new Uint8Array(readFileSync(join(root, 'tests/fixtures/torch/separable_block.state.safetensors'))));
  const model = tinyModel(1);
  perturb(model, 1);
  const checkpoint = stFile(
    await saveCheckpoint(model, optimizerWithState(model, { kind: 'adam', lr: 0.01 }, 2), {
      progress: { epoch: 1, batch: 2, lossSum: 1.5, correct: 3, seen: 8, nonFinite: 0, seconds: 0.25 },
    }),
  );
  return [mixedDtypeFile(), torch, checkpoint];
}

const safetensors: ReaderFuzz = {
  name: 'safetensors',
  what: 'parseSafetensors and safetensorsMetadata (src/io/safetensors.ts)',
  async prepare(root, limits) {
    const seeds = await safetensorsSeeds(root);
    const file = 'fuzzed.safetensors';
    return {
      arbitrary: fc.record({ seed: fc.nat(), c: stCase }),
      async check({ seed, c }: { seed: number; c: StCase }) {
        const bytes = mutatedSafetensors(choose(seeds, seed), c);
        const parsed = await guardedRead(file, bytes.length, limits, () => parseSafetensors(bytes, file));
        if (parsed.ok) checkParsed(bytes, parsed.value);
        const meta = await guardedRead(file, bytes.length, limits, () => safetensorsMetadata(bytes, file));
        if (meta.ok) {
          const ref = refHeader(bytes);
          expectThat(typeof ref !== 'string', () => `read metadata of a file whose ${ref}`);
          if (typeof ref !== 'string') checkMetadata(ref.header, meta.value);
        }
        expectThat(!parsed.ok || meta.ok, () => `parseSafetensors read the file but safetensorsMetadata refused it: ${!meta.ok && meta.error.message}`);
      },
    };
  },
};

// --- the command line's metadata reader (tools/cli/run_folder.mjs) ---

const safetensorsCli: ReaderFuzz = {
  name: 'safetensors-cli',
  what: 'readSafetensorsMetadata and safetensorsMetadataOf (tools/cli/run_folder.mjs: npm run train)',
  async prepare(root, limits) {
    const seeds = await safetensorsSeeds(root);
    const path = join(tmpdir(), `fuzzed-${process.pid}.safetensors`);
    return {
      arbitrary: fc.record({ seed: fc.nat(), c: stCase }),
      async check({ seed, c }: { seed: number; c: StCase }) {
        const bytes = mutatedSafetensors(choose(seeds, seed), c);
        const checkRead = (meta: Awaited<ReturnType<typeof guardedRead>>) => {
          if (!meta.ok) return;
          const ref = refHeader(bytes);
          expectThat(typeof ref !== 'string', () => `read metadata of a file whose ${ref}`);
          if (typeof ref !== 'string') checkMetadata(ref.header, meta.value);
        };
        checkRead(await guardedRead('checkpoint in memory', bytes.length, limits, () => safetensorsMetadataOf(bytes, 'checkpoint in memory')));
        writeFileSync(path, bytes);
        try {
          checkRead(await guardedRead(path, bytes.length, limits, () => readSafetensorsMetadata(path)));
        } finally {
          rmSync(path, { force: true });
        }
      },
    };
  },
};

// --- checkpoints (src/io/checkpoint.ts) ---

const checkpoint: ReaderFuzz = {
  name: 'checkpoint',
  what: 'loadCheckpoint into a model and optimizer (src/io/checkpoint.ts, checkpoint_metadata.ts)',
  async prepare(_root, limits) {
    const source = tinyModel(1);
    perturb(source, 1);
    const progress = { epoch: 1, batch: 2, lossSum: 1.5, correct: 3, seen: 8, nonFinite: 0, seconds: 0.25 };
    const withAdam = await saveCheckpoint(source, optimizerWithState(source, { kind: 'adam', lr: 0.01 }, 2), {
      progress,
      metadata: { run_config: '{"epochs":3}' },
    });
    const lowered = optimizerWithState(source, { kind: 'adam', lr: 0.01 }, 3);
    lowered.lrFactor = 0.25;
    const seeds = [stFile(withAdam), stFile(await saveCheckpoint(source)), stFile(await saveCheckpoint(source, lowered))];
    const target = tinyModel(2);
    perturb(target, 2);
    const adam = optimizerWithState(target, { kind: 'adam', lr: 0.01 }, 4);
    const sgd = optimizerWithState(target, { kind: 'sgd', lr: 0.01, momentum: 0.9 }, 5);
    const file = 'fuzzed-checkpoint.safetensors';
    return {
      arbitrary: fc.record({ seed: fc.nat(), optimizer: fc.constantFrom('adam', 'sgd', 'none'), c: stCase }),
      async check({ seed, optimizer, c }: { seed: number; optimizer: 'adam' | 'sgd' | 'none'; c: StCase }) {
        const bytes = mutatedSafetensors(choose(seeds, seed), c);
        const opt = optimizer === 'adam' ? adam : optimizer === 'sgd' ? sgd : undefined;
        const before = await snapshot(target, [adam, sgd]);
        const out = await guardedRead(file, bytes.length, limits, () => loadCheckpoint(target, bytes, file, opt));
        const after = await snapshot(target, [adam, sgd]);
        if (!out.ok) return expectUnchanged(before, after, `the load failed (${out.error.message})`);
        const ref = refTensors(bytes);
        expectThat(typeof ref !== 'string', () => `loaded a file whose ${ref}`);
        if (typeof ref === 'string') return;
        const targets: [string, Float32Array][] = target.params().map((p) => [p.name, after.get(p.name) as Float32Array]);
        const optIndex = opt === adam ? 0 : 1;
        if (opt) for (const [name] of opt.namedState()) targets.push([`optimizer.${name}`, after.get(`opt${optIndex}.${name}`) as Float32Array]);
        for (const [name, values] of targets) {
          const t = ref.get(name);
          expectThat(t, () => `loaded, but the file has no tensor '${name}'`);
          expectThat(t.dtype === 'F32', () => `loaded '${name}' from ${t.dtype} data`);
          expectThat(sameValues(values, t.values), () => `'${name}' holds other values than the file: ${firstDifference(values, t.values)}`);
          expectThat(values.every(Number.isFinite), () => `'${name}' was loaded with a non-finite value`);
          if (name.endsWith('running_var') || name.endsWith('.v'))
            expectThat(
              values.every((v) => v >= 0),
              () => `variance '${name}' was loaded with a negative value`,
            );
        }
        const metadata = (refHeader(bytes) as { header: Record<string, unknown> }).header.__metadata__ as Record<string, string> | undefined;
        if (opt) {
          const steps = metadata?.optimizer_steps;
          if (steps !== undefined)
            expectThat(opt.steps === Number(steps) && /^(0|[1-9]\d*)$/.test(steps), () => `optimizer_steps ${JSON.stringify(steps)} loaded as ${opt.steps}`);
          const factor = metadata?.optimizer_lr_factor;
          expectThat(
            opt.lrFactor === (factor === undefined ? 1 : Number(factor)) && opt.lrFactor > 0 && Number.isFinite(opt.lrFactor),
            () => `optimizer_lr_factor ${JSON.stringify(factor)} loaded as ${opt.lrFactor}`,
          );
          if (metadata?.optimizer !== undefined)
            expectThat(metadata.optimizer === opt.config.kind, () => `state of ${metadata.optimizer} loaded into ${opt.config.kind}`);
        }
        // The optimizer not passed keeps its state.
        const other = opt === adam ? 1 : 0;
        const untouched = new Map([...before].filter(([k]) => k.startsWith(`opt${other}.`) || (!opt && k.startsWith('opt'))));
        expectUnchanged(untouched, after, 'that optimizer was not part of the load');
      },
    };
  },
};

// --- PyTorch state dicts (src/io/state_dict.ts) ---

const stateDict: ReaderFuzz = {
  name: 'state-dict',
  what: 'loadStateDict into a model, strict or not (src/io/state_dict.ts)',
  async prepare(_root, limits) {
    const source = tinyModel(1);
    perturb(source, 1);
    const seeds = [stFile(await exportStateDict(source))];
    const half = stFile(await exportStateDict(source));
    half.tensors = half.tensors.map((t, i) => (t.dtype === 'F32' ? { ...t, dtype: ['F16', 'BF16', 'F64', 'F32'][i % 4] } : t));
    seeds.push(half);
    const target = tinyModel(3);
    perturb(target, 3);
    const layout = torchStateDictLayout(target);
    const file = 'fuzzed-state-dict.safetensors';
    return {
      arbitrary: fc.record({ seed: fc.nat(), strict: fc.boolean(), c: stCase }),
      async check({ seed, strict, c }: { seed: number; strict: boolean; c: StCase }) {
        const bytes = mutatedSafetensors(choose(seeds, seed), c);
        const before = await snapshot(target, []);
        const out = await guardedRead(file, bytes.length, limits, () => loadStateDict(target, bytes, { file, strict }));
        const after = await snapshot(target, []);
        if (!out.ok) return expectUnchanged(before, after, `the load failed (${out.error.message})`);
        const ref = refTensors(bytes);
        expectThat(typeof ref !== 'string', () => `loaded a file whose ${ref}`);
        if (typeof ref === 'string') return;
        const loaded = new Set(out.value.loaded);
        expectThat(loaded.size === out.value.loaded.length, () => `a parameter was loaded twice: ${out.value.loaded}`);
        const ours = layout.filter((t) => t.ours !== null);
        if (strict) expectThat(loaded.size === ours.length, () => `strict load wrote ${loaded.size} of ${ours.length} parameters`);
        for (const t of ours) {
          const name = t.ours!;
          const values = after.get(name) as Float32Array;
          if (!loaded.has(name)) {
            expectThat(sameValues(values, before.get(name) as Float32Array), () => `'${name}' is not in the result's loaded list, yet it changed`);
            continue;
          }
          const f = ref.get(t.torch);
          expectThat(f, () => `'${name}' was loaded, but the file has no '${t.torch}'`);
          expectThat(['F32', 'F16', 'BF16', 'F64'].includes(f.dtype), () => `'${name}' was loaded from ${f.dtype} data`);
          expectThat(f.shape.join() === t.shape.join(), () => `'${name}' was loaded from shape [${f.shape}], the model's is [${t.shape}]`);
          let want = f.values;
          if (t.transposed) {
            const [rows, cols] = f.shape;
            want = new Float32Array(want.length);
            for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) want[k * rows + r] = f.values[r * cols + k];
          }
          expectThat(sameValues(values, want), () => `'${name}' holds other values than '${t.torch}' of the file: ${firstDifference(values, want)}`);
          expectThat(values.every(Number.isFinite), () => `'${name}' was loaded with a non-finite value`);
          if (name.endsWith('running_var'))
            expectThat(
              values.every((v) => v >= 0),
              () => `variance '${name}' was loaded with a negative value`,
            );
        }
      },
    };
  },
};

// --- ONNX (src/io/onnx/) ---

type OnnxEdit =
  | { k: 'dim'; t: number; i: number; v: number }
  | { k: 'dtype'; t: number; v: number }
  | { k: 'raw'; t: number; keep: number; extra: number }
  | { k: 'typed'; t: number; extra: number }
  | { k: 'external'; t: number; offset: string | null; length: string | null; pad: number }
  | { k: 'inputDim'; i: number; v: number; param: boolean }
  | { k: 'attr'; node: number; a: number; v: number; ints: number[]; type: number | null }
  | { k: 'op'; node: number; op: string }
  | { k: 'wire'; node: number; i: number; to: number }
  | { k: 'drop'; what: 'node' | 'initializer' | 'input' | 'output' | 'attribute'; i: number }
  | { k: 'opset'; v: number };

interface OnnxCase {
  seed: number;
  edits: OnnxEdit[];
  lengths: LengthLie[];
  bytes: ByteMutation[];
}

const ONNX_INTS = [-(2 ** 53), -(2 ** 31), -2, -1, 0, 1, 2, 3, 4, 5, 7, 16, 1000, 65536, 2 ** 24, 2 ** 31, 2 ** 32, 1e12, 2 ** 53];
const onnxInt = fc.oneof(fc.constantFrom(...ONNX_INTS), fc.integer({ min: -4, max: 64 }));
const OPS = [
  'Conv',
  'Gemm',
  'MatMul',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Relu',
  'Clip',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'ReduceMean',
  'BatchNormalization',
  'Concat',
  'Flatten',
  'Reshape',
  'Transpose',
  'Dropout',
  'LRN',
  'Softmax',
  'Identity',
  'Constant',
  'Pad',
  'Resize',
  '',
];
const OFFSETS = [null, '0', '4', '-4', '-1', '1e3', 'abc', '', '0x10', '99999999999', '1.5', ' 8', '9007199254740993'];

const onnxEdit: fc.Arbitrary<OnnxEdit> = fc.oneof(
  fc.record({ k: fc.constant('dim' as const), t: fc.nat(), i: fc.nat({ max: 4 }), v: onnxInt }),
  fc.record({ k: fc.constant('dtype' as const), t: fc.nat(), v: fc.oneof(fc.integer({ min: 0, max: 17 }), fc.constant(99)) }),
  fc.record({ k: fc.constant('raw' as const), t: fc.nat(), keep: fc.nat(), extra: fc.nat({ max: 9 }) }),
  fc.record({ k: fc.constant('typed' as const), t: fc.nat(), extra: fc.integer({ min: -2, max: 2 }) }),
  fc.record({
    k: fc.constant('external' as const),
    t: fc.nat(),
    offset: fc.constantFrom(...OFFSETS),
    length: fc.constantFrom(...OFFSETS),
    pad: fc.nat({ max: 8 }),
  }),
  fc.record({ k: fc.constant('inputDim' as const), i: fc.nat({ max: 4 }), v: onnxInt, param: fc.boolean() }),
  fc.record({
    k: fc.constant('attr' as const),
    node: fc.nat(),
    a: fc.nat(),
    v: onnxInt,
    ints: fc.array(onnxInt, { maxLength: 9 }),
    type: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 14 })),
  }),
  fc.record({ k: fc.constant('op' as const), node: fc.nat(), op: fc.constantFrom(...OPS) }),
  fc.record({ k: fc.constant('wire' as const), node: fc.nat(), i: fc.nat({ max: 4 }), to: fc.nat() }),
  fc.record({
    k: fc.constant('drop' as const),
    what: fc.constantFrom('node' as const, 'initializer' as const, 'input' as const, 'output' as const, 'attribute' as const),
    i: fc.nat(),
  }),
  fc.record({ k: fc.constant('opset' as const), v: fc.oneof(fc.integer({ min: 5, max: 20 }), fc.constantFrom(-1, 2 ** 31, 2 ** 53)) }),
);

type ModelProto = ReturnType<typeof onnx.ModelProto.decode>;

/** Applies the edits to a decoded model; returns the external data the edits made. */
function editOnnx(m: ModelProto, edits: readonly OnnxEdit[]): Record<string, Uint8Array> {
  const g = m.graph!;
  const external: Record<string, Uint8Array> = {};
  const inits = g.initializer ?? [];
  const nodes = g.node ?? [];
  for (const e of edits) {
    if (e.k === 'dim' || e.k === 'dtype' || e.k === 'raw' || e.k === 'typed' || e.k === 'external') {
      if (inits.length === 0) continue;
      const t = choose(inits, e.t);
      if (e.k === 'dim') {
        const dims = [...(t.dims ?? [])];
        dims[Math.min(e.i, dims.length)] = e.v;
        t.dims = dims;
      } else if (e.k === 'dtype') t.dataType = e.v;
      else if (e.k === 'raw') {
        const raw = t.rawData ?? new Uint8Array();
        const keep = raw.length ? e.keep % (raw.length + 1) : 0;
        const out = new Uint8Array(keep + e.extra);
        out.set(raw.subarray(0, keep));
        t.rawData = out;
      } else if (e.k === 'typed') {
        const raw = t.rawData ?? new Uint8Array();
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        const n = Math.max(0, Math.floor(raw.length / 4) + e.extra);
        t.floatData = Array.from({ length: n }, (_, i) => (i * 4 + 4 <= raw.length ? view.getFloat32(i * 4, true) : 1));
        t.rawData = new Uint8Array();
      } else {
        const raw = t.rawData ?? new Uint8Array();
        const blob = new Uint8Array(e.pad + raw.length);
        blob.set(raw, e.pad);
        external['weights.bin'] = blob;
        t.rawData = new Uint8Array();
        t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
        t.externalData = [{ key: 'location', value: 'weights.bin' }];
        const offset = e.offset ?? String(e.pad);
        const length = e.length ?? String(raw.length);
        t.externalData.push({ key: 'offset', value: offset }, { key: 'length', value: length });
      }
    } else if (e.k === 'inputDim') {
      const dims = g.input?.[0]?.type?.tensorType?.shape?.dim;
      if (!dims) continue;
      dims[Math.min(e.i, dims.length)] = e.param ? { dimParam: 'N' } : { dimValue: e.v };
    } else if (e.k === 'attr' || e.k === 'op' || e.k === 'wire') {
      if (nodes.length === 0) continue;
      const node = choose(nodes, e.node);
      if (e.k === 'op') node.opType = e.op;
      else if (e.k === 'wire') {
        const names = [...inits.map((t) => t.name ?? ''), ...nodes.flatMap((n) => n.output ?? []), ...(g.input ?? []).map((i) => i.name ?? ''), '', 'nowhere'];
        const inputs = [...(node.input ?? [])];
        inputs[Math.min(e.i, inputs.length)] = choose(names, e.to);
        node.input = inputs;
      } else {
        const attrs = node.attribute ?? [];
        if (attrs.length === 0) continue;
        const a = choose(attrs, e.a);
        if (e.type !== null) a.type = e.type;
        a.i = e.v;
        a.ints = e.ints;
        a.f = e.v;
        a.floats = e.ints;
      }
    } else if (e.k === 'drop') {
      const list =
        e.what === 'node'
          ? nodes
          : e.what === 'initializer'
            ? inits
            : e.what === 'input'
              ? (g.input ?? [])
              : e.what === 'output'
                ? (g.output ?? [])
                : nodes.length
                  ? (choose(nodes, e.i).attribute ?? [])
                  : [];
      if (list.length) list.splice(e.i % list.length, 1);
    } else if (e.k === 'opset') {
      if (m.opsetImport?.[0]) m.opsetImport[0].version = e.v;
    }
  }
  return external;
}

async function onnxSeeds(root: string): Promise<Uint8Array[]> {
  const fixtures = ['separable_block.onnx', 'inception_module.onnx'].map((f) => new Uint8Array(readFileSync(join(root, 'tests/fixtures/torch', f))));
  const mlp = sequential(
    [1, 6, 6],
    [
      new Conv2d({ filters: 2, kernel: 3 }),
      new BatchNorm(),
      new ActivationLayer('relu'),
      new MaxPool2d({ kernel: 2 }),
      new Flatten(),
      new Dense({ units: 5, activation: 'relu' }),
      new Dense({ units: 3 }),
    ],
    'mlp',
  ).build(cpu, { seed: 1 });
  return [...fixtures, await exportOnnx(mlp)];
}

const onnxReader: ReaderFuzz = {
  name: 'onnx',
  what: 'importOnnx, then build on the CPU (src/io/onnx/)',
  async prepare(root, limits) {
    const seeds = await onnxSeeds(root);
    const file = 'fuzzed.onnx';
    return {
      arbitrary: fc.record({
        seed: fc.nat(),
        edits: fc.array(onnxEdit, { maxLength: 3 }),
        lengths: fc.oneof(
          { weight: 4, arbitrary: fc.constant([] as LengthLie[]) },
          { weight: 1, arbitrary: fc.array(lengthLie, { minLength: 1, maxLength: 2 }) },
        ),
        bytes: fc.oneof(
          { weight: 3, arbitrary: fc.constant([] as ByteMutation[]) },
          { weight: 1, arbitrary: fc.array(byteMutation, { minLength: 1, maxLength: 3 }) },
        ),
      }),
      async check(c: OnnxCase) {
        const m = onnx.ModelProto.decode(choose(seeds, c.seed));
        const externalData = editOnnx(m, c.edits);
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(onnx.ModelProto.encode(m).finish());
        } catch {
          bytes = choose(seeds, c.seed).slice(); // protobufjs cannot write the edit (a value out of its type's range): the seed as is.
        }
        for (const lie of c.lengths) bytes = applyLengthLie(bytes, lie);
        bytes = applyByteMutations(bytes, c.bytes);
        const size = bytes.length + Object.values(externalData).reduce((s, b) => s + b.length, 0);
        const out = await guardedRead(file, size, limits, () => importOnnx(bytes, { file, externalData }).build(cpu));
        if (!out.ok) return;
        const model = out.value;
        try {
          const params = new Map(model.params().map((p) => [p.name, p]));
          for (const [name, w] of model.initialWeights) {
            const p = params.get(name);
            if (!p) continue; // a node whose output the graph's output does not use: not part of the model, as in ONNX
            expectThat(p.tensor.size === w.length, () => `weight '${name}' has ${w.length} values for a parameter of ${p.tensor.size}`);
            const values = await p.tensor.read();
            expectThat(sameValues(values, w), () => `parameter '${name}' does not hold the file's weight: ${firstDifference(values, w)}`);
          }
        } finally {
          model.dispose();
        }
      },
    };
  },
};

// --- IDX (src/data/idx.ts), plain or gzip ---

type IdxEdit = { k: 'dim'; i: number; v: number } | { k: 'type'; v: number } | { k: 'ndim'; v: number };

const idxEdit: fc.Arbitrary<IdxEdit> = fc.oneof(
  fc.record({
    k: fc.constant('dim' as const),
    i: fc.nat({ max: 4 }),
    v: fc.oneof(fc.constantFrom(...INTERESTING_INTS.filter((v) => v < 2 ** 32)), fc.nat({ max: 100 })),
  }),
  fc.record({ k: fc.constant('type' as const), v: fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0, 0xff) }),
  fc.record({ k: fc.constant('ndim' as const), v: fc.constantFrom(0, 1, 2, 3, 4, 5, 255) }),
);

function idxFile(dims: number[], seed: number, classes?: number): Uint8Array {
  const rand = lcg(seed);
  const count = dims.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * dims.length + count);
  out.set([0, 0, 8, dims.length]);
  dims.forEach((d, i) => writeUint(out, 4 + 4 * i, 4, false, BigInt(d)));
  for (let i = 0; i < count; i++) out[4 + 4 * dims.length + i] = Math.floor(rand() * (classes ?? 256));
  return out;
}

function editIdx(plain: Uint8Array, edits: readonly IdxEdit[]): Uint8Array {
  const out = plain.slice();
  for (const e of edits) {
    if (e.k === 'dim') writeUint(out, 4 + 4 * e.i, 4, false, BigInt(e.v));
    else if (out.length >= 4) out[e.k === 'type' ? 2 : 3] = e.v;
  }
  return out;
}

interface IdxCase {
  seed: number;
  gzip: boolean;
  header: IdxEdit[];
  bytes: ByteMutation[];
  gzBytes: ByteMutation[];
}

const idxCase: fc.Arbitrary<IdxCase> = fc.record({
  seed: fc.nat(),
  gzip: fc.boolean(),
  header: fc.array(idxEdit, { maxLength: 2 }),
  bytes: byteMutations(2),
  gzBytes: fc.oneof({ weight: 2, arbitrary: fc.constant([] as ByteMutation[]) }, { weight: 1, arbitrary: byteMutations(2) }),
});

function mutatedIdx(plain: Uint8Array, c: IdxCase): Uint8Array {
  const edited = applyByteMutations(editIdx(plain, c.header), c.bytes);
  return c.gzip ? applyByteMutations(new Uint8Array(gzipSync(edited)), c.gzBytes) : edited;
}

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

const idx: ReaderFuzz = {
  name: 'idx',
  what: 'parseIdx, plain and gzip (src/data/idx.ts)',
  async prepare(_root, limits) {
    const seeds = [idxFile([3, 4, 5], 1), idxFile([3], 2, 10), idxFile([2, 3], 3), idxFile([1, 2, 2, 2], 4)];
    const file = 'fuzzed-idx3-ubyte';
    return {
      arbitrary: idxCase,
      async check(c: IdxCase) {
        const raw = mutatedIdx(choose(seeds, c.seed), c);
        let plain: Uint8Array | null = null;
        try {
          plain = isGzip(raw) ? new Uint8Array(gunzipSync(raw)) : raw;
        } catch {
          plain = null;
        }
        const out = await guardedRead(file, Math.max(raw.length, plain?.length ?? 0), limits, () => parseIdx(raw, file));
        if (!out.ok) return;
        expectThat(plain, () => 'read a gzip stream that zlib refuses');
        const { dims, data } = out.value;
        expectThat(plain[0] === 0 && plain[1] === 0 && plain[2] === 8, () => `read a file with magic ${[...plain!.subarray(0, 4)]}`);
        expectThat(dims.length === plain[3] && dims.length >= 1, () => `returned ${dims.length} dims for rank byte ${plain![3]}`);
        const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
        dims.forEach((d, i) => expectThat(d === view.getUint32(4 + 4 * i, false), () => `dim ${i} came back as ${d}`));
        expectThat(data.length === dims.reduce((a, b) => a * b, 1), () => `${data.length} data bytes for dims [${dims}]`);
        expectThat(sameValues(data, plain.subarray(4 + 4 * dims.length)), () => `the data differs from the file's`);
      },
    };
  },
};

// --- CIFAR-10 binaries (src/data/cifar10.ts) ---

/** CIFAR-10 records are 1 + 3072 bytes; CIFAR-100's are 2 + 3072 (coarse and fine label). */
function cifarFile(records: number, recordSize: number, seed: number): Uint8Array {
  const rand = lcg(seed);
  const out = new Uint8Array(records * recordSize);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  for (let r = 0; r < records; r++) {
    const labels = recordSize - 3072;
    for (let l = 0; l < labels; l++) out[r * recordSize + l] = Math.floor(rand() * (labels === 2 ? (l === 0 ? 20 : 100) : 10));
  }
  return out;
}

type CifarEdit = { k: 'label'; r: number; v: number } | { k: 'records'; size: number; n: number };

const cifarEdit: fc.Arbitrary<CifarEdit> = fc.oneof(
  fc.record({ k: fc.constant('label' as const), r: fc.nat(), v: fc.constantFrom(0, 9, 10, 19, 99, 255) }),
  fc.record({ k: fc.constant('records' as const), size: fc.constantFrom(3072, 3073, 3074, 3075), n: fc.integer({ min: 1, max: 4 }) }),
);

function editCifar(bytes: Uint8Array, edits: readonly CifarEdit[], recordSize: number): Uint8Array {
  let out: Uint8Array = bytes.slice();
  for (const e of edits) {
    if (e.k === 'records') {
      out = cifarFile(e.n, e.size, e.n * 31 + e.size);
      recordSize = e.size;
    } else if (out.length >= recordSize) out[(e.r % Math.floor(out.length / recordSize)) * recordSize] = e.v;
  }
  return out;
}

const cifarSeeds = () => [
  { bytes: cifarFile(1, 3073, 1), record: 3073 },
  { bytes: cifarFile(3, 3073, 2), record: 3073 },
  { bytes: cifarFile(2, 3074, 3), record: 3074 },
];

function checkCifar(bytes: Uint8Array, d: Dataset): void {
  expectThat(bytes.length > 0 && bytes.length % 3073 === 0, () => `read ${bytes.length} bytes, not a whole number of 3073-byte records`);
  const count = bytes.length / 3073;
  expectThat(
    d.count === count && d.labels.length === count && d.images.length === count * 3072,
    () => `${d.count} records, ${d.labels.length} labels, ${d.images.length} values for ${count} records`,
  );
  expectThat(d.shape.join() === '3,32,32' && d.classes === 10, () => `shape [${d.shape}] and ${d.classes} classes`);
  for (let i = 0; i < count; i++) {
    expectThat(d.labels[i] === bytes[i * 3073] && d.labels[i] < 10, () => `record ${i}: label ${d.labels[i]}, the file has ${bytes[i * 3073]}`);
    for (let k = 0; k < 3072; k += 97)
      expectThat(d.images[i * 3072 + k] === Math.fround(bytes[i * 3073 + 1 + k] / 255), () => `record ${i}: value ${k} differs`);
  }
}

const cifar: ReaderFuzz = {
  name: 'cifar',
  what: 'parseCifar10 (src/data/cifar10.ts), CIFAR-100 files refused as such',
  async prepare(_root, limits) {
    const seeds = cifarSeeds();
    const file = 'fuzzed_batch.bin';
    return {
      arbitrary: fc.record({ seed: fc.nat(), edits: fc.array(cifarEdit, { maxLength: 2 }), bytes: byteMutations(2) }),
      async check({ seed, edits, bytes: mutations }: { seed: number; edits: CifarEdit[]; bytes: ByteMutation[] }) {
        const s = choose(seeds, seed);
        const bytes = applyByteMutations(editCifar(s.bytes, edits, s.record), mutations);
        const out = await guardedRead(file, bytes.length, limits, () => parseCifar10(bytes, file));
        if (out.ok) return checkCifar(bytes, out.value);
        if (bytes.length > 0 && bytes.length % 3074 === 0 && bytes.length % 3073 !== 0) {
          expectThat(
            /CIFAR-100/.test(out.error.message),
            () => `a file of whole 3074-byte records (CIFAR-100's) is refused without saying so: ${out.error.message}`,
          );
        }
      },
    };
  },
};

// --- dataset files the visitor picks (src/data/files.ts) ---

interface PickedCase {
  set: number;
  which: number;
  idx: IdxEdit[];
  cifar: CifarEdit[];
  bytes: ByteMutation[];
}

function checkDataset(name: string, d: Dataset): void {
  const per = d.shape.reduce((a, b) => a * b, 1);
  expectThat(d.count > 0 && per > 0, () => `the ${name} split holds ${d.count} examples of [${d.shape}]`);
  expectThat(
    d.images.length === d.count * per && d.labels.length === d.count,
    () => `the ${name} split has ${d.images.length} values and ${d.labels.length} labels for ${d.count} examples of [${d.shape}]`,
  );
  expectThat(
    d.labels.every((l) => l < d.classes),
    () => `the ${name} split has a label outside [0, ${d.classes})`,
  );
  expectThat(
    d.images.every((v) => v >= 0 && v <= 1),
    () => `the ${name} split has a value outside [0, 1]`,
  );
}

const pickedFiles: ReaderFuzz = {
  name: 'dataset-files',
  what: 'datasetsFromFiles: four IDX files (gzip or not) or CIFAR-10 batches (src/data/files.ts)',
  async prepare(_root, limits) {
    const idxSet = [
      { name: 'train-images-idx3-ubyte', bytes: idxFile([4, 3, 3], 1) },
      { name: 'train-labels-idx1-ubyte', bytes: idxFile([4], 2, 10) },
      { name: 't10k-images-idx3-ubyte.gz', bytes: idxFile([2, 3, 3], 3), gzip: true },
      { name: 't10k-labels-idx1-ubyte', bytes: idxFile([2], 4, 10) },
    ];
    const cifarSet = [
      { name: 'data_batch_1.bin', bytes: cifarFile(2, 3073, 5) },
      { name: 'test_batch.bin', bytes: cifarFile(1, 3073, 6) },
    ];
    return {
      arbitrary: fc.record({
        set: fc.nat({ max: 1 }),
        which: fc.nat(),
        idx: fc.array(idxEdit, { maxLength: 2 }),
        cifar: fc.array(cifarEdit, { maxLength: 1 }),
        bytes: byteMutations(2),
      }),
      async check(c: PickedCase) {
        const set = c.set === 0 ? idxSet : cifarSet;
        const which = c.which % set.length;
        const files = set.map((f, i) => {
          if (i !== which) return { name: f.name, bytes: 'gzip' in f ? new Uint8Array(gzipSync(f.bytes)) : f.bytes };
          const edited = c.set === 0 ? editIdx(f.bytes, c.idx) : editCifar(f.bytes, c.cifar, 3073);
          const mutated = applyByteMutations(edited, c.bytes);
          return { name: f.name, bytes: 'gzip' in f ? new Uint8Array(gzipSync(mutated)) : mutated };
        });
        const size = files.reduce((s, f) => s + f.bytes.length, 0) + set.reduce((s, f) => s + f.bytes.length, 0) + c.bytes.length * 64;
        const out = await guardedRead(files[which].name, size, limits, () => datasetsFromFiles(files));
        if (!out.ok) return;
        checkDataset('training', out.value.train);
        checkDataset('test', out.value.test);
        expectThat(
          out.value.train.shape.join() === out.value.test.shape.join(),
          () => `training examples are [${out.value.train.shape}], test examples [${out.value.test.shape}]`,
        );
        expectThat(
          out.value.classes.length === out.value.train.classes,
          () => `${out.value.classes.length} class names for ${out.value.train.classes} classes`,
        );
      },
    };
  },
};

export const READERS: readonly ReaderFuzz[] = [safetensors, safetensorsCli, checkpoint, stateDict, onnxReader, idx, cifar, pickedFiles];

export function readerByName(name: string): ReaderFuzz {
  const r = READERS.find((x) => x.name === name);
  if (!r) throw new Error(`no reader '${name}'; readers: ${READERS.map((x) => x.name).join(', ')}`);
  return r;
}

/** The property of one reader: fast-check draws a mutated file and `check` holds it to the rule. */
export async function readerProperty(reader: ReaderFuzz, root: string, limits: Limits = DEFAULT_LIMITS, onCase?: () => void) {
  const { arbitrary, check } = await reader.prepare(root, limits);
  return fc.asyncProperty(arbitrary, async (c) => {
    onCase?.();
    await check(c);
  });
}

export { Violation };
