// Charts of the demo pages: the Train page's training curves with uPlot (round ticks,
// sharp at any devicePixelRatio, a legend outside the plot; 50 kB, no dependencies), and
// the Bench page's grouped bars on a log scale, a few dozen lines of plain 2D canvas.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A run's curves, one entry per training step; null where a series has no value at that step. */
export interface TrainingCurves {
  steps: number[];
  /** Each batch's loss, and the training accuracy so far in the epoch (a running mean that restarts each epoch). */
  loss: (number | null)[];
  accuracy: (number | null)[];
  /** The live evaluations on the fixed test subset. */
  liveLoss: (number | null)[];
  liveAccuracy: (number | null)[];
  /** The whole test split at each epoch's end. */
  testLoss: (number | null)[];
  testAccuracy: (number | null)[];
  /** The last step of each finished epoch. */
  epochEnds: number[];
  /** Always guessing the commonest class, drawn as a dotted line; null when unknown. */
  chance: number | null;
  /** Images in a live evaluation and in the test split, for the legend. */
  liveImages: number;
  testImages: number;
}

export const emptyCurves = (): TrainingCurves => ({
  steps: [],
  loss: [],
  accuracy: [],
  liveLoss: [],
  liveAccuracy: [],
  testLoss: [],
  testAccuracy: [],
  epochEnds: [],
  chance: null,
  liveImages: 500,
  testImages: 10000,
});

/** Appends a step (a later value at the same step replaces the earlier). */
export function curvesAt(c: TrainingCurves, step: number): number {
  if (c.steps.at(-1) === step) return c.steps.length - 1;
  c.steps.push(step);
  for (const s of [c.loss, c.accuracy, c.liveLoss, c.liveAccuracy, c.testLoss, c.testAccuracy]) s.push(null);
  return c.steps.length - 1;
}

/** An exponential moving average (weight 0.9 on the past), debiased at the start as TensorBoard's smoothing is. */
export function smoothed(values: readonly (number | null)[], weight = 0.9): (number | null)[] {
  let avg = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    avg = weight * avg + (1 - weight) * v;
    n++;
    return avg / (1 - weight ** n);
  });
}

/** Steps are whole numbers: ticks at 1, 2, 5 times a power of ten. */
const STEP_TICKS = [1, 2, 5].flatMap((m) => [1, 10, 100, 1000, 10000, 100000].map((p) => m * p)).sort((a, b) => a - b);

const TRAIN = '#1f5fbf';
const LIVE = '#d9480f';
const TEST = '#7a1fa2';

/** Dashed epoch boundaries (and the chance line on the accuracy chart), drawn over the series. */
function marks(c: () => TrainingCurves, chanceScale: string | null) {
  return (u: uPlot) => {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const px = uPlot.pxRatio;
    ctx.save();
    ctx.font = `${11 * px}px system-ui, sans-serif`;
    ctx.fillStyle = '#555';
    ctx.strokeStyle = '#888';
    ctx.lineWidth = px;
    ctx.setLineDash([4 * px, 4 * px]);
    ctx.textAlign = 'right';
    c().epochEnds.forEach((step, i) => {
      const x = Math.round(u.valToPos(step, 'x', true));
      if (x < left || x > left + width + 1) return;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillText(`end of epoch ${i + 1}`, x - 3 * px, top + 12 * px);
    });
    const chance = c().chance;
    if (chanceScale && chance !== null) {
      const y = Math.round(u.valToPos(chance, chanceScale, true));
      ctx.setLineDash([1 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
      ctx.textAlign = 'left';
      ctx.fillText(`chance (${chance.toFixed(2)})`, left + 4 * px, y - 4 * px);
    }
    ctx.restore();
  };
}

const finiteOrNull = (xs: (number | null)[]) => xs.map((v) => (v !== null && Number.isFinite(v) && v > 0 ? v : null));

/**
 * The Train page's two charts: loss (per batch, its smoothed line, the test losses; log
 * scale, so an exploding loss stays readable) and accuracy (the training running mean and
 * the test accuracies), both against the step, with epoch boundaries marked.
 */
export class TrainingCharts {
  private readonly loss: uPlot;
  private readonly accuracy: uPlot;
  private curves = emptyCurves();

  constructor(lossTarget: HTMLElement, accuracyTarget: HTMLElement) {
    const width = (el: HTMLElement) => Math.max(320, Math.min(560, el.clientWidth || 460));
    const points = { show: true, size: 6 };
    const common = (el: HTMLElement) => ({
      width: width(el),
      height: 240,
      scales: { x: { time: false } },
      legend: { live: false },
      cursor: { show: false },
    });
    this.loss = new uPlot(
      {
        ...common(lossTarget),
        title: 'Loss',
        scales: { x: { time: false }, y: { distr: 3, log: 10 } },
        axes: [
          { label: 'step', incrs: STEP_TICKS },
          { label: 'loss (log scale)', size: 56 },
        ],
        series: [
          { label: 'step' },
          { label: 'each batch', stroke: '#9db7e0', width: 1, points: { show: false } },
          { label: 'batches, smoothed', stroke: TRAIN, width: 2, points: { show: false } },
          { label: 'test subset', stroke: LIVE, width: 1.5, spanGaps: true, points },
          { label: 'test split, epoch end', stroke: TEST, width: 0, spanGaps: true, points: { show: true, size: 9, fill: TEST } },
        ],
        hooks: { draw: [marks(() => this.curves, null)] },
      },
      this.lossData(),
      lossTarget,
    );
    this.accuracy = new uPlot(
      {
        ...common(accuracyTarget),
        title: 'Accuracy',
        scales: { x: { time: false }, y: { range: [0, 1] } },
        axes: [
          { label: 'step', incrs: STEP_TICKS },
          { label: 'accuracy', size: 56 },
        ],
        series: [
          { label: 'step' },
          { label: 'train, mean over the epoch so far', stroke: TRAIN, width: 2, points: { show: false } },
          { label: 'test subset', stroke: LIVE, width: 1.5, spanGaps: true, points },
          { label: 'test split, epoch end', stroke: TEST, width: 0, spanGaps: true, points: { show: true, size: 9, fill: TEST } },
        ],
        hooks: { draw: [marks(() => this.curves, 'y')] },
      },
      this.accuracyData(),
      accuracyTarget,
    );
  }

  private lossData(): uPlot.AlignedData {
    const c = this.curves;
    const loss = finiteOrNull(c.loss);
    return [c.steps, loss, smoothed(loss), finiteOrNull(c.liveLoss), finiteOrNull(c.testLoss)] as uPlot.AlignedData;
  }

  private accuracyData(): uPlot.AlignedData {
    const c = this.curves;
    return [c.steps, c.accuracy, c.liveAccuracy, c.testAccuracy] as uPlot.AlignedData;
  }

  /** Redraws both charts with these curves (kept by reference: later draws see their growth). */
  draw(curves: TrainingCurves): void {
    this.curves = curves;
    // The legends name the image counts of this session's test sets.
    for (const u of [this.loss, this.accuracy]) {
      for (const el of u.root.querySelectorAll('.u-legend .u-label')) {
        if (el.textContent?.startsWith('test subset')) el.textContent = `test subset (first ${curves.liveImages} images)`;
        if (el.textContent?.startsWith('test split')) el.textContent = `test split (${curves.testImages} images), epoch end`;
      }
    }
    this.loss.setData(this.lossData());
    this.accuracy.setData(this.accuracyData());
  }
}

const FONT = '12px system-ui, sans-serif';

function prepare(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = FONT;
  return ctx;
}

export interface BarSeries {
  name: string;
  color: string;
  /** One value per category; null where the system has no number. */
  values: (number | null)[];
}

/** Horizontal grouped bars on a log scale (times spanning orders of magnitude). */
export function drawBarChart(canvas: HTMLCanvasElement, title: string, categories: string[], series: BarSeries[], unit: string): void {
  const rowHeight = 6 + series.length * 9;
  canvas.height = 40 + categories.length * rowHeight + 24;
  const ctx = prepare(canvas);
  const { width: w, height: h } = canvas;
  const left = 200,
    right = 70,
    top = 30;
  const values = series.flatMap((s) => s.values).filter((v): v is number => v !== null && v > 0);
  const lo = Math.log10(Math.max(Math.min(...values, 1), 1e-3)) - 0.2;
  const hi = Math.log10(Math.max(...values, 1)) + 0.1;
  const px = (v: number) => left + ((Math.log10(v) - lo) / (hi - lo)) * (w - left - right);
  ctx.fillStyle = '#222';
  ctx.fillText(`${title} (${unit}, log scale)`, 8, 16);
  categories.forEach((name, i) => {
    const y = top + i * rowHeight;
    ctx.fillStyle = '#222';
    ctx.textAlign = 'right';
    ctx.fillText(name, left - 8, y + rowHeight / 2 + 2);
    series.forEach((s, k) => {
      const v = s.values[i];
      if (v === null || !(v > 0)) return;
      ctx.fillStyle = s.color;
      ctx.fillRect(left, y + k * 9, Math.max(px(v) - left, 1), 8);
      ctx.textAlign = 'left';
      ctx.fillText(v < 10 ? v.toFixed(2) : v.toFixed(0), px(v) + 3, y + k * 9 + 8);
    });
  });
  series.forEach((s, k) => {
    ctx.fillStyle = s.color;
    ctx.fillRect(left + k * 140, h - 16, 10, 10);
    ctx.fillStyle = '#222';
    ctx.textAlign = 'left';
    ctx.fillText(s.name, left + k * 140 + 14, h - 7);
  });
}
