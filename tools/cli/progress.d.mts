/** One step's figures for the progress line; epochs null: a run bounded by time alone, its epoch shown without a count. */
export interface ProgressUpdate {
  epoch: number;
  epochs: number | null;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

/** A one-line terminal progress bar (tools/cli/progress.mjs). */
export class ProgressBar {
  constructor(stream?: NodeJS.WriteStream);
  update(p: ProgressUpdate): void;
  log(text: string): void;
}
