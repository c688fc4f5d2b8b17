import type { Dataset } from './dataset';
import { idxDataset, parseIdx } from './idx';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The four files of (Fashion-)MNIST, as the Debian package installs them. */
export const IDX_FILES = {
  train: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'],
  test: ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
} as const;

/**
 * Fetches and parses one split of an IDX dataset from `baseUrl` (the page serves
 * /usr/share/datasets under /datasets/).
 */
export async function fetchIdxSplit(baseUrl: string, split: 'train' | 'test'): Promise<Dataset> {
  const [imagesFile, labelsFile] = IDX_FILES[split];
  const get = async (file: string) => {
    const url = `${baseUrl}/${file}`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}; is the dataset installed (apt-get install dataset-fashion-mnist)?`);
    return parseIdx(new Uint8Array(await res.arrayBuffer()), file);
  };
  const [images, labels] = await Promise.all([get(imagesFile), get(labelsFile)]);
  return idxDataset(images, labels, [imagesFile, labelsFile]);
}
