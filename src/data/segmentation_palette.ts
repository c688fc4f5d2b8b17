// Colours of label maps: background black, then one distinct colour per class, so that a
// scene's truth and a model's prediction can be compared at a glance (the report of
// `npm run train -- --task segment` and the demo's Visualise page draw with these).

/** [r, g, b] per label: 0 background, then the categorical colours of matplotlib's tab10, repeating past 10 classes. */
const CLASS_COLOURS: readonly (readonly [number, number, number])[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

/** The colour of `label` (0 is the background). */
export function labelColour(label: number): readonly [number, number, number] {
  return label === 0 ? [0, 0, 0] : CLASS_COLOURS[(label - 1) % CLASS_COLOURS.length];
}

/** The palette of `labels` labels, one [r, g, b] each. */
export function segmentationPalette(labels: number): [number, number, number][] {
  return Array.from({ length: labels }, (_, k) => [...labelColour(k)] as [number, number, number]);
}

/** The names of a scene's labels: background, then the source data set's classes. */
export function sceneLabelNames(classes: readonly string[]): string[] {
  return ['background', ...classes];
}
