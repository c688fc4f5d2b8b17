// The Verify page: the per-node GPU-against-CPU comparison of a chosen model, sorted and
// headlined by the pass rule's measure (the error over the output's scale), worst nodes
// first. `window.verifyDemo` holds the last table for the end-to-end tests.
import { sizeOf } from '../src/shape';
import { verify, VERIFY_SCALE_FLOOR, VERIFY_TOLERANCE, type VerifyRow } from '../src/nn/verify';
import { MODELS } from '../src/nn/zoo';
import { Random } from '../src/random';
import { $, requireWebGPU } from './ui/backend_choice';

declare global {
  interface Window {
    verifyDemo?: { rows: VerifyRow[] } | { error: string };
  }
}

const CHOICES = ['every-layer', 'lenet5', 'lenet5-bn', 'conv-bn', 'cifar-cnn'];

async function run(): Promise<void> {
  const status = $('status');
  const gpu = await requireWebGPU($('webgpu-warning'), 'Verify compares WebGPU with the CPU, so it needs WebGPU.');
  const name = $<HTMLSelectElement>('model').value;
  const batch = Number($<HTMLInputElement>('batch').value);
  // Each zoo model on the input it was made for.
  const model = MODELS[name]().build(gpu, { seed: Number($<HTMLInputElement>('seed').value) });
  const shape = model.input.shape;
  status.textContent = `Running ${model.name} (batch ${batch}) on the CPU reference and on ${gpu.adapterInfo.vendor} ${gpu.adapterInfo.architecture}…`;
  const rng = new Random(7);
  const classes = model.output.shape[0];
  const x = rng.uniformArray(batch * sizeOf(shape));
  const labels = Array.from({ length: batch }, (_, i) => i % classes);
  const started = performance.now();
  const rows = await verify(model, { x, labels });
  model.dispose();
  rows.sort((a, b) => b.errorOverScale - a.errorOverScale || b.maxAbsError - a.maxAbsError);
  const body = $<HTMLTableElement>('nodes').tBodies[0];
  body.replaceChildren();
  const e = (v: number) => v.toExponential(2);
  for (const r of rows) {
    const tr = body.insertRow();
    for (const v of [String(r.index), r.phase, r.op, r.shape, e(r.maxAbsError), e(r.errorOverScale), e(r.maxRelError), r.ok ? 'ok' : 'FAIL'])
      tr.insertCell().textContent = v;
    if (!r.ok) tr.className = 'error';
  }
  $('nodes').hidden = false;
  const failed = rows.filter((r) => !r.ok).length;
  const worst = rows[0];
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  status.className = failed === 0 ? 'ok' : 'bad';
  status.textContent =
    `${failed === 0 ? `Pass: all ${rows.length} nodes` : `${failed} of ${rows.length} nodes FAILED`} (${new Set(rows.map((r) => r.op)).size} op kinds, ${seconds} s). ` +
    `Worst error over scale ${worst ? `${e(worst.errorOverScale)} (${worst.op} ${worst.shape}, ${worst.phase})` : '-'}; the limit is ${VERIFY_TOLERANCE.toExponential(0)}, and error over scale = largest |WebGPU − CPU| / (largest |CPU| + ${VERIFY_SCALE_FLOOR}).`;
  window.verifyDemo = { rows };
}

for (const name of CHOICES) $('model').append(new Option(name, name));
$('run').onclick = () => {
  $<HTMLButtonElement>('run').disabled = true;
  run()
    .catch((e: Error) => {
      $('status').className = 'bad';
      $('status').textContent = `Error: ${e.message}`;
      window.verifyDemo = { error: e.message };
    })
    .finally(() => ($<HTMLButtonElement>('run').disabled = false));
};
