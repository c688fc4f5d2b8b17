// The Train page's pictures: curves, confusion matrix, test samples, filters, activations.
import { sizeOf } from '../../src/shape';
import type { Dataset } from '../../src/data/dataset';
import { drawLineChart, type LineSeries } from './charts';
import { channelGrid, imageCanvas } from './images';

export interface Curves {
  /** [step, loss] of training batches, and [step, value] per epoch for test. */
  trainLoss: [number, number][];
  trainAccuracy: [number, number][];
  testLoss: [number, number][];
  testAccuracy: [number, number][];
}

export const emptyCurves = (): Curves => ({ trainLoss: [], trainAccuracy: [], testLoss: [], testAccuracy: [] });

const TRAIN = '#1f5fbf';
const TEST = '#d9480f';

export function drawCurves(loss: HTMLCanvasElement, accuracy: HTMLCanvasElement, c: Curves): void {
  const series = (train: [number, number][], test: [number, number][]): LineSeries[] => [
    { name: 'train', color: TRAIN, points: train },
    { name: 'test', color: TEST, points: test },
  ];
  drawLineChart(loss, 'loss', series(c.trainLoss, c.testLoss), 'step');
  drawLineChart(accuracy, 'accuracy', series(c.trainAccuracy, c.testAccuracy), 'step');
}

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

/** The first `count` test images with the predicted class (and the true one when wrong). */
export function renderSamples(target: HTMLElement, test: Dataset, predictions: Uint8Array, classes: string[], count = 24): void {
  const per = sizeOf(test.shape);
  const [channels, h, w] = test.shape;
  target.replaceChildren();
  for (let i = 0; i < Math.min(count, test.count); i++) {
    const cell = document.createElement('div');
    cell.append(imageCanvas(test.images.subarray(i * per, (i + 1) * per), channels, h, w, 2));
    const label = document.createElement('span');
    const right = predictions[i] === test.labels[i];
    label.className = right ? 'right' : 'wrong';
    label.textContent = right ? classes[predictions[i]] : `${classes[predictions[i]]} (${classes[test.labels[i]]})`;
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
  const per = channels * kh * kw;
  target.replaceChildren();
  const figure = document.createElement('figure');
  for (let f = 0; f < count; f++) {
    const filter = data.subarray(f * per, (f + 1) * per);
    const group = document.createElement('span');
    group.className = 'filter';
    if (channels === 3) group.append(imageCanvas(filter, 3, kh, kw, 8));
    else {
      // One shared range for the filter's channels, so their contrasts compare.
      const lo = Math.min(...filter);
      const hi = Math.max(...filter);
      for (let c = 0; c < channels; c++) group.append(imageCanvas(filter.subarray(c * kh * kw, (c + 1) * kh * kw), 1, kh, kw, 8, [lo, hi]));
    }
    group.title = `filter ${f}`;
    figure.append(group);
  }
  const cap = document.createElement('figcaption');
  cap.textContent = `${count} filters ${kh}x${kw}${channels === 3 ? ' (RGB)' : channels > 1 ? ` x ${channels} input channels` : ''}`;
  figure.append(cap);
  target.append(figure);
}

/** One block per layer with maps: its output channels for one image. */
export function renderActivations(target: HTMLElement, maps: { layer: string; data: Float32Array; shape: readonly number[] }[]): void {
  target.replaceChildren();
  for (const m of maps) {
    const block = document.createElement('div');
    const scale = Math.max(1, Math.round(56 / m.shape[1]));
    channelGrid(block, m.data, m.shape, scale, `${m.layer}: ${m.shape[0]} channels of ${m.shape[1]}x${m.shape[2]}`);
    target.append(block);
  }
}
