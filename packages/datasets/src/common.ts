// The exports both entries share (./index.ts for Node.js, ./browser.ts for a browser): everything that needs no
// Node.js built-in.
export { createDataset } from './dataset.js';
export type { Dataset } from './dataset.js';
export type { Split } from './split_option.js';
export type { LoadIdxPairOptions } from './idx_pair.js';
export {
  MNIST_CLASS_NAMES,
  FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_BASE_URL, FASHION_MNIST_MD5, DEBIAN_FASHION_MNIST_DIR,
  CIFAR10_CLASS_NAMES, CIFAR10_MD5, CIFAR10_URL,
} from './dataset_sources.js';
export type { LoadMnistOptions } from './mnist.js';
export type { LoadFashionMnistOptions } from './fashion_mnist.js';
export type { LoadCifar10Options } from './cifar10.js';
export type { DownloadFileOptions, DownloadProgress } from './download.js';
export type { Checksum } from './checksum.js';
export { readTar, readTarStream } from './tar_reader.js';
export type { TarEntry } from './tar_reader.js';
export { trainValidationSplit } from './train_validation_split.js';
export type { TrainValidationSplitOptions } from './train_validation_split.js';
export { batches } from './batches.js';
export type { Batch, BatchOptions } from './batches.js';
export {
  IDENTITY, chain, compose, invert, translation, rotation, scaling, shearing, imageCenter,
} from './affine_matrix.js';
export type { AffineMatrix } from './affine_matrix.js';
export {
  affineTransform, rotate, translate, scale, shear, resize, randomAffine, randomAffineMatrices,
} from './geometric_transforms.js';
export type { AffineTransformOptions, RandomAffineOptions } from './geometric_transforms.js';
export { rotated, translated, scaled, sheared, affnistLike } from './transformed_datasets.js';
export type { AffnistLikeOptions } from './transformed_datasets.js';
export { affnist40, affnist40Parameters } from './affnist40.js';
export type { Affnist40Options, Affnist40Draw } from './affnist40.js';
