#!/usr/bin/env node
// `npm run plot:runs`: the training curves of several `npm run train` runs in one figure
// (an SVG): each run's training loss against the images it has seen, and its test accuracy
// after each epoch. Made for comparisons at one budget: resnet20 against plain20 (He et
// al.'s degradation experiment), one optimizer against another.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../tools/cli/atomic_write.mjs';
import { curvePlot } from '../tools/cli/curve_plot.mjs';
import { defineCommand } from '../tools/cli/options.mjs';
import { epochEnds } from '../tools/cli/report.mjs';

const COLORS = ['#1f5fbf', '#d9480f', '#2b8a3e', '#862e9c', '#868e96', '#e8590c'];

const { values: o } = defineCommand({
  name: 'plot:runs',
  summary: 'draws the training curves of npm run train runs in one SVG figure.',
  description: [
    "Each of --runs is a run's --out folder (its metrics.json, complete or so far). The figure draws each run's training loss (the mean of each window of steps, metrics.json's lossCurve) against training images seen, and its test accuracy after each epoch as dots on the right axis. The legend names each run by its model and folder, with its last test accuracy.",
  ],
  options: {
    runs: { type: 'list', value: 'DIR[,DIR]', help: "the runs' --out folders, in the legend's order" },
    out: { type: 'path', value: 'FILE', help: 'the SVG to write (atomically)' },
    title: { type: 'string', value: 'TEXT', default: 'training loss and test accuracy', help: "the figure's title" },
  },
}).parseOrExit(process.argv.slice(2));
const fail = (message) => {
  console.error(`plot:runs: ${message}`);
  process.exit(2);
};
const dirs = o.runs ?? [];
if (dirs.length === 0) fail('--runs names at least one run folder (an npm run train --out DIR)');
if (!o.out) fail('--out FILE.svg is required');

const series = dirs.map((dir, k) => {
  const file = join(dir, 'metrics.json');
  if (!existsSync(file)) fail(`${dir}: no metrics.json (not an npm run train folder, or the run has not finished an epoch)`);
  const m = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(m.lossCurve) || m.lossCurve.length < 2)
    fail(`${file}: no training-loss curve (lossCurve): a run from before the curve was recorded, or one that has not reached its second point`);
  const ends = epochEnds(m);
  const last = m.testAccuracy;
  return {
    name: `${m.model} (${basename(dir)})${typeof last === 'number' ? `: test ${(last * 100).toFixed(2)}%` : ''}`,
    color: COLORS[k % COLORS.length],
    points: m.lossCurve.map((p) => ({ x: p.images, y: p.loss })),
    marks: (m.testAccuracyPerEpoch ?? []).map((a, i) => ({ x: ends[i], y: a })),
  };
});
const svg = curvePlot(series, { title: o.title, xLabel: 'training images seen', yLabel: 'training loss', marksLabel: 'test accuracy (dots)' });
writeFileAtomic(o.out, svg);
console.log(`wrote ${o.out} (${series.length} runs)`);
