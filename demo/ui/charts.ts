// Canvas charts for the demo pages: line charts (training curves) and grouped bar charts
// (benchmark times). Plain 2D canvas, no library: a few dozen lines do what the pages need.

export interface LineSeries {
  name: string;
  color: string;
  /** [x, y] points, x increasing. */
  points: [number, number][];
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

/** A line chart with axes, ticks and a legend; an empty chart still draws its frame. */
export function drawLineChart(canvas: HTMLCanvasElement, title: string, series: LineSeries[], xLabel: string): void {
  const ctx = prepare(canvas);
  const { width: w, height: h } = canvas;
  const left = 52,
    right = 12,
    top = 26,
    bottom = 32;
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  let y0 = ys.length ? Math.min(...ys) : 0;
  let y1 = ys.length ? Math.max(...ys) : 1;
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const px = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * (w - left - right);
  const py = (y: number) => top + (1 - (y - y0) / (y1 - y0)) * (h - top - bottom);
  ctx.fillStyle = '#222';
  ctx.fillText(title, left, 16);
  ctx.strokeStyle = '#e5e5e5';
  ctx.textAlign = 'right';
  for (let i = 0; i <= 4; i++) {
    const v = y0 + ((y1 - y0) * i) / 4;
    ctx.beginPath();
    ctx.moveTo(left, py(v));
    ctx.lineTo(w - right, py(v));
    ctx.stroke();
    ctx.fillText(v.toFixed(3), left - 4, py(v) + 4);
  }
  ctx.textAlign = 'center';
  ctx.fillText(xLabel, (left + w - right) / 2, h - 6);
  ctx.fillText(String(Math.round(x0 * 100) / 100), left, h - 18);
  ctx.fillText(String(Math.round(x1 * 100) / 100), w - right, h - 18);
  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    s.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(px(x), py(y)) : ctx.lineTo(px(x), py(y))));
    ctx.stroke();
    if (s.points.length === 1) ctx.fillRect(px(s.points[0][0]) - 3, py(s.points[0][1]) - 3, 6, 6);
    ctx.textAlign = 'right';
    ctx.fillText(s.name, w - right - 2, top + 14 * k + 10);
  });
  ctx.lineWidth = 1;
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
