// The Train page's line above the form: which adapter this browser has (a software one,
// or none and so the CPU, starts the form as a quick run), how long the form's run and a
// full run would take here, and during a run the measured speed.
import { $, WEBGPU_HELP, webgpu } from './backend_choice';
import { EVAL_SPEEDUP, FULL_RUN, formatDuration, QUICK_RUN, runSeconds, type Speed, SWIFTSHADER_IMAGES_PER_SECOND } from './train_plan';
import type { BatchEvent } from './train_protocol';

const num = (id: string) => Number($<HTMLInputElement>(id).value);
/** What this browser's WebGPU is, once asked: the adapter in words and whether it is a software one. */
let adapter: { name: string; software: boolean } | null = null;

// How long runs take here: measured on an earlier run of this adapter and model, else SwiftShader's figure.
const SPEEDS = 'webgpu-cnn-train-speeds';
const speedKey = () =>
  `${$<HTMLSelectElement>('backend').value === 'cpu' ? 'cpu' : (adapter?.name ?? '?')}|${$<HTMLSelectElement>('model').value}|${num('batch')}`;
function storedSpeeds(): Record<string, Speed> {
  try {
    return JSON.parse(localStorage.getItem(SPEEDS) ?? '{}') as Record<string, Speed>;
  } catch {
    return {};
  }
}
export function rememberSpeed(speed: Speed): void {
  try {
    localStorage.setItem(SPEEDS, JSON.stringify({ ...storedSpeeds(), [speedKey()]: speed }));
  } catch {
    // A private window may refuse storage: the estimate then comes from the table.
  }
}

/** The speed to estimate with, and where it came from; null when nothing is known. */
function knownSpeed(): { speed: Speed; from: string } | null {
  const measured = storedSpeeds()[speedKey()];
  if (measured) return { speed: measured, from: 'measured here on an earlier run' };
  const table = SWIFTSHADER_IMAGES_PER_SECOND[$<HTMLSelectElement>('model').value];
  if (table && adapter?.software && $<HTMLSelectElement>('backend').value !== 'cpu')
    return { speed: { train: table, evaluate: EVAL_SPEEDUP * table }, from: "SwiftShader's measured speed on 2 CPU cores" };
  return null;
}

/** The line above the form: the adapter, the run the form holds and what a full one would take. */
export function showPlan(): void {
  const cpu = $<HTMLSelectElement>('backend').value === 'cpu';
  const where = cpu
    ? 'Training runs on the CPU reference backend, in a worker so the page stays responsive (slow: a quick run is the place to start).'
    : adapter?.software
      ? `This browser's WebGPU runs on ${adapter.name}, a software adapter on the CPU: much slower than a GPU, so the form starts as a quick run.`
      : `WebGPU runs on ${adapter?.name ?? 'this adapter'}.`;
  const known = knownSpeed();
  const form = { limit: num('limit'), testLimit: num('test-limit'), epochs: num('epochs') };
  const est = (run: typeof form) => formatDuration(runSeconds(run, known!.speed, num('batch')));
  const times = known
    ? ` This run: about ${est(form)}. A full run (${FULL_RUN.limit.toLocaleString('en-US')} examples, ${FULL_RUN.epochs} epochs, ${FULL_RUN.testLimit.toLocaleString('en-US')} test images) would take about ${est(FULL_RUN)} on this adapter (an estimate, from ${known.from}).`
    : ' How long a full run would take here shows once training measures the speed.';
  const plan = $('plan');
  plan.replaceChildren(where + times, ' ');
  const preset = (label: string, run: { limit: number; testLimit: number; epochs: number }) => {
    const b = Object.assign(document.createElement('button'), { textContent: label, type: 'button' });
    b.onclick = () => {
      $<HTMLInputElement>('limit').value = String(run.limit);
      $<HTMLInputElement>('test-limit').value = String(run.testLimit);
      $<HTMLInputElement>('epochs').value = String(run.epochs);
      $('limit').dispatchEvent(new Event('input'));
    };
    return b;
  };
  plan.append(preset('Quick run', QUICK_RUN), preset('Full run', FULL_RUN));
}

/** During a run: the measured speed, and what the full run would take at it. */
export function showEstimate(speed: Speed, b: BatchEvent): void {
  $('estimate').textContent =
    `Measured here: ${speed.train.toFixed(1)} training images/s, ${speed.evaluate.toFixed(0)} evaluated images/s. ` +
    `At that speed a full run (${FULL_RUN.limit.toLocaleString('en-US')} examples, ${FULL_RUN.epochs} epochs) takes about ${formatDuration(runSeconds(FULL_RUN, speed, num('batch')))} on this adapter (an estimate).` +
    (b.etaSeconds === null ? '' : ` This run ends in about ${formatDuration(b.etaSeconds)}.`);
}

/** Which adapter this browser has; a software one (or none: the CPU) starts with a quick run. */
const touched = new Set<string>();
for (const id of ['limit', 'test-limit', 'epochs', 'model']) $(id).addEventListener('input', () => touched.add(id));
export const probed = (async () => {
  const gpu = await webgpu();
  if (gpu instanceof Error) {
    const warning = $('webgpu-warning');
    warning.hidden = false;
    warning.textContent = `${WEBGPU_HELP} (${gpu.message})`;
    $<HTMLSelectElement>('backend').value = 'cpu';
    $<HTMLSelectElement>('backend').querySelector<HTMLOptionElement>('option[value=webgpu]')!.disabled = true;
  } else {
    const i = gpu.adapterInfo;
    const name = [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'an unnamed adapter';
    adapter = { name, software: gpu.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|warp|software/i.test(name) };
  }
  if ($<HTMLSelectElement>('backend').value === 'cpu' || adapter?.software) {
    // Only what the visitor has not typed yet.
    if (!touched.has('limit')) $<HTMLInputElement>('limit').value = String(QUICK_RUN.limit);
    if (!touched.has('test-limit')) $<HTMLInputElement>('test-limit').value = String(QUICK_RUN.testLimit);
    if (!touched.has('epochs')) $<HTMLInputElement>('epochs').value = String(QUICK_RUN.epochs);
    if ($<HTMLSelectElement>('backend').value === 'cpu' && !touched.has('model')) $<HTMLSelectElement>('model').value = 'lenet5';
  }
  showPlan();
})();
