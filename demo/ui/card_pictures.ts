// The Home page's card pictures, drawn on canvases (no image files to keep current): a
// small sketch of what each page shows, made from numbers the way the page makes its own.
import { Random } from '../../src/random';

const W = 240;
const H = 120;
const BLUE = '#1f5fbf';
const ORANGE = '#d9480f';
const GREEN = '#2b8a3e';

/** A 28x28 sketch of a T-shirt (Fashion-MNIST's class 0), light on black, values in [0, 1]. */
function shirt(): Float32Array {
  const img = new Float32Array(28 * 28);
  for (let y = 3; y < 26; y++)
    for (let x = 2; x < 26; x++) {
      const body = x >= 8 && x < 20;
      const sleeve = y < 11 && x + (y - 3) * 0.6 >= 3 && 25 - x + (y - 3) * 0.6 >= 3;
      const neck = y < 6 && Math.abs(x - 13.5) < 3.5 - (y - 3);
      if ((body || sleeve) && !neck) img[y * 28 + x] = 0.55 + 0.35 * Math.sin(x * 0.7) * Math.cos(y * 0.4);
    }
  return img;
}

/** Draws a 28x28 map at (x, y), `s` pixels a value, grey over [lo, hi] or blue-white-red when `signed`. */
function drawMap(ctx: CanvasRenderingContext2D, m: Float32Array, x: number, y: number, s: number, signed: boolean): void {
  const big = Math.max(...m.map(Math.abs)) || 1;
  for (let i = 0; i < m.length; i++) {
    const v = m[i] / big;
    if (signed) {
      const f = Math.round(255 * (1 - Math.abs(v)));
      ctx.fillStyle = v >= 0 ? `rgb(255,${f},${f})` : `rgb(${f},${f},255)`;
    } else {
      const g = Math.round(255 * Math.max(0, v));
      ctx.fillStyle = `rgb(${g},${g},${g})`;
    }
    ctx.fillRect(x + (i % 28) * s, y + Math.floor(i / 28) * s, s, s);
  }
}

function explore(ctx: CanvasRenderingContext2D): void {
  const img = shirt();
  const edges = new Float32Array(28 * 28);
  const sobel = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
  for (let y = 1; y < 27; y++)
    for (let x = 1; x < 27; x++) {
      let s = 0;
      for (let k = 0; k < 9; k++) s += sobel[k] * img[(y + Math.floor(k / 3) - 1) * 28 + x + (k % 3) - 1];
      edges[y * 28 + x] = s;
    }
  drawMap(ctx, img, 12, 18, 3, false);
  drawMap(ctx, edges, 144, 18, 3, true);
  ctx.fillStyle = '#333';
  ctx.font = '22px system-ui, sans-serif';
  ctx.fillText('∗', 104, 66);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText('Sobel x', 98, 84);
  ctx.fillText('→', 127, 66);
}

/** Axes in the card's lower left. */
function axes(ctx: CanvasRenderingContext2D): void {
  ctx.strokeStyle = '#999';
  ctx.beginPath();
  ctx.moveTo(20, 10);
  ctx.lineTo(20, H - 16);
  ctx.lineTo(W - 10, H - 16);
  ctx.stroke();
}

function curve(ctx: CanvasRenderingContext2D, colour: string, f: (t: number) => number, rng: Random, noise: number): void {
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (let i = 0; i <= 100; i++) {
    const t = i / 100;
    const y = f(t) + noise * (rng.uniform(0, 1) - 0.5);
    ctx.lineTo(20 + t * (W - 32), H - 16 - y * (H - 30));
  }
  ctx.stroke();
}

function train(ctx: CanvasRenderingContext2D): void {
  const rng = new Random(3);
  axes(ctx);
  curve(ctx, BLUE, (t) => 0.1 + 0.85 * Math.exp(-6 * t), rng, 0.08);
  curve(ctx, GREEN, (t) => 0.9 - 0.75 * Math.exp(-7 * t), rng, 0.02);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = BLUE;
  ctx.fillText('loss', W - 44, H - 30);
  ctx.fillStyle = GREEN;
  ctx.fillText('accuracy', W - 62, 22);
}

function transfer(ctx: CanvasRenderingContext2D): void {
  const rng = new Random(5);
  const centres: [number, number, string][] = [
    [60, 40, BLUE],
    [170, 35, ORANGE],
    [120, 90, GREEN],
  ];
  for (const [cx, cy, colour] of centres) {
    ctx.fillStyle = colour;
    for (let i = 0; i < 14; i++) {
      ctx.beginPath();
      ctx.arc(cx + 34 * (rng.uniform(0, 1) - 0.5), cy + 26 * (rng.uniform(0, 1) - 0.5), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

function visualise(ctx: CanvasRenderingContext2D): void {
  const rng = new Random(7);
  for (let p = 0; p < 9; p++) {
    const [px, py] = [30 + (p % 3) * 34, 8 + Math.floor(p / 3) * 36];
    const angle = rng.uniform(0, 1) * 0.6 + 0.4;
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) {
        const g = Math.round(127 + 120 * Math.sin((x * Math.cos(angle) + y * Math.sin(angle)) * 1.4 + p));
        ctx.fillStyle = `rgb(${g},${g},${g})`;
        ctx.fillRect(px + x * 4, py + y * 4, 4, 4);
      }
  }
  ctx.strokeStyle = ORANGE;
  ctx.lineWidth = 2;
  ctx.strokeRect(150, 20, 64, 64);
  for (let y = 0; y < 16; y++)
    for (let x = 0; x < 16; x++) {
      const g = Math.round(255 * Math.exp(-((x - 8) ** 2 + (y - 7) ** 2) / 18));
      ctx.fillStyle = `rgb(${g},${Math.round(g * 0.6)},0)`;
      ctx.fillRect(152 + x * 3.75, 22 + y * 3.75, 3.75, 3.75);
    }
}

function bench(ctx: CanvasRenderingContext2D): void {
  const bars: [number, string][] = [
    [0.35, BLUE],
    [0.8, ORANGE],
    [0.55, GREEN],
    [0.25, BLUE],
    [0.6, ORANGE],
    [0.45, GREEN],
  ];
  bars.forEach(([v, colour], i) => {
    ctx.fillStyle = colour;
    ctx.fillRect(20, 12 + i * 16 + Math.floor(i / 3) * 6, v * (W - 40), 11);
  });
}

function verify(ctx: CanvasRenderingContext2D): void {
  ctx.font = '11px ui-monospace, monospace';
  const rows = ['conv2d      2.1e-7  ok', 'maxpool2d   0.0e+0  ok', 'relu        0.0e+0  ok', 'matmul      3.4e-7  ok', 'conv2d_grad 5.2e-7  ok'];
  rows.forEach((r, i) => {
    ctx.fillStyle = i % 2 ? '#fff' : '#f2f4f7';
    ctx.fillRect(16, 10 + i * 20, W - 32, 20);
    ctx.fillStyle = '#333';
    ctx.fillText(r.slice(0, -2), 24, 24 + i * 20);
    ctx.fillStyle = GREEN;
    ctx.fillText('ok', W - 44, 24 + i * 20);
  });
}

const PICTURES: Record<string, (ctx: CanvasRenderingContext2D) => void> = { explore, train, transfer, visualise, bench, verify };

/** The card picture of a page (by its key in demo/pages.json), or null when it has none. */
export function cardPicture(key: string): HTMLCanvasElement | null {
  const draw = PICTURES[key];
  if (!draw) return null;
  const canvas = document.createElement('canvas');
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  canvas.width = W * dpr;
  canvas.height = H * dpr;
  canvas.style.width = `${W}px`;
  canvas.style.height = `${H}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  draw(ctx);
  return canvas;
}
