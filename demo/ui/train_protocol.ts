// What the Train page and its session (train_session.ts) say to each other: the form's
// choices, what the session tells the page once open, its events during a run and the
// views it answers. Plain data only, so a worker can post them.
import type { PickedFile } from '../../src/data/files';
import type { HealthWarning } from './train_health';

/** What the page's form asks for. */
export interface SessionConfig {
  source: 'server' | 'files';
  files: PickedFile[];
  limit: number;
  testLimit: number;
  model: string;
  init: PickedFile | null;
  optimizer: 'adam' | 'adamw' | 'sgd' | 'momentum' | 'nesterov';
  lr: number;
  batch: number;
  /** The epochs the learning-rate schedule spans (Start trains this many; a second Start trains further). */
  epochs: number;
  augment: boolean;
  backend: 'webgpu' | 'cpu';
}

/** The test images shown with their predictions. */
export const SAMPLE_COUNT = 24;

export interface SessionInfo {
  model: string;
  backend: string;
  /** The adapter in words ("google swiftshader"), or "CPU reference backend". */
  adapter: string;
  fallback: boolean;
  source: string;
  trainCount: number;
  testCount: number;
  /** The images each live evaluation scores (the first of the test split). */
  liveCount: number;
  classes: string[];
  /** What the initial weights came from ('' for a fresh model). */
  initReport: string;
  /** The layers whose outputs are maps, and the deepest convolution among them. */
  mapLayers: string[];
  deepestConv: string | null;
  /** The first SAMPLE_COUNT test images (normalised) and their labels. */
  samples: { images: Float32Array; labels: Uint8Array; shape: number[] };
  /** What always guessing the commonest class scores on the live images. */
  chance: number;
}

export interface BatchEvent {
  type: 'batch';
  /** Optimizer steps since the session began (the charts' x). */
  step: number;
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  /** Training accuracy: the running mean over the epoch so far. */
  accuracy: number;
  imagesPerSecond: number;
  learningRate: number;
  /** Steps done in this run and in all of it. */
  runStep: number;
  runSteps: number;
  /** The whole run's ETA (steps, live evaluations, test-set evaluations), or null before a speed is measured. */
  etaSeconds: number | null;
  /** Training and evaluation images per second measured so far, or null. */
  speed: { train: number; evaluate: number } | null;
}

export interface EvaluationEvent {
  type: 'evaluation';
  step: number;
  epoch: number;
  /** live: the fixed subset during an epoch; epoch: the whole test split at an epoch's end. */
  scope: 'live' | 'epoch';
  images: number;
  loss: number;
  accuracy: number;
  confusion: number[][];
  /** Predicted classes of the SAMPLE_COUNT sample images. */
  samplePredictions: Uint8Array;
  seconds: number;
  /** Steps until the next live evaluation. */
  every: number;
  /** ‖Δw‖ / ‖w‖ since the previous evaluation, over `steps` steps. */
  weightChange: number;
}

export interface ActivationView {
  index: number;
  image: Float32Array;
  shape: number[];
  label: number;
  prediction: number;
  probabilities: Float32Array;
  maps: { layer: string; data: Float32Array; shape: number[] }[];
}

export interface PatchView {
  layer: string;
  field: string;
  /** Each patch's crop and, for outlining it, the whole image it came from. */
  patches: { image: number; value: number; top: number; left: number; height: number; width: number; pixels: Float32Array; source: Float32Array }[];
  shape: number[];
}

export type SessionEvent =
  | BatchEvent
  | EvaluationEvent
  | { type: 'evaluating'; step: number; scope: 'live' | 'epoch'; images: number }
  | { type: 'filters'; data: Float32Array; shape: number[] }
  | { type: 'activations'; view: ActivationView }
  | { type: 'health'; warning: HealthWarning }
  | { type: 'epoch'; epoch: number; loss: number; accuracy: number; testLoss: number; testAccuracy: number; imagesPerSecond: number; seconds: number }
  | { type: 'paused'; step: number; epoch: number; batch: number; batches: number };
