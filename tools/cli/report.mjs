// The training report: one self-contained HTML file with loss and accuracy curves
// (train and test, per epoch; the training loss as it went, against images seen), the
// test confusion matrix and the first layer's filters; for --task segment also mean IoU
// per epoch and per label, and a grid of test scenes (image, truth, prediction) as
// embedded PNGs.
import { curvePlot } from './curve_plot.mjs';
import { encodePng } from './png.mjs';

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** An SVG line chart of named series over epochs 1..n. */
function chart(title, series, { yMin, yMax } = {}) {
  const w = 420,
    h = 240,
    left = 48,
    right = 12,
    top = 28,
    bottom = 34;
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const lo = yMin ?? Math.min(...all);
  const hi = yMax ?? Math.max(...all);
  const span = hi - lo || 1;
  const n = Math.max(...series.map((s) => s.values.length));
  const x = (i) => left + (n === 1 ? (w - left - right) / 2 : (i * (w - left - right)) / (n - 1));
  const y = (v) => top + (1 - (v - lo) / span) * (h - top - bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * span);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">`,
    `<text x="${left}" y="18" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const t of ticks)
    parts.push(
      `<line x1="${left}" x2="${w - right}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${t.toFixed(3)}</text>`,
    );
  for (let i = 0; i < n; i++) parts.push(`<text x="${x(i)}" y="${h - 14}" text-anchor="middle" font-size="11">${i + 1}</text>`);
  parts.push(`<text x="${(left + w - right) / 2}" y="${h - 1}" text-anchor="middle" font-size="11">epoch</text>`);
  series.forEach((s, k) => {
    const pts = s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`);
    for (const [i, v] of s.values.entries()) parts.push(`<circle cx="${x(i)}" cy="${y(v)}" r="3" fill="${s.color}"/>`);
    parts.push(`<text x="${w - right - 4}" y="${top + 14 * k + 4}" text-anchor="end" font-size="12" fill="${s.color}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The confusion matrix as a shaded table (row = true class, column = predicted). */
function confusion(matrix, classes) {
  const max = Math.max(...matrix.flat());
  const head = `<tr><th>true \\ predicted</th>${classes.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = matrix.map(
    (row, i) =>
      `<tr><th>${esc(classes[i])}</th>${row.map((v, j) => `<td style="background:rgba(${i === j ? '23,107,31' : '170,17,17'},${(v / max).toFixed(3)});color:${v / max > 0.5 ? '#fff' : '#222'}">${v}</td>`).join('')}</tr>`,
  );
  return `<table class="confusion">${head}${rows.join('')}</table>`;
}

/**
 * First-layer filters, each scaled to its own range: a colour image per filter when the
 * input is RGB (channel c drives colour c), otherwise one grey grid per input channel.
 */
function filterImages(filters) {
  if (!filters) return '<p>The model has no convolution.</p>';
  const [o, c, kh, kw] = filters.shape;
  const px = 10;
  const grid = (f, label, colour) => {
    const values = filters.data.slice(f * c * kh * kw, (f + 1) * c * kh * kw);
    const lo = Math.min(...values);
    const span = Math.max(...values) - lo || 1;
    const level = (v) => Math.round(((v - lo) / span) * 255);
    const images = colour ? [0] : [...Array(c).keys()];
    return images
      .map((ch) => {
        const cells = [];
        for (let i = 0; i < kh * kw; i++) {
          const [r, g, b] = colour ? [0, 1, 2].map((k) => level(values[k * kh * kw + i])) : Array(3).fill(level(values[ch * kh * kw + i]));
          cells.push(`<rect x="${(i % kw) * px}" y="${Math.floor(i / kw) * px}" width="${px}" height="${px}" fill="rgb(${r},${g},${b})"/>`);
        }
        return `<svg xmlns="http://www.w3.org/2000/svg" width="${kw * px}" height="${kh * px}" aria-label="${label}${colour ? '' : ` channel ${ch}`}">${cells.join('')}</svg>`;
      })
      .join('');
  };
  const rgb = c === 3;
  const out = [...Array(o).keys()].map((f) => `<span class="filter">${grid(f, `filter ${f}`, rgb)}</span>`);
  const what = rgb ? ' as colour images (red, green, blue = input channels 0, 1, 2)' : c > 1 ? `, each shown for all ${c} input channels` : '';
  return `<div class="filters">${out.join('')}</div><p>${o} filters of ${kh}x${kw}${what}.</p>`;
}

/** A data: URL of a PNG. */
const pngUrl = (pixels, size, channels) => `data:image/png;base64,${encodePng(Uint8Array.from(pixels), size, size, channels).toString('base64')}`;

/** A label map as RGB bytes in the palette's colours. */
function colourMap(labels, palette) {
  const out = new Uint8Array(labels.length * 3);
  labels.forEach((k, p) => out.set(palette[k] ?? [255, 255, 255], p * 3));
  return out;
}

/**
 * One PNG of the test scenes: a row per scene of image | truth | prediction, each drawn
 * `scale` times larger, with white gaps (scenes.png of a --task segment run; `text`: its
 * PNG text fields, such as the run's id).
 */
export function scenesPng(scenes, scale = 2, text = {}) {
  const { size, palette } = scenes;
  const gap = 4;
  const cell = size * scale;
  const width = 3 * cell + 4 * gap;
  const height = scenes.images.length * (cell + gap) + gap;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const paint = (row, col, colourOf) => {
    const top = gap + row * (cell + gap);
    const left = gap + col * (cell + gap);
    for (let y = 0; y < cell; y++)
      for (let x = 0; x < cell; x++) rgb.set(colourOf(Math.floor(y / scale) * size + Math.floor(x / scale)), ((top + y) * width + left + x) * 3);
  };
  scenes.images.forEach((image, i) => {
    paint(i, 0, (p) => [image[p], image[p], image[p]]);
    paint(i, 1, (p) => palette[scenes.truth[i][p]]);
    paint(i, 2, (p) => palette[scenes.predicted[i][p]]);
  });
  return encodePng(rgb, width, height, 3, text);
}

/** Test scenes beside their true and predicted label maps, with the palette's legend. */
function sceneGrid(scenes) {
  const { size, labels, palette } = scenes;
  const img = (src, alt) => `<img src="${src}" width="${size * 2}" height="${size * 2}" alt="${esc(alt)}">`;
  const rows = scenes.images.map(
    (image, i) =>
      `<tr><td>${img(pngUrl(image, size, 1), `scene ${i}`)}</td><td>${img(pngUrl(colourMap(scenes.truth[i], palette), size, 3), `truth ${i}`)}</td><td>${img(pngUrl(colourMap(scenes.predicted[i], palette), size, 3), `prediction ${i}`)}</td></tr>`,
  );
  const legend = labels.map((name, k) => `<span class="swatch"><i style="background:rgb(${palette[k].join(',')})"></i>${esc(name)}</span>`).join('');
  return `<p class="legend">${legend}</p><table class="scenes"><tr><th>scene</th><th>truth</th><th>prediction</th></tr>${rows.join('')}</table>`;
}

/** IoU per label of the test set as a table. */
function iouTable(iou) {
  const cell = (v) => (v === null ? 'absent' : v.toFixed(4));
  return `<table><tr><th>label</th><th>IoU</th></tr>${Object.entries(iou)
    .map(([name, v]) => `<tr><th>${esc(name)}</th><td>${cell(v)}</td></tr>`)
    .join('')}</table>`;
}

/** Images seen by the end of each epoch the run finished (the trainer drops a last partial batch). */
export function epochEnds(metrics) {
  const perEpoch = Math.floor(metrics.trainExamples / metrics.config.batch) * metrics.config.batch;
  return (metrics.testAccuracyPerEpoch ?? []).map((_, i) => Math.min((i + 1) * perEpoch, metrics.imagesSeen ?? Infinity));
}

/** The training loss against images seen (metrics.lossCurve), the test accuracy after each epoch on the right. */
function lossCurveChart(metrics) {
  if (!metrics.lossCurve || metrics.lossCurve.length < 2) return '';
  const ends = epochEnds(metrics);
  return `<h2>Training loss as it went</h2>\n${curvePlot(
    [
      {
        name: 'training loss (mean of each window of steps)',
        color: '#1f5fbf',
        points: metrics.lossCurve.map((p) => ({ x: p.images, y: p.loss })),
        marks: (metrics.testAccuracyPerEpoch ?? []).map((a, i) => ({ x: ends[i], y: a })),
      },
    ],
    { title: `${metrics.model}: training loss and test accuracy`, xLabel: 'training images seen', yLabel: 'loss', marksLabel: 'test accuracy (dots)' },
  )}`;
}

/** The report HTML for a run's metrics and first-layer filters (and, for --task segment, its test scenes). */
export function renderReport(metrics, filters, scenes = null) {
  const segment = metrics.task === 'segment';
  const pct = (v) => (v === null || v === undefined ? 'none (no epoch finished)' : `${(v * 100).toFixed(2)}%`);
  const rows = [
    ['model', `${metrics.model} (${metrics.params.toLocaleString('en-US')} parameters)`],
    [
      'dataset',
      segment
        ? `64x64 scenes of ${metrics.dataset} items, a label per pixel: ${metrics.trainExamples} train, ${metrics.testExamples} test`
        : `${metrics.dataset}: ${metrics.trainExamples} train, ${metrics.testExamples} test`,
    ],
    ['backend', `${metrics.backend} — ${metrics.adapter.vendor} ${metrics.adapter.architecture}`],
    [
      'optimizer',
      `${metrics.config.optimizer}, lr ${metrics.config.lr} (${metrics.config.schedule ?? 'constant'}), batch ${metrics.config.batch}, ${metrics.config.epochs} epochs${metrics.config.augment ? ', augmented' : ''}`,
    ],
    ...(segment
      ? [
          ['test pixel accuracy', pct(metrics.testAccuracy)],
          ['test mean IoU', metrics.testMeanIoU === null ? 'none (no epoch finished)' : metrics.testMeanIoU.toFixed(4)],
        ]
      : [['test accuracy', pct(metrics.testAccuracy)]]),
    [
      'throughput',
      `${metrics.imagesPerSecond === null ? '-' : metrics.imagesPerSecond.toFixed(1)} images/s training; ${metrics.dispatchesPerStep} dispatches and ${metrics.submitsPerStep} submit per step`,
    ],
    ['time', `${metrics.totalSeconds.toFixed(1)} s`],
    ...(metrics.runId
      ? [['run', `${metrics.runId}, step ${metrics.step ?? '-'}${metrics.weights ? `; weights sha256 ${metrics.weights.sha256}` : '; no weights written'}`]]
      : []),
  ];
  // Which run wrote the report and where it stood, for a reader checking a folder's files agree.
  const stamp = metrics.runId ? `\n<meta name="run-id" content="${esc(metrics.runId)}"><meta name="run-step" content="${esc(metrics.step ?? '')}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${stamp}<title>Training report — ${esc(metrics.model)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; max-width: 60rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; } td, th { border: 1px solid #ccc; padding: 0.25rem 0.5rem; }
.confusion td { text-align: right; min-width: 2.5rem; } .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.filters svg { margin: 0 1px 6px 0; border: 1px solid #999; }
.filters .filter { display: inline-block; margin-right: 8px; }
.diverged { background: #fde8e8; border: 1px solid #c33; padding: 0.5rem 0.75rem; }
.scenes img { image-rendering: pixelated; display: block; } .scenes td { padding: 2px; }
.legend .swatch { display: inline-block; margin-right: 0.8rem; } .legend i { display: inline-block; width: 0.9rem; height: 0.9rem; margin-right: 0.25rem; vertical-align: -0.1rem; border: 1px solid #999; }
</style></head><body>
<h1>Training report</h1>
${metrics.diverged ? `<p class="diverged"><strong>Training diverged and stopped.</strong> ${esc(metrics.diverged.message)}</p>` : ''}
<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
<div class="charts">
${chart('loss', [
  { name: 'train', values: metrics.loss, color: '#1f5fbf' },
  { name: 'test', values: metrics.testLossPerEpoch, color: '#d9480f' },
])}
${chart(segment ? 'pixel accuracy and mean IoU' : 'accuracy', [
  { name: 'train', values: metrics.trainAccuracy, color: '#1f5fbf' },
  { name: 'test', values: metrics.testAccuracyPerEpoch, color: '#d9480f' },
  ...(segment ? [{ name: 'test mean IoU', values: metrics.testMeanIoUPerEpoch, color: '#2b8a3e' }] : []),
])}
</div>
${lossCurveChart(metrics)}
${segment && scenes ? `<h2>Test scenes: image, truth, prediction</h2>\n${sceneGrid(scenes)}` : ''}
${segment && metrics.testIoU ? `<h2>IoU per label (test set)</h2>\n${iouTable(metrics.testIoU)}` : ''}
<h2>Confusion matrix (test set${segment ? ', pixels' : ''})</h2>
${metrics.confusionMatrix ? confusion(metrics.confusionMatrix, metrics.classes) : '<p>No test-set evaluation.</p>'}
<h2>First-layer filters</h2>
${filterImages(filters)}
</body></html>
`;
}
