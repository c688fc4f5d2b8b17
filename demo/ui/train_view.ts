// The Train page's pictures: confusion matrix, test samples, filters, activations, top-9
// patches. Plain DOM and canvas from the session's plain data (it may come from a worker).
import type { ActivationView, PatchView } from './train_session';
import { channelGrid, imageCanvas } from './images';

/** Rows = true class, columns = predicted; cells shaded by count. */
export function renderConfusion(target: HTMLElement, matrix: number[][], classes: string[]): void {
  const max = Math.max(1, ...matrix.flat());
  const table = document.createElement('table');
  const head = table.insertRow();
  head.insertCell().textContent = 'true \\ predicted';
  for (const c of classes) head.insertCell().textContent = c;
  matrix.forEach((row, i) => {
    const tr = table.insertRow();
    tr.insertCell().textContent = classes[i];
    row.forEach((v, j) => {
      const cell = tr.insertCell();
      cell.textContent = String(v);
      cell.style.background = `rgba(${i === j ? '23,107,31' : '170,17,17'},${(v / max).toFixed(3)})`;
      if (v / max > 0.5) cell.style.color = '#fff';
    });
  });
  target.replaceChildren(table);
}

/** The sample test images with the predicted class (and the true one when wrong). */
export function renderSamples(
  target: HTMLElement,
  samples: { images: Float32Array; labels: Uint8Array; shape: number[] },
  predictions: Uint8Array,
  classes: string[],
): void {
  const [channels, h, w] = samples.shape;
  const per = channels * h * w;
  target.replaceChildren();
  for (let i = 0; i < samples.labels.length; i++) {
    const cell = document.createElement('div');
    cell.append(imageCanvas(samples.images.subarray(i * per, (i + 1) * per), channels, h, w, 2));
    const label = document.createElement('span');
    const right = predictions[i] === samples.labels[i];
    label.className = right ? 'right' : 'wrong';
    label.textContent = right ? classes[predictions[i]] : `${classes[predictions[i]]} (${classes[samples.labels[i]]})`;
    cell.append(document.createElement('br'), label);
    target.append(cell);
  }
}

/**
 * A filter bank [O, I, KH, KW]: one colour image per filter for RGB input (channels 0, 1, 2
 * as red, green, blue), otherwise one grey image per filter and input channel, each
 * filter scaled to its own range.
 */
export function renderFilters(target: HTMLElement, data: Float32Array, shape: readonly number[]): void {
  const [count, channels, kh, kw] = shape;
  // About 40 CSS pixels a filter: a 3x3 filter's nine weights are squares one can see.
  const scale = Math.max(4, Math.round(40 / Math.max(kh, kw)));
  const per = channels * kh * kw;
  target.replaceChildren();
  const figure = document.createElement('figure');
  for (let f = 0; f < count; f++) {
    const filter = data.subarray(f * per, (f + 1) * per);
    const group = document.createElement('span');
    group.className = 'filter';
    if (channels === 3) group.append(imageCanvas(filter, 3, kh, kw, scale));
    else {
      // One shared range for the filter's channels, so their contrasts compare.
      const lo = Math.min(...filter);
      const hi = Math.max(...filter);
      for (let c = 0; c < channels; c++) group.append(imageCanvas(filter.subarray(c * kh * kw, (c + 1) * kh * kw), 1, kh, kw, scale, [lo, hi]));
    }
    group.title = `filter ${f}`;
    figure.append(group);
  }
  const cap = document.createElement('figcaption');
  cap.textContent = `${count} filters ${kh}x${kw}${channels === 3 ? ' (RGB)' : channels > 1 ? ` x ${channels} input channels` : ''}`;
  figure.append(cap);
  target.append(figure);
}

/**
 * One test image through the network: the image, its true and predicted class, the class
 * probabilities as bars, then one block per layer with maps (its output channels).
 */
export function renderActivations(target: HTMLElement, v: ActivationView, classes: string[]): void {
  target.replaceChildren();
  const head = document.createElement('div');
  head.className = 'activation-input';
  const [channels, h, w] = v.shape;
  const picture = imageCanvas(v.image, channels, h, w, Math.max(2, Math.round(84 / Math.max(h, w))));
  picture.className = 'input-image';
  const right = v.prediction === v.label;
  const verdict = document.createElement('p');
  verdict.append(
    `test image ${v.index}: true class `,
    Object.assign(document.createElement('b'), { textContent: classes[v.label] }),
    ', predicted ',
    Object.assign(document.createElement('b'), {
      textContent: `${classes[v.prediction]} (${(100 * v.probabilities[v.prediction]).toFixed(0)}%)`,
      className: right ? 'right' : 'wrong',
    }),
  );
  const bars = document.createElement('table');
  bars.className = 'probabilities';
  v.probabilities.forEach((p, c) => {
    const row = bars.insertRow();
    row.insertCell().textContent = classes[c];
    const bar = row.insertCell();
    const fill = document.createElement('i');
    fill.style.width = `${(100 * p).toFixed(1)}%`;
    fill.className = c === v.label ? 'truth' : c === v.prediction ? 'wrong' : '';
    bar.append(fill);
    row.insertCell().textContent = `${(100 * p).toFixed(1)}%`;
  });
  const text = document.createElement('div');
  text.append(verdict, bars);
  head.append(picture, text);
  target.append(head);
  for (const m of v.maps) {
    const block = document.createElement('div');
    const scale = Math.max(1, Math.round(56 / m.shape[1]));
    channelGrid(block, m.data, m.shape, scale, `${m.layer}: ${m.shape[0]} channels of ${m.shape[1]}x${m.shape[2]}`);
    target.append(block);
  }
}

/** Each of the top-9 patches drawn large, beside its source image with the receptive field outlined. */
export function renderPatches(target: HTMLElement, v: PatchView): void {
  target.replaceChildren();
  const [channels, h, w] = v.shape;
  const sourceScale = Math.max(2, Math.round(84 / Math.max(h, w)));
  for (const p of v.patches) {
    const figure = document.createElement('figure');
    figure.className = 'patch';
    const crop = imageCanvas(p.pixels, channels, p.height, p.width, Math.max(2, Math.floor(84 / Math.max(p.height, p.width))));
    crop.title = `the patch: ${p.width}x${p.height} pixels`;
    const source = imageCanvas(p.source, channels, h, w, sourceScale);
    const ctx = source.getContext('2d')!;
    ctx.strokeStyle = '#ff2d2d';
    ctx.lineWidth = 2;
    ctx.strokeRect(p.left * sourceScale + 1, p.top * sourceScale + 1, p.width * sourceScale - 2, p.height * sourceScale - 2);
    source.title = `test image ${p.image}, the receptive field outlined`;
    const cap = document.createElement('figcaption');
    cap.textContent = `image ${p.image}: ${p.value.toFixed(2)}`;
    figure.append(crop, source, cap);
    target.append(figure);
  }
}
