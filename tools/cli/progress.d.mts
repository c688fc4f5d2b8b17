import type { BatchReport } from '../../src/training/reports';

/** One step's figures for the progress line: the trainer's batch report and the run's epoch count (null: a run bounded by time alone, its epoch shown without a count). */
export type ProgressUpdate = Omit<BatchReport, 'learningRate'> & { epochs: number | null };

/** A one-line terminal progress bar (tools/cli/progress.mjs). */
export class ProgressBar {
  constructor(stream?: NodeJS.WriteStream);
  update(p: ProgressUpdate): void;
  log(text: string): void;
}
