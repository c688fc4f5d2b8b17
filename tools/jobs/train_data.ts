// The data a training job learns from: a classification split of (Fashion-)MNIST as it
// comes (--limit, --test-limit, --pad), or, for --task segment, scenes made on the fly
// from it (segmentation_scenes.ts): the training split's items in the training scenes,
// the test split's in the test scenes.
import { padImages, take, type Dataset } from '../../src/data/dataset';
import { FASHION_MNIST_CLASSES, fetchIdxSplit } from '../../src/data/fashion_mnist';
import { sceneLabelNames } from '../../src/data/segmentation_palette';
import { segmentationScenes } from '../../src/data/segmentation_scenes';

export type TrainTask = 'classify' | 'segment';

/** Scenes of --task segment when --limit and --test-limit are not given. */
export const DEFAULT_TRAIN_SCENES = 8000;
export const DEFAULT_TEST_SCENES = 1000;
/** The test scenes' seed: fixed, so runs of any --seed are scored on the same scenes. */
export const TEST_SCENES_SEED = 2;
/** Scene side in pixels: the input of the segmentation minis. */
export const SCENE_SIZE = 64;

export interface JobDataConfig {
  task?: TrainTask;
  dataset: 'fashion-mnist' | 'mnist';
  limit?: number;
  testLimit?: number;
  pad?: number;
  seed: number;
}

export interface JobData {
  train: Dataset;
  test: Dataset;
  /** The names of the classes (of the examples, or of the pixels: background first). */
  classNames: string[];
}

export async function loadJobData(c: JobDataConfig, datasetsUrl: string): Promise<JobData> {
  const folder = c.dataset === 'mnist' ? 'mnist' : 'fashion-mnist';
  let train = await fetchIdxSplit(`${datasetsUrl}/${folder}`, 'train');
  let test = await fetchIdxSplit(`${datasetsUrl}/${folder}`, 'test');
  const classNames = c.dataset === 'fashion-mnist' ? [...FASHION_MNIST_CLASSES] : [...Array(10).keys()].map(String);
  if ((c.task ?? 'classify') === 'segment') {
    if (c.pad) throw new Error('train: --pad does not apply to --task segment (the scenes are 64x64 already)');
    return {
      train: segmentationScenes(train, { count: c.limit ?? DEFAULT_TRAIN_SCENES, size: SCENE_SIZE, seed: c.seed }),
      test: segmentationScenes(test, { count: c.testLimit ?? DEFAULT_TEST_SCENES, size: SCENE_SIZE, seed: TEST_SCENES_SEED }),
      classNames: sceneLabelNames(classNames),
    };
  }
  if (c.limit) train = take(train, c.limit);
  if (c.testLimit) test = take(test, c.testLimit);
  if (c.pad) [train, test] = [padImages(train, c.pad), padImages(test, c.pad)];
  return { train, test, classNames };
}
