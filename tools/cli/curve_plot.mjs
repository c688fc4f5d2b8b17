// Training curves as a self-contained SVG: lines of (x, y) points (a run's training loss
// against the images it has seen), with optional marked points on a second axis (its test
// accuracy after each epoch). The run report and `npm run plot:runs` draw with it.

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Round ticks for an axis spanning lo to hi: about five steps of 1, 2 or 5 times a power of ten. */
function ticksOf(lo, hi) {
  const raw = (hi - lo) / 5 || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  // From the step at or below lo to the one at or above hi, so every point lies inside.
  const out = [];
  const last = Math.ceil(hi / step - 1e-9) * step;
  for (let t = Math.floor(lo / step + 1e-9) * step; t <= last + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return { values: out, step };
}

const format = (v, step) => (Math.abs(v) >= 1e4 ? `${Number((v / 1000).toPrecision(6))}k` : v.toFixed(Math.max(0, -Math.floor(Math.log10(step)))));

/**
 * series: [{ name, color, points: [{ x, y }], marks?: [{ x, y }] }]: `points` drawn as a line
 * on the left axis (yLabel), `marks` as dots joined by a dashed line on the right axis (marksLabel).
 */
export function curvePlot(series, { title, xLabel, yLabel, marksLabel = null, width = 560, height = 320 }) {
  const left = 56,
    right = marksLabel ? 56 : 16,
    top = 34,
    bottom = 44;
  const lines = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  const marks = series.flatMap((s) => s.marks ?? []).filter((p) => Number.isFinite(p.y));
  const xs = [...lines, ...marks].map((p) => p.x);
  const x0 = 0;
  const x1 = Math.max(1, ...xs);
  const yTicks = ticksOf(Math.min(...lines.map((p) => p.y), 0), Math.max(...lines.map((p) => p.y), 1e-9));
  const [y0, y1] = [yTicks.values[0], yTicks.values.at(-1)];
  const mTicks = marks.length
    ? ticksOf(Math.floor(Math.min(...marks.map((p) => p.y)) * 20) / 20, Math.min(1, Math.ceil(Math.max(...marks.map((p) => p.y)) * 20) / 20))
    : null;
  const x = (v) => left + ((v - x0) / (x1 - x0)) * (width - left - right);
  const y = (v) => top + (1 - (v - y0) / (y1 - y0 || 1)) * (height - top - bottom);
  const ym = (v) => {
    const [m0, m1] = [mTicks.values[0], mTicks.values.at(-1)];
    return top + (1 - (v - m0) / (m1 - m0 || 1)) * (height - top - bottom);
  };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" role="img" aria-label="${esc(title)}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="20" font-weight="bold" font-size="14">${esc(title)}</text>`,
  ];
  for (const t of yTicks.values)
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${format(t, yTicks.step)}</text>`,
    );
  if (mTicks)
    for (const t of mTicks.values) parts.push(`<text x="${width - right + 6}" y="${ym(t) + 4}" font-size="11" fill="#555">${format(t, mTicks.step)}</text>`);
  const xTicks = ticksOf(x0, x1);
  for (const t of xTicks.values) parts.push(`<text x="${x(t)}" y="${height - 24}" text-anchor="middle" font-size="11">${format(t, xTicks.step)}</text>`);
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 6}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`);
  if (marksLabel)
    parts.push(
      `<text transform="translate(${width - 8} ${(top + height - bottom) / 2}) rotate(90)" text-anchor="middle" font-size="12" fill="#555">${esc(marksLabel)}</text>`,
    );
  series.forEach((s, k) => {
    const pts = s.points.filter((p) => Number.isFinite(p.y));
    if (pts.length) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${pts.map((p) => `${x(p.x)},${y(p.y)}`).join(' ')}"/>`);
    const ms = (s.marks ?? []).filter((p) => Number.isFinite(p.y));
    if (ms.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="1.2" stroke-dasharray="4 3" points="${ms.map((p) => `${x(p.x)},${ym(p.y)}`).join(' ')}"/>`,
      );
    for (const p of ms) parts.push(`<circle cx="${x(p.x)}" cy="${ym(p.y)}" r="3.5" fill="${s.color}"/>`);
    parts.push(`<text x="${width - right - 6}" y="${top + 16 * k + 8}" text-anchor="end" font-size="12" fill="${s.color}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
