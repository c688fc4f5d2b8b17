// The data a training job learns from: a classification split of (Fashion-)MNIST as it
// comes (--limit, --test-limit, --pad), or, for --task segment, scenes made on the fly
// from it (segmentation_scenes.ts): the training split's items in the training scenes,
// the test split's in the test scenes; or an image folder (--dataset folder:PATH), whose
// validation split stands where the test split does.
import { padImages, take, type Dataset } from '../../src/data/dataset';
import { loadImageFolder, type ImageDecoder, type ImageFolder, type ImageFolderProgress, type ImageFolderSource } from '../../src/data/image_folder';
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

/** An installed data set, or `folder:PATH`: an image folder with one subfolder per class. */
export type JobDataset = 'fashion-mnist' | 'mnist' | `folder:${string}`;

/** The folder of a `folder:PATH` data set, or null. */
export const folderOf = (dataset: string): string | null => (dataset.startsWith('folder:') ? dataset.slice('folder:'.length) : null);

/** The side of a folder data set's images when the run names none (--image-size). */
export const DEFAULT_IMAGE_SIZE = 32;

/** The batch size when the run names none (--batch), and an image folder's largest. */
export const DEFAULT_BATCH = 64;
/** The steps an epoch of an image folder has at least when the run names no batch size, where a batch of FOLDER_MIN_BATCH allows. */
export const FOLDER_MIN_STEPS = 100;
export const FOLDER_MIN_BATCH = 16;

/**
 * The batch size of a run that names none: DEFAULT_BATCH (64); for an image folder, 64
 * halved while an epoch of its `trainCount` training images would be under
 * FOLDER_MIN_STEPS (100) steps, down to FOLDER_MIN_BATCH (16), and halved further only
 * while it would exceed the training images. A folder of a few thousand images is a few
 * dozen steps an epoch at 64, too few for a short run to learn in: 2,400 images are 37
 * steps at 64, 150 at 16 (docs/your-own-images.md has the measurements). The installed
 * data sets (60,000 images) keep 64.
 */
export function defaultBatch(dataset: string, trainCount: number): number {
  let batch = DEFAULT_BATCH;
  if (folderOf(dataset) === null) return batch;
  while (batch > FOLDER_MIN_BATCH && Math.floor(trainCount / batch) < FOLDER_MIN_STEPS) batch /= 2;
  while (batch > 1 && batch > trainCount) batch /= 2;
  return batch;
}

export interface JobDataConfig {
  task?: TrainTask;
  dataset: JobDataset;
  limit?: number;
  testLimit?: number;
  pad?: number;
  seed: number;
  /** A folder data set's image side (default 32). */
  imageSize?: number;
  /**
   * A folder data set's crop margin in pixels (imageFolder's cropMargin; npm run train's
   * --crop-margin, default 0). Absent in the configs of runs from before the option, whose
   * folders were read with round(imageSize / 14): a resumed one keeps its crops.
   */
  cropMargin?: number;
  /** A folder data set: any bad file is an error. */
  strict?: boolean;
}

/** What a folder data set needs of where the job runs: the folder's files and the platform's decoder. */
export interface JobFolder {
  source: ImageFolderSource;
  decoder: ImageDecoder;
  onProgress?: (p: ImageFolderProgress) => void;
}

export interface JobData {
  train: Dataset;
  test: Dataset;
  /** The names of the classes (of the examples, or of the pixels: background first). */
  classNames: string[];
  /** A folder data set: normalised already, per channel, with these; and its random crops and bad files. */
  folder?: ImageFolder;
}

export async function loadJobData(c: JobDataConfig, datasetsUrl: string, images?: JobFolder): Promise<JobData> {
  const path = folderOf(c.dataset);
  if (path !== null) {
    if ((c.task ?? 'classify') === 'segment') throw new Error('train: --task segment needs fashion-mnist or mnist (an image folder has a class per image)');
    if (c.pad) throw new Error('train: --pad does not apply to an image folder (--image-size sets its size)');
    if (c.limit || c.testLimit) throw new Error('train: --limit and --test-limit do not apply to an image folder (it is read whole)');
    if (!images) throw new Error(`train: --dataset ${c.dataset}: the folder's files were not given to the job`);
    const size = c.imageSize ?? DEFAULT_IMAGE_SIZE;
    const f = await loadImageFolder(images.source, {
      size,
      cropMargin: c.cropMargin ?? Math.round(size / 14),
      seed: c.seed,
      strict: c.strict,
      decoder: images.decoder,
      onProgress: images.onProgress,
    });
    return { train: f.train, test: f.validation, classNames: f.classNames, folder: f };
  }
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
