// The transfer experiment's plot: test accuracy against labelled images per class (log
// scale), one line per method, as a self-contained SVG.

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

const STYLE = {
  scratch: { name: 'from scratch', color: '#868e96' },
  frozen: { name: 'frozen body + new head', color: '#1f5fbf' },
  finetune: { name: 'fine-tuned (body at 0.1x)', color: '#d9480f' },
  gradual: { name: 'unfrozen layer by layer', color: '#2b8a3e' },
};

/** rows: [{ perClass, method, testAccuracy }]; names: a method's legend where it is not the default (the body's rate). */
export function transferPlot(rows, title, names = {}) {
  const w = 520,
    h = 320,
    left = 56,
    right = 16,
    top = 34,
    bottom = 44;
  const ns = [...new Set(rows.map((r) => r.perClass))].sort((a, b) => a - b);
  const accs = rows.map((r) => r.testAccuracy);
  const lo = Math.max(0, Math.floor(Math.min(...accs) * 10) / 10);
  const hi = Math.min(1, Math.ceil(Math.max(...accs) * 10) / 10);
  const span = hi - lo || 0.1;
  const [l0, l1] = [Math.log(ns[0]), Math.log(ns.at(-1))];
  const x = (n) => (ns.length === 1 ? (left + w - right) / 2 : left + ((Math.log(n) - l0) / (l1 - l0)) * (w - left - right));
  const y = (v) => top + (1 - (v - lo) / span) * (h - top - bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" role="img" aria-label="${esc(title)}">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${left}" y="20" font-weight="bold" font-size="13">${esc(title)}</text>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = lo + (k / 4) * span;
    parts.push(
      `<line x1="${left}" x2="${w - right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(2)}</text>`,
    );
  }
  for (const n of ns) parts.push(`<text x="${x(n)}" y="${h - 26}" text-anchor="middle" font-size="11">${n}</text>`);
  parts.push(`<text x="${(left + w - right) / 2}" y="${h - 8}" text-anchor="middle" font-size="11">labelled images per class (log scale)</text>`);
  parts.push(`<text transform="translate(14 ${(top + h - bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="11">test accuracy</text>`);
  const shown = Object.keys(STYLE).filter((method) => rows.some((r) => r.method === method));
  shown.forEach((method, k) => {
    const s = { ...STYLE[method], name: names[method] ?? STYLE[method].name };
    const mine = ns.map((n) => rows.find((r) => r.perClass === n && r.method === method)).filter(Boolean);
    if (mine.length === 0) return;
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${mine.map((r) => `${x(r.perClass)},${y(r.testAccuracy)}`).join(' ')}"/>`);
    for (const r of mine) parts.push(`<circle cx="${x(r.perClass)}" cy="${y(r.testAccuracy)}" r="3.5" fill="${s.color}"/>`);
    parts.push(
      `<text x="${w - right - 4}" y="${h - bottom - 10 - 15 * (shown.length - 1 - k)}" text-anchor="end" font-size="12" fill="${s.color}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
