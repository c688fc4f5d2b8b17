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

export interface JobDataConfig {
  task?: TrainTask;
  dataset: JobDataset;
  limit?: number;
  testLimit?: number;
  pad?: number;
  seed: number;
  /** A folder data set's image side (default 32). */
  imageSize?: number;
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
    const f = await loadImageFolder(images.source, {
      size: c.imageSize ?? DEFAULT_IMAGE_SIZE,
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
